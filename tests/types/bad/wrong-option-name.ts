import { ScalekitMcp } from 'scalekit-mcp';
declare const mcp: ScalekitMcp;
// expect: 'configNme' does not exist
await mcp.ensureInstance({ configNme: 'x', userIdentifier: 'u' });
