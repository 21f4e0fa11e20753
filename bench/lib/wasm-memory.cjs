// Preloaded into the bench's measuring processes (`node --require bench/lib/wasm-memory.cjs`):
// reads the package's wasm memory without any help from the package.
//
// The package's Node entry (pkg/node.cjs) keeps its wasm instance to itself; it makes it with
// `new WebAssembly.Instance(module, imports)`. This file wraps that constructor (and
// `WebAssembly.instantiate`, which the ES module glue uses) before the package loads, and keeps
// the exported `memory` of every instance whose exports are wasm-bindgen's (`__wbindgen_start`),
// which tells the package's instance from others in the process (undici's llhttp is one too).
//
// `globalThis[Symbol.for('scalekit-mcp.bench.wasmMemoryBytes')]()` then gives the byte length of
// that memory's buffer: the linear memory the allocator has grown to. It never shrinks, so it is
// the high-water mark of what the package held at once, rounded up to 64 KiB pages.

'use strict';

const memories = [];
const keep = (instance) => {
  const exports = instance?.exports;
  if (exports && typeof exports.__wbindgen_start === 'function' && exports.memory instanceof WebAssembly.Memory) {
    memories.push(exports.memory);
  }
  return instance;
};

const OriginalInstance = WebAssembly.Instance;
WebAssembly.Instance = new Proxy(OriginalInstance, {
  construct(target, args, newTarget) {
    return keep(Reflect.construct(target, args, newTarget === WebAssembly.Instance ? target : newTarget));
  },
});

const originalInstantiate = WebAssembly.instantiate;
WebAssembly.instantiate = function instantiate(...args) {
  return originalInstantiate.apply(this, args).then((result) => {
    keep(result instanceof OriginalInstance ? result : result.instance);
    return result;
  });
};

Object.defineProperty(globalThis, Symbol.for('scalekit-mcp.bench.wasmMemoryBytes'), {
  value: () => {
    if (memories.length !== 1) throw new Error(`expected one wasm-bindgen instance in this process, found ${memories.length}`);
    return memories[0].buffer.byteLength;
  },
});
