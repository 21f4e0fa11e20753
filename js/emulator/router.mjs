// Path matching for the route table.
//
// A route's method is an HTTP method, or '*' for a handler that answers every method itself.
// A route path is a list of `/`-separated segments: literals, `{param}` placeholders, and
// `{param}:verb` (a placeholder followed by a custom method, as in `{instance_id}:get_auth_state`).
// Matching works on the raw request path: placeholders capture one segment (possibly empty) and
// are percent-decoded once, so `a%2Fb` is the id `a/b`. Paths containing `.` or `..` segments
// match nothing.

/** Compiles a route path such as `/api/v1/mcp/configs/{config_id}`. */
export function compilePath(path) {
  return path
    .split('/')
    .slice(1)
    .map((segment) => {
      const m = /^\{([a-z_]+)\}(?::([a-z_]+))?$/.exec(segment);
      return m ? { param: m[1], verb: m[2] ? `:${m[2]}` : '' } : { literal: segment };
    });
}

/** Thrown when a placeholder is not valid percent-encoding. */
export class PathEncodingError extends Error {}

function matchPath(segments, rawSegments) {
  if (segments.length !== rawSegments.length) return null;
  const params = {};
  for (let i = 0; i < segments.length; i++) {
    const pattern = segments[i];
    const raw = rawSegments[i];
    if (pattern.literal !== undefined) {
      if (raw !== pattern.literal) return null;
      continue;
    }
    if (pattern.verb && !raw.endsWith(pattern.verb)) return null;
    const value = pattern.verb ? raw.slice(0, -pattern.verb.length) : raw;
    try {
      params[pattern.param] = decodeURIComponent(value);
    } catch {
      throw new PathEncodingError(`invalid percent-encoding in path segment "${raw}"`);
    }
  }
  return params;
}

/**
 * Finds the route for a request.
 * Returns {route, params}, or {allowed: [methods]} when the path exists for other methods only,
 * or null when no route has this path.
 */
export function findRoute(routes, method, rawPath) {
  const rawSegments = rawPath.split('/').slice(1);
  if (rawSegments.some((s) => s === '.' || s === '..')) return null;
  const allowed = [];
  for (const route of routes) {
    const params = matchPath(route.segments, rawSegments);
    if (!params) continue;
    if (route.method === method || route.method === '*') return { route, params };
    allowed.push(route.method);
  }
  return allowed.length ? { allowed: [...new Set(allowed)] } : null;
}
