import { ScalekitMcp } from 'scalekit-mcp';
declare const mcp: ScalekitMcp;
// expect: Property 'userIdentifier' is missing
await mcp.ensureInstance({ configName: 'x' });
