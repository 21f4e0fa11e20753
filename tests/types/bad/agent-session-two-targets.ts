import { ScalekitMcp } from 'scalekit-mcp';
declare const mcp: ScalekitMcp;
// expect: No overload matches this call
await mcp.agentSession({ configId: 'cfg_1', connectionName: 'gmail', identifier: 'user_123' });
