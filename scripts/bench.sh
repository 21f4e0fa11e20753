#!/usr/bin/env bash
# The benchmarks: sets up the toolchain when missing, builds the package, then runs bench/run.mjs
# (size, cold start, latency, throughput and client CPU against a plain fetch client, token
# economy, memory over 200,000 calls, large and hostile answers). Prints a Markdown table with
# every figure against its budget (bench/lib/budgets.mjs) and writes bench/results.json; a full
# run adds its line to bench/history.jsonl. Arguments go to bench/run.mjs:
#   --quick          fewer iterations (a rough picture in about a minute)
#   --only=a,b       some of: size, cold, latency, throughput, tokens, memory, answers, hostile
#   --no-write       leave bench/results.json as it is
# BENCH_SKIP_BUILD=1 measures the pkg/ already built. `node bench/report.mjs` then writes the
# README's Performance text into bench/README-performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  bash scripts/setup.sh
  bash scripts/build.sh
fi
exec node bench/run.mjs "$@"
