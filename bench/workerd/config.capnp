# workerd configurations of the cold-start benchmark: one worker with scalekit-mcp, one with the
# plain fetch client. bench/run.mjs bundles the workers next to a copy of this file and runs
#   workerd serve config.capnp sdk|baseline --socket-addr http=127.0.0.1:PORT
# The "internet" network service allows loopback, so the workers can reach the local emulator.
using Workerd = import "/workerd/workerd.capnp";

const sdk :Workerd.Config = (
  services = [
    (name = "main", worker = .sdkWorker),
    (name = "internet", network = (allow = ["public", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "main") ],
);

const sdkWorker :Workerd.Worker = (
  modules = [
    (name = "sdk-worker.js", esModule = embed "sdk-worker.js"),
    (name = "scalekit_mcp_bg.wasm", wasm = embed "scalekit_mcp_bg.wasm"),
  ],
  compatibilityDate = "2025-09-01",
  globalOutbound = "internet",
);

const baseline :Workerd.Config = (
  services = [
    (name = "main", worker = .baselineWorker),
    (name = "internet", network = (allow = ["public", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "main") ],
);

const baselineWorker :Workerd.Worker = (
  modules = [
    (name = "baseline-worker.js", esModule = embed "baseline-worker.js"),
  ],
  compatibilityDate = "2025-09-01",
  globalOutbound = "internet",
);
