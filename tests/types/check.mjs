// Compiles tests/types/good.ts against the built package's declarations with `tsc --strict`
// (it must compile) and each file in tests/types/bad (each must fail, with the error its
// `// expect:` comment names). Ends with `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const flags = ['--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext',
  '--target', 'es2022', '--lib', 'es2022,dom,dom.asynciterable', '--skipLibCheck', 'false'];

/** One compiler run over every file: tsc reports each error prefixed by its file's path. */
const files = [join(here, 'good.ts'), ...readdirSync(join(here, 'bad')).filter((f) => f.endsWith('.ts')).sort()
  .map((f) => join(here, 'bad', f))];
const run = spawnSync(process.execPath, [tsc, ...flags, ...files], { cwd: root, encoding: 'utf8' });
const output = `${run.stdout}${run.stderr}`;
const errorsOf = (file) => {
  // an error is its first line (which starts with the file's path) and the indented lines after it
  const prefix = relative(root, file);
  const out = [];
  let mine = false;
  for (const line of output.split('\n')) {
    if (/^\S/.test(line)) mine = line.startsWith(prefix);
    if (mine) out.push(line);
  }
  return out.join('\n');
};

let passed = 0;
let failed = 0;
const goodErrors = errorsOf(files[0]);
if (!goodErrors && run.status !== null) { passed += 1; console.log('ok   good.ts compiles'); } else { failed += 1; console.log(`FAIL good.ts does not compile:\n${goodErrors || output}`); }
for (const file of files.slice(1)) {
  const name = basename(file);
  const expect = /\/\/ expect: (.*)/.exec(readFileSync(file, 'utf8'))?.[1]?.trim();
  const errors = errorsOf(file);
  if (errors && expect && errors.includes(expect)) { passed += 1; console.log(`ok   bad/${name} is refused: ${expect}`); }
  else { failed += 1; console.log(`FAIL bad/${name} ${errors ? `failed differently:\n${errors}` : 'compiled'}`); }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
