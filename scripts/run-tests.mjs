// Runs every test suite of the project in turn, echoes their output, and ends with one line that
// adds up what they report: `Total: N passed, N failed`. A suite that fails to start, exits
// non-zero or reports no test at all counts as a failure.
//
//   node scripts/run-tests.mjs            every suite
//   node scripts/run-tests.mjs NAME ...   only the named suites
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'node_modules/.bin');
const env = { ...process.env, PATH: `${process.env.HOME}/.cargo/bin:${bin}:${process.env.PATH}` };

/** Each suite: a command, and how to read its counts from the output. */
const SUITES = [
  { name: 'rust-core', cmd: 'cargo', args: ['test', '--quiet', '--tests'], parse: cargoCounts },
  // rustfmt, then clippy on the native targets and on wasm32 (warnings fail)
  { name: 'lint', cmd: 'bash', args: ['scripts/lint.sh'], parse: plainCounts },
  { name: 'build', cmd: 'bash', args: ['scripts/build.sh'], parse: exitOnly },
  { name: 'rust-wasm-node', cmd: 'wasm-pack', args: ['test', '--node', '--', '--test', 'node'], parse: cargoCounts },
  { name: 'size', cmd: 'node', args: ['tests/size/check.mjs'], parse: plainCounts },
  { name: 'types', cmd: 'node', args: ['tests/types/check.mjs'], parse: plainCounts },
  { name: 'node', cmd: 'node', args: ['--test', '--test-reporter=spec', '--test-concurrency=1', 'tests/emulator/', 'tests/js/'], parse: nodeCounts },
  { name: 'runtimes', cmd: 'node', args: ['--test', '--test-reporter=spec', 'tests/runtimes/runtimes.test.mjs'], parse: nodeCounts },
  { name: 'package', cmd: 'node', args: ['--test', '--test-reporter=spec', 'tests/runtimes/package.test.mjs'], parse: nodeCounts },
  // the examples in the tools users run them with (installed once into a cache; tests/runtimes/tools.mjs)
  { name: 'next', cmd: 'node', args: ['--test', '--test-reporter=spec', 'tests/runtimes/next.test.mjs'], parse: nodeCounts },
  { name: 'wrangler', cmd: 'node', args: ['--test', '--test-reporter=spec', 'tests/runtimes/wrangler.test.mjs'], parse: nodeCounts },
  { name: 'browser', cmd: 'node', args: ['--test', '--test-reporter=spec', 'tests/browser/browser.test.mjs'], parse: nodeCounts },
  { name: 'rust-wasm-web', cmd: 'node', args: ['tests/browser/run-web-rs.mjs'], parse: cargoCounts },
];

function cargoCounts(out) {
  let passed = 0;
  let failed = 0;
  for (const m of out.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
    passed += Number(m[1]);
    failed += Number(m[2]);
  }
  return { passed, failed };
}

function nodeCounts(out) {
  const pass = [...out.matchAll(/^[#ℹ] pass (\d+)/gm)].pop();
  const fail = [...out.matchAll(/^[#ℹ] fail (\d+)/gm)].pop();
  return { passed: Number(pass?.[1] ?? 0), failed: Number(fail?.[1] ?? 0) };
}

function plainCounts(out) {
  const m = [...out.matchAll(/(\d+) passed, (\d+) failed/g)].pop();
  return { passed: Number(m?.[1] ?? 0), failed: Number(m?.[2] ?? 0) };
}

function exitOnly() {
  return { passed: 0, failed: 0, noCount: true };
}

function run(suite) {
  return new Promise((resolve) => {
    const started = Date.now();
    console.log(`\n=== ${suite.name}: ${suite.cmd} ${suite.args.join(' ')}`);
    const child = spawn(suite.cmd, suite.args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => { out += d; process.stderr.write(d); });
    child.on('error', (err) => resolve({ code: 127, out: `${out}\n${err.message}`, ms: Date.now() - started }));
    child.on('close', (code) => resolve({ code: code ?? 1, out, ms: Date.now() - started }));
  });
}

const wanted = process.argv.slice(2);
const suites = wanted.length ? SUITES.filter((s) => wanted.includes(s.name)) : SUITES;
let passed = 0;
let failed = 0;
const lines = [];
for (const suite of suites) {
  const { code, out, ms } = await run(suite);
  const counts = suite.parse(out);
  const broken = code !== 0 || counts.failed > 0 || (!counts.noCount && counts.passed === 0);
  if (broken && counts.failed === 0) counts.failed = 1;
  passed += counts.passed;
  failed += counts.failed;
  const status = broken ? 'FAILED' : 'ok';
  lines.push(`${suite.name.padEnd(16)} ${status.padEnd(7)} ${String(counts.passed).padStart(4)} passed ${String(counts.failed).padStart(3)} failed  ${(ms / 1000).toFixed(1)} s`);
  if (broken && suite.name === 'build') break;
}
console.log('\n=== summary');
for (const line of lines) console.log(line);
console.log(`Total: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
