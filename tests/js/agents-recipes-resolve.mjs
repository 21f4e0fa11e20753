// Lets the recipes under examples/agents run against this checkout without their own
// `npm install`: a bare import (`scalekit-mcp`, a framework) that cannot be resolved from the
// recipe's folder is resolved from the repository root instead, where `scalekit-mcp` is the
// package itself and the frameworks are dev dependencies. Used as `node --import <this file>`.
import { register } from 'node:module';

const hooks = `
const root = ${JSON.stringify(new URL('../../package.json', import.meta.url).href)};
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    const bare = !/^(?:[./]|[a-z][a-z0-9+.-]*:)/i.test(specifier);
    if (!bare || err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    return next(specifier, { ...context, parentURL: root });
  }
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
