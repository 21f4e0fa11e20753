// A small JSON Schema check for tool arguments: the keywords the catalogue's input schemas use.
//
//   type (a name or a list of names: object, array, string, number, integer, boolean, null),
//   enum, const, properties, required, additionalProperties (false or a schema), items,
//   minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength, maxLength, minItems, maxItems
//
// Other keywords (description, default, format, ...) are annotations and are ignored, as JSON
// Schema does by default.

const TYPE_CHECKS = {
  object: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
  array: (v) => Array.isArray(v),
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  integer: (v) => Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  null: (v) => v === null,
};

const article = (type) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);
const where = (path) => (path === '' ? 'the arguments' : `"${path}"`);
const child = (path, key) => (path === '' ? String(key) : `${path}.${key}`);
const sameJson = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Checks `value` against `schema`. Returns null when it conforms, or a sentence naming the first
 * problem found (`missing required argument "message_id"`, `"max_results" must be an integer`).
 * `path` names the value in messages ('' = the arguments object itself).
 */
export function checkSchema(schema, value, path = '') {
  if (schema === true || schema === undefined || schema === null) return null;
  if (schema === false) return `${where(path)} is not allowed`;
  if (typeof schema !== 'object') return null;

  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const known = types.filter((t) => TYPE_CHECKS[t]);
    if (known.length && !known.some((t) => TYPE_CHECKS[t](value))) {
      return `${where(path)} must be ${known.map(article).join(' or ')}`;
    }
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => sameJson(e, value))) {
    return `${where(path)} must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  }
  if ('const' in schema && !sameJson(schema.const, value)) {
    return `${where(path)} must be ${JSON.stringify(schema.const)}`;
  }

  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) return `${where(path)} must be at least ${schema.minimum}`;
    if (typeof schema.maximum === 'number' && value > schema.maximum) return `${where(path)} must be at most ${schema.maximum}`;
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) {
      return `${where(path)} must be greater than ${schema.exclusiveMinimum}`;
    }
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) {
      return `${where(path)} must be less than ${schema.exclusiveMaximum}`;
    }
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (Number.isInteger(schema.minLength) && length < schema.minLength) {
      return `${where(path)} must be at least ${schema.minLength} characters long`;
    }
    if (Number.isInteger(schema.maxLength) && length > schema.maxLength) {
      return `${where(path)} must be at most ${schema.maxLength} characters long`;
    }
  }
  if (Array.isArray(value)) {
    if (Number.isInteger(schema.minItems) && value.length < schema.minItems) {
      return `${where(path)} must have at least ${schema.minItems} items`;
    }
    if (Number.isInteger(schema.maxItems) && value.length > schema.maxItems) {
      return `${where(path)} must have at most ${schema.maxItems} items`;
    }
    if (schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items)) {
      for (let i = 0; i < value.length; i++) {
        const problem = checkSchema(schema.items, value[i], `${path}[${i}]`);
        if (problem) return problem;
      }
    }
  }
  if (TYPE_CHECKS.object(value)) {
    const properties = schema.properties && typeof schema.properties === 'object' ? schema.properties : {};
    if (Array.isArray(schema.required)) {
      for (const name of schema.required) {
        if (!Object.hasOwn(value, name)) {
          return path === '' ? `missing required argument "${name}"` : `${where(path)} is missing "${name}"`;
        }
      }
    }
    for (const [key, item] of Object.entries(value)) {
      if (Object.hasOwn(properties, key)) {
        const problem = checkSchema(properties[key], item, child(path, key));
        if (problem) return problem;
      } else if (schema.additionalProperties === false) {
        return path === '' ? `unknown argument "${key}"` : `${where(path)} has an unknown property "${key}"`;
      } else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        const problem = checkSchema(schema.additionalProperties, item, child(path, key));
        if (problem) return problem;
      }
    }
  }
  return null;
}
