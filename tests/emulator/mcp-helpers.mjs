// A raw MCP client for the protocol tests: plain fetch, every header and byte under the test's
// control, answers decoded from JSON or from an SSE stream.

import assert from 'node:assert/strict';

export const LATEST = '2025-11-25';
export const BOTH = 'application/json, text/event-stream';

/** Reads the JSON-RPC messages of an SSE body (`data:` lines of each event). */
export function sseMessages(text) {
  return text
    .split(/\r?\n\r?\n/)
    .map((event) =>
      event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n'),
    )
    .filter(Boolean)
    .map((data) => JSON.parse(data));
}

export class RawMcp {
  /**
   * @param {string} url   the MCP URL
   * @param {object} [o]
   * @param {string} [o.token]  session token for bearer URLs
   */
  constructor(url, { token } = {}) {
    this.url = url;
    this.token = token;
    this.sessionId = undefined;
    this.protocolVersion = undefined;
    this.nextId = 1;
  }

  /**
   * POSTs a body (an object is sent as JSON, a string as it is). Options: `accept`, `contentType`,
   * `session` (false = no header), `version` (false = no header), `token`, `headers`, `method`.
   * Resolves {status, headers, text, contentType, json}: `json` is the JSON body or the one message
   * of an SSE body.
   */
  async send(body, o = {}) {
    const headers = { ...o.headers };
    const accept = o.accept === undefined ? BOTH : o.accept;
    if (accept !== null) headers.accept = accept;
    const contentType = o.contentType === undefined ? 'application/json' : o.contentType;
    if (contentType !== null && body !== undefined) headers['content-type'] = contentType;
    const session = o.session === undefined ? this.sessionId : o.session;
    if (session) headers['mcp-session-id'] = session;
    const version = o.version === undefined ? this.protocolVersion : o.version;
    if (version) headers['mcp-protocol-version'] = version;
    const token = o.token === undefined ? this.token : o.token;
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(this.url, {
      method: o.method ?? 'POST',
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    const type = (res.headers.get('content-type') ?? '').split(';')[0].trim();
    let json;
    if (type === 'text/event-stream') {
      const messages = sseMessages(text);
      json = messages.length === 1 ? messages[0] : messages;
    } else {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status: res.status, headers: res.headers, text, contentType: type, json };
  }

  /** Sends `initialize` (and `notifications/initialized`); remembers the session. Returns the answer. */
  async initialize({ protocolVersion = LATEST, ...o } = {}) {
    const res = await this.send(
      {
        jsonrpc: '2.0',
        id: this.nextId++,
        method: 'initialize',
        params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw-test', version: '1.0.0' } },
      },
      { session: false, version: false, ...o },
    );
    if (res.status === 200 && res.json?.result) {
      this.sessionId = res.headers.get('mcp-session-id');
      this.protocolVersion = res.json.result.protocolVersion;
      const ack = await this.send({ jsonrpc: '2.0', method: 'notifications/initialized' }, o);
      if (ack.status !== 202) throw new Error(`notifications/initialized: ${ack.status} ${ack.text}`);
    }
    return res;
  }

  /** Sends a request; resolves the whole answer ({status, json, ...}). */
  request(method, params, o = {}) {
    const message = { jsonrpc: '2.0', id: this.nextId++, method };
    if (params !== undefined) message.params = params;
    return this.send(message, o);
  }

  /** `tools/list` → the tool names (throws unless a 200 result). */
  async toolNames(o) {
    const res = await this.request('tools/list', {}, o);
    if (res.status !== 200 || !res.json.result) throw new Error(`tools/list: ${res.status} ${res.text}`);
    return res.json.result.tools.map((t) => t.name);
  }

  /** `tools/call` → the whole answer. */
  call(name, args, o) {
    return this.request('tools/call', args === undefined ? { name } : { name, arguments: args }, o);
  }

  /** DELETE: ends the session. */
  close(o = {}) {
    return this.send(undefined, { method: 'DELETE', ...o });
  }
}

/** A RawMcp session on `url` that `initialize` (with `init`) opened with a 200. */
export async function opened(url, options, init) {
  const mcp = new RawMcp(url, options);
  const res = await mcp.initialize(init);
  assert.equal(res.status, 200, res.text);
  return mcp;
}
