// POST /api/mcp-session on the Edge runtime (Vercel Edge). The handler is lib/mcp-session.js.
export { POST } from '../../../lib/mcp-session.js';

export const runtime = 'edge';
