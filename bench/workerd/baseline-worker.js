// A Cloudflare Worker that makes the same call with the plain fetch client.
import { BaselineClient } from '../baseline.mjs';

export default {
  async fetch(request) {
    const h = request.headers;
    try {
      const client = new BaselineClient({
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
