import { ScalekitMcp } from 'scalekit-mcp';
declare const mcp: ScalekitMcp;
const token = await mcp.createSessionToken({ configId: 'c', identifier: 'u' });
// expect: Property 'expires_at' does not exist
console.log(token.expires_at);
