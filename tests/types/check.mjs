// Compiles tests/types/good.ts against the built package's declarations with `tsc --strict`
// (it must compile) and each file in tests/types/bad (each must fail, with the error its
// `// expect:` comment names). Ends with `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const flags = ['--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext',
  '--target', 'es2022', '--lib', 'es2022,dom,dom.asynciterable', '--skipLibCheck', 'false'];

function compile(file) {
  const r = spawnSync(process.execPath, [tsc, ...flags, file], { cwd: root, encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

let passed = 0;
let failed = 0;
const good = compile(join(here, 'good.ts'));
if (good.ok) { passed += 1; console.log('ok   good.ts compiles'); } else { failed += 1; console.log(`FAIL good.ts does not compile:\n${good.out}`); }
for (const name of readdirSync(join(here, 'bad')).filter((f) => f.endsWith('.ts')).sort()) {
  const file = join(here, 'bad', name);
  const expect = /\/\/ expect: (.*)/.exec(readFileSync(file, 'utf8'))?.[1]?.trim();
  const r = compile(file);
  if (!r.ok && expect && r.out.includes(expect)) { passed += 1; console.log(`ok   bad/${name} is refused: ${expect}`); }
  else { failed += 1; console.log(`FAIL bad/${name} ${r.ok ? 'compiled' : `failed differently:\n${r.out}`}`); }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
