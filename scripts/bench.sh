#!/usr/bin/env bash
# The benchmarks: sets up the toolchain when missing, builds the package, then runs bench/run.mjs
# (size, cold start, per-call latency, throughput, token economy against a plain fetch client).
# Prints a Markdown table and writes bench/results.json. Arguments go to bench/run.mjs:
#   --quick          fewer iterations (a rough picture in about a minute)
#   --only=a,b       some of: size, cold, latency, throughput, tokens
#   --no-write       leave bench/results.json as it is
# BENCH_SKIP_BUILD=1 measures the pkg/ already built.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  bash scripts/setup.sh
  bash scripts/build.sh
fi
exec node bench/run.mjs "$@"
