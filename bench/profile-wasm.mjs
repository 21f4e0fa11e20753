#!/usr/bin/env node
// Where the bytes of scalekit_mcp_bg.wasm go, in the manner of `cargo bloat`: section sizes,
// code size per crate and the largest functions, measured on the optimized module with its
// function names kept.
//
//   node bench/profile-wasm.mjs [--top=40] [--json] [file.wasm]
//
// Without a file it rebuilds the shipped module's pipeline from the cargo output
// (target/wasm32-unknown-unknown/release/scalekit_mcp.wasm → wasm-bindgen → wasm-opt with the
// flags of scripts/wasm-opt.flags) but keeps the name section (`wasm-opt -g`), so the code is the
// shipped code and every function has its Rust name. Run `bash scripts/build.sh` first.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH, '..');

// ---- a minimal reader of the WebAssembly binary format ---------------------------------------

function reader(buf) {
  let pos = 0;
  const r = {
    get pos() {
      return pos;
    },
    set pos(v) {
      pos = v;
    },
    byte: () => buf[pos++],
    u32() {
      let result = 0;
      let shift = 0;
      for (;;) {
        const b = buf[pos++];
        result |= (b & 0x7f) << shift;
        if ((b & 0x80) === 0) return result >>> 0;
        shift += 7;
      }
    },
    name() {
      const len = r.u32();
      const s = buf.toString('utf8', pos, pos + len);
      pos += len;
      return s;
    },
  };
  return r;
}

const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount', 'tag'];

/** Sections, imported function count, code body sizes and the function names of a module. */
export function parseWasm(buf) {
  const r = reader(buf);
  r.pos = 8;
  const sections = [];
  let importedFuncs = 0;
  let bodies = [];
  const names = new Map();
  while (r.pos < buf.length) {
    const id = r.byte();
    const size = r.u32();
    const start = r.pos;
    const end = start + size;
    let label = SECTION_NAMES[id] ?? `id ${id}`;
    if (id === 0) {
      const name = r.name();
      label = `custom "${name}"`;
      if (name === 'name') {
        while (r.pos < end) {
          const sub = r.byte();
          const subSize = r.u32();
          const subEnd = r.pos + subSize;
          if (sub === 1) {
            const count = r.u32();
            for (let i = 0; i < count; i += 1) names.set(r.u32(), r.name());
          }
          r.pos = subEnd;
        }
      }
    } else if (id === 2) {
      const count = r.u32();
      for (let i = 0; i < count; i += 1) {
        r.name();
        r.name();
        const kind = r.byte();
        if (kind === 0) {
          r.u32();
          importedFuncs += 1;
        } else if (kind === 1) {
          r.byte();
          const flags = r.u32();
          r.u32();
          if (flags & 1) r.u32();
        } else if (kind === 2) {
          const flags = r.u32();
          r.u32();
          if (flags & 1) r.u32();
        } else if (kind === 3) {
          r.byte();
          r.byte();
        } else if (kind === 4) {
          r.byte();
          r.u32();
        }
      }
    } else if (id === 10) {
      const count = r.u32();
      bodies = [];
      for (let i = 0; i < count; i += 1) {
        const bodyStart = r.pos;
        const bodySize = r.u32();
        r.pos += bodySize;
        bodies.push(r.pos - bodyStart);
      }
    }
    sections.push({ name: label, bytes: end - start });
    r.pos = end;
  }
  const functions = bodies.map((bytes, i) => {
    const index = importedFuncs + i;
    return { index, bytes, name: names.get(index) ?? `func[${index}]` };
  });
  return { sections, functions };
}

// ---- Rust symbol names --------------------------------------------------------------------------

const ESCAPES = { SP: '@', BP: '*', RF: '&', LT: '<', GT: '>', LP: '(', RP: ')', C: ',' };

/** Demangles a legacy Rust symbol (`_ZN...E`); other names are returned as they are. */
export function demangle(sym) {
  if (!sym.startsWith('_ZN') || !sym.endsWith('E')) return sym;
  const parts = [];
  let i = 3;
  while (i < sym.length - 1) {
    let len = 0;
    while (sym[i] >= '0' && sym[i] <= '9') len = len * 10 + Number(sym[i++]);
    if (len === 0) break;
    parts.push(sym.slice(i, i + len));
    i += len;
  }
  if (parts.length > 1 && /^h[0-9a-f]{16}$/.test(parts[parts.length - 1])) parts.pop();
  return parts
    .map((p) =>
      p
        .replace(/^_\$/, '$')
        .replace(/\.\./g, '::')
        .replace(/\$([A-Z]+)\$/g, (m, k) => ESCAPES[k] ?? m)
        .replace(/\$u([0-9a-f]+)\$/g, (_, hex) => String.fromCodePoint(parseInt(hex, 16))),
    )
    .join('::');
}

const PRIMITIVES = new Set(['bool', 'char', 'str', 'f32', 'f64', 'i8', 'i16', 'i32', 'i64', 'i128', 'isize', 'u8', 'u16', 'u32', 'u64', 'u128', 'usize']);

/** A name without the `[0123456789abcdef]` crate disambiguators and `::h…` hashes. */
export function tidy(name) {
  return name.replace(/\[[0-9a-f]{16}\]/g, '').replace(/::h[0-9a-f]{16}$/, '');
}

/**
 * The crate a function's code belongs to, as cargo-bloat guesses it: the first path of its name,
 * that is the implementing type of `<T as Trait>::f` (or the trait's crate when T is a primitive).
 * Export shims generated by wasm-bindgen (which the optimizer fills with the inlined body of the
 * exported method) are their own group.
 */
export function crateOf(raw) {
  const name = tidy(raw);
  if (/ (externref|multivalue) shim$/.test(name)) return '(wasm-bindgen export shims, inlined bodies)';
  let s = name;
  for (;;) {
    const t = s.replace(/^(<|&|\*|\(|\s|mut\s|dyn\s|const\s|impl\s)+/, '');
    if (t === s) break;
    s = t;
  }
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(::)?/.exec(s);
  if (m && m[1] === '__rustc') return 'std';
  if (m && m[2]) return m[1];
  if (m && (PRIMITIVES.has(m[1]) || /^[A-Z]$/.test(m[1]))) {
    const t = / as ([A-Za-z_][A-Za-z0-9_]*)::/.exec(s);
    return t ? t[1] : 'core';
  }
  if (/^\[/.test(s)) {
    const t = / as ([A-Za-z_][A-Za-z0-9_]*)::/.exec(s);
    return t ? t[1] : 'core';
  }
  if (/^__wbg|^__wbindgen|^__externref|wasm_bindgen/.test(name)) return 'wasm_bindgen';
  if (/^(memcpy|memset|memmove|memcmp|bcmp|__rust|__rdl|__rg|rust_|__rustc)/.test(name)) return 'std';
  if (/^func\[/.test(name)) return '(unnamed)';
  if (/^(__multi3|__powidf2|round|fmax|fmin)$/.test(name)) return 'compiler_builtins';
  return `(other: ${name.slice(0, 40)})`;
}

// ---- main -----------------------------------------------------------------------------------------

export function namedBuild(dir, root = ROOT) {
  const cargoOut = join(root, 'target/wasm32-unknown-unknown/release/scalekit_mcp.wasm');
  if (!existsSync(cargoOut)) throw new Error(`${cargoOut} is missing: run bash scripts/build.sh first`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const env = { ...process.env, PATH: `${process.env.HOME}/.cargo/bin:${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}` };
  execFileSync('wasm-bindgen', [cargoOut, '--target', 'web', '--weak-refs', '--keep-debug', '--out-dir', dir, '--out-name', 'scalekit_mcp'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const out = join(dir, 'named.wasm');
  const flags = readFileSync(join(root, 'scripts/wasm-opt.flags'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).join(' ').split(/\s+/).filter(Boolean);
  execFileSync('wasm-opt', [...flags, '-g', '--strip-producers', join(dir, 'scalekit_mcp_bg.wasm'), '-o', out], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  return out;
}

export function profileWasm(file, top = 40) {
  const { sections, functions } = parseWasm(readFileSync(file));
  const named = functions.map((f) => ({ ...f, name: tidy(demangle(f.name)) }));
  const code = named.reduce((a, f) => a + f.bytes, 0);
  const byCrate = new Map();
  for (const f of named) {
    const c = crateOf(f.name);
    const e = byCrate.get(c) ?? { crate: c, bytes: 0, functions: 0 };
    e.bytes += f.bytes;
    e.functions += 1;
    byCrate.set(c, e);
  }
  const byModule = new Map();
  for (const f of named) {
    const c = crateOf(f.name);
    const rest = tidy(f.name).replace(/^[<&*(\s]+/, '');
    const mm = new RegExp(`^${c}::([a-z_][a-z0-9_]*)`).exec(rest) ?? / as ([a-z_]+::[a-z_][a-z0-9_]*)/.exec(rest);
    const key = mm ? (mm[1].includes('::') ? mm[1] : `${c}::${mm[1]}`) : c;
    const e = byModule.get(key) ?? { module: key, bytes: 0, functions: 0 };
    e.bytes += f.bytes;
    e.functions += 1;
    byModule.set(key, e);
  }
  return {
    file,
    modules: [...byModule.values()].sort((a, b) => b.bytes - a.bytes).slice(0, top),
    sections: sections.filter((s) => s.name !== 'custom "name"'),
    codeBytes: code,
    functionCount: named.length,
    crates: [...byCrate.values()].sort((a, b) => b.bytes - a.bytes),
    largest: [...named].sort((a, b) => b.bytes - a.bytes).slice(0, top),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '40' }, json: { type: 'boolean', default: false } }, allowPositionals: true });
  const file = positionals[0] ?? namedBuild(join(BENCH, 'tmp', 'wasm-profile'));
  const p = profileWasm(file, Number(values.top));
  if (values.json) {
    process.stdout.write(`${JSON.stringify(p, null, 2)}\n`);
  } else {
    const pct = (n, of) => `${((n / of) * 100).toFixed(1)}%`;
    const total = p.sections.reduce((a, s) => a + s.bytes, 0);
    console.log(`${file}\n\nSections (without names):`);
    for (const s of p.sections) console.log(`  ${String(s.bytes).padStart(8)}  ${pct(s.bytes, total).padStart(6)}  ${s.name}`);
    console.log(`\nCode by crate (${p.functionCount} functions, ${p.codeBytes} bytes):`);
    for (const c of p.crates) console.log(`  ${String(c.bytes).padStart(8)}  ${pct(c.bytes, p.codeBytes).padStart(6)}  ${String(c.functions).padStart(4)} fn  ${c.crate}`);
    console.log(`\nCode by module (largest ${p.modules.length}):`);
    for (const m of p.modules) console.log(`  ${String(m.bytes).padStart(8)}  ${pct(m.bytes, p.codeBytes).padStart(6)}  ${String(m.functions).padStart(4)} fn  ${m.module}`);
    console.log(`\nLargest functions:`);
    for (const f of p.largest) console.log(`  ${String(f.bytes).padStart(8)}  ${pct(f.bytes, p.codeBytes).padStart(6)}  ${f.name.slice(0, 150)}`);
  }
}
