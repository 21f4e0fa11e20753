import { ScalekitMcp, type SessionToken } from 'scalekit-mcp';
declare const mcp: ScalekitMcp;
const session = await mcp.agentSession({ instanceId: 'inst_1' });
// expect: Type 'null' is not assignable to type 'SessionToken'
const token: SessionToken = await session.token();
void token;
