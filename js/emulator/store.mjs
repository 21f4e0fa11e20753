// The emulated environment's state: MCP configs, MCP instances, connected accounts (with their
// custom tools), authentication links, issued access tokens and open MCP sessions, all in memory.
// Lists keep creation order (Maps iterate in insertion order). Records are internal; api.mjs and
// tools-api.mjs turn them into wire JSON.
//
// The store raises ApiErrors for the service-level outcomes (not found, already exists, bad
// mapping) so every caller answers them the same way.

import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { ACCOUNT_STATUSES, normalizeCustomTools } from './catalogue.mjs';
import { Clock } from './clock.mjs';
import { errors, violation } from './errors.mjs';

export { ACCOUNT_STATUSES };

const accountKey = (connectionName, identifier) => `${connectionName}\n${identifier}`;

export class Store {
  /**
   * @param {object} options
   * @param {import('./catalogue.mjs').Catalogue} options.catalogue
   * @param {number} options.authLinkTtl  seconds an authentication link stays valid
   * @param {Clock} [options.clock]        emulator time (the system clock when omitted)
   */
  constructor({ catalogue, authLinkTtl, clock = new Clock() }) {
    this.catalogue = catalogue;
    this.authLinkTtl = authLinkTtl;
    this.clock = clock;
    this.reset();
  }

  /** Forgets everything but the catalogue; the catalogue's fixture accounts are created again. */
  reset() {
    this.configs = new Map(); // id -> config
    this.instances = new Map(); // id -> instance
    this.accounts = new Map(); // connection name + identifier -> account
    this.links = new Map(); // link token -> link
    this.accessTokens = new Map(); // access token -> {expiresAt}
    this.mcpSessions = new Map(); // Mcp-Session-Id -> session
    this.issuedIds = new Set();
    for (const connection of this.catalogue.list()) {
      for (const a of connection.accounts ?? []) {
        const account = this.setAccountStatus(connection.name, a.identifier, a.status);
        account.organizationId = a.organizationId;
        account.userId = a.userId;
        account.tools = a.tools;
      }
    }
  }

  /** `<prefix>_<18 digits>`, unique within this store. */
  newId(prefix) {
    let id;
    do id = `${prefix}_${randomInt(1, 10)}${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e8)).padStart(8, '0')}`;
    while (this.issuedIds.has(id));
    this.issuedIds.add(id);
    return id;
  }

  // ---- configs ----------------------------------------------------------------------------

  /**
   * Checks wire mappings ({connection_name, tools}) against the catalogue and returns internal
   * ones ({connectionName, tools}). Unknown connections or tools, and a connection mapped twice,
   * are 400s naming the offending field.
   */
  resolveMappings(mappings = []) {
    const seen = new Set();
    return mappings.map((m, i) => {
      const field = `connection_tool_mappings[${i}]`;
      const connection = this.catalogue.byName(m.connection_name);
      if (!connection) {
        throw errors.invalidArgument(`connection "${m.connection_name}" does not exist`, [
          violation(`${field}.connection_name`, 'connection.exists', 'no connection with this name exists in the environment'),
        ]);
      }
      if (seen.has(connection.name)) {
        throw errors.invalidArgument(`connection "${connection.name}" is mapped more than once`, [
          violation(`${field}.connection_name`, 'connection.unique', 'each connection may be mapped only once'),
        ]);
      }
      seen.add(connection.name);
      const tools = [...new Set(m.tools ?? [])];
      tools.forEach((tool, j) => {
        if (!connection.tools.some((t) => t.name === tool)) {
          throw errors.invalidArgument(`connection "${connection.name}" has no tool "${tool}"`, [
            violation(`${field}.tools[${j}]`, 'tool.exists', `the connection has no tool with this name`),
          ]);
        }
      });
      return { connectionName: connection.name, tools };
    });
  }

  createConfig({ name, description = '', mappings }) {
    if (this.findConfigByName(name)) throw errors.alreadyExists(`MCP config with name "${name}" already exists`);
    const now = this.clock.now();
    const config = {
      id: this.newId('cfg'),
      name,
      description,
      mappings,
      serverUuid: randomUUID(),
      createdAt: now,
      updatedAt: now,
    };
    this.configs.set(config.id, config);
    return config;
  }

  getConfig(id) {
    const config = this.configs.get(id);
    if (!config) throw errors.notFound(`MCP config "${id}" not found`);
    return config;
  }

  findConfigByName(name) {
    for (const config of this.configs.values()) if (config.name === name) return config;
    return undefined;
  }

  /** The config whose `mcp_server_url` ends with `uuid`. */
  configByServerUuid(uuid) {
    for (const config of this.configs.values()) if (config.serverUuid === uuid) return config;
    return undefined;
  }

  listConfigs() {
    return [...this.configs.values()];
  }

  /** Applies an update; `undefined` leaves a part unchanged. */
  updateConfig(id, { description, mappings }) {
    const config = this.getConfig(id);
    if (description !== undefined) config.description = description;
    if (mappings !== undefined) config.mappings = mappings;
    config.updatedAt = this.clock.now();
    return config;
  }

  /** Deletes a config and its instances. */
  deleteConfig(id) {
    this.getConfig(id);
    this.configs.delete(id);
    this.closeMcpSessionsOf(`server:${id}`);
    for (const [instanceId, instance] of this.instances) {
      if (instance.configId === id) this.deleteInstance(instanceId);
    }
  }

  // ---- connected accounts -------------------------------------------------------------------

  account(connectionName, identifier) {
    return this.accounts.get(accountKey(connectionName, identifier));
  }

  /** The account of `identifier` on a connection, created as PENDING_AUTH when missing. */
  ensureAccount(connectionName, identifier) {
    return this.account(connectionName, identifier) ?? this.setAccountStatus(connectionName, identifier, 'PENDING_AUTH');
  }

  setAccountStatus(connectionName, identifier, status) {
    if (!this.catalogue.byName(connectionName)) throw errors.notFound(`connection "${connectionName}" not found`);
    if (!ACCOUNT_STATUSES.includes(status)) {
      throw errors.invalidArgument(`status must be one of ${ACCOUNT_STATUSES.join(', ')}`, [
        violation('status', 'string.in', `value must be in list [${ACCOUNT_STATUSES.join(', ')}]`),
      ]);
    }
    const now = this.clock.now();
    let account = this.account(connectionName, identifier);
    if (!account) {
      account = {
        id: this.newId('ca'),
        connectionName,
        identifier,
        status,
        organizationId: '', // the scope `filter.organization_id` / `filter.user_id` match
        userId: '',
        tools: [], // custom tools (normalized, see catalogue.mjs)
        toolsUpdatedAt: now,
        createdAt: now,
        updatedAt: now,
      };
      this.accounts.set(accountKey(connectionName, identifier), account);
    }
    account.status = status;
    account.updatedAt = now;
    return account;
  }

  /**
   * Replaces the custom tools of an account (created when missing, ACTIVE unless `status` says
   * otherwise) and optionally its status and organization / user scope. `tools` is a list in the
   * catalogue's tool format; a bad list is a 400 naming the problem.
   */
  setAccountTools(connectionName, identifier, { tools, status, organizationId, userId }) {
    const connection = this.catalogue.byName(connectionName);
    if (!connection) throw errors.notFound(`connection "${connectionName}" not found`);
    let normalized;
    try {
      normalized = normalizeCustomTools(connection, tools, 'tools');
    } catch (err) {
      throw errors.invalidArgument(err.message, [violation('tools', 'tools.valid', err.message)]);
    }
    for (const [field, value] of [['organization_id', organizationId], ['user_id', userId]]) {
      if (value !== undefined && typeof value !== 'string') {
        throw errors.invalidArgument(`${field} must be a string`, [violation(field, 'string', 'value must be a string')]);
      }
    }
    const existing = this.account(connectionName, identifier);
    const account = this.setAccountStatus(connectionName, identifier, status ?? existing?.status ?? 'ACTIVE');
    account.tools = normalized;
    account.toolsUpdatedAt = this.clock.now();
    if (organizationId !== undefined) account.organizationId = organizationId;
    if (userId !== undefined) account.userId = userId;
    return account;
  }

  listAccounts() {
    return [...this.accounts.values()];
  }

  accountById(id) {
    for (const account of this.accounts.values()) if (account.id === id) return account;
    return undefined;
  }

  /** Issues a fresh single-use authentication link token for an account. */
  issueAuthLink(account) {
    const token = randomBytes(24).toString('base64url');
    this.links.set(token, { account, expiresAt: this.clock.now() + this.authLinkTtl * 1000, usedAt: null });
    return token;
  }

  /**
   * Plays the user completing authorization through a link: the account turns ACTIVE.
   * Returns {outcome: 'authorized' | 'expired' | 'used' | 'unknown', account?}.
   */
  redeemAuthLink(token) {
    const link = this.links.get(token);
    if (!link) return { outcome: 'unknown' };
    if (link.usedAt !== null) return { outcome: 'used', account: link.account };
    if (this.clock.now() >= link.expiresAt) return { outcome: 'expired', account: link.account };
    link.usedAt = this.clock.now();
    const { connectionName, identifier } = link.account;
    return { outcome: 'authorized', account: this.setAccountStatus(connectionName, identifier, 'ACTIVE') };
  }

  // ---- instances ----------------------------------------------------------------------------

  /** Get-or-create on (config name, user identifier, name). */
  ensureInstance({ configName, userIdentifier, name }) {
    const config = this.findConfigByName(configName);
    if (!config) throw errors.notFound(`MCP config "${configName}" not found`);
    const displayName = name || `${configName}-${userIdentifier}`;
    const existing = this.findInstance(config.id, userIdentifier, displayName);
    if (existing) return existing;
    const now = this.clock.now();
    const instance = {
      id: this.newId('inst'),
      name: displayName,
      userIdentifier,
      configId: config.id,
      urlToken: randomBytes(24).toString('hex'),
      createdAt: now,
      updatedAt: now,
    };
    this.instances.set(instance.id, instance);
    return instance;
  }

  findInstance(configId, userIdentifier, name) {
    for (const i of this.instances.values()) {
      if (i.configId === configId && i.userIdentifier === userIdentifier && i.name === name) return i;
    }
    return undefined;
  }

  getInstance(id) {
    const instance = this.instances.get(id);
    if (!instance) throw errors.notFound(`MCP instance "${id}" not found`);
    return instance;
  }

  /** The instance whose URL ends with `urlToken`. */
  instanceByUrlToken(urlToken) {
    for (const instance of this.instances.values()) if (instance.urlToken === urlToken) return instance;
    return undefined;
  }

  listInstances() {
    return [...this.instances.values()];
  }

  /** Renames an instance and/or moves it to another config (its mappings then come from that config). */
  updateInstance(id, { name, configName }) {
    const instance = this.getInstance(id);
    let configId = instance.configId;
    if (configName) {
      const config = this.findConfigByName(configName);
      if (!config) throw errors.notFound(`MCP config "${configName}" not found`);
      configId = config.id;
    }
    const newName = name || instance.name;
    if (newName === instance.name && configId === instance.configId) return instance;
    const clash = this.findInstance(configId, instance.userIdentifier, newName);
    if (clash && clash !== instance) {
      throw errors.alreadyExists(`an MCP instance named "${newName}" already exists for this config and user`);
    }
    instance.name = newName;
    instance.configId = configId;
    instance.updatedAt = this.clock.now();
    return instance;
  }

  deleteInstance(id) {
    this.getInstance(id);
    this.instances.delete(id);
    this.closeMcpSessionsOf(`instance:${id}`);
  }

  // ---- access tokens (client credentials) ---------------------------------------------------

  recordAccessToken(token, expiresAt) {
    this.accessTokens.set(token, { expiresAt });
  }

  /** 'valid', 'expired' or 'unknown'. */
  accessTokenState(token) {
    const entry = this.accessTokens.get(token);
    if (!entry) return 'unknown';
    return this.clock.now() >= entry.expiresAt ? 'expired' : 'valid';
  }

  /** Expires every access token issued so far; returns how many there were. */
  expireAccessTokens() {
    const now = this.clock.now();
    for (const entry of this.accessTokens.values()) entry.expiresAt = Math.min(entry.expiresAt, now);
    return this.accessTokens.size;
  }

  // ---- MCP sessions -------------------------------------------------------------------------

  /**
   * Opens an MCP session on an MCP URL. `target` names what the URL serves (`instance:<id>`,
   * `server:<config id>`, `connection:<name>`), `subject` the user it was opened for.
   */
  openMcpSession({ target, subject, protocolVersion, clientInfo }) {
    let id;
    do id = randomBytes(16).toString('hex');
    while (this.mcpSessions.has(id));
    const session = { id, target, subject, protocolVersion, clientInfo, createdAt: this.clock.now(), initialized: false };
    this.mcpSessions.set(id, session);
    return session;
  }

  mcpSession(id) {
    return this.mcpSessions.get(id);
  }

  closeMcpSession(id) {
    return this.mcpSessions.delete(id);
  }

  closeMcpSessionsOf(target) {
    for (const [id, session] of this.mcpSessions) if (session.target === target) this.mcpSessions.delete(id);
  }

  listMcpSessions() {
    return [...this.mcpSessions.values()];
  }
}
