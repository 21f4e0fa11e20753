import { ScalekitMcp } from 'scalekit-mcp';
declare const mcp: ScalekitMcp;
// expect: 'timeout' does not exist
await mcp.getConfig('cfg_1', { timeout: 5 });
