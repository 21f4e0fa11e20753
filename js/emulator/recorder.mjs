// The request log and counters tests use to see what a client actually sent.
//
// Every request except control requests (`/_emulator/...`) and CORS preflights is logged, faulted
// ones included, as {method, path, query, headers, body, status}:
//   path     the raw path, without the query string
//   query    the query parameters (a repeated parameter becomes an array)
//   headers  as received (lower-case names); `authorization` is replaced by "<redacted>"
//   body     parsed JSON, or the fields of a form (with `client_secret` redacted), or the raw
//            text; null when empty or over the size limit
//   status   the HTTP status answered (null when the connection was dropped)

export const REDACTED = '<redacted>';

export class Recorder {
  constructor() {
    this.clear();
    this.resetCounters();
  }

  clear() {
    this.entries = [];
  }

  resetCounters() {
    this.tokenRequests = 0;
    this.apiRequests = 0;
  }

  /** Logs and counts a request; returns the entry so the server can fill in `status`. */
  record(req, path, query, body) {
    if (path === '/oauth/token') this.tokenRequests += 1;
    if (path.startsWith('/api/')) this.apiRequests += 1;
    const headers = { ...req.headers };
    if ('authorization' in headers) headers.authorization = REDACTED;
    const entry = {
      method: req.method,
      path,
      query: queryObject(query),
      headers,
      body: describeBody(body, req.headers['content-type']),
      status: null,
    };
    this.entries.push(entry);
    return entry;
  }

  /** A copy of the log, oldest first. */
  list() {
    return structuredClone(this.entries);
  }

  counters() {
    return { tokenRequests: this.tokenRequests, apiRequests: this.apiRequests };
  }
}

function queryObject(params) {
  const out = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    out[key] = values.length === 1 ? values[0] : values;
  }
  return out;
}

function describeBody(buffer, contentType = '') {
  if (!buffer || buffer.length === 0) return null;
  const text = buffer.toString('utf8');
  try {
    const json = JSON.parse(text);
    if (json && typeof json === 'object' && 'client_secret' in json) json.client_secret = REDACTED;
    return json;
  } catch {
    // not JSON: a form (the token endpoint) or raw text
  }
  const isForm = contentType.toLowerCase().startsWith('application/x-www-form-urlencoded');
  if (!isForm && !/(^|&)client_secret=/.test(text)) return text; // a secret is never logged
  const fields = Object.fromEntries(new URLSearchParams(text));
  if ('client_secret' in fields) fields.client_secret = REDACTED;
  return fields;
}
