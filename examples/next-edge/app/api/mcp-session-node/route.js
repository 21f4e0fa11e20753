// POST /api/mcp-session-node: the same handler on the Node.js runtime.
export { POST } from '../../../lib/mcp-session.js';

export const runtime = 'nodejs';
