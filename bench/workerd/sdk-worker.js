// A Cloudflare Worker that makes one scalekit-mcp call per request. The emulator's URL and the
// credentials arrive in request headers, so the same bundle serves every run.
import { ScalekitMcp } from 'scalekit-mcp';

export default {
  async fetch(request) {
    const h = request.headers;
    try {
      const client = new ScalekitMcp({
        envUrl: h.get('x-env-url'),
        clientId: h.get('x-client-id'),
        clientSecret: h.get('x-client-secret'),
      });
      const instance = await client.ensureInstance({
        configName: h.get('x-config-name'),
        userIdentifier: h.get('x-user-identifier'),
      });
      return Response.json({ id: instance.id });
    } catch (err) {
      return Response.json({ error: `${err?.name}: ${err?.message}` }, { status: 500 });
    }
  },
};
