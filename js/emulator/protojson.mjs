// Reading requests the way grpc-gateway's protojson unmarshaler does, and writing timestamps the
// way its marshaler does.
//
// A message schema lists its fields by proto (snake_case) name with a type:
//   'string' | 'bool' | 'uint32' | 'duration' | <message schema> | repeated(<type>)
// Decoding accepts both the proto name and the lowerCamelCase JSON name of each field, treats
// `null` as "not set", and rejects unknown fields, duplicated fields and values of the wrong JSON
// type with a gateway-style 400. Decoded objects use proto names and omit unset fields.

import { errors } from './errors.mjs';

const UINT32_MAX = 4294967295;
// protojson bounds a Duration to +-10000 years.
const MAX_DURATION_SECONDS = 315576000000;

export const repeated = (type) => ({ repeated: type });

/** Defines a message schema. `fields` maps proto names to types. */
export function message(name, fields) {
  const byName = new Map();
  for (const [protoName, type] of Object.entries(fields)) {
    const field = { name: protoName, type };
    byName.set(protoName, field);
    byName.set(jsonName(protoName), field);
  }
  return { name, fields, byName };
}

/** protoc's default json_name: `include_auth_link` -> `includeAuthLink`. */
export function jsonName(protoName) {
  return protoName.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
}

const typeName = (type) =>
  typeof type === 'string' ? type : type.repeated ? `repeated ${typeName(type.repeated)}` : type.name;

function describe(value) {
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Parses a request body (a Buffer) as JSON; an empty body is an empty message. */
export function parseJsonBody(buffer) {
  const text = buffer ? buffer.toString('utf8') : '';
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw errors.badBody(`proto: syntax error: ${err.message}`);
  }
}

/** Decodes a parsed JSON value into a message of `schema`. */
export function decodeMessage(schema, value, path = '') {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw errors.badBody(`proto: ${path || schema.name}: expected a JSON object for ${schema.name}, got ${describe(value)}`);
  }
  const out = {};
  const seen = new Set();
  for (const [key, fieldValue] of Object.entries(value)) {
    const field = schema.byName.get(key);
    if (!field) throw errors.badBody(`proto: unknown field "${key}" in ${schema.name}`);
    if (seen.has(field.name)) throw errors.badBody(`proto: duplicate field "${key}" in ${schema.name}`);
    seen.add(field.name);
    if (fieldValue === null) continue;
    out[field.name] = decodeValue(field.type, fieldValue, path ? `${path}.${field.name}` : field.name);
  }
  return out;
}

function decodeValue(type, value, path) {
  const wrongType = () =>
    errors.badBody(`proto: invalid value for ${typeName(type)} field ${path}: ${describe(value)}`);
  if (type === 'string') {
    if (typeof value !== 'string') throw wrongType();
    return value;
  }
  if (type === 'bool') {
    if (typeof value !== 'boolean') throw wrongType();
    return value;
  }
  if (type === 'uint32') {
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > UINT32_MAX) throw wrongType();
    return n;
  }
  if (type === 'duration') {
    if (typeof value !== 'string') throw wrongType();
    const seconds = parseDuration(value);
    if (seconds === null) {
      throw errors.badBody(`proto: invalid google.protobuf.Duration value ${describe(value)} for field ${path}`);
    }
    return seconds;
  }
  if (type.repeated) {
    if (!Array.isArray(value)) throw wrongType();
    return value.map((item, i) => {
      if (item === null) throw errors.badBody(`proto: null is not allowed in repeated field ${path}`);
      return decodeValue(type.repeated, item, `${path}[${i}]`);
    });
  }
  return decodeMessage(type, value, path);
}

/**
 * Parses a protojson Duration ("3600s", "1.5s", "-2.000000001s") into seconds, or null when the
 * text is not one: the only form is decimal seconds with up to 9 fractional digits and an `s`.
 */
export function parseDuration(text) {
  const m = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(text);
  if (!m) return null;
  const seconds = Number(m[2]) + (m[3] ? Number(`0.${m[3]}`) : 0);
  if (seconds > MAX_DURATION_SECONDS) return null;
  return m[1] ? -seconds : seconds;
}

// strconv.ParseBool, which grpc-gateway uses for bool query parameters.
const BOOL_TEXT = {
  1: true, t: true, T: true, true: true, TRUE: true, True: true,
  0: false, f: false, F: false, false: false, FALSE: false, False: false,
};

/**
 * Decodes query parameters (a URLSearchParams) into a message of `schema` the way grpc-gateway
 * populates GET requests: dotted field paths (`filter.name`), proto or JSON names per segment,
 * unknown parameters ignored, a repeated parameter for a singular field rejected.
 */
export function decodeQuery(schema, params) {
  const out = {};
  for (const key of new Set(params.keys())) {
    let target = out;
    let current = schema;
    let field = null;
    const segments = key.split('.');
    for (let i = 0; i < segments.length; i++) {
      field = current.byName?.get(segments[i]);
      if (!field) break;
      if (i < segments.length - 1) {
        if (typeof field.type !== 'object' || field.type.repeated) {
          field = null;
          break;
        }
        target = target[field.name] ??= {};
        current = field.type;
      }
    }
    if (!field || (typeof field.type === 'object' && !field.type.repeated)) continue; // not a field: ignored
    const values = params.getAll(key);
    if (field.type.repeated) {
      target[field.name] = values.map((v) => parseQueryScalar(field.type.repeated, v, key));
    } else {
      if (values.length > 1) throw errors.badBody(`too many values for query parameter "${key}"`);
      target[field.name] = parseQueryScalar(field.type, values[0], key);
    }
  }
  return out;
}

function parseQueryScalar(type, text, key) {
  const bad = () => errors.badBody(`parsing field "${key}": invalid ${type} value ${JSON.stringify(text)}`);
  switch (type) {
    case 'string':
      return text;
    case 'bool':
      if (!(text in BOOL_TEXT)) throw bad();
      return BOOL_TEXT[text];
    case 'uint32': {
      if (!/^\d+$/.test(text) || Number(text) > UINT32_MAX) throw bad();
      return Number(text);
    }
    case 'duration': {
      const seconds = parseDuration(text);
      if (seconds === null) throw bad();
      return seconds;
    }
    default:
      throw bad();
  }
}

/** The zero google.protobuf.Timestamp as protojson writes it. */
export const ZERO_TIMESTAMP = '0001-01-01T00:00:00Z';

/** A google.protobuf.Timestamp as protojson writes it: RFC 3339 UTC, no fraction when whole. */
export function timestamp(ms) {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
