import { ScalekitMcp } from 'scalekit-mcp';
declare const mcp: ScalekitMcp;
// expect: Property 'identifier' is missing in type '{ configId: string; }'
await mcp.agentSession({ configId: 'cfg_1' });
