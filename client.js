'use strict'
// `WorkOS`: the @workos-inc/node 7.x client surface over the native transport (src/workos/).
//
// Every SDK method is one row of a module table below: its HTTP method, its path (ids in a `path`
// template), how its arguments become the query or body, and the SDK type of its result. Rust sends the
// request (URL, headers, idempotency keys, timeouts, retries, the walk of a list's pages) and hands back
// the raw answer; this file does what is JavaScript's own, as the SDK does it: `JSON.stringify` of
// request entities, `String()` of query values, `JSON.parse` of answers, and the SDK's result objects
// (keys in the SDK's order, `undefined` for members the API did not send). Exceptions: errors.js.
const native = require('./native.js')
const { exceptions, parseError, replyError, textOf } = require('./errors.js')

const { NoApiKeyProvidedException } = exceptions

/** Per client: `{ key, native }`; per module: its client. Kept off the objects so no dump shows the key. */
const internals = new WeakMap()

// ---------------------------------------------------------------------------------- result types

/** An answer that does not have the shape of the SDK result: the method's `ParseError`. */
class ShapeError extends Error {}

const OMIT = Symbol('omit')
const snake = (key) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * An SDK result type (a deserializer of 7.x): `keys` in the SDK's order, each copied from the wire
 * member of its snake_case name, or computed by `read[key](member, wire, at)`; `OMIT` leaves it out.
 */
function model(name, keys, read = {}) {
  const fields = keys.split(/\s+/).map((key) => [key, snake(key), read[key]])
  return (wire, at = name) => {
    if (!isObject(wire)) throw new ShapeError(`${at} is not an object`)
    const out = {}
    for (const [key, member, how] of fields) {
      const value = how ? how(wire[member], wire, `${at}.${key}`) : wire[member]
      if (value !== OMIT) out[key] = value
    }
    return out
  }
}

/** Members read as the SDK reads them. */
const orNull = (v) => v ?? null
const orEmpty = (v) => v ?? {}
const ifSent = (v) => (v === undefined ? OMIT : v)
const ifTruthy = (v) => v || OMIT
const is = (constant) => () => constant
const from = (member) => (_, wire) => wire[member]
const one = (type) => (v, _, at) => type(v, at)
const optional = (type) => (v, _, at) => (v ? type(v, at) : undefined)
const list = (type) => (v, _, at) => {
  if (!Array.isArray(v)) throw new ShapeError(`${at} is not an array`)
  return v.map((item, i) => type(item, `${at}[${i}]`))
}

const User = model('User', 'object id email emailVerified firstName profilePictureUrl lastName lastSignInAt locale createdAt updatedAt externalId metadata', { externalId: orNull, metadata: orEmpty })
const OrganizationMembership = model('OrganizationMembership', 'object id userId organizationId organizationName status createdAt updatedAt role roles', { roles: ifTruthy })
const UserSession = model('Session', 'object id userId ipAddress userAgent organizationId impersonator authMethod status expiresAt endedAt createdAt updatedAt', { object: is('session') })
const Identity = model('Identity', 'idpId type provider')
const Invitation = model('Invitation', 'object id email state acceptedAt revokedAt expiresAt organizationId inviterUserId acceptedUserId token acceptInvitationUrl createdAt updatedAt')
const AuthFactor = model('Factor', 'object id createdAt updatedAt type totp userId', { totp: one(model('Totp', 'issuer user')) })
const OrganizationDomain = model('OrganizationDomain', 'object id domain organizationId state verificationToken verificationStrategy createdAt updatedAt')
const Organization = model('Organization', 'object id name allowProfilesOutsideOrganization domains stripeCustomerId createdAt updatedAt externalId metadata', { domains: list(OrganizationDomain), stripeCustomerId: ifSent, externalId: orNull, metadata: orEmpty })
const Role = model('Role', 'object id name slug description permissions type createdAt updatedAt')
const RoleList = model('RoleList', 'object data', { object: is('list'), data: list(Role) })
const directoryState = (state) => (state === 'linked' ? 'active' : state === 'unlinked' ? 'inactive' : state)
const Directory = model('Directory', 'object id domain externalKey name organizationId state type createdAt updatedAt', { state: directoryState })
const DirectoryGroup = model('DirectoryGroup', 'id idpId directoryId organizationId name createdAt updatedAt rawAttributes')
const DirectoryUser = model('DirectoryUserWithGroups', 'object id directoryId organizationId rawAttributes customAttributes idpId firstName email emails username lastName jobTitle state role roles createdAt updatedAt groups', { groups: list(DirectoryGroup) })
const AuditLogExport = model('AuditLogExport', 'object id state url createdAt updatedAt')
const Connection = model('Connection', 'object id organizationId name connectionType type state domains createdAt updatedAt', { type: from('connection_type') })
const Profile = model('Profile', 'id idpId organizationId connectionId connectionType email firstName lastName role roles groups customAttributes rawAttributes')
const OauthTokens = model('OauthTokens', 'accessToken refreshToken expiresAt scopes')
const ProfileAndToken = model('ProfileAndToken', 'accessToken profile oauthTokens', { profile: one(Profile), oauthTokens: optional(OauthTokens) })
const Identities = (wire) => list(Identity)(wire, null, 'Identity[]')

// ---------------------------------------------------------------------------------- request pieces

/** The path of a request, written as the SDK's template literal: path`/users/${id}` (ids are encoded natively). */
const path = (strings, ...ids) => ({ path: [...strings], ids: ids.map((id) => `${id}`) })

/** An options serializer of 7.x: the wire object of the camelCase `keys`, in that order. */
const wire = (keys) => {
  const names = keys.split(/\s+/).map((key) => [snake(key), key])
  return (options) => Object.fromEntries(names.map(([member, key]) => [member, options[key]]))
}
const PAGE = 'limit before after order'

/** The `Idempotency-Key` header of request options that carry one. */
const idempotency = (options) => (options.idempotencyKey ? { 'Idempotency-Key': options.idempotencyKey } : {})

/** Where the walk of `autoPagination()` puts each page's cursor. */
const CURSOR = Symbol('cursor')

/** A query as `HttpClient.getQueryString` of 7.x builds it: `undefined` and `''` left out, values `String()`-ed. */
const queryPairs = (query) =>
  Object.entries(query ?? {})
    .filter(([, value]) => value !== '' && value !== undefined)
    .map(([name, value]) => [name, value === CURSOR ? null : `${value}`])

/** `setDefaultOptions` of the SDK's list calls. */
const withOrder = (options) => ({ ...options, order: options?.order || 'desc' })

/** `qs.stringify(params, { arrayFormat: 'repeat', sort: localeCompare, format: 'RFC1738' })`: the SDK's authorization URLs. */
function authorizeQuery(params) {
  const encode = (s) => encodeURIComponent(s).replace(/[!'*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+')
  const sorted = (object) => Object.keys(object).sort((a, b) => a.localeCompare(b))
  const out = []
  const add = (key, value) => {
    if (value === undefined) return
    if (value === null) out.push(`${encode(key)}=`)
    else if (typeof value !== 'object') out.push(`${encode(key)}=${encode(`${value}`)}`)
    else for (const k of sorted(value)) add(Array.isArray(value) ? key : `${key}[${k}]`, value[k])
  }
  for (const key of sorted(params)) add(key, params[key])
  return out.join('&')
}

const warn = (message) => process.emitWarning(message, 'WorkOS')

// ---------------------------------------------------------------------------------- endpoints

const get = (result, build) => ({ method: 'GET', result, build })
const post = (result, build) => ({ method: 'POST', result, build })
const put = (result, build) => ({ method: 'PUT', result, build })
const del = (build) => ({ method: 'DELETE', build })
/** A list method: `build` gives the path and the (serialized) options; resolves to an `AutoPaginatable`. */
const paginated = (item, build) => ({ method: 'GET', item, build })
/** A method that makes no request (URL builders). */
const sync = (build) => ({ sync: build })

/** The native request of one call: `parts` from a table row's `build`. */
function request(method, { path: pieces, ids, query, body, form, headers = {}, keyPrefix }) {
  const sent = form ? new URLSearchParams(form).toString() : body === null ? '' : JSON.stringify(body)
  if (form) headers = { 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8', ...headers }
  return {
    method,
    path: pieces,
    ids,
    query: queryPairs(query),
    body: method === 'GET' || method === 'DELETE' ? undefined : sent ?? '',
    headers: Object.entries(headers).map(([name, value]) => [name, `${value}`]),
    keyPrefix,
  }
}

async function send(client, req) {
  const reply = await internals.get(client).native.request(req)
  const error = replyError(reply)
  if (error) throw error
  return reply
}

/** The JSON of a successful answer, read with `JSON.parse`, then shaped by `type`. */
function resultOf(reply, type) {
  const text = textOf(reply)
  if (!reply.json) throw parseError(reply, 'the response is not JSON', text)
  let data
  try {
    data = JSON.parse(text)
  } catch (err) {
    throw parseError(reply, err.message, text)
  }
  try {
    return type(data)
  } catch (err) {
    if (err instanceof ShapeError) throw parseError(reply, `unexpected response shape: ${err.message}`, text)
    throw err
  }
}

/** `deserializeList` of 7.x. */
const page = (item) => model('List', 'object data listMetadata', { object: is('list'), data: list(item) })

async function call(client, endpoint, args) {
  const parts = endpoint.build.apply(client, args)
  const reply = await send(client, request(endpoint.method, endpoint.item ? { ...parts, query: withOrder(parts.options) } : parts))
  if (endpoint.item) return new AutoPaginatable(resultOf(reply, page(endpoint.item)), walker(client, endpoint, parts), parts.options)
  if (endpoint.result) return resultOf(reply, endpoint.result)
  // A method that resolves to nothing: like 7.x, a POST/PUT answer that says it is JSON must parse.
  if (endpoint.method !== 'DELETE' && reply.json && reply.body.length > 0) resultOf(reply, () => undefined)
  return undefined
}

/**
 * `autoPagination()` of a list: the walk is native. Unlike 7.x it goes on from the first page instead
 * of fetching it again; with a `before` cursor it starts over, as 7.x does (that window depends on the
 * page size).
 */
function walker(client, endpoint, { options, ...parts }) {
  return async (first) => {
    const isSent = (value) => value !== undefined && value !== ''
    const restart = isSent(first.options.before)
    const cursor = restart ? isSent(first.options.after) && first.options.after : first.listMetadata?.after
    const from = cursor ? `${cursor}` : null
    if (!restart && !from) return [...first.data]
    const query = withOrder({ ...first.options, limit: 100, after: CURSOR })
    const reply = await internals.get(client).native.paginate(request('GET', { ...parts, query }), from, !restart)
    const error = replyError(reply)
    if (error) throw error
    if (reply.failure === 'page') {
      resultOf(reply, page(endpoint.item))
      throw parseError(reply, `unexpected response shape: ${reply.detail}`)
    }
    const items = resultOf(reply, (data) => list(endpoint.item)(data, null, 'data'))
    return restart ? items : [...first.data, ...items]
  }
}

/**
 * The list object of @workos-inc/node (`AutoPaginatable`): own `list`, `apiCall`, `object` and
 * `options` (so `JSON.stringify` writes the same), `data` and `listMetadata` getters, and
 * `autoPagination()`.
 */
class AutoPaginatable {
  constructor(list, apiCall, options) {
    this.list = list
    this.apiCall = apiCall
    this.object = 'list'
    this.options = Object.assign({}, options)
  }

  get data() {
    return this.list.data
  }

  get listMetadata() {
    return this.list.listMetadata
  }

  /** Every item of the list (only the first page when `limit` was given). */
  async autoPagination() {
    if (this.options.limit) return this.data
    return this.apiCall(this)
  }
}

// ---------------------------------------------------------------------------------- the modules

/** A module class whose prototype has one method per table row. */
function defineModule(name, table) {
  const Module = { [name]: class { constructor(client) { internals.set(this, client) } } }[name]
  for (const [method, endpoint] of Object.entries(table)) {
    const fn = endpoint.sync
      ? { [method](...args) { return endpoint.sync.apply(internals.get(this), args) } }[method]
      : { async [method](...args) { return call(internals.get(this), endpoint, args) } }[method]
    Object.defineProperty(Module.prototype, method, { value: fn, writable: true, configurable: true })
  }
  return Module
}

const ListUsersOptions = wire(`email organizationId ${PAGE}`)
const CreateUser = wire('email password passwordHash passwordHashType firstName lastName emailVerified externalId metadata')
const UpdateUser = wire('email emailVerified firstName lastName password passwordHash passwordHashType externalId locale metadata')
const ListMembershipsOptions = (o) => ({ ...wire('userId organizationId')(o), statuses: o.statuses?.join(','), ...wire(PAGE)(o) })
const CreateMembership = wire('organizationId userId roleSlug roleSlugs')
const UpdateMembership = wire('roleSlug roleSlugs')
const SendInvitation = wire('email organizationId expiresInDays inviterUserId roleSlug')

const UserManagement = defineModule('UserManagement', {
  getUser: get(User, (userId) => path`/user_management/users/${userId}`),
  getUserByExternalId: get(User, (externalId) => path`/user_management/users/external_id/${externalId}`),
  listUsers: paginated(User, (options) => ({ ...path`/user_management/users`, options: options ? ListUsersOptions(options) : undefined })),
  createUser: post(User, (payload) => ({ ...path`/user_management/users`, body: CreateUser(payload) })),
  updateUser: put(User, (payload) => ({ ...path`/user_management/users/${payload.userId}`, body: UpdateUser(payload) })),
  deleteUser: del((userId) => path`/user_management/users/${userId}`),
  listOrganizationMemberships: paginated(OrganizationMembership, (options) => ({ ...path`/user_management/organization_memberships`, options: options ? ListMembershipsOptions(options) : undefined })),
  getOrganizationMembership: get(OrganizationMembership, (id) => path`/user_management/organization_memberships/${id}`),
  createOrganizationMembership: post(OrganizationMembership, (options) => ({ ...path`/user_management/organization_memberships`, body: CreateMembership(options) })),
  updateOrganizationMembership: put(OrganizationMembership, (id, options) => ({ ...path`/user_management/organization_memberships/${id}`, body: UpdateMembership(options) })),
  deleteOrganizationMembership: del((id) => path`/user_management/organization_memberships/${id}`),
  deactivateOrganizationMembership: put(OrganizationMembership, (id) => ({ ...path`/user_management/organization_memberships/${id}/deactivate`, body: {} })),
  reactivateOrganizationMembership: put(OrganizationMembership, (id) => ({ ...path`/user_management/organization_memberships/${id}/reactivate`, body: {} })),
  listSessions: paginated(UserSession, (userId, options) => ({ ...path`/user_management/users/${userId}/sessions`, options: options ? { ...options } : undefined })),
  revokeSession: post(null, (payload) => ({ ...path`/user_management/sessions/revoke`, body: { session_id: payload.sessionId } })),
  getUserIdentities: get(Identities, (userId) => {
    if (!userId) throw new TypeError(`Incomplete arguments. Need to specify 'userId'.`)
    return path`/user_management/users/${userId}/identities`
  }),
  listAuthFactors: paginated(AuthFactor, (options) => {
    const { userId, ...rest } = options
    return { ...path`/user_management/users/${userId}/auth_factors`, options: rest }
  }),
  sendInvitation: post(Invitation, (payload) => ({ ...path`/user_management/invitations`, body: SendInvitation({ ...payload }) })),
  listInvitations: paginated(Invitation, (options) => ({ ...path`/user_management/invitations`, options: options ? ListUsersOptions(options) : undefined })),
  getInvitation: get(Invitation, (id) => path`/user_management/invitations/${id}`),
  findInvitationByToken: get(Invitation, (token) => path`/user_management/invitations/by_token/${token}`),
  acceptInvitation: post(Invitation, (id) => ({ ...path`/user_management/invitations/${id}/accept`, body: null })),
  revokeInvitation: post(Invitation, (id) => ({ ...path`/user_management/invitations/${id}/revoke`, body: null })),
  resendInvitation: post(Invitation, (id) => ({ ...path`/user_management/invitations/${id}/resend`, body: null })),
  getJwksUrl: sync(function (clientId) {
    if (!clientId) throw TypeError('clientId must be a valid clientId')
    const { path: pieces, ids } = path`/sso/jwks/${clientId}`
    try {
      return internals.get(this).native.url(pieces, ids)
    } catch (err) {
      throw new TypeError(err.message)
    }
  }),
  getAuthorizationUrl: sync(function ({ connectionId, codeChallenge, codeChallengeMethod, context, clientId, domainHint, loginHint, organizationId, provider, providerQueryParams, providerScopes, prompt, redirectUri, state, screenHint }) {
    if (!provider && !connectionId && !organizationId) {
      throw new TypeError(`Incomplete arguments. Need to specify either a 'connectionId', 'organizationId', or 'provider'.`)
    }
    if (provider !== 'authkit' && screenHint) throw new TypeError(`'screenHint' is only supported for 'authkit' provider`)
    if (context) {
      warn(`\`context\` is deprecated. We previously required initiate login endpoints to return the
\`context\` query parameter when getting the authorization URL. This is no longer necessary.`)
    }
    const query = authorizeQuery({
      connection_id: connectionId, code_challenge: codeChallenge, code_challenge_method: codeChallengeMethod, context,
      organization_id: organizationId, domain_hint: domainHint, login_hint: loginHint, provider,
      provider_query_params: providerQueryParams, provider_scopes: providerScopes, prompt, client_id: clientId,
      redirect_uri: redirectUri, response_type: 'code', state, screen_hint: screenHint,
    })
    return `${this.baseURL}/user_management/authorize?${query}`
  }),
})

const CreateOrganization = wire('name allowProfilesOutsideOrganization domainData domains externalId metadata')
const UpdateOrganization = wire('name allowProfilesOutsideOrganization domainData domains stripeCustomerId externalId metadata')

const Organizations = defineModule('Organizations', {
  listOrganizations: paginated(Organization, (options) => ({ ...path`/organizations`, options })),
  createOrganization: post(Organization, (payload, requestOptions = {}) => ({ ...path`/organizations`, body: CreateOrganization(payload), headers: idempotency(requestOptions) })),
  deleteOrganization: del((id) => path`/organizations/${id}`),
  getOrganization: get(Organization, (id) => path`/organizations/${id}`),
  getOrganizationByExternalId: get(Organization, (externalId) => path`/organizations/external_id/${externalId}`),
  updateOrganization: put(Organization, (options) => {
    const { organization, ...payload } = options
    return { ...path`/organizations/${organization}`, body: UpdateOrganization(payload) }
  }),
  listOrganizationRoles: get(RoleList, (options) => {
    const { organizationId } = options
    return path`/organizations/${organizationId}/roles`
  }),
})

const DirectorySync = defineModule('DirectorySync', {
  listDirectories: paginated(Directory, (options) => ({ ...path`/directories`, options: options ? wire(`organizationId search ${PAGE}`)(options) : undefined })),
  getDirectory: get(Directory, (id) => path`/directories/${id}`),
  deleteDirectory: del((id) => path`/directories/${id}`),
  listGroups: paginated(DirectoryGroup, (options) => ({ ...path`/directory_groups`, options })),
  listUsers: paginated(DirectoryUser, (options) => ({ ...path`/directory_users`, options })),
  getUser: get(DirectoryUser, (user) => path`/directory_users/${user}`),
  getGroup: get(DirectoryGroup, (group) => path`/directory_groups/${group}`),
})

const AuditLogs = defineModule('AuditLogs', {
  createEvent: post(null, (organization, event, options = {}) => ({
    ...path`/audit_logs/events`,
    body: {
      event: {
        action: event.action,
        version: event.version,
        occurred_at: event.occurredAt.toISOString(),
        actor: event.actor,
        targets: event.targets,
        context: { location: event.context.location, user_agent: event.context.userAgent },
        metadata: event.metadata,
      },
      organization_id: organization,
    },
    headers: idempotency(options),
    keyPrefix: 'workos-node-',
  })),
  createExport: post(AuditLogExport, (options) => ({
    ...path`/audit_logs/exports`,
    body: { ...wire('actions actors actorNames actorIds organizationId')(options), range_end: options.rangeEnd.toISOString(), range_start: options.rangeStart.toISOString(), targets: options.targets },
  })),
  getExport: get(AuditLogExport, (id) => path`/audit_logs/exports/${id}`),
})

const SSO = defineModule('SSO', {
  listConnections: paginated(Connection, (options) => ({ ...path`/connections`, options: options ? wire(`connectionType domain organizationId ${PAGE}`)(options) : undefined })),
  deleteConnection: del((id) => path`/connections/${id}`),
  getAuthorizationUrl: sync(function ({ connection, clientId, domain, domainHint, loginHint, organization, provider, providerQueryParams, providerScopes, redirectUri, state }) {
    if (!domain && !provider && !connection && !organization) {
      throw new Error(`Incomplete arguments. Need to specify either a 'connection', 'organization', 'domain', or 'provider'.`)
    }
    if (domain) warn('The `domain` parameter for `getAuthorizationURL` is deprecated. Please use `organization` instead.')
    const query = authorizeQuery({
      connection, organization, domain, domain_hint: domainHint, login_hint: loginHint, provider, provider_query_params: providerQueryParams,
      provider_scopes: providerScopes, client_id: clientId, redirect_uri: redirectUri, response_type: 'code', state,
    })
    return `${this.baseURL}/sso/authorize?${query}`
  }),
  getConnection: get(Connection, (id) => path`/connections/${id}`),
  getProfileAndToken: post(ProfileAndToken, function ({ code, clientId }) {
    const form = { client_id: clientId, client_secret: internals.get(this).key, grant_type: 'authorization_code', code }
    return { ...path`/sso/token`, form }
  }),
  getProfile: get(Profile, ({ accessToken }) => ({ ...path`/sso/profile`, headers: accessToken ? { Authorization: `Bearer ${accessToken}` } : {} })),
})

// ---------------------------------------------------------------------------------- the client

class WorkOS {
  /**
   * @param {string} [key] API key; `WORKOS_API_KEY` when omitted.
   * @param {{ apiHostname?: string, https?: boolean, port?: number, timeout?: number, clientId?: string,
   *   appInfo?: { name: string, version: string }, config?: { headers?: Record<string, string> } }} [options]
   */
  constructor(key, options = {}) {
    const apiKey = key || process.env.WORKOS_API_KEY
    if (!apiKey) throw new NoApiKeyProvidedException()
    if (options.https === undefined) options.https = true
    const { apiHostname, port, https, timeout, appInfo, config } = options
    const headers = Object.entries({ ...config?.headers }).map(([name, value]) => [name, `${value}`])
    const agent = appInfo ? `${appInfo.name}: ${appInfo.version}` : undefined
    const location = { apiHostname, port: port || undefined, https: Boolean(https), timeout }
    attach(this, new native.NativeWorkOS(`${apiKey}`, location, headers, agent), apiKey, options, options.clientId || process.env.WORKOS_CLIENT_ID)
  }
}

/**
 * `client.key`, readable as in the SDK, from a getter no dump reaches: not an own property (so
 * `JSON.stringify` skips it), and on a prototype layer whose `constructor` is `Object`, where
 * `util.inspect` stops (with `showHidden` and `getters` it calls the getters of the layers above).
 */
Object.setPrototypeOf(
  WorkOS.prototype,
  Object.create(Object.prototype, {
    constructor: { value: Object },
    key: { get() { return internals.get(this)?.key } },
  }),
)

function attach(client, nativeClient, key, options, clientId) {
  internals.set(client, { key, native: nativeClient })
  client.options = options
  client.clientId = clientId
  client.baseURL = nativeClient.baseUrl
  client.auditLogs = new AuditLogs(client)
  client.directorySync = new DirectorySync(client)
  client.organizations = new Organizations(client)
  client.sso = new SSO(client)
  client.userManagement = new UserManagement(client)
  return client
}

/** Wraps the native client a provider built (its API location already resolved from config and env). */
function fromNative(nativeClient, apiKey, clientId) {
  return attach(Object.create(WorkOS.prototype), nativeClient, apiKey, {}, clientId)
}

module.exports = { WorkOS, AutoPaginatable, fromNative }
