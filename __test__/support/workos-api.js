'use strict'

/**
 * The WorkOS REST API, in memory, for the local emulator (test support only; Node built-ins only): what
 * the tests and the demo call through @workos-inc/node and the native transport, and what the provider
 * reads for roles and permissions. Users (the emulator's own `users` map, so `emu.addUser` feeds both),
 * organizations with their roles, organization memberships, and `/sso/jwks/{clientId}` (the key set of
 * sealed sessions). Objects are answered in WorkOS's wire format (snake_case, ISO timestamps); lists
 * paginate with `limit` (1-100, default 10), `order` and `before`/`after` cursors, and answer
 * `list_metadata: { before, after }`. Ids and timestamps come from a counter, not the clock.
 */

const crypto = require('node:crypto')

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

const notFound = (kind, id) => new ApiError(404, { message: `${kind} not found: ${id}`, code: 'entity_not_found', entity_id: id })
const invalid = (message) => new ApiError(422, { message, code: 'invalid_request_parameters' })

class WorkOsApi {
  /**
   * @param {{ apiKey: string, clientId: string, users: Map<string, object>, jwks: () => { keys: object[] } }} options
   *   `users` is the emulator's map of wire-format users (shared, so `addUser` and the API see the same
   *   users); `jwks()` is the emulator's key set.
   */
  constructor({ apiKey, clientId, users, jwks }) {
    this.apiKey = apiKey
    this.clientId = clientId
    this.users = users
    this.jwks = jwks
    this.seq = 0
    this.store = {
      organizations: {},
      roles: {}, // organization id -> roles
      memberships: {},
      idempotency: {}, // key -> stored answer
    }
    this.routes = this._routes()
  }

  _next(prefix) {
    this.seq += 1
    const id = `${prefix}_01EMU${String(this.seq).padStart(21, '0')}`
    const at = new Date(EPOCH + this.seq * 1000).toISOString()
    return { id, at }
  }

  // ---------------------------------------------------------------- seeding (wire-format input)

  /** Adds an organization. Returns a copy of the stored object. */
  addOrganization(fields = {}) {
    const { id, at } = this._next('org')
    const org = {
      object: 'organization',
      id,
      name: 'Organization',
      allow_profiles_outside_organization: false,
      domains: [],
      metadata: {},
      external_id: null,
      created_at: at,
      updated_at: at,
      ...fields,
    }
    this.store.organizations[org.id] = org
    return clone(org)
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

  // ---------------------------------------------------------------- HTTP

  handle(req, res, { path, search, body }) {
    const matched = this._match(req.method, path)
    if (!matched) return this._send(res, 404, { message: `Not found: ${path}`, code: 'not_found' })
    if (matched.allow) {
      return this._send(res, 405, { message: `Method not allowed: ${req.method}`, code: 'method_not_allowed' }, { allow: matched.allow })
    }
    try {
      if (matched.params === null) throw new ApiError(400, { message: 'Malformed path parameter', code: 'bad_request' })
      const request = this._parseBody(req, body)
      if (!matched.public && !this._authorized(req)) throw new ApiError(401, { message: 'Unauthorized', code: 'unauthorized' })
      const [status, payload] = matched.handler({ params: matched.params, query: search, body: request, req })
      return this._send(res, status, payload)
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      return this._send(res, err.status, err.body, err.headers)
    }
  }

  _authorized(req) {
    const match = /^Bearer (.+)$/i.exec(req.headers.authorization || '')
    return Boolean(match) && safeEqual(match[1], this.apiKey)
  }

  _parseBody(req, body) {
    if (req.method === 'GET' || req.method === 'DELETE' || body === '') return undefined
    try {
      return JSON.parse(body)
    } catch {
      throw new ApiError(400, { message: 'Body must be JSON', code: 'invalid_json' })
    }
  }

  _send(res, status, payload, headers = {}) {
    res.writeHead(status, { 'content-type': JSON_TYPE, ...headers })
    return res.end(JSON.stringify(payload))
  }

  /** The route of `method path`, its path parameters percent-decoded (`null`: one does not decode). */
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
      return { ...route, params: Object.values(params).includes(null) ? null : params }
    }
    return allow ? { allow } : null
  }

  /** The routing table: `[method, template (the OpenAPI path), handler, options]`. */
  _routes() {
    const table = [
      ['GET', '/user_management/users', (c) => this._list(this._users(c.query), c.query)],
      ['GET', '/user_management/users/{id}', (c) => [200, this._user(c.params.id)]],
      ['GET', '/user_management/organization_memberships', (c) => this._list(this._memberships(c.query), c.query)],
      ['GET', '/organizations', (c) => this._list(Object.values(this.store.organizations).map(clone), c.query)],
      ['POST', '/organizations', (c) => this._createOrganization(c.body, c.req.headers['idempotency-key'])],
      ['GET', '/organizations/{id}', (c) => [200, clone(this._organization(c.params.id))]],
      [
        'GET',
        '/organizations/{id}/roles',
        (c) => [200, { object: 'list', data: clone(this.store.roles[this._organization(c.params.id).id] || []) }],
      ],
      ['GET', '/sso/jwks/{clientId}', (c) => this._ssoJwks(c.params.clientId), { public: true }],
    ]
    return table.map(([method, template, handler, opts = {}]) => ({
      method,
      template,
      handler,
      public: Boolean(opts.public),
      segments: template.split('/'),
    }))
  }

  // ---------------------------------------------------------------- answers

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
    const last = from + page.length - 1
    const listMetadata = {
      before: page.length > 0 && from > 0 ? page[0].id : null,
      after: page.length > 0 && last < end - 1 ? page[page.length - 1].id : null,
    }
    return [200, { object: 'list', data: page, list_metadata: listMetadata }]
  }

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

  _memberships(query) {
    let list = Object.values(this.store.memberships)
    const userId = query.get('user_id')
    const orgId = query.get('organization_id')
    const statuses = query.get('statuses')
    if (userId) list = list.filter((m) => m.user_id === userId)
    if (orgId) list = list.filter((m) => m.organization_id === orgId)
    if (statuses) list = list.filter((m) => statuses.split(',').includes(m.status))
    return list.map((m) => {
      const user = this.users.get(m.user_id)
      return { ...clone(m), ...(user ? { user: clone(user) } : {}) }
    })
  }

  _organization(id) {
    const org = this.store.organizations[id]
    if (!org) throw notFound('Organization', id)
    return org
  }

  _createOrganization(body = {}, idempotencyKey) {
    if (idempotencyKey && this.store.idempotency[idempotencyKey]) return clone(this.store.idempotency[idempotencyKey])
    if (typeof body.name !== 'string' || !body.name) throw new ApiError(422, { message: 'name is required' })
    const org = this.addOrganization({ name: body.name, external_id: body.external_id ?? null, metadata: body.metadata ?? {} })
    const answer = [201, org]
    if (idempotencyKey) this.store.idempotency[idempotencyKey] = clone(answer)
    return answer
  }

  _ssoJwks(clientId) {
    if (clientId !== this.clientId) throw notFound('Client', clientId)
    return [200, { keys: this.jwks().keys }]
  }
}

module.exports = { WorkOsApi }
