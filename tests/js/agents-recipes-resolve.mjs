// Lets the recipes under examples/agents run against this checkout without their own
// `npm install`: a bare import (`scalekit-mcp`, a framework) that cannot be resolved from the
// recipe's folder is resolved from the repository root instead, where `scalekit-mcp` is the
// package itself and most frameworks are dev dependencies, and then from the folder named by
// SCALEKIT_MCP_RECIPE_DEPS (where the test installed the others). Used as
// `node --import <this file>`.
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const parents = [new URL('../../package.json', import.meta.url).href];
const deps = process.env.SCALEKIT_MCP_RECIPE_DEPS;
if (deps) parents.push(pathToFileURL(join(deps, 'package.json')).href);

const hooks = `
const parents = ${JSON.stringify(parents)};
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    const bare = !/^(?:[./]|[a-z][a-z0-9+.-]*:)/i.test(specifier);
    if (!bare || err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    for (const [i, parentURL] of parents.entries()) {
      try {
        return await next(specifier, { ...context, parentURL });
      } catch (again) {
        if (again?.code !== 'ERR_MODULE_NOT_FOUND' || i === parents.length - 1) throw again;
      }
    }
    throw err;
  }
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
