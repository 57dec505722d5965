'use strict'

/**
 * The WorkOS REST API, in memory, for the local emulator (test support only; Node built-ins only,
 * except `openApiProblems()`, which loads js-yaml and ajv when called).
 *
 * Stateful: users (the emulator's own `users` map, so `emu.addUser` feeds both), organizations with
 * their roles, organization memberships, invitations, sessions, identities and authentication factors,
 * directories with their users and groups, audit log events and exports, SSO connections and profiles. Every object is
 * answered in WorkOS's wire format (snake_case, ISO timestamps), as the OpenAPI document in
 * `@workos/openapi-spec` describes it; `openApiProblems()` checks every exchange against it. Lists
 * paginate with `limit` (1-100, default 10), `order` and `before`/`after` cursors, and answer
 * `list_metadata: { before, after }`.
 *
 * Ids and timestamps come from a counter, not the clock, and `snapshot()` / `restore()` save and put
 * back the whole state: the same call made twice from the same state gets the same answer, so two
 * clients' results can be compared value for value.
 */

const crypto = require('node:crypto')
const fs = require('node:fs')

const EPOCH = Date.UTC(2026, 0, 1)
const JSON_TYPE = 'application/json; charset=utf-8'

const clone = (value) => structuredClone(value)

function safeEqual(a, b) {
  const ha = crypto.createHash('sha256').update(String(a)).digest()
  const hb = crypto.createHash('sha256').update(String(b)).digest()
  return crypto.timingSafeEqual(ha, hb)
}

/** An answer other than 200 with the stored object. */
class ApiError extends Error {
  constructor(status, body, headers = {}) {
    super(body.message || body.error || `HTTP ${status}`)
    this.status = status
    this.body = body
    this.headers = headers
  }
}

const modules = require('./workos-api-modules')

const notFound = (kind, id) => new ApiError(404, { message: `${kind} not found: ${id}`, code: 'entity_not_found', entity_id: id })
const invalid = (message, extra = {}) => new ApiError(422, { message, code: 'invalid_request_parameters', ...extra })

/** What each store holds, as the 404 messages name it. */
const KINDS = {
  organizations: 'Organization',
  memberships: 'Organization membership',
  invitations: 'Invitation',
  sessions: 'Session',
  directories: 'Directory',
  directoryUsers: 'Directory user',
  directoryGroups: 'Directory group',
  auditExports: 'Audit log export',
  connections: 'Connection',
  emailVerifications: 'Email verification',
  magicAuths: 'Magic auth',
  passwordResets: 'Password reset',
  apiKeys: 'API key',
  mfaFactors: 'Authentication factor',
  vaultObjects: 'Object',
}

const equals = (field) => (item, value) => item[field] === value

/** Removes `null` metadata values, as WorkOS does when metadata is updated. */
function mergeMetadata(current, update) {
  if (update === undefined) return current
  if (update === null) return {}
  const merged = { ...current, ...update }
  for (const [k, v] of Object.entries(merged)) if (v === null) delete merged[k]
  return merged
}

class WorkOsApi {
  /**
   * @param {{ apiKey: string, clientId: string, users: Map<string, object> }} options `users` is the
   *   emulator's map of wire-format users (shared, so `addUser` and the API see the same users).
   */
  constructor({ apiKey, clientId, users, sign, jwks }) {
    this.apiKey = apiKey
    this.clientId = clientId
    this.users = users
    /** Signs the claims of an access token with the emulator's key; `jwks()` publishes that key. */
    this.sign = sign
    this.jwks = jwks
    /** The `iat` of every access token (fixed, so the same call gives the same token). */
    this.issuedAt = Math.floor(Date.now() / 1000)
    /** Every answered call: `{ method, route, status, request, response }`, for `openApiProblems()`. */
    this.exchanges = []
    this.seq = 0
    this.store = {
      organizations: {},
      roles: {}, // organization id -> roles
      memberships: {},
      invitations: {},
      sessions: {},
      identities: {}, // user id -> identities
      authFactors: {},
      directories: {},
      directoryUsers: {},
      directoryGroups: {},
      auditEvents: [],
      auditExports: {},
      connections: {},
      profiles: {}, // code -> { profile, oauth_tokens, access_token }
      idempotency: {}, // key -> stored answer
      ...this._moduleStores(),
    }
    this.routes = this._routes()
  }

  // ---------------------------------------------------------------- state

  /** A copy of the whole state (users included). */
  snapshot() {
    return clone({ store: this.store, seq: this.seq, users: [...this.users] })
  }

  /** Puts back a state taken by `snapshot()`. The users map stays the same object. */
  restore(snapshot) {
    const copy = clone(snapshot)
    this.store = copy.store
    this.seq = copy.seq
    this.users.clear()
    for (const [id, user] of copy.users) this.users.set(id, user)
  }

  _next(prefix) {
    this.seq += 1
    const id = `${prefix}_01EMU${String(this.seq).padStart(21, '0')}`
    const at = new Date(EPOCH + this.seq * 1000).toISOString()
    return { id, at }
  }

  // ---------------------------------------------------------------- seeding (wire-format input)

  /** Adds an organization; `domains` may be plain domain names. Returns a copy of the stored object. */
  addOrganization(fields = {}) {
    const { id, at } = this._next('org')
    const orgId = fields.id || id
    const { domains = [], ...rest } = fields
    const org = {
      object: 'organization',
      id: orgId,
      name: 'Organization',
      allow_profiles_outside_organization: false,
      domains: domains.map((d) => this._domain(orgId, typeof d === 'string' ? { domain: d } : d)),
      metadata: {},
      external_id: null,
      created_at: at,
      updated_at: at,
      ...rest,
    }
    this.store.organizations[org.id] = org
    return clone(org)
  }

  _domain(organizationId, { domain, state = 'verified', ...rest }) {
    const { id, at } = this._next('org_domain')
    return {
      object: 'organization_domain',
      id,
      organization_id: organizationId,
      domain,
      state,
      verification_strategy: state === 'verified' ? 'dns' : 'manual',
      ...(state === 'pending' ? { verification_token: `token_${id.slice(-6)}` } : {}),
      created_at: at,
      updated_at: at,
      ...rest,
    }
  }

  /** Adds a role of an organization (`type` EnvironmentRole or OrganizationRole). */
  addRole(organizationId, fields = {}) {
    const { id, at } = this._next('role')
    const role = {
      object: 'role',
      id,
      name: 'Member',
      slug: 'member',
      description: null,
      permissions: [],
      type: 'EnvironmentRole',
      resource_type_slug: 'organization',
      created_at: at,
      updated_at: at,
      ...fields,
    }
    ;(this.store.roles[organizationId] ||= []).push(role)
    return clone(role)
  }

  addMembership(fields = {}) {
    const { id, at } = this._next('om')
    const org = this.store.organizations[fields.organization_id]
    const membership = {
      object: 'organization_membership',
      id,
      user_id: fields.user_id,
      organization_id: fields.organization_id,
      organization_name: org ? org.name : 'Organization',
      status: 'active',
      directory_managed: false,
      custom_attributes: {},
      role: { slug: 'member' },
      created_at: at,
      updated_at: at,
      ...fields,
    }
    this.store.memberships[membership.id] = membership
    return clone(membership)
  }

  addInvitation(fields = {}) {
    const { id, at } = this._next('invitation')
    const token = `tok_${id.slice(-8)}`
    const invitation = {
      object: 'invitation',
      id,
      email: 'invitee@example.com',
      state: 'pending',
      accepted_at: null,
      revoked_at: null,
      expires_at: new Date(Date.parse(at) + 7 * 86_400_000).toISOString(),
      organization_id: null,
      inviter_user_id: null,
      accepted_user_id: null,
      role_slug: null,
      token,
      accept_invitation_url: `https://auth.example.com/invite?invitation_token=${token}`,
      created_at: at,
      updated_at: at,
      ...fields,
    }
    this.store.invitations[invitation.id] = invitation
    return clone(invitation)
  }

  /** Adds a session; leave out `organization_id` / `impersonator` for a session without them. */
  addSession(fields = {}) {
    const { id, at } = this._next('session')
    const session = {
      object: 'session',
      id,
      user_id: fields.user_id,
      ip_address: '198.51.100.42',
      user_agent: 'Mozilla/5.0',
      auth_method: 'password',
      status: 'active',
      expires_at: new Date(Date.parse(at) + 86_400_000).toISOString(),
      ended_at: null,
      created_at: at,
      updated_at: at,
      ...fields,
    }
    this.store.sessions[session.id] = session
    return clone(session)
  }

  /** Sets the identities of a user: `[{ idp_id, type: 'OAuth', provider }]`. */
  setIdentities(userId, identities) {
    this.store.identities[userId] = clone(identities)
  }

  /** Adds an authentication factor of a user (TOTP unless `type` and `sms` say otherwise). */
  addAuthFactor(fields = {}) {
    const { id, at } = this._next('auth_factor')
    const user = this.users.get(fields.user_id)
    const factor = {
      object: 'authentication_factor',
      id,
      type: 'totp',
      user_id: fields.user_id,
      totp: { issuer: 'WorkOS', user: user ? user.email : 'user@example.com' },
      created_at: at,
      updated_at: at,
      ...fields,
    }
    this.store.authFactors[factor.id] = factor
    return clone(factor)
  }

  addDirectory(fields = {}) {
    const { id, at } = this._next('directory')
    const directory = {
      object: 'directory',
      id,
      organization_id: fields.organization_id,
      external_key: `key_${id.slice(-6)}`,
      type: 'okta scim v2.0',
      state: 'linked',
      name: 'Directory',
      domain: 'example.com',
      metadata: { users: { active: 0, inactive: 0 }, groups: 0 },
      created_at: at,
      updated_at: at,
      ...fields,
    }
    this.store.directories[directory.id] = directory
    return clone(directory)
  }

  addDirectoryGroup(fields = {}) {
    const { id, at } = this._next('directory_group')
    const directory = this.store.directories[fields.directory_id] || {}
    const group = {
      object: 'directory_group',
      id,
      idp_id: `idp_${id.slice(-6)}`,
      directory_id: fields.directory_id,
      organization_id: directory.organization_id,
      name: 'Group',
      raw_attributes: {},
      created_at: at,
      updated_at: at,
      ...fields,
    }
    this.store.directoryGroups[group.id] = group
    return clone(group)
  }

  /** Adds a directory user; `group_ids` names its groups (answered as embedded groups). */
  addDirectoryUser(fields = {}) {
    const { id, at } = this._next('directory_user')
    const directory = this.store.directories[fields.directory_id] || {}
    const { group_ids = [], ...rest } = fields
    const user = {
      object: 'directory_user',
      id,
      directory_id: fields.directory_id,
      organization_id: directory.organization_id,
      idp_id: `idp_${id.slice(-6)}`,
      email: 'member@example.com',
      first_name: 'Member',
      last_name: null,
      emails: [{ primary: true, type: 'work', value: 'member@example.com' }],
      job_title: null,
      username: 'member',
      state: 'active',
      raw_attributes: {},
      custom_attributes: {},
      created_at: at,
      updated_at: at,
      ...rest,
      group_ids,
    }
    this.store.directoryUsers[user.id] = user
    return this._directoryUser(user)
  }

  _directoryUser(stored) {
    const { group_ids, ...user } = stored
    return { ...clone(user), groups: group_ids.map((g) => clone(this.store.directoryGroups[g])).filter(Boolean) }
  }

  addConnection(fields = {}) {
    const { id, at } = this._next('conn')
    const { domains = [], ...rest } = fields
    const connection = {
      object: 'connection',
      id,
      connection_type: 'OktaSAML',
      name: 'Connection',
      state: 'active',
      status: 'linked',
      domains: domains.map((domain) => ({ id: this._next('conn_domain').id, object: 'connection_domain', domain })),
      created_at: at,
      updated_at: at,
      ...rest,
    }
    this.store.connections[connection.id] = connection
    return clone(connection)
  }

  /**
   * Makes `code` redeemable at `/sso/token` for `profile` (wire format), with `oauth_tokens` if
   * given; its access token then answers `/sso/profile`.
   */
  addProfile(code, profile = {}, { oauth_tokens, access_token } = {}) {
    const { id } = this._next('prof')
    const stored = {
      object: 'profile',
      id,
      organization_id: null,
      connection_id: 'conn_01EMU',
      connection_type: 'OktaSAML',
      idp_id: `idp_${id.slice(-6)}`,
      email: 'sso@example.com',
      first_name: null,
      last_name: null,
      name: null,
      raw_attributes: {},
      ...profile,
    }
    const token = access_token || `at_${id.slice(-10)}`
    const grant = { profile: stored, oauth_tokens, access_token: token }
    this.store.profiles[code] = grant
    this.store.profiles[`token:${token}`] = clone(grant)
    return { profile: clone(stored), access_token: token }
  }

  addAuditExport(fields = {}) {
    const { id, at } = this._next('audit_log_export')
    const exp = {
      object: 'audit_log_export',
      id,
      state: 'ready',
      url: `https://exports.example.com/${id}.csv`,
      created_at: at,
      updated_at: at,
      ...fields,
    }
    this.store.auditExports[exp.id] = exp
    return clone(exp)
  }

  // ---------------------------------------------------------------- HTTP

  /**
   * Answers a WorkOS API request (the emulator calls this for every path that is not AuthKit's).
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {{ path: string, search: URLSearchParams, body: string }} request raw path, query, body
   */
  handle(req, res, { path, search, body }) {
    const matched = this._match(req.method, path)
    if (!matched) return this._send(res, null, 404, { message: `Not found: ${path}`, code: 'not_found' })
    if (matched.allow) {
      const message = { message: `Method not allowed: ${req.method}`, code: 'method_not_allowed' }
      return this._send(res, null, 405, message, { allow: matched.allow })
    }
    const exchange = { method: req.method.toLowerCase(), route: matched.template, request: undefined }
    try {
      if (matched.params === null) throw new ApiError(400, { message: 'Malformed path parameter', code: 'bad_request' })
      exchange.request = this._parseBody(req, body)
      if (!matched.public && !this._authorized(req)) throw new ApiError(401, { message: 'Unauthorized', code: 'unauthorized' })
      const answer = matched.handler({ params: matched.params, query: search, body: exchange.request, req })
      const [status, payload] = answer === undefined ? [200, undefined] : answer
      return this._send(res, exchange, status, payload)
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      return this._send(res, exchange, err.status, err.body, err.headers)
    }
  }

  _authorized(req) {
    const match = /^Bearer (.+)$/i.exec(req.headers.authorization || '')
    return Boolean(match) && safeEqual(match[1], this.apiKey)
  }

  _parseBody(req, body) {
    if (req.method === 'GET' || req.method === 'DELETE' || body === '') return undefined
    if (/^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] || '')) {
      return Object.fromEntries(new URLSearchParams(body))
    }
    try {
      return JSON.parse(body)
    } catch {
      throw new ApiError(400, { message: 'Body must be JSON', code: 'invalid_json' })
    }
  }

  /** `payload` undefined: an empty answer without a content type (WorkOS's "No Content" 200s). */
  _send(res, exchange, status, payload, headers = {}) {
    if (exchange) this.exchanges.push({ ...exchange, status, response: clone(payload) })
    if (payload === undefined) {
      res.writeHead(status, headers)
      return res.end()
    }
    res.writeHead(status, { 'content-type': JSON_TYPE, ...headers })
    return res.end(JSON.stringify(payload))
  }

  _match(method, path) {
    const segments = path.split('/')
    let allow = null
    for (const route of this.routes) {
      if (route.segments.length !== segments.length) continue
      const params = {}
      let ok = true
      for (let i = 0; i < segments.length && ok; i++) {
        const want = route.segments[i]
        if (want.startsWith('{')) {
          try {
            params[want.slice(1, -1)] = decodeURIComponent(segments[i])
          } catch {
            params[want.slice(1, -1)] = null
          }
          ok = segments[i] !== ''
        } else {
          ok = want === segments[i]
        }
      }
      if (!ok) continue
      if (route.method !== method) {
        allow = allow || route.method
        continue
      }
      const malformed = Object.values(params).includes(null)
      return { ...route, params: malformed ? null : params }
    }
    return allow ? { allow } : null
  }

  /** The routing table: `[method, template (the OpenAPI path), handler, options]`. */
  _routes() {
    const table = [
      ['GET', '/user_management/users', (c) => this._list(this._users(c.query), c.query)],
      ['POST', '/user_management/users', (c) => this._createUser(c.body)],
      ['GET', '/user_management/users/external_id/{external_id}', (c) => this._userByExternalId(c.params.external_id)],
      ['GET', '/user_management/users/{id}', (c) => [200, this._user(c.params.id)]],
      ['PUT', '/user_management/users/{id}', (c) => this._updateUser(c.params.id, c.body)],
      ['DELETE', '/user_management/users/{id}', (c) => this._deleteUser(c.params.id)],
      ['GET', '/user_management/users/{id}/sessions', (c) => this._list(this._sessions(c.params.id), c.query)],
      ['GET', '/user_management/users/{id}/identities', (c) => [200, this._identities(c.params.id)]],
      [
        'GET',
        '/user_management/users/{userlandUserId}/auth_factors',
        (c) => this._list(this._authFactors(c.params.userlandUserId), c.query),
      ],
      ['POST', '/user_management/sessions/revoke', (c) => this._revokeSession(c.body)],
      ['GET', '/user_management/organization_memberships', (c) => this._list(this._memberships(c.query), c.query)],
      ['POST', '/user_management/organization_memberships', (c) => this._createMembership(c.body)],
      [
        'GET',
        '/user_management/organization_memberships/{id}',
        (c) => [200, this._membershipAnswer(this._get('memberships', c.params.id))],
      ],
      ['PUT', '/user_management/organization_memberships/{id}', (c) => this._updateMembership(c.params.id, c.body)],
      ['DELETE', '/user_management/organization_memberships/{id}', (c) => this._delete('memberships', c.params.id)],
      ['PUT', '/user_management/organization_memberships/{id}/deactivate', (c) => this._setMembershipStatus(c.params.id, 'inactive')],
      ['PUT', '/user_management/organization_memberships/{id}/reactivate', (c) => this._setMembershipStatus(c.params.id, 'active')],
      [
        'GET',
        '/user_management/invitations',
        (c) =>
          this._list(this._where('invitations', c.query, { email: equals('email'), organization_id: equals('organization_id') }), c.query),
      ],
      ['POST', '/user_management/invitations', (c) => this._sendInvitation(c.body)],
      ['GET', '/user_management/invitations/by_token/{token}', (c) => [200, this._invitationByToken(c.params.token)]],
      ['GET', '/user_management/invitations/{id}', (c) => [200, clone(this._get('invitations', c.params.id))]],
      ['POST', '/user_management/invitations/{id}/accept', (c) => this._invitationAction(c.params.id, 'accept')],
      ['POST', '/user_management/invitations/{id}/revoke', (c) => this._invitationAction(c.params.id, 'revoke')],
      ['POST', '/user_management/invitations/{id}/resend', (c) => this._invitationAction(c.params.id, 'resend')],
      ['GET', '/organizations', (c) => this._list(this._organizations(c.query), c.query)],
      ['POST', '/organizations', (c) => this._createOrganization(c.body, c.req.headers['idempotency-key'])],
      ['GET', '/organizations/external_id/{external_id}', (c) => this._organizationByExternalId(c.params.external_id)],
      ['GET', '/organizations/{id}', (c) => [200, clone(this._get('organizations', c.params.id))]],
      ['PUT', '/organizations/{id}', (c) => this._updateOrganization(c.params.id, c.body)],
      ['DELETE', '/organizations/{id}', (c) => this._delete('organizations', c.params.id, 202)],
      ['GET', '/organizations/{id}/roles', (c) => this._roles(c.params.id)],
      [
        'GET',
        '/directories',
        (c) =>
          this._list(
            this._where('directories', c.query, {
              organization_id: equals('organization_id'),
              search: (d, search) => d.name.toLowerCase().includes(search.toLowerCase()),
              domain: equals('domain'),
            }),
            c.query,
          ),
      ],
      ['GET', '/directories/{id}', (c) => [200, clone(this._get('directories', c.params.id))]],
      ['DELETE', '/directories/{id}', (c) => this._delete('directories', c.params.id, 202)],
      [
        'GET',
        '/directory_users',
        (c) =>
          this._list(
            this._where('directoryUsers', c.query, {
              directory: equals('directory_id'),
              group: (u, group) => u.group_ids.includes(group),
            }).map((u) => this._directoryUser(u)),
            c.query,
          ),
      ],
      ['GET', '/directory_users/{id}', (c) => [200, this._directoryUser(this._get('directoryUsers', c.params.id))]],
      [
        'GET',
        '/directory_groups',
        (c) =>
          this._list(
            this._where('directoryGroups', c.query, {
              directory: equals('directory_id'),
              user: (g, user) => Boolean(this.store.directoryUsers[user]?.group_ids.includes(g.id)),
            }),
            c.query,
          ),
      ],
      ['GET', '/directory_groups/{id}', (c) => [200, clone(this._get('directoryGroups', c.params.id))]],
      ['POST', '/audit_logs/events', (c) => this._createEvent(c.body, c.req.headers['idempotency-key'])],
      ['POST', '/audit_logs/exports', (c) => this._createExport(c.body)],
      ['GET', '/audit_logs/exports/{auditLogExportId}', (c) => [200, clone(this._get('auditExports', c.params.auditLogExportId))]],
      [
        'GET',
        '/connections',
        (c) =>
          this._list(
            this._where('connections', c.query, {
              connection_type: equals('connection_type'),
              domain: (conn, domain) => conn.domains.some((d) => d.domain === domain),
              organization_id: equals('organization_id'),
            }),
            c.query,
          ),
      ],
      ['GET', '/connections/{id}', (c) => [200, clone(this._get('connections', c.params.id))]],
      ['DELETE', '/connections/{id}', (c) => this._delete('connections', c.params.id, 204)],
      ['POST', '/sso/token', (c) => this._ssoToken(c.body), { public: true }],
      ['GET', '/sso/profile', (c) => this._ssoProfile(c.req), { public: true }],
      ...this._moduleRoutes(),
    ]
    return table.map(([method, template, handler, opts = {}]) => ({
      method,
      template,
      handler,
      public: Boolean(opts.public),
      segments: template.split('/'),
    }))
  }

  // ---------------------------------------------------------------- stores

  /** The stored object `id` of `store` (not a copy), or the 404 of its kind. */
  _get(store, id) {
    const item = this.store[store][id]
    if (!item) throw notFound(KINDS[store], id)
    return item
  }

  /** Deletes `id` from `store`: an empty answer with `status`. */
  _delete(store, id, status = 200) {
    this._get(store, id)
    delete this.store[store][id]
    return [status, undefined]
  }

  /** Copies of the objects of `store` that pass `filters[param](item, value)` for every query param given. */
  _where(store, query, filters) {
    let list = Object.values(this.store[store])
    for (const [param, test] of Object.entries(filters)) {
      const value = query.get(param)
      if (value) list = list.filter((item) => test(item, value))
    }
    return list.map(clone)
  }

  // ---------------------------------------------------------------- pagination

  /**
   * One page of `items` (any order): sorted by creation, `order` desc by default; `after` starts
   * after that id, `before` ends before it (alone, it gives the page just before it).
   */
  _list(items, query) {
    const limit = query.has('limit') ? Number(query.get('limit')) : 10
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalid('limit must be an integer from 1 to 100')
    const order = query.get('order') || 'desc'
    if (!['asc', 'desc', 'normal'].includes(order)) throw invalid(`order must be one of asc, desc, normal`)
    const sorted = [...items].sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1))
    if (order === 'desc') sorted.reverse()
    const position = (cursor) => {
      const i = sorted.findIndex((item) => item.id === cursor)
      return i === -1 ? null : i
    }
    const after = query.get('after')
    const before = query.get('before')
    const start = after ? (position(after) ?? sorted.length - 1) + 1 : 0
    const end = before ? (position(before) ?? sorted.length) : sorted.length
    const from = before && !after ? Math.max(start, end - limit) : start
    const page = sorted.slice(from, Math.min(end, from + limit))
    const first = from
    const last = from + page.length - 1
    const listMetadata = {
      before: page.length > 0 && first > 0 ? page[0].id : null,
      after: page.length > 0 && last < end - 1 ? page[page.length - 1].id : null,
    }
    return [200, { object: 'list', data: page, list_metadata: listMetadata }]
  }

  // ---------------------------------------------------------------- users

  _user(id) {
    const user = this.users.get(id)
    if (!user) throw notFound('User', id)
    return clone(user)
  }

  _users(query) {
    let users = [...this.users.values()]
    const email = query.get('email')
    if (email) users = users.filter((u) => u.email === email)
    const org = query.get('organization_id')
    if (org) {
      const members = new Set(
        Object.values(this.store.memberships)
          .filter((m) => m.organization_id === org)
          .map((m) => m.user_id),
      )
      users = users.filter((u) => members.has(u.id))
    }
    return users.map(clone)
  }

  _userByExternalId(externalId) {
    const user = [...this.users.values()].find((u) => u.external_id === externalId)
    if (!user) throw notFound('User', externalId)
    return [200, clone(user)]
  }

  _createUser(body = {}) {
    if (typeof body.email !== 'string' || !body.email) throw invalid('email is required')
    if (typeof body.password === 'string' && body.password.length < 8) {
      throw new ApiError(400, {
        code: 'password_strength_error',
        message: 'Password does not meet the strength requirements.',
        errors: [{ code: 'password_too_short', message: 'Password must be at least 8 characters long.' }],
      })
    }
    if ([...this.users.values()].some((u) => u.email === body.email)) {
      throw new ApiError(400, {
        code: 'user_creation_error',
        message: 'Could not create user.',
        errors: [{ code: 'email_not_available', message: 'This email is not available.' }],
      })
    }
    const { id, at } = this._next('user')
    const user = {
      object: 'user',
      id,
      email: body.email,
      email_verified: body.email_verified ?? false,
      first_name: body.first_name ?? null,
      last_name: body.last_name ?? null,
      profile_picture_url: null,
      last_sign_in_at: null,
      locale: null,
      external_id: body.external_id ?? null,
      metadata: mergeMetadata({}, body.metadata ?? undefined),
      created_at: at,
      updated_at: at,
    }
    this.users.set(id, user)
    return [201, clone(user)]
  }

  _updateUser(id, body = {}) {
    const user = this.users.get(id)
    if (!user) throw notFound('User', id)
    for (const key of ['email', 'email_verified', 'first_name', 'last_name', 'external_id', 'locale']) {
      if (body[key] !== undefined) user[key] = body[key]
    }
    user.metadata = mergeMetadata(user.metadata, body.metadata)
    user.updated_at = this._next('tick').at
    return [200, clone(user)]
  }

  _deleteUser(id) {
    if (!this.users.has(id)) throw notFound('User', id)
    this.users.delete(id)
    return undefined
  }

  _sessions(userId) {
    if (!this.users.has(userId)) throw notFound('User', userId)
    return Object.values(this.store.sessions)
      .filter((s) => s.user_id === userId)
      .map(clone)
  }

  _identities(userId) {
    if (!this.users.has(userId)) throw notFound('User', userId)
    return clone(this.store.identities[userId] || [])
  }

  _authFactors(userId) {
    if (!this.users.has(userId)) throw notFound('User', userId)
    return Object.values(this.store.authFactors)
      .filter((f) => f.user_id === userId)
      .map(clone)
  }

  _revokeSession(body = {}) {
    const session = this.store.sessions[body.session_id]
    if (!session) throw new ApiError(400, { message: `Session not found: ${body.session_id}` })
    session.status = 'revoked'
    session.ended_at = this._next('tick').at
    return undefined
  }

  // ---------------------------------------------------------------- memberships

  _membershipAnswer(membership) {
    const user = this.users.get(membership.user_id)
    return { ...clone(membership), ...(user ? { user: clone(user) } : {}) }
  }

  _memberships(query) {
    let list = Object.values(this.store.memberships)
    const userId = query.get('user_id')
    const orgId = query.get('organization_id')
    const statuses = query.get('statuses')
    if (userId) list = list.filter((m) => m.user_id === userId)
    if (orgId) list = list.filter((m) => m.organization_id === orgId)
    if (statuses) list = list.filter((m) => statuses.split(',').includes(m.status))
    return list.map((m) => this._membershipAnswer(m))
  }

  _createMembership(body = {}) {
    if (!body.user_id || !body.organization_id) throw invalid('user_id and organization_id are required')
    if (!this.users.has(body.user_id)) throw notFound('User', body.user_id)
    this._get('organizations', body.organization_id)
    const slugs = body.role_slugs || [body.role_slug || 'member']
    const membership = this.addMembership({
      user_id: body.user_id,
      organization_id: body.organization_id,
      role: { slug: slugs[0] },
      ...(body.role_slugs ? { roles: slugs.map((slug) => ({ slug })) } : {}),
    })
    return [201, this._membershipAnswer(membership)]
  }

  _updateMembership(id, body = {}) {
    const membership = this._get('memberships', id)
    if (body.role_slugs) {
      membership.role = { slug: body.role_slugs[0] }
      membership.roles = body.role_slugs.map((slug) => ({ slug }))
    } else if (body.role_slug) {
      membership.role = { slug: body.role_slug }
      delete membership.roles
    }
    membership.updated_at = this._next('tick').at
    return [200, this._membershipAnswer(membership)]
  }

  _setMembershipStatus(id, status) {
    const membership = this._get('memberships', id)
    if (membership.status === 'pending') {
      const verb = status === 'active' ? 'reactivate' : 'deactivate'
      throw new ApiError(400, {
        code: `cannot_${verb}_pending_organization_membership`,
        message: `A pending organization membership cannot be ${verb}d.`,
      })
    }
    membership.status = status
    membership.updated_at = this._next('tick').at
    return [200, this._membershipAnswer(membership)]
  }

  // ---------------------------------------------------------------- invitations

  _invitationByToken(token) {
    const invitation = Object.values(this.store.invitations).find((i) => i.token === token)
    if (!invitation) throw notFound('Invitation', token)
    return clone(invitation)
  }

  _sendInvitation(body = {}) {
    if (typeof body.email !== 'string' || !body.email) throw invalid('email is required')
    const at = this._next('tick').at
    const days = body.expires_in_days ?? 7
    const invitation = this.addInvitation({
      email: body.email,
      organization_id: body.organization_id ?? null,
      inviter_user_id: body.inviter_user_id ?? null,
      role_slug: body.role_slug ?? null,
      expires_at: new Date(Date.parse(at) + days * 86_400_000).toISOString(),
    })
    return [201, invitation]
  }

  _invitationAction(id, action) {
    const invitation = this._get('invitations', id)
    if (invitation.state !== 'pending') {
      const code = action === 'resend' ? `invite_${invitation.state}` : 'invite_not_pending'
      throw new ApiError(400, { code, message: `The invitation is ${invitation.state}.` })
    }
    const at = this._next('tick').at
    if (action === 'accept') {
      const user = [...this.users.values()].find((u) => u.email === invitation.email)
      Object.assign(invitation, { state: 'accepted', accepted_at: at, accepted_user_id: user ? user.id : null })
    } else if (action === 'revoke') {
      Object.assign(invitation, { state: 'revoked', revoked_at: at })
    } else {
      invitation.expires_at = new Date(Date.parse(at) + 7 * 86_400_000).toISOString()
    }
    invitation.updated_at = at
    return [200, clone(invitation)]
  }

  // ---------------------------------------------------------------- organizations

  _organizationByExternalId(externalId) {
    const org = Object.values(this.store.organizations).find((o) => o.external_id === externalId)
    if (!org) throw notFound('Organization', externalId)
    return [200, clone(org)]
  }

  _organizations(query) {
    let list = Object.values(this.store.organizations)
    const domains = query.get('domains')
    if (domains) {
      const wanted = domains.split(',')
      list = list.filter((o) => o.domains.some((d) => wanted.includes(d.domain)))
    }
    return list.map(clone)
  }

  _checkOrganization(body, selfId) {
    const others = Object.values(this.store.organizations).filter((o) => o.id !== selfId)
    if (body.external_id && others.some((o) => o.external_id === body.external_id)) {
      throw new ApiError(400, { code: 'external_id_already_used', message: `External ID '${body.external_id}' is already used.` })
    }
    for (const { domain, state } of body.domain_data || []) {
      if (state === 'verified' && others.some((o) => o.domains.some((d) => d.domain === domain && d.state === 'verified'))) {
        throw new ApiError(409, { message: `The domain ${domain} is already verified by another organization.` })
      }
    }
  }

  _createOrganization(body = {}, idempotencyKey) {
    if (idempotencyKey && this.store.idempotency[idempotencyKey]) return clone(this.store.idempotency[idempotencyKey])
    if (typeof body.name !== 'string' || !body.name) throw new ApiError(422, { message: 'name is required' })
    this._checkOrganization(body)
    const domains = body.domain_data || (body.domains || []).map((domain) => ({ domain, state: 'pending' }))
    const org = this.addOrganization({
      name: body.name,
      domains,
      external_id: body.external_id ?? null,
      metadata: mergeMetadata({}, body.metadata ?? undefined),
      ...(body.allow_profiles_outside_organization !== undefined
        ? { allow_profiles_outside_organization: body.allow_profiles_outside_organization }
        : {}),
    })
    const answer = [201, org]
    if (idempotencyKey) this.store.idempotency[idempotencyKey] = clone(answer)
    return answer
  }

  _updateOrganization(id, body = {}) {
    const org = this._get('organizations', id)
    this._checkOrganization(body, id)
    for (const key of ['name', 'external_id', 'stripe_customer_id', 'allow_profiles_outside_organization']) {
      if (body[key] !== undefined) org[key] = body[key]
    }
    if (body.domain_data) org.domains = body.domain_data.map((d) => this._domain(id, d))
    org.metadata = mergeMetadata(org.metadata, body.metadata)
    org.updated_at = this._next('tick').at
    return [200, clone(org)]
  }

  _roles(id) {
    this._get('organizations', id)
    return [200, { object: 'list', data: clone(this.store.roles[id] || []) }]
  }

  // ---------------------------------------------------------------- directory sync

  // ---------------------------------------------------------------- audit logs

  _createEvent(body = {}, idempotencyKey) {
    if (idempotencyKey && this.store.idempotency[idempotencyKey]) return clone(this.store.idempotency[idempotencyKey])
    this._get('organizations', body.organization_id)
    const event = body.event || {}
    const missing = [
      ['action', event.action],
      ['occurred_at', event.occurred_at],
      ['actor', event.actor],
      ['targets', event.targets],
      ['context.location', event.context && event.context.location],
    ].filter(([, value]) => value === undefined)
    if (missing.length > 0) {
      throw new ApiError(422, {
        message: 'Validation failed',
        errors: missing.map(([field]) => ({ code: `${field.replace('.', '_')}_required`, field: `event.${field}` })),
      })
    }
    this.store.auditEvents.push({ organization_id: body.organization_id, event: clone(event), idempotency_key: idempotencyKey })
    const answer = [200, { success: true }]
    if (idempotencyKey) this.store.idempotency[idempotencyKey] = clone(answer)
    return answer
  }

  /** The audit log events received so far (`{ organization_id, event, idempotency_key }`). */
  auditEvents() {
    return clone(this.store.auditEvents)
  }

  _createExport(body = {}) {
    this._get('organizations', body.organization_id)
    if (!body.range_start || !body.range_end) throw new ApiError(400, { message: 'range_start and range_end are required' })
    return [201, this.addAuditExport({ state: 'pending', url: null })]
  }

  // ---------------------------------------------------------------- SSO

  _ssoToken(form = {}) {
    if (form.client_id !== this.clientId || !safeEqual(form.client_secret ?? '', this.apiKey)) {
      throw new ApiError(400, { error: 'invalid_client', error_description: 'Invalid client ID or secret.' })
    }
    if (form.grant_type !== 'authorization_code') {
      throw new ApiError(400, { error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${form.grant_type}` })
    }
    const grant = this.store.profiles[form.code]
    if (!grant) {
      throw new ApiError(400, { error: 'invalid_grant', error_description: `The code '${form.code}' has expired or is invalid.` })
    }
    delete this.store.profiles[form.code]
    const answer = { token_type: 'Bearer', access_token: grant.access_token, expires_in: 600, profile: clone(grant.profile) }
    if (grant.oauth_tokens) answer.oauth_tokens = clone(grant.oauth_tokens)
    return [200, answer]
  }

  _ssoProfile(req) {
    const match = /^Bearer (.+)$/i.exec(req.headers.authorization || '')
    const grant = match && this.store.profiles[`token:${match[1]}`]
    if (!grant) throw new ApiError(401, { error: 'Unauthorized' })
    return [200, clone(grant.profile)]
  }

  // ---------------------------------------------------------------- the OpenAPI document

  /**
   * Checks every exchange so far against WorkOS's OpenAPI document (`@workos/openapi-spec`): JSON
   * request bodies against the operation's request schema, answers against the response schema of
   * their status. Returns `{ checked, problems }`: the `METHOD route status` checked, and what failed.
   */
  openApiProblems() {
    const { validator } = loadOpenApi()
    const checked = new Set()
    const problems = []
    for (const ex of this.exchanges) {
      if (modules.NOT_IN_DOCUMENT.has(ex.route)) continue
      // The 7.x roles endpoint is not in the document; its list has the shape of the authorization API's.
      const route = ex.route === '/organizations/{id}/roles' ? '/authorization/organizations/{organizationId}/roles' : ex.route
      const parts = [route, ex.method]
      // A successful JSON answer must have a schema; accepted request bodies and error answers are
      // checked where the document describes them (a rejected request is invalid on purpose).
      const checks = []
      if (ex.request !== undefined && ex.status < 300 && !modules.undocumentedRequest(ex))
        checks.push([[...parts, 'requestBody', 'content', 'application/json', 'schema'], ex.request, 'request', false])
      if (ex.response !== undefined) {
        const pointer = [...parts, 'responses', String(ex.status), 'content', 'application/json', 'schema']
        checks.push([pointer, ex.response, 'response', ex.status < 300])
      }
      for (const [pointer, value, what, required] of checks) {
        const validate = validator(pointer)
        if (!validate) {
          if (required) problems.push(`${ex.method.toUpperCase()} ${ex.route} ${ex.status}: no ${what} schema in the OpenAPI document`)
          continue
        }
        checked.add(`${ex.method.toUpperCase()} ${ex.route} ${what} ${ex.status}`)
        if (!validate(value)) {
          problems.push(`${ex.method.toUpperCase()} ${ex.route} ${ex.status} ${what}: ${JSON.stringify(validate.errors.slice(0, 3))}`)
        }
      }
    }
    return { checked: [...checked].sort(), problems: [...new Set(problems)] }
  }
}

let openApi

/** The OpenAPI document, compiled lazily per schema (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses). */
function loadOpenApi() {
  if (openApi) return openApi
  const yaml = require('js-yaml')
  const Ajv2020 = require('ajv/dist/2020')
  const addFormats = require('ajv-formats')
  const spec = yaml.load(fs.readFileSync(require.resolve('@workos/openapi-spec/spec'), 'utf8'))
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats(ajv)
  ajv.addSchema(spec, 'workos')
  const escape = (segment) => encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'))
  const cache = new Map()
  const validator = (path) => {
    const key = path.join(' ')
    if (!cache.has(key)) {
      let node = spec.paths
      for (const p of path) node = node && node[p]
      cache.set(key, node ? ajv.getSchema(`workos#/paths/${path.map(escape).join('/')}`) : null)
    }
    return cache.get(key)
  }
  openApi = { spec, validator }
  return openApi
}

modules.install(WorkOsApi, { ApiError })

module.exports = { WorkOsApi, ApiError }
