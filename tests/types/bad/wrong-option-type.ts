import { ScalekitMcp } from 'scalekit-mcp';
declare const mcp: ScalekitMcp;
// expect: Type 'string' is not assignable to type 'number'
await mcp.createSessionToken({ configId: 'c', identifier: 'u', expirySeconds: '3600' });
