// The descriptor's buf.validate rules, checked the way protovalidate does: every rule of every
// field is evaluated and all violations are reported together in one 400 "Validation error" whose
// ErrorInfo carries `validation_error_info.field_violations` ({field, description, constraint}).
// A field marked `required` that is empty reports only `required`.

import { errors, violation } from './errors.mjs';

export const CONFIG_NAME_PATTERN = /^[a-z0-9_-]+$/;
export const FILTER_NAME_PATTERN = /^[a-zA-Z0-9_-]*$/;
export const MAX_MAPPINGS = 25;
export const MAX_PAGE_SIZE = 30;
export const ACCESS_LEVELS = ['', 'FULL', 'READ_ONLY'];
export const MIN_EXPIRY_SECONDS = 60;
export const CONNECTOR_PATTERN = /^[a-zA-Z0-9_: -]*$/;
export const MAX_EXPIRY_SECONDS = 24 * 3600;

/** Collects violations; `check()` throws them as one validation error. */
class Checker {
  constructor() {
    this.violations = [];
  }

  add(field, constraint, description) {
    this.violations.push(violation(field, constraint, description));
    return this;
  }

  string(field, value = '', { required, minLen, maxLen, pattern, prefix, oneOf } = {}) {
    if (required && value === '') return this.add(field, 'required', 'value is required');
    const length = [...value].length; // protovalidate counts characters, not bytes
    if (minLen !== undefined && length < minLen) {
      this.add(field, 'string.min_len', `value length must be at least ${minLen} characters`);
    }
    if (maxLen !== undefined && length > maxLen) {
      this.add(field, 'string.max_len', `value length must be at most ${maxLen} characters`);
    }
    if (pattern && !pattern.test(value)) {
      this.add(field, 'string.pattern', `value does not match regex pattern \`${pattern.source}\``);
    }
    if (prefix !== undefined && !value.startsWith(prefix)) {
      this.add(field, 'string.prefix', `value does not have prefix \`${prefix}\``);
    }
    if (oneOf && !oneOf.includes(value)) {
      const list = oneOf.map((v) => JSON.stringify(v)).join(', ');
      this.add(field, 'string.in', `value must be in list [${list}]`);
    }
    return this;
  }

  maxItems(field, list = [], max) {
    if (list.length > max) this.add(field, 'repeated.max_items', `value must contain no more than ${max} item(s)`);
    return this;
  }

  lte(field, value = 0, max) {
    if (value > max) this.add(field, 'uint32.lte', `value must be less than or equal to ${max}`);
    return this;
  }

  check() {
    if (this.violations.length) throw errors.validation(this.violations);
  }
}

/** A required id taken from the path (`config_id`, `instance_id`). */
export function validateId(field, value) {
  new Checker().string(field, value, { required: true, minLen: 1 }).check();
}

function checkMappings(checker, mappings = []) {
  checker.maxItems('connection_tool_mappings', mappings, MAX_MAPPINGS);
  mappings.forEach((m, i) => {
    checker.string(`connection_tool_mappings[${i}].connection_name`, m.connection_name, { required: true });
  });
}

export function validateCreateConfig(config) {
  const c = new Checker();
  c.string('name', config.name, { required: true, minLen: 1, maxLen: 100, pattern: CONFIG_NAME_PATTERN });
  checkMappings(c, config.connection_tool_mappings);
  c.check();
}

export function validateUpdateConfig(req) {
  const c = new Checker();
  c.string('config_id', req.config_id, { required: true, minLen: 1 });
  checkMappings(c, req.connection_tool_mappings);
  c.check();
}

export function validateListConfigs(req) {
  const c = new Checker();
  c.string('filter.name', req.filter?.name, { maxLen: 100, pattern: FILTER_NAME_PATTERN });
  c.lte('page_size', req.page_size, MAX_PAGE_SIZE);
  c.check();
}

export function validateListInstances(req) {
  new Checker().lte('page_size', req.page_size, MAX_PAGE_SIZE).check();
}

export function validateListConnectedAccounts(req) {
  new Checker()
    .string('config_id', req.config_id, { required: true, minLen: 1 })
    .string('identifier', req.identifier, { required: true, minLen: 1 })
    .check();
}

export function validateSessionToken(req) {
  const c = new Checker();
  c.string('identifier', req.identifier, { minLen: 1, maxLen: 255 });
  c.string('access_level', req.access_level, { oneOf: ACCESS_LEVELS });
  // The message-level CEL rule has no field path.
  if (!!req.mcp_config_id === !!req.key_id) {
    c.add('', 'mcp_config_id_xor_key_id', 'set exactly one of mcp_config_id or key_id');
  }
  c.check();
  // Not a buf.validate rule but checked by the service before anything else.
  if (req.expiry !== undefined && (req.expiry < MIN_EXPIRY_SECONDS || req.expiry > MAX_EXPIRY_SECONDS)) {
    throw errors.invalidArgument('expiry must be between 60s and 24h', [
      violation('expiry', 'duration.range', 'value must be between 60s and 86400s (24h)'),
    ]);
  }
}

export function validateEnsureInstance(req) {
  new Checker()
    .string('config_name', req.config_name, { required: true, minLen: 1 })
    .string('user_identifier', req.user_identifier, { required: true, minLen: 1 })
    .check();
}

/**
 * ListTools (tools.proto): length limits on the filter's strings, the connector's pattern, the
 * `ca_` prefix of a connected account id, and 3-100 characters for `query`. The proto3 optional
 * fields are checked whenever present, "" included (so `filter.query=` is too short).
 */
export function validateListTools(req) {
  const f = req.filter ?? {};
  const c = new Checker();
  c.string('filter.provider', f.provider, { maxLen: 50 });
  c.string('filter.identifier', f.identifier, { maxLen: 100 });
  if (f.query !== undefined) c.string('filter.query', f.query, { minLen: 3, maxLen: 100 });
  if (f.connector !== undefined) c.string('filter.connector', f.connector, { maxLen: 400, pattern: CONNECTOR_PATTERN });
  if (f.organization_id !== undefined) c.string('filter.organization_id', f.organization_id, { maxLen: 32 });
  if (f.user_id !== undefined) c.string('filter.user_id', f.user_id, { maxLen: 32 });
  if (f.connected_account_id !== undefined) {
    c.string('filter.connected_account_id', f.connected_account_id, { maxLen: 100, prefix: 'ca_' });
  }
  c.check();
}
