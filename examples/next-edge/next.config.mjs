// Next.js bundles the packages that server code imports. On the Node.js runtime, scalekit-mcp has
// to be loaded by Node itself instead, so that it finds its .wasm file beside its code:
// serverExternalPackages does that (and Next's output tracing still ships the .wasm). Edge routes
// do not need it: there the package's `edge-light` entry imports the .wasm as a module.
/** @type {import('next').NextConfig} */
const nextConfig = {
  serverExternalPackages: ['scalekit-mcp'],
};

export default nextConfig;
