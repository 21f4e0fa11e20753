import { ScalekitMcp } from 'scalekit-mcp';
declare const mcp: ScalekitMcp;
// expect: "ADMIN"
await mcp.createSessionToken({ configId: 'c', identifier: 'u', accessLevel: 'ADMIN' });
