'use strict'
// `WorkOS`: the @workos-inc/node 7.82 client surface over the native transport (src/workos/).
//
// Every SDK method is one row of a module table below: its HTTP method, its path (ids in a `path`
// template), how its arguments become the query or body, and the SDK type of its result. Rust sends the
// request (URL, headers, idempotency keys, timeouts, retries, the walk of a list's pages) and hands back
// the raw answer; this file does what is JavaScript's own, as the SDK does it: `JSON.stringify` of
// request entities, `String()` of query values, `JSON.parse` of answers, and the SDK's result objects
// (keys in the SDK's order, `undefined` for members the API did not send). Exceptions: errors.js.
//
// What 7.x computes without the API is native too, with the secret staying there: webhook and Action
// signatures, vault encryption (the data key never reaches JavaScript), sealed sessions and the check of
// their access tokens. The flows around them (which member goes where) are rows here like the others.
const native = require('./native.js')
const { exceptions, parseError, replyError, textOf, jwtInvalid } = require('./errors.js')

const { NoApiKeyProvidedException, OauthException, SignatureVerificationException } = exceptions

/** Per client: `{ key, native }`; per module: its client. Kept off the objects so no dump shows the key. */
const internals = new WeakMap()
/** Per sealed session (`loadSealedSession()`): its cookie password, likewise. */
const cookiePasswords = new WeakMap()
const clientOf = (module) => internals.get(module)
const nativeOf = (client) => internals.get(client).native

/** 7.x's version, which `workos.version` reports (the surface this client reproduces). */
const VERSION = '7.82.0'

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
const orUndefined = (v) => v ?? undefined
const ifSent = (v) => (v === undefined ? OMIT : v)
const ifTruthy = (v) => v || OMIT
const is = (constant) => () => constant
const from = (member) => (_, wire) => wire[member]
const date = (v) => new Date(Date.parse(v))
const one = (type) => (v, _, at) => type(v, at)
const optional = (type) => (v, _, at) => (v ? type(v, at) : undefined)
const present = (type) => (v, _, at) => (v ? type(v, at) : OMIT)
const list = (type) => (v, _, at) => {
  if (!Array.isArray(v)) throw new ShapeError(`${at} is not an array`)
  return v.map((item, i) => type(item, `${at}[${i}]`))
}
const raw = (data) => data
const listOf = (type, at) => (wire) => list(type)(wire, null, at)
/** The result of 7.x that is one member of the answer (`data.token`), read by `read(member, wire, at)`. */
const member =
  (name, read) =>
  (wire, at = 'answer') => {
    if (!isObject(wire)) throw new ShapeError(`${at} is not an object`)
    return read(wire[name], wire, `${at}.${name}`)
  }
/** A type applied to data that is not an API answer (a webhook payload): a bad shape is the `TypeError` 7.x would hit. */
const readLocal = (type, value) => {
  try {
    return type(value)
  } catch (err) {
    throw err instanceof ShapeError ? new TypeError(err.message) : err
  }
}

const USER =
  'object id email emailVerified firstName profilePictureUrl lastName lastSignInAt locale createdAt updatedAt externalId metadata'
const User = model('User', USER, { externalId: orNull, metadata: orEmpty })
const UserResponse = model('UserResponse', 'user', { user: one(User) })
const OrganizationMembership = model(
  'OrganizationMembership',
  'object id userId organizationId organizationName status createdAt updatedAt role roles',
  { roles: ifTruthy },
)
const UserSession = model(
  'Session',
  'object id userId ipAddress userAgent organizationId impersonator authMethod status expiresAt endedAt createdAt updatedAt',
  { object: is('session') },
)
const Identity = model('Identity', 'idpId type provider')
const INVITATION = 'object id email state acceptedAt revokedAt expiresAt organizationId inviterUserId acceptedUserId'
const Invitation = model('Invitation', `${INVITATION} token acceptInvitationUrl createdAt updatedAt`)
const Totp = model('Totp', 'issuer user')
const TotpWithSecrets = model('TotpWithSecrets', 'issuer user qrCode secret uri')
const AuthFactor = model('Factor', 'object id createdAt updatedAt type totp userId', { totp: one(Totp) })
const AuthFactorWithSecrets = model('FactorWithSecrets', 'object id createdAt updatedAt type totp userId', { totp: one(TotpWithSecrets) })
const Challenge = model('Challenge', 'object id createdAt updatedAt expiresAt code authenticationFactorId')
const EnrolledAuthFactor = model('EnrollAuthFactorResponse', 'authenticationFactor authenticationChallenge', {
  authenticationFactor: one(AuthFactorWithSecrets),
  authenticationChallenge: one(Challenge),
})
const FeatureFlag = model('FeatureFlag', 'object id name slug description tags enabled defaultValue createdAt updatedAt')
const ONE_TIME = 'object id userId email expiresAt'
const EmailVerification = model('EmailVerification', `${ONE_TIME} code createdAt updatedAt`)
const MagicAuth = model('MagicAuth', `${ONE_TIME} code createdAt updatedAt`)
const PasswordReset = model('PasswordReset', 'object id userId email passwordResetToken passwordResetUrl expiresAt createdAt')
const OauthTokens = model('OauthTokens', 'accessToken refreshToken expiresAt scopes')
const AUTHENTICATION = {
  user: 'user',
  organizationId: 'organization_id',
  accessToken: 'access_token',
  refreshToken: 'refresh_token',
  impersonator: 'impersonator',
  authenticationMethod: 'authentication_method',
  oauthTokens: 'oauth_tokens',
}
/** `deserializeAuthenticationResponse`: the known members camelCased, the others kept as sent. */
function AuthenticationResponse(wire) {
  const known = model('AuthenticationResponse', Object.keys(AUTHENTICATION).join(' '), {
    user: one(User),
    oauthTokens: optional(OauthTokens),
  })(wire)
  const rest = Object.entries(wire).filter(([name]) => !Object.values(AUTHENTICATION).includes(name))
  return { ...known, ...Object.fromEntries(rest) }
}
const OrganizationDomain = model(
  'OrganizationDomain',
  'object id domain organizationId state verificationToken verificationStrategy createdAt updatedAt',
)
const Organization = model(
  'Organization',
  'object id name allowProfilesOutsideOrganization domains stripeCustomerId createdAt updatedAt externalId metadata',
  { domains: list(OrganizationDomain), stripeCustomerId: ifSent, externalId: orNull, metadata: orEmpty },
)
const Role = model('Role', 'object id name slug description permissions type createdAt updatedAt')
const RoleList = model('RoleList', 'object data', { object: is('list'), data: list(Role) })
const API_KEY = 'object id owner name obfuscatedValue'
const ApiKey = model('ApiKey', `${API_KEY} lastUsedAt permissions createdAt updatedAt`)
const CreatedApiKey = model('CreatedApiKey', `${API_KEY} value lastUsedAt permissions createdAt updatedAt`)
const ApiKeyValidation = model('ValidateApiKeyResponse', 'apiKey', { apiKey: (v, _, at) => (v ? ApiKey(v, at) : null) })
const directoryState = (state) => (state === 'linked' ? 'active' : state === 'unlinked' ? 'inactive' : state)
const Directory = model('Directory', 'object id domain externalKey name organizationId state type createdAt updatedAt', {
  state: directoryState,
})
const GROUP = 'id idpId directoryId organizationId name createdAt updatedAt rawAttributes'
const DirectoryGroup = model('DirectoryGroup', GROUP)
const DIRECTORY_USER =
  'object id directoryId organizationId rawAttributes customAttributes idpId firstName email emails username lastName jobTitle state role roles createdAt updatedAt'
const DirectoryUser = model('DirectoryUser', DIRECTORY_USER)
const DirectoryUserWithGroups = model('DirectoryUserWithGroups', `${DIRECTORY_USER} groups`, { groups: list(DirectoryGroup) })
const AuditLogExport = model('AuditLogExport', 'object id state url createdAt updatedAt')
const Connection = model('Connection', 'object id organizationId name connectionType type state domains createdAt updatedAt', {
  type: from('connection_type'),
})
const Profile = model(
  'Profile',
  'id idpId organizationId connectionId connectionType email firstName lastName role roles groups customAttributes rawAttributes',
)
const ProfileAndToken = model('ProfileAndToken', 'accessToken profile oauthTokens', {
  profile: one(Profile),
  oauthTokens: optional(OauthTokens),
})
const Sms = model('Sms', 'phoneNumber')
const MFA_FACTOR = 'object id createdAt updatedAt type sms totp'
const MfaFactor = model('Factor', MFA_FACTOR, { sms: present(Sms), totp: present(Totp) })
const MfaFactorWithSecrets = model('FactorWithSecrets', MFA_FACTOR, { sms: present(Sms), totp: present(TotpWithSecrets) })
const VerifyResponse = model('VerifyResponse', 'challenge valid', { challenge: one(Challenge) })
const PasswordlessSession = model('PasswordlessSession', 'id email expiresAt link object')
const PipesAccessToken = model('AccessToken', 'object accessToken expiresAt scopes missingScopes', {
  object: is('access_token'),
  expiresAt: (v) => (v ? date(v) : null),
})
const PipesToken = (wire) =>
  (isObject(wire) && wire.active
    ? model('GetAccessTokenSuccessResponse', 'active accessToken', { active: is(true), accessToken: one(PipesAccessToken) })
    : model('GetAccessTokenFailureResponse', 'active error', { active: is(false) }))(wire)
const VaultMetadata = model('ObjectMetadata', 'context environmentId id keyId updatedAt updatedBy versionId', { updatedAt: date })
const VaultObject = model('VaultObject', 'id name value metadata', { metadata: one(VaultMetadata) })
const VaultDigest = model('ObjectDigest', 'id name updatedAt', { updatedAt: date })
const VaultList = model('ObjectList', 'object data listMetadata', {
  object: is('list'),
  data: list(VaultDigest),
  listMetadata: one(model('ListMetadata', 'after before', { after: orUndefined, before: orUndefined })),
})
const VaultVersion = model('ObjectVersion', 'createdAt currentVersion id', { createdAt: date })
const DataKeyPair = model('DataKeyPair', 'context dataKey encryptedKeys', { dataKey: (_, wire) => ({ key: wire.data_key, id: wire.id }) })
const DataKey = model('DataKey', 'key id', { key: from('data_key') })
const FgaSubject = model('Subject', 'resourceType resourceId relation')
const FgaResource = model('Resource', 'resourceType resourceId meta')
const Warrant = model('Warrant', 'resourceType resourceId relation subject policy', { subject: one(FgaSubject) })
const WarrantToken = model('WarrantToken', 'warrantToken')
const QueryResult = model('QueryResult', 'resourceType resourceId relation warrant isImplicit meta', {
  warrant: one(model('Warrant', 'resourceType resourceId relation subject', { subject: one(FgaSubject) })),
})
const Check = model('Check', 'resource relation subject context', {
  resource: (_, w) => ({ resourceType: w.resource_type, resourceId: w.resource_id }),
  subject: one(model('Subject', 'resourceType resourceId')),
})
const DecisionTreeNode = model('DecisionTreeNode', 'check policy decision processingTime children', {
  check: one(Check),
  children: (v, _, at) => list(DecisionTreeNode)(v, _, at),
})
const DebugInfo = model('DebugInfo', 'processingTime decisionTree', { decisionTree: one(DecisionTreeNode) })

/** `CheckResult` of 7.x (a class: `isAuthorized()`). */
class CheckResult {
  constructor(wire) {
    Object.assign(this, model('CheckResult', 'result isImplicit warrantToken debugInfo warnings', { debugInfo: optional(DebugInfo) })(wire))
  }

  isAuthorized() {
    return this.result === 'authorized'
  }
}

const AuditLogSchemaMetadata = (v) => Object.fromEntries(Object.entries(v?.properties ?? {}).map(([name, { type }]) => [name, type]))
const AuditLogSchema = model('AuditLogSchema', 'object version targets actor metadata createdAt', {
  targets: list(model('Target', 'type metadata', { metadata: (v) => (v ? AuditLogSchemaMetadata(v) : undefined) })),
  actor: (v) => ({ metadata: AuditLogSchemaMetadata(v?.metadata) }),
  metadata: (v) => (v ? AuditLogSchemaMetadata(v) : undefined),
})

/** The data of each event type (`deserializeEvent` of 7.x); an unknown type reads as `undefined`. */
const eventData = (types, type) => Object.fromEntries(types.split(/\s+/).map((t) => [t, type]))
const DirectoryChange = (fields, extra = {}) => model('DirectoryUser', `${fields} previousAttributes`, extra)
const EVENTS = {
  ...eventData(
    'email_verification_succeeded magic_auth_failed magic_auth_succeeded mfa_succeeded oauth_failed oauth_succeeded passkey_failed passkey_succeeded password_failed password_succeeded sso_failed sso_succeeded'.replace(
      /(\S+)/g,
      'authentication.$1',
    ),
    model('AuthenticationEvent', 'email error ipAddress status type userAgent userId'),
  ),
  'authentication.radar_risk_detected': model(
    'AuthenticationRadarRiskDetectedEvent',
    'authMethod action control blocklistType ipAddress userAgent userId email',
  ),
  ...eventData('connection.activated connection.deactivated connection.deleted', Connection),
  ...eventData(
    'dsync.activated dsync.deactivated',
    model('EventDirectory', 'object id externalKey type state name organizationId domains createdAt updatedAt'),
  ),
  'dsync.deleted': model('EventDirectory', 'object id type state name organizationId createdAt updatedAt'),
  ...eventData('dsync.group.created dsync.group.deleted', DirectoryGroup),
  'dsync.group.updated': DirectoryChange(GROUP),
  ...eventData(
    'dsync.group.user_added dsync.group.user_removed',
    model('DirectoryGroupUser', 'directoryId user group', { user: one(DirectoryUser), group: one(DirectoryGroup) }),
  ),
  ...eventData('dsync.user.created dsync.user.deleted', DirectoryUser),
  'dsync.user.updated': DirectoryChange(DIRECTORY_USER, { object: is('directory_user') }),
  'email_verification.created': model('EmailVerificationEvent', `${ONE_TIME} createdAt updatedAt`),
  ...eventData(
    'invitation.accepted invitation.created invitation.revoked invitation.resent',
    model('InvitationEvent', `${INVITATION} createdAt updatedAt`),
  ),
  'magic_auth.created': model('MagicAuthEvent', `${ONE_TIME} createdAt updatedAt`),
  ...eventData('password_reset.created password_reset.succeeded', model('PasswordResetEvent', `${ONE_TIME} createdAt`)),
  ...eventData('user.created user.updated user.deleted', User),
  ...eventData(
    'organization_membership.added organization_membership.created organization_membership.deleted organization_membership.updated organization_membership.removed',
    OrganizationMembership,
  ),
  ...eventData(
    'role.created role.deleted role.updated',
    model('RoleEvent', 'object slug permissions createdAt updatedAt', { object: is('role') }),
  ),
  ...eventData('session.created session.revoked', UserSession),
  ...eventData('organization.created organization.updated organization.deleted', Organization),
  ...eventData(
    'organization_domain.verified organization_domain.verification_failed organization_domain.created organization_domain.updated organization_domain.deleted',
    OrganizationDomain,
  ),
  ...eventData('api_key.created api_key.deleted', ApiKey),
}
const Event = (wire, at = 'Event') => {
  if (!isObject(wire)) throw new ShapeError(`${at} is not an object`)
  const data = Object.hasOwn(EVENTS, wire.event) ? EVENTS[wire.event] : null
  return data ? model('Event', 'id createdAt context event data', { data: one(data) })(wire, at) : undefined
}

/** `deserializeAction` of 7.x; an unknown kind reads as `undefined`. */
const ACTIONS = {
  user_registration_action_context: model(
    'UserRegistrationActionPayload',
    'id object userData invitation ipAddress userAgent deviceFingerprint',
    { userData: one(model('UserData', 'object email firstName lastName')), invitation: optional(Invitation) },
  ),
  authentication_action_context: model(
    'AuthenticationActionPayload',
    'id object user organization organizationMembership ipAddress userAgent deviceFingerprint issuer',
    { user: one(User), organization: optional(Organization), organizationMembership: optional(OrganizationMembership) },
  ),
}
const Action = (wire) => {
  if (!isObject(wire)) throw new ShapeError('Action is not an object')
  return Object.hasOwn(ACTIONS, wire.object) ? ACTIONS[wire.object](wire) : undefined
}

// ---------------------------------------------------------------------------------- request pieces

/** The path of a request, written as the SDK's template literal: path`/users/${id}` (ids are encoded natively). */
const path = (strings, ...ids) => ({ path: [...strings], ids: ids.map((id) => `${id}`) })

/** An options serializer of 7.x: the wire object of the camelCase `keys`, in that order. */
const wire = (keys) => {
  const names = keys.split(/\s+/).map((key) => [snake(key), key])
  return (options) => Object.fromEntries(names.map(([name, key]) => [name, options[key]]))
}
const PAGE = 'limit before after order'

/** The `Idempotency-Key` / `Warrant-Token` headers of request options that carry one. */
const idempotency = (options = {}) => (options.idempotencyKey ? { 'Idempotency-Key': options.idempotencyKey } : {})
const warrant = (options = {}) => (options.warrantToken ? { 'Warrant-Token': options.warrantToken } : {})

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
  const encode = (s) =>
    encodeURIComponent(s)
      .replace(/[!'*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
      .replace(/%20/g, '+')
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
/**
 * A list method: `build` gives the path and the (serialized) options; resolves to an `AutoPaginatable`.
 * `fga`: FGA's list (its `warnings`, and no default `order`).
 */
const paginated = (item, build, { fga = false } = {}) => ({ method: 'GET', item, build, fga })
/** A row whose arguments 7.x destructures in its parameter list: a missing one throws at once, not in the promise. */
const eager = (row) => ({ ...row, eager: true })
/** A method that makes no request by itself (`this` is the module): URL builders, local computations, flows. */
const sync = (fn) => ({ sync: fn })
const local = (fn) => ({ local: fn })
/** A getter that hands out a function (the signature helpers of 7.x are getters of bound functions). */
const getter = (fn) => ({ getter: fn })

/** The native request of one call: `parts` from a table row's `build`. */
function request(method, { path: pieces, ids, query, body, form, headers = {}, keyPrefix }) {
  const sent = form ? new URLSearchParams(form).toString() : body === null ? '' : JSON.stringify(body)
  if (form) headers = { 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8', ...headers }
  return {
    method,
    path: pieces,
    ids,
    query: queryPairs(query),
    body: method === 'GET' || method === 'DELETE' ? undefined : (sent ?? ''),
    headers: Object.entries(headers).map(([name, value]) => [name, `${value}`]),
    keyPrefix,
  }
}

/** Throws the SDK's exception for a reply that is not a successful answer (`shown`: the path the SDK names). */
function check(reply, shown) {
  if (shown !== undefined) reply.path = shown
  const error = replyError(reply)
  if (error) throw error
  return reply
}

const send = async (client, req, shown) => check(await nativeOf(client).request(req), shown)

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

/** `deserializeList` of 7.x (FGA's adds `warnings`). */
const page = (item) => model('List', 'object data listMetadata', { object: is('list'), data: list(item) })
const fgaPage = (item) => model('List', 'object data listMetadata warnings', { object: is('list'), data: list(item) })

/** The request of a table row for `args`, its answer read as the row says. */
async function call(client, endpoint, args) {
  return run(client, endpoint, endpoint.build.apply(client, args))
}

/** Sends the request of `parts` (from a row's `build`) and reads its answer as the row says. */
async function run(client, endpoint, parts) {
  if (endpoint.item) {
    const query = endpoint.fga ? parts.options : withOrder(parts.options)
    const reply = await send(client, request('GET', { ...parts, query }), parts.shown)
    const List = endpoint.fga ? FgaPaginatable : AutoPaginatable
    return new List(resultOf(reply, (endpoint.fga ? fgaPage : page)(endpoint.item)), walker(client, endpoint, parts), parts.options)
  }
  const reply = await send(client, request(endpoint.method, parts), parts.shown)
  // 7.x hands out an answer that is not JSON as `null` where it returns the answer as it is.
  if (endpoint.result === raw && !reply.json) return null
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
    const next = { ...first.options, limit: 100, after: CURSOR }
    const query = endpoint.fga ? next : withOrder(next)
    const reply = await nativeOf(client).paginate(request('GET', { ...parts, query }), from, !restart)
    check(reply)
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

/** FGA's list (`FgaPaginatable`): `warnings` besides. */
class FgaPaginatable extends AutoPaginatable {
  get warnings() {
    return this.list.warnings
  }
}

// ---------------------------------------------------------------------------------- the modules

/** A module class whose prototype has one member per table row; `init(module, client)` sets its own members. */
function defineModule(name, table, init) {
  const Module = {
    [name]: class {
      constructor(client) {
        internals.set(this, client)
        init?.(this, client)
      }
    },
  }[name]
  for (const [method, endpoint] of Object.entries(table)) {
    const fn = endpoint.sync ?? endpoint.local
    const value = fn
      ? {
          [method](...args) {
            return fn.apply(this, args)
          },
        }[method]
      : endpoint.eager
        ? {
            [method](...args) {
              return run(clientOf(this), endpoint, endpoint.build.apply(clientOf(this), args))
            },
          }[method]
        : {
            async [method](...args) {
              return call(clientOf(this), endpoint, args)
            },
          }[method]
    const descriptor = endpoint.getter ? { get: endpoint.getter } : { value, writable: true }
    Object.defineProperty(Module.prototype, method, { ...descriptor, configurable: true })
  }
  return Module
}

/** Hides a secret behind a getter no dump reaches (see `WorkOS.prototype` below for how). */
function hiddenGetter(Class, name, read) {
  const layer = Object.create(Object.getPrototypeOf(Class.prototype), {
    constructor: { value: Object },
    [name]: {
      get() {
        return read(this)
      },
    },
  })
  Object.setPrototypeOf(Class.prototype, layer)
}

const ListUsersOptions = wire(`email organizationId ${PAGE}`)
const CreateUser = wire('email password passwordHash passwordHashType firstName lastName emailVerified externalId metadata')
const UpdateUser = wire('email emailVerified firstName lastName password passwordHash passwordHashType externalId locale metadata')
const ListMembershipsOptions = (o) => ({ ...wire('userId organizationId')(o), statuses: o.statuses?.join(','), ...wire(PAGE)(o) })
const CreateMembership = wire('organizationId userId roleSlug roleSlugs')
const UpdateMembership = wire('roleSlug roleSlugs')
const SendInvitation = wire('email organizationId expiresInDays inviterUserId roleSlug')
const AUTH_TAIL = 'ipAddress userAgent'
/** The grants of `/user_management/authenticate`: `grant_type`, `client_id`, `client_secret` (but for PKCE), then the grant's members. */
const GRANTS = {
  authenticateWithMagicAuth: [
    'urn:workos:oauth:grant-type:magic-auth:code',
    `code email invitationToken linkAuthorizationCode ${AUTH_TAIL}`,
  ],
  authenticateWithPassword: ['password', `email password invitationToken ${AUTH_TAIL}`],
  authenticateWithCode: ['authorization_code', `code codeVerifier invitationToken ${AUTH_TAIL}`],
  authenticateWithCodeAndVerifier: ['authorization_code', `code codeVerifier invitationToken ${AUTH_TAIL}`, false],
  authenticateWithRefreshToken: ['refresh_token', `refreshToken organizationId ${AUTH_TAIL}`],
  authenticateWithTotp: ['urn:workos:oauth:grant-type:mfa-totp', `code authenticationChallengeId pendingAuthenticationToken ${AUTH_TAIL}`],
  authenticateWithEmailVerification: [
    'urn:workos:oauth:grant-type:email-verification:code',
    `pendingAuthenticationToken code ${AUTH_TAIL}`,
  ],
  authenticateWithOrganizationSelection: [
    'urn:workos:oauth:grant-type:organization-selection',
    `pendingAuthenticationToken organizationId ${AUTH_TAIL}`,
  ],
}
const authenticate = ([grantType, members, secret = true]) =>
  local(async function (payload) {
    const { session, ...rest } = payload
    const client = clientOf(this)
    const body = {
      grant_type: grantType,
      client_id: payload.clientId,
      ...(secret ? { client_secret: internals.get(client).key } : {}),
      ...wire(members)(rest),
    }
    const authenticationResponse = await call(
      client,
      post(AuthenticationResponse, () => ({ ...path`/user_management/authenticate`, body })),
      [],
    )
    return this.prepareAuthenticationResponse({ authenticationResponse, session })
  })

/** `decodeJwt` of jose (the claims of an access token, unverified), with its errors. */
function decodeJwt(token) {
  if (typeof token !== 'string') throw jwtInvalid('JWTs must use Compact JWS serialization, JWT must be a string')
  const { 1: payload, length } = token.split('.')
  if (length === 5) throw jwtInvalid('Only JWTs using Compact JWS serialization can be decoded')
  if (length !== 3) throw jwtInvalid('Invalid JWT')
  if (!payload) throw jwtInvalid('JWTs must contain a payload')
  let claims
  try {
    claims = JSON.parse(new TextDecoder().decode(Buffer.from(payload, 'base64url')))
  } catch {
    throw jwtInvalid('Failed to parse the decoded payload as JSON')
  }
  if (!isObject(claims)) throw jwtInvalid('Invalid JWT Claims Set')
  return claims
}

/** iron-session's `sealData` / `unsealData` (native), with the JSON of the data on this side. */
const sealData = (data, password) => native.sealSession(JSON.stringify(data), password)
function unsealData(sealed, password) {
  let opened
  try {
    opened = native.unsealSession(`${sealed}`, `${password}`)
  } catch (err) {
    throw new Error(err.message)
  }
  const data = (opened.json ? JSON.parse(opened.json) : null) || {}
  return opened.legacy ? { ...data.persistent } : data
}

/** The session fields of an access token's claims, as 7.x names them. */
const sessionClaims = ({
  sid: sessionId,
  org_id: organizationId,
  role,
  roles,
  permissions,
  entitlements,
  feature_flags: featureFlags,
}) => ({ sessionId, organizationId, role, roles, permissions, entitlements, featureFlags })
const REFRESH_FAILURES = ['invalid_grant', 'mfa_enrollment', 'sso_required']
const refreshFailure = (error) =>
  error instanceof OauthException && REFRESH_FAILURES.includes(error.error) ? { authenticated: false, reason: error.error } : null
const cookieDefault = () => process.env.WORKOS_COOKIE_PASSWORD

/** The claims of `token` when it verifies against the JWKS of `userManagement`'s client id, else `null`. */
async function verifiedClaims(userManagement, token) {
  const payload = await nativeOf(clientOf(userManagement)).verifySessionToken(
    userManagement.getJwksUrl(userManagement.clientId),
    `${token}`,
  )
  return payload === null ? null : JSON.parse(payload)
}

/** `loadSealedSession()`'s session object (`CookieSession` of 7.x); its password stays out of dumps. */
class CookieSession {
  constructor(userManagement, sessionData, cookiePassword) {
    if (!cookiePassword) throw new Error('cookiePassword is required')
    cookiePasswords.set(this, cookiePassword)
    this.userManagement = userManagement
    this.sessionData = sessionData
    this.jwks = userManagement.jwks
  }

  async authenticate() {
    if (!this.sessionData) return { authenticated: false, reason: 'no_session_cookie_provided' }
    let session
    try {
      session = unsealData(this.sessionData, this.cookiePassword)
    } catch {
      return { authenticated: false, reason: 'invalid_session_cookie' }
    }
    if (!session.accessToken) return { authenticated: false, reason: 'invalid_session_cookie' }
    if (!(await this.isValidJwt(session.accessToken))) return { authenticated: false, reason: 'invalid_jwt' }
    const { user, authenticationMethod, impersonator, accessToken } = session
    return { authenticated: true, ...sessionClaims(decodeJwt(accessToken)), user, authenticationMethod, impersonator, accessToken }
  }

  async refresh(options = {}) {
    const session = unsealData(this.sessionData, this.cookiePassword)
    if (!session.refreshToken || !session.user) return { authenticated: false, reason: 'invalid_session_cookie' }
    const { org_id: organizationIdFromAccessToken } = decodeJwt(session.accessToken)
    try {
      const cookiePassword = options.cookiePassword ?? this.cookiePassword
      const authenticationResponse = await this.userManagement.authenticateWithRefreshToken({
        clientId: this.userManagement.clientId,
        refreshToken: session.refreshToken,
        organizationId: options.organizationId ?? organizationIdFromAccessToken,
        session: { sealSession: true, cookiePassword },
      })
      if (options.cookiePassword) cookiePasswords.set(this, options.cookiePassword)
      this.sessionData = authenticationResponse.sealedSession
      const { sessionId, organizationId, role, roles, permissions, entitlements, featureFlags } = sessionClaims(
        decodeJwt(authenticationResponse.accessToken),
      )
      return {
        authenticated: true,
        sealedSession: authenticationResponse.sealedSession,
        session: authenticationResponse,
        authenticationMethod: authenticationResponse.authenticationMethod,
        sessionId,
        organizationId,
        role,
        roles,
        permissions,
        entitlements,
        featureFlags,
        user: session.user,
        impersonator: session.impersonator,
      }
    } catch (error) {
      const failure = refreshFailure(error)
      if (failure) return failure
      throw error
    }
  }

  async getLogoutUrl({ returnTo } = {}) {
    const result = await this.authenticate()
    if (!result.authenticated) throw new Error(`Failed to extract session ID for logout URL: ${result.reason}`)
    return this.userManagement.getLogoutUrl({ sessionId: result.sessionId, returnTo })
  }

  async isValidJwt(accessToken) {
    if (!this.jwks) throw new Error('Missing client ID. Did you provide it when initializing WorkOS?')
    return (await verifiedClaims(this.userManagement, accessToken)) !== null
  }
}
hiddenGetter(CookieSession, 'cookiePassword', (session) => cookiePasswords.get(session))

async function authenticateWithSessionCookie(userManagement, sessionData, cookiePassword) {
  if (!cookiePassword) throw new Error('Cookie password is required')
  if (!userManagement.jwks) throw new Error('Must provide clientId to initialize JWKS')
  if (!sessionData) return { authenticated: false, reason: 'no_session_cookie_provided' }
  const session = unsealData(sessionData, cookiePassword)
  if (!session.accessToken) return { authenticated: false, reason: 'invalid_session_cookie' }
  if (!(await userManagement.isValidJwt(session.accessToken))) return { authenticated: false, reason: 'invalid_jwt' }
  const { sessionId, organizationId, role, roles, permissions, entitlements, featureFlags } = sessionClaims(decodeJwt(session.accessToken))
  const { user, accessToken, authenticationMethod } = session
  return {
    authenticated: true,
    sessionId,
    organizationId,
    role,
    roles,
    user,
    permissions,
    entitlements,
    featureFlags,
    accessToken,
    authenticationMethod,
  }
}

async function refreshAndSealSessionData(userManagement, sessionData, organizationId, cookiePassword) {
  if (!cookiePassword) throw new Error('Cookie password is required')
  if (!sessionData) return { authenticated: false, reason: 'no_session_cookie_provided' }
  const session = unsealData(sessionData, cookiePassword)
  if (!session.refreshToken || !session.user) return { authenticated: false, reason: 'invalid_session_cookie' }
  const { org_id: organizationIdFromAccessToken } = decodeJwt(session.accessToken)
  try {
    const { sealedSession } = await userManagement.authenticateWithRefreshToken({
      clientId: clientOf(userManagement).clientId,
      refreshToken: session.refreshToken,
      organizationId: organizationId ?? organizationIdFromAccessToken,
      session: { sealSession: true, cookiePassword },
    })
    return sealedSession ? { authenticated: true, sealedSession } : { authenticated: false, reason: 'invalid_session_cookie' }
  } catch (error) {
    const failure = refreshFailure(error)
    if (failure) return failure
    throw error
  }
}

async function prepareAuthenticationResponse(userManagement, authenticationResponse, session) {
  if (!session?.sealSession) return authenticationResponse
  const sealedSession = await userManagement.sealSessionDataFromAuthenticationResponse({
    authenticationResponse,
    cookiePassword: session.cookiePassword,
  })
  return { ...authenticationResponse, sealedSession }
}

async function sealSessionData(authenticationResponse, cookiePassword) {
  if (!cookiePassword) throw new Error('Cookie password is required')
  const { org_id: organizationId } = decodeJwt(authenticationResponse.accessToken)
  const { user, accessToken, refreshToken, authenticationMethod, impersonator } = authenticationResponse
  return sealData({ organizationId, user, accessToken, refreshToken, authenticationMethod, impersonator }, cookiePassword)
}

async function getSessionFromCookie(sessionData, cookiePassword) {
  if (!cookiePassword) throw new Error('Cookie password is required')
  return sessionData ? unsealData(sessionData, cookiePassword) : undefined
}

async function logoutUrlFromSessionCookie(userManagement, sessionData, cookiePassword) {
  const result = await userManagement.authenticateWithSessionCookie({ sessionData, cookiePassword })
  if (!result.authenticated) throw new Error(`Failed to extract session ID for logout URL: ${result.reason}`)
  return userManagement.getLogoutUrl({ sessionId: result.sessionId })
}

const UserManagement = defineModule(
  'UserManagement',
  {
    /** jose's remote key set in 7.x; the key set is native here (`isValidJwt`), so this stands for it only. */
    jwks: getter(function () {
      if (!this.clientId) return undefined
      return function jwks() {
        throw new Error(
          '[WorkOS] userManagement.jwks: the key set is not a jose RemoteJWKSet in this package; use userManagement.isValidJwt(token)',
        )
      }
    }),
    loadSealedSession: sync(function ({ sessionData, cookiePassword }) {
      return new CookieSession(this, sessionData, cookiePassword)
    }),
    getUser: get(User, (userId) => path`/user_management/users/${userId}`),
    getUserByExternalId: get(User, (externalId) => path`/user_management/users/external_id/${externalId}`),
    listUsers: paginated(User, (options) => ({
      ...path`/user_management/users`,
      options: options ? ListUsersOptions(options) : undefined,
    })),
    createUser: post(User, (payload) => ({ ...path`/user_management/users`, body: CreateUser(payload) })),
    ...Object.fromEntries(Object.entries(GRANTS).map(([method, grant]) => [method, authenticate(grant)])),
    // The rows of local flows whose arguments 7.x destructures in its parameter list do so too (a
    // missing argument throws at once), then hand over to an async function.
    authenticateWithSessionCookie: local(function ({ sessionData, cookiePassword = cookieDefault() }) {
      return authenticateWithSessionCookie(this, sessionData, cookiePassword)
    }),
    isValidJwt: local(async function (accessToken) {
      if (!this.jwks) throw new Error('Must provide clientId to initialize JWKS')
      return (await verifiedClaims(this, accessToken)) !== null
    }),
    refreshAndSealSessionData: local(function ({ sessionData, organizationId, cookiePassword = cookieDefault() }) {
      return refreshAndSealSessionData(this, sessionData, organizationId, cookiePassword)
    }),
    prepareAuthenticationResponse: local(function ({ authenticationResponse, session }) {
      return prepareAuthenticationResponse(this, authenticationResponse, session)
    }),
    sealSessionDataFromAuthenticationResponse: local(function ({ authenticationResponse, cookiePassword }) {
      return sealSessionData(authenticationResponse, cookiePassword)
    }),
    getSessionFromCookie: local(function ({ sessionData, cookiePassword = cookieDefault() }) {
      return getSessionFromCookie(sessionData, cookiePassword)
    }),
    getEmailVerification: get(EmailVerification, (id) => path`/user_management/email_verification/${id}`),
    sendVerificationEmail: eager(
      post(UserResponse, ({ userId }) => ({ ...path`/user_management/users/${userId}/email_verification/send`, body: {} })),
    ),
    getMagicAuth: get(MagicAuth, (id) => path`/user_management/magic_auth/${id}`),
    createMagicAuth: post(MagicAuth, (options) => ({ ...path`/user_management/magic_auth`, body: wire('email invitationToken')(options) })),
    sendMagicAuthCode: post(null, (options) => ({ ...path`/user_management/magic_auth/send`, body: { email: options.email } })),
    verifyEmail: eager(
      post(UserResponse, ({ code, userId }) => ({ ...path`/user_management/users/${userId}/email_verification/confirm`, body: { code } })),
    ),
    getPasswordReset: get(PasswordReset, (id) => path`/user_management/password_reset/${id}`),
    createPasswordReset: post(PasswordReset, (options) => ({ ...path`/user_management/password_reset`, body: { email: options.email } })),
    sendPasswordResetEmail: post(null, (payload) => ({
      ...path`/user_management/password_reset/send`,
      body: wire('email passwordResetUrl')(payload),
    })),
    resetPassword: post(UserResponse, (payload) => ({
      ...path`/user_management/password_reset/confirm`,
      body: { token: payload.token, new_password: payload.newPassword },
    })),
    updateUser: put(User, (payload) => ({ ...path`/user_management/users/${payload.userId}`, body: UpdateUser(payload) })),
    enrollAuthFactor: post(EnrolledAuthFactor, (payload) => ({
      ...path`/user_management/users/${payload.userId}/auth_factors`,
      body: wire('type totpIssuer totpUser totpSecret')(payload),
    })),
    listAuthFactors: paginated(AuthFactor, (options) => {
      const { userId, ...rest } = options
      return { ...path`/user_management/users/${userId}/auth_factors`, options: rest }
    }),
    listUserFeatureFlags: paginated(FeatureFlag, (options) => {
      const { userId, ...rest } = options
      return { ...path`/user_management/users/${userId}/feature-flags`, options: rest }
    }),
    listSessions: paginated(UserSession, (userId, options) => ({
      ...path`/user_management/users/${userId}/sessions`,
      options: options ? { ...options } : undefined,
    })),
    deleteUser: del((userId) => path`/user_management/users/${userId}`),
    getUserIdentities: get(listOf(Identity, 'Identity[]'), (userId) => {
      if (!userId) throw new TypeError(`Incomplete arguments. Need to specify 'userId'.`)
      return path`/user_management/users/${userId}/identities`
    }),
    getOrganizationMembership: get(OrganizationMembership, (id) => path`/user_management/organization_memberships/${id}`),
    listOrganizationMemberships: paginated(OrganizationMembership, (options) => ({
      ...path`/user_management/organization_memberships`,
      options: options ? ListMembershipsOptions(options) : undefined,
    })),
    createOrganizationMembership: post(OrganizationMembership, (options) => ({
      ...path`/user_management/organization_memberships`,
      body: CreateMembership(options),
    })),
    updateOrganizationMembership: put(OrganizationMembership, (id, options) => ({
      ...path`/user_management/organization_memberships/${id}`,
      body: UpdateMembership(options),
    })),
    deleteOrganizationMembership: del((id) => path`/user_management/organization_memberships/${id}`),
    deactivateOrganizationMembership: put(OrganizationMembership, (id) => ({
      ...path`/user_management/organization_memberships/${id}/deactivate`,
      body: {},
    })),
    reactivateOrganizationMembership: put(OrganizationMembership, (id) => ({
      ...path`/user_management/organization_memberships/${id}/reactivate`,
      body: {},
    })),
    getInvitation: get(Invitation, (id) => path`/user_management/invitations/${id}`),
    findInvitationByToken: get(Invitation, (token) => path`/user_management/invitations/by_token/${token}`),
    listInvitations: paginated(Invitation, (options) => ({
      ...path`/user_management/invitations`,
      options: options ? ListUsersOptions(options) : undefined,
    })),
    sendInvitation: post(Invitation, (payload) => ({ ...path`/user_management/invitations`, body: SendInvitation({ ...payload }) })),
    acceptInvitation: post(Invitation, (id) => ({ ...path`/user_management/invitations/${id}/accept`, body: null })),
    revokeInvitation: post(Invitation, (id) => ({ ...path`/user_management/invitations/${id}/revoke`, body: null })),
    resendInvitation: post(Invitation, (id) => ({ ...path`/user_management/invitations/${id}/resend`, body: null })),
    revokeSession: post(null, (payload) => ({ ...path`/user_management/sessions/revoke`, body: { session_id: payload.sessionId } })),
    getAuthorizationUrl: sync(function ({
      connectionId,
      codeChallenge,
      codeChallengeMethod,
      context,
      clientId,
      domainHint,
      loginHint,
      organizationId,
      provider,
      providerQueryParams,
      providerScopes,
      prompt,
      redirectUri,
      state,
      screenHint,
    }) {
      if (!provider && !connectionId && !organizationId) {
        throw new TypeError(`Incomplete arguments. Need to specify either a 'connectionId', 'organizationId', or 'provider'.`)
      }
      if (provider !== 'authkit' && screenHint) throw new TypeError(`'screenHint' is only supported for 'authkit' provider`)
      if (context) {
        warn(`\`context\` is deprecated. We previously required initiate login endpoints to return the
\`context\` query parameter when getting the authorization URL. This is no longer necessary.`)
      }
      const query = authorizeQuery({
        connection_id: connectionId,
        code_challenge: codeChallenge,
        code_challenge_method: codeChallengeMethod,
        context,
        organization_id: organizationId,
        domain_hint: domainHint,
        login_hint: loginHint,
        provider,
        provider_query_params: providerQueryParams,
        provider_scopes: providerScopes,
        prompt,
        client_id: clientId,
        redirect_uri: redirectUri,
        response_type: 'code',
        state,
        screen_hint: screenHint,
      })
      return `${clientOf(this).baseURL}/user_management/authorize?${query}`
    }),
    getLogoutUrl: sync(function ({ sessionId, returnTo }) {
      if (!sessionId) throw new TypeError(`Incomplete arguments. Need to specify 'sessionId'.`)
      const url = new URL('/user_management/sessions/logout', clientOf(this).baseURL)
      url.searchParams.set('session_id', sessionId)
      if (returnTo) url.searchParams.set('return_to', returnTo)
      return url.toString()
    }),
    getLogoutUrlFromSessionCookie: local(function ({ sessionData, cookiePassword = cookieDefault() }) {
      return logoutUrlFromSessionCookie(this, sessionData, cookiePassword)
    }),
    getJwksUrl: sync(function (clientId) {
      if (!clientId) throw TypeError('clientId must be a valid clientId')
      const { path: pieces, ids } = path`/sso/jwks/${clientId}`
      try {
        return nativeOf(clientOf(this)).url(pieces, ids)
      } catch (err) {
        throw new TypeError(err.message)
      }
    }),
  },
  (module, client) => {
    module.clientId = client.options.clientId
  },
)

const CreateOrganization = wire('name allowProfilesOutsideOrganization domainData domains externalId metadata')
const UpdateOrganization = wire('name allowProfilesOutsideOrganization domainData domains stripeCustomerId externalId metadata')

const Organizations = defineModule('Organizations', {
  listOrganizations: paginated(Organization, (options) => ({ ...path`/organizations`, options })),
  createOrganization: post(Organization, (payload, requestOptions) => ({
    ...path`/organizations`,
    body: CreateOrganization(payload),
    headers: idempotency(requestOptions),
  })),
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
  listOrganizationFeatureFlags: paginated(FeatureFlag, (options) => {
    const { organizationId, ...rest } = options
    return { ...path`/organizations/${organizationId}/feature-flags`, options: rest }
  }),
  listOrganizationApiKeys: paginated(ApiKey, (options) => {
    const { organizationId, ...rest } = options
    return { ...path`/organizations/${organizationId}/api_keys`, options: rest }
  }),
  createOrganizationApiKey: post(CreatedApiKey, (options, requestOptions) => {
    const { organizationId } = options
    return {
      ...path`/organizations/${organizationId}/api_keys`,
      body: wire('name permissions')(options),
      headers: idempotency(requestOptions),
    }
  }),
})

const DirectorySync = defineModule('DirectorySync', {
  listDirectories: paginated(Directory, (options) => ({
    ...path`/directories`,
    options: options ? wire(`organizationId search ${PAGE}`)(options) : undefined,
  })),
  getDirectory: get(Directory, (id) => path`/directories/${id}`),
  deleteDirectory: del((id) => path`/directories/${id}`),
  listGroups: paginated(DirectoryGroup, (options) => ({ ...path`/directory_groups`, options })),
  listUsers: paginated(DirectoryUserWithGroups, (options) => ({ ...path`/directory_users`, options })),
  getUser: get(DirectoryUserWithGroups, (user) => path`/directory_users/${user}`),
  getGroup: get(DirectoryGroup, (group) => path`/directory_groups/${group}`),
})

/** `serializeCreateAuditLogSchemaOptions`: each metadata member becomes `{ type }`. */
const schemaMetadata = (metadata) => ({
  type: 'object',
  properties: Object.fromEntries(Object.entries(metadata ?? {}).map(([name, type]) => [name, { type }])),
})

const AuditLogs = defineModule('AuditLogs', {
  createEvent: post(null, (organization, event, options) => ({
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
    body: {
      ...wire('actions actors actorNames actorIds organizationId')(options),
      range_end: options.rangeEnd.toISOString(),
      range_start: options.rangeStart.toISOString(),
      targets: options.targets,
    },
  })),
  getExport: get(AuditLogExport, (id) => path`/audit_logs/exports/${id}`),
  createSchema: post(AuditLogSchema, (schema, options) => ({
    ...path`/audit_logs/actions/${schema.action}/schemas`,
    body: {
      actor: { metadata: schemaMetadata(schema.actor?.metadata) },
      targets: schema.targets.map(({ type, metadata }) => ({ type, metadata: metadata ? schemaMetadata(metadata) : undefined })),
      metadata: schema.metadata ? schemaMetadata(schema.metadata) : undefined,
    },
    headers: idempotency(options),
  })),
})

const SSO = defineModule('SSO', {
  listConnections: paginated(Connection, (options) => ({
    ...path`/connections`,
    options: options ? wire(`connectionType domain organizationId ${PAGE}`)(options) : undefined,
  })),
  deleteConnection: del((id) => path`/connections/${id}`),
  getAuthorizationUrl: sync(function ({
    connection,
    clientId,
    domain,
    domainHint,
    loginHint,
    organization,
    provider,
    providerQueryParams,
    providerScopes,
    redirectUri,
    state,
  }) {
    if (!domain && !provider && !connection && !organization) {
      throw new Error(`Incomplete arguments. Need to specify either a 'connection', 'organization', 'domain', or 'provider'.`)
    }
    if (domain) warn('The `domain` parameter for `getAuthorizationURL` is deprecated. Please use `organization` instead.')
    const query = authorizeQuery({
      connection,
      organization,
      domain,
      domain_hint: domainHint,
      login_hint: loginHint,
      provider,
      provider_query_params: providerQueryParams,
      provider_scopes: providerScopes,
      client_id: clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      state,
    })
    return `${clientOf(this).baseURL}/sso/authorize?${query}`
  }),
  getConnection: get(Connection, (id) => path`/connections/${id}`),
  getProfileAndToken: eager(
    post(ProfileAndToken, function ({ code, clientId }) {
      const form = { client_id: clientId, client_secret: internals.get(this).key, grant_type: 'authorization_code', code }
      return { ...path`/sso/token`, form }
    }),
  ),
  getProfile: eager(
    get(Profile, ({ accessToken }) => ({ ...path`/sso/profile`, headers: accessToken ? { Authorization: `Bearer ${accessToken}` } : {} })),
  ),
})

const ApiKeys = defineModule('ApiKeys', {
  validateApiKey: post(ApiKeyValidation, (payload) => ({ ...path`/api_keys/validations`, body: payload })),
  deleteApiKey: del((id) => path`/api_keys/${id}`),
})

const Events = defineModule('Events', {
  listEvents: get(page(Event), (options) => ({
    ...path`/events`,
    query: options ? wire('events organizationId rangeStart rangeEnd limit after')(options) : undefined,
  })),
})

const FeatureFlags = defineModule('FeatureFlags', {
  listFeatureFlags: paginated(FeatureFlag, (options) => ({ ...path`/feature-flags`, options })),
  getFeatureFlag: get(FeatureFlag, (slug) => path`/feature-flags/${slug}`),
  enableFeatureFlag: put(FeatureFlag, (slug) => ({ ...path`/feature-flags/${slug}/enable`, body: {} })),
  disableFeatureFlag: put(FeatureFlag, (slug) => ({ ...path`/feature-flags/${slug}/disable`, body: {} })),
  addFlagTarget: post(null, (options) => {
    const { slug, targetId } = options
    return { ...path`/feature-flags/${slug}/targets/${targetId}`, body: {} }
  }),
  removeFlagTarget: del((options) => {
    const { slug, targetId } = options
    return path`/feature-flags/${slug}/targets/${targetId}`
  }),
})

/** A resource or subject of FGA: `{ resourceType, resourceId }`, or an object with 7.x's getters (which 7.x only sees when it has `getResouceType`, sic). */
const isResourceObject = (r) => !!r && typeof r === 'object' && 'getResouceType' in r && 'getResourceId' in r
const resourceType = (r) => (isResourceObject(r) ? r.getResourceType() : r.resourceType)
const resourceId = (r, blank = '') => (isResourceObject(r) ? r.getResourceId() : r.resourceId ? r.resourceId : blank)
const isSubject = (r) => Object.hasOwn(r, 'resourceType') && Object.hasOwn(r, 'resourceId')
const subject = (s) =>
  isSubject(s)
    ? { resource_type: s.resourceType, resource_id: s.resourceId }
    : { resource_type: s.getResourceType(), resource_id: s.getResourceId() }
const resourcePath = (r) => path`/fga/v1/resources/${resourceType(r)}/${resourceId(r, r.resourceId)}`
const checkWarrant = (w) => ({
  resource_type: resourceType(w.resource),
  resource_id: resourceId(w.resource),
  relation: w.relation,
  subject: subject(w.subject),
  context: w.context ?? {},
})
const writeWarrant = (w) => ({
  op: w.op,
  resource_type: resourceType(w.resource),
  resource_id: resourceId(w.resource),
  relation: w.relation,
  subject: subject(w.subject),
  policy: w.policy,
})
const createResource = (o) => ({ resource_type: resourceType(o.resource), resource_id: resourceId(o.resource), meta: o.meta })
const ListResourcesOptions = wire(`resourceType search ${PAGE}`)
const ListWarrantsOptions = wire('resourceType resourceId relation subjectType subjectId subjectRelation limit after')

const FGA = defineModule('FGA', {
  check: post(
    (data) => new CheckResult(data),
    (options, requestOptions) => ({
      ...path`/fga/v1/check`,
      body: { op: options.op, checks: options.checks.map(checkWarrant), debug: options.debug },
      headers: warrant(requestOptions),
    }),
  ),
  checkBatch: post(
    (data) => list((d) => new CheckResult(d))(data, null, 'CheckResult[]'),
    (options, requestOptions) => ({
      ...path`/fga/v1/check`,
      body: { op: 'batch', checks: options.checks.map(checkWarrant), debug: options.debug },
      headers: warrant(requestOptions),
    }),
  ),
  createResource: post(FgaResource, (options) => ({ ...path`/fga/v1/resources`, body: createResource(options) })),
  getResource: get(FgaResource, (resource) => resourcePath(resource)),
  listResources: paginated(FgaResource, (options) => ({
    ...path`/fga/v1/resources`,
    options: options ? ListResourcesOptions(options) : undefined,
  })),
  updateResource: put(FgaResource, (options) => ({ ...resourcePath(options.resource), body: { meta: options.meta } })),
  deleteResource: del((resource) => resourcePath(resource)),
  batchWriteResources: post(member('data', list(FgaResource)), (options) => ({
    ...path`/fga/v1/resources/batch`,
    body: {
      op: options.op,
      resources: ['create', 'delete'].includes(options.op)
        ? options.resources.map((r) =>
            options.op === 'create' ? createResource(r) : { resource_type: resourceType(r), resource_id: resourceId(r) },
          )
        : [],
    },
  })),
  writeWarrant: post(WarrantToken, (options) => ({ ...path`/fga/v1/warrants`, body: writeWarrant(options) })),
  batchWriteWarrants: post(WarrantToken, (options) => ({ ...path`/fga/v1/warrants`, body: options.map(writeWarrant) })),
  listWarrants: paginated(Warrant, (options, requestOptions) => ({
    ...path`/fga/v1/warrants`,
    options: options ? ListWarrantsOptions(options) : undefined,
    headers: warrant(requestOptions),
  })),
  query: paginated(
    QueryResult,
    (options, requestOptions = {}) => ({
      ...path`/fga/v1/query`,
      options: { q: options.q, context: JSON.stringify(options.context), ...wire(PAGE)(options) },
      headers: warrant(requestOptions),
    }),
    { fga: true },
  ),
})

const Mfa = defineModule('Mfa', {
  deleteFactor: del((id) => path`/auth/factors/${id}`),
  getFactor: get(MfaFactor, (id) => path`/auth/factors/${id}`),
  enrollFactor: post(MfaFactorWithSecrets, (options) => ({
    ...path`/auth/factors/enroll`,
    body: {
      type: options.type,
      ...(options.type === 'sms'
        ? { phone_number: options.phoneNumber }
        : options.type === 'totp'
          ? { totp_issuer: options.issuer, totp_user: options.user }
          : {}),
    },
  })),
  challengeFactor: post(Challenge, (options) => ({
    ...path`/auth/factors/${options.authenticationFactorId}/challenge`,
    body: { sms_template: 'smsTemplate' in options ? options.smsTemplate : undefined },
  })),
  verifyFactor: local(async function (options) {
    return this.verifyChallenge(options)
  }),
  verifyChallenge: post(VerifyResponse, (options) => ({
    ...path`/auth/challenges/${options.authenticationChallengeId}/verify`,
    body: { code: options.code },
  })),
})

const OrganizationDomains = defineModule('OrganizationDomains', {
  get: get(OrganizationDomain, (id) => path`/organization_domains/${id}`),
  verify: post(OrganizationDomain, (id) => ({ ...path`/organization_domains/${id}/verify`, body: {} })),
  create: post(OrganizationDomain, (payload) => ({ ...path`/organization_domains`, body: wire('domain organizationId')(payload) })),
  delete: del((id) => path`/organization_domains/${id}`),
})

const Passwordless = defineModule('Passwordless', {
  // Named `_a` as in 7.x's compiled code, so a missing argument is the same TypeError.
  createSession: eager(
    post(PasswordlessSession, (_a) => {
      const { redirectURI, expiresIn, ...options } = _a
      return { ...path`/passwordless/sessions`, body: { ...options, redirect_uri: redirectURI, expires_in: expiresIn } }
    }),
  ),
  sendSession: post(raw, (sessionId) => ({ ...path`/passwordless/sessions/${sessionId}/send`, body: {} })),
})

const Pipes = defineModule('Pipes', {
  getAccessToken: eager(
    post(PipesToken, (_a) => {
      const { provider, ...options } = _a
      return {
        ...path`/data-integrations/${provider}/token`,
        body: wire('userId organizationId')(options),
        shown: `data-integrations/${provider}/token`,
      }
    }),
  ),
})

const Portal = defineModule('Portal', {
  generateLink: eager(
    post(raw, ({ intent, organization, returnUrl, successUrl }) => ({
      ...path`/portal/generate_link`,
      body: { intent, organization, return_url: returnUrl, success_url: successUrl },
    })),
  ),
})

const Widgets = defineModule('Widgets', {
  getToken: post(member('token', raw), (payload) => ({
    ...path`/widgets/token`,
    body: { organization_id: payload.organizationId, user_id: payload.userId, scopes: payload.scopes },
  })),
})

/** What `atob` throws, as the `DOMException` it is; anything else as an `Error`. */
const ATOB_ERRORS = ['Invalid character', 'The string to be decoded is not correctly encoded.']
const decodeError = (message) => (ATOB_ERRORS.includes(message) ? new DOMException(message, 'InvalidCharacterError') : new Error(message))

/** `vault.decode`: the parts of an encrypted value, as `Uint8Array`s. */
function vaultDecode(payload) {
  let parts
  try {
    parts = native.vaultDecode(payload)
  } catch (err) {
    throw decodeError(err.message)
  }
  return { iv: new Uint8Array(parts.iv), tag: new Uint8Array(parts.tag), keys: parts.keys, ciphertext: new Uint8Array(parts.ciphertext) }
}

/** Sends a vault request whose answer is used natively (the data key): its result, or the SDK's exception. */
async function vaultCrypto(module, method, endpoint, input, associatedData) {
  const aad = associatedData ? Buffer.from(new TextEncoder().encode(associatedData)) : undefined
  const reply = await nativeOf(clientOf(module))[method](request('POST', endpoint), input, aad)
  if (reply.failure === 'crypto')
    throw new DOMException(reply.detail, reply.detail === 'Invalid key length' ? 'DataError' : 'OperationError')
  if (reply.failure === 'invalid_argument') throw decodeError(reply.detail)
  if (reply.failure === 'unusable') throw parseError(reply, `unexpected response shape: ${reply.detail}`, '')
  return check(reply).body
}

const VAULT_ALIASES = {
  createSecret: 'createObject',
  listSecrets: 'listObjects',
  listSecretVersions: 'listObjectVersions',
  readSecret: 'readObject',
  describeSecret: 'describeObject',
  updateSecret: 'updateObject',
  deleteSecret: 'deleteObject',
}

const Vault = defineModule(
  'Vault',
  {
    decode: sync(vaultDecode),
    createObject: post(VaultMetadata, (options) => ({
      ...path`/vault/v1/kv`,
      body: { name: options.name, value: options.value, key_context: options.context },
    })),
    listObjects: get(VaultList, function (options) {
      const url = new URL('/vault/v1/kv', this.baseURL)
      if (options?.after) url.searchParams.set('after', options.after)
      if (options?.limit) url.searchParams.set('limit', options.limit.toString())
      return { ...path`/vault/v1/kv`, query: Object.fromEntries(url.searchParams), shown: url.toString() }
    }),
    listObjectVersions: get(member('data', list(VaultVersion)), ({ id }) => path`/vault/v1/kv/${id}/versions`),
    readObject: get(VaultObject, ({ id }) => path`/vault/v1/kv/${id}`),
    readObjectByName: get(VaultObject, (name) => path`/vault/v1/kv/name/${name}`),
    describeObject: get(VaultObject, ({ id }) => path`/vault/v1/kv/${id}/metadata`),
    updateObject: put(VaultObject, (options) => ({
      ...path`/vault/v1/kv/${options.id}`,
      body: { value: options.value, version_check: options.versionCheck },
    })),
    deleteObject: del(({ id }) => path`/vault/v1/kv/${id}`),
    createDataKey: post(DataKeyPair, (options) => ({ ...path`/vault/v1/keys/data-key`, body: options })),
    decryptDataKey: post(DataKey, (options) => ({ ...path`/vault/v1/keys/decrypt`, body: options })),
    encrypt: local(async function (data, context, associatedData) {
      const plaintext = Buffer.from(new TextEncoder().encode(data))
      return textOf({
        body: await vaultCrypto(this, 'vaultEncrypt', { ...path`/vault/v1/keys/data-key`, body: { context } }, plaintext, associatedData),
      })
    }),
    decrypt: local(async function (encryptedData, associatedData) {
      const { keys } = this.decode(encryptedData)
      return new TextDecoder().decode(
        await vaultCrypto(this, 'vaultDecrypt', { ...path`/vault/v1/keys/decrypt`, body: { keys } }, encryptedData, associatedData),
      )
    }),
  },
  (module) => {
    for (const [alias, method] of Object.entries(VAULT_ALIASES)) module[alias] = module[method]
  },
)

/** Webhook and Action signatures (`SignatureProvider` of 7.x): HMAC-SHA256 natively, the JSON of the payload here. */
function getTimestampAndSignatureHash(sigHeader) {
  const [t, v1] = sigHeader.split(',')
  if (t === undefined || v1 === undefined) throw new SignatureVerificationException('Signature or timestamp missing')
  return [t.split('=')[1], v1.split('=')[1]]
}
const signedPayload = (timestamp, payload) => `${timestamp}.${JSON.stringify(payload)}`
/** The HMAC key as 7.x's `TextEncoder` reads it; WebCrypto refuses an empty one. */
function hmacKey(secret) {
  const key = secret === undefined ? '' : `${secret}`
  if (key === '') throw new DOMException('Zero-length key is not supported', 'DataError')
  return key
}
async function computeSignature(timestamp, payload, secret) {
  return native.payloadSignature(signedPayload(timestamp, payload), hmacKey(secret))
}
async function verifyHeader({ payload, sigHeader, secret, tolerance = 180000 }) {
  const [timestamp, signatureHash] = getTimestampAndSignatureHash(sigHeader)
  if (!signatureHash || Object.keys(signatureHash).length === 0)
    throw new SignatureVerificationException('No signature hash found with expected scheme v1')
  if (parseInt(timestamp, 10) < Date.now() - tolerance) throw new SignatureVerificationException('Timestamp outside the tolerance zone')
  if (!native.payloadSignatureMatches(signedPayload(timestamp, payload), hmacKey(secret), signatureHash)) {
    throw new SignatureVerificationException('Signature hash does not match the expected signature hash for payload')
  }
  return true
}

/** `constructEvent` / `constructAction`: the payload, read as `type`, once its signature checks out. */
async function construct(module, type, options) {
  await module.verifyHeader(options)
  return readLocal(type, options.payload)
}

const Webhooks = defineModule('Webhooks', {
  verifyHeader: getter(() => verifyHeader),
  computeSignature: getter(() => computeSignature),
  getTimestampAndSignatureHash: getter(() => getTimestampAndSignatureHash),
  constructEvent: local(function ({ payload, sigHeader, secret, tolerance = 180000 }) {
    return construct(this, Event, { payload, sigHeader, secret, tolerance })
  }),
})

const ACTION_RESPONSES = { authentication: 'authentication_action_response', user_registration: 'user_registration_action_response' }

const Actions = defineModule('Actions', {
  computeSignature: getter(() => computeSignature),
  verifyHeader: getter(() => verifyHeader),
  serializeType: sync((type) => {
    if (Object.hasOwn(ACTION_RESPONSES, type)) return ACTION_RESPONSES[type]
    throw new TypeError(`Entered unreachable code. Received '${type}'.`)
  }),
  signResponse: local(async function (data, secret) {
    const { verdict, type } = data
    const payload = { timestamp: Date.now(), verdict, ...(verdict === 'Deny' && data.errorMessage && { error_message: data.errorMessage }) }
    return { object: this.serializeType(type), payload, signature: await this.computeSignature(payload.timestamp, payload, secret) }
  }),
  constructAction: local(function ({ payload, sigHeader, secret, tolerance = 30000 }) {
    return construct(this, Action, { payload, sigHeader, secret, tolerance })
  }),
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
    attach(
      this,
      new native.NativeWorkOS(`${apiKey}`, location, headers, agent),
      apiKey,
      options,
      options.clientId || process.env.WORKOS_CLIENT_ID,
    )
  }

  get version() {
    return VERSION
  }

  /** `workos.get(path, { query, accessToken, warrantToken })`: `{ data }`, the answer's JSON (`null` when it is not JSON). */
  get(path, options = {}) {
    const headers = { ...(options.accessToken ? { Authorization: `Bearer ${options.accessToken}` } : {}), ...warrant(options) }
    return instanceRequest(this, 'GET', path, { query: options.query, headers })
  }

  post(path, entity, options = {}) {
    return instanceRequest(this, 'POST', path, { query: options.query, entity, headers: { ...idempotency(options), ...warrant(options) } })
  }

  put(path, entity, options = {}) {
    return instanceRequest(this, 'PUT', path, { query: options.query, entity, headers: idempotency(options) })
  }

  async delete(path, query) {
    await instanceRequest(this, 'DELETE', path, { query })
  }

  emitWarning(warning) {
    return warn(warning)
  }

  createWebhookClient() {
    return new Webhooks(this)
  }

  createActionsClient() {
    return new Actions(this)
  }
}

for (const internal of ['getCryptoProvider', 'createHttpClient', 'createIronSessionProvider']) {
  Object.defineProperty(WorkOS.prototype, internal, {
    value: {
      [internal]() {
        throw new Error(
          `[WorkOS] workos.${internal}(): an internal object of @workos-inc/node; this client has none (its HTTP calls and crypto are native)`,
        )
      },
    }[internal],
    writable: true,
    configurable: true,
  })
}

/**
 * A request of the instance's own `get`/`post`/`put`/`delete`: the path resolved against the base URL
 * as 7.x does (`new URL(path?query, baseURL)`), but never to another origin (the API key goes only to
 * the API).
 */
async function instanceRequest(client, method, path, { query, entity, headers }) {
  const search = query ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '' && v !== undefined)).toString() : ''
  const url = new URL([path, search].filter(Boolean).join('?'), client.baseURL)
  if (url.origin !== new URL(client.baseURL).origin)
    throw new TypeError(`[WorkOS] workos.${method.toLowerCase()}(): ${path} is not on ${client.baseURL}`)
  const form = entity instanceof URLSearchParams ? Object.fromEntries(entity) : undefined
  const reply = await send(
    client,
    request(method, { path: [`${url.pathname}${url.search}`], ids: [], body: form ? undefined : entity, form, headers }),
    path,
  )
  if (method === 'DELETE') return undefined
  return { data: reply.json ? resultOf(reply, raw) : null }
}

/**
 * `client.key`, readable as in the SDK, from a getter no dump reaches: not an own property (so
 * `JSON.stringify` skips it), and on a prototype layer whose `constructor` is `Object`, where
 * `util.inspect` stops (with `showHidden` and `getters` it calls the getters of the layers above).
 */
hiddenGetter(WorkOS, 'key', (client) => internals.get(client)?.key)

function attach(client, nativeClient, key, options, clientId) {
  internals.set(client, { key, native: nativeClient })
  client.options = options
  client.apiKeys = new ApiKeys(client)
  client.auditLogs = new AuditLogs(client)
  client.directorySync = new DirectorySync(client)
  client.events = new Events(client)
  client.featureFlags = new FeatureFlags(client)
  client.fga = new FGA(client)
  client.mfa = new Mfa(client)
  client.organizations = new Organizations(client)
  client.organizationDomains = new OrganizationDomains(client)
  client.passwordless = new Passwordless(client)
  client.pipes = new Pipes(client)
  client.portal = new Portal(client)
  client.sso = new SSO(client)
  client.vault = new Vault(client)
  client.widgets = new Widgets(client)
  client.clientId = clientId
  client.baseURL = nativeClient.baseUrl
  client.webhooks = new Webhooks(client)
  client.actions = new Actions(client)
  client.userManagement = new UserManagement(client)
  return client
}

/**
 * Wraps the native client a provider built (its API location already resolved from config and env),
 * with the options 1.x gave its SDK instance (`new WorkOS(apiKey, { clientId })`).
 */
function fromNative(nativeClient, apiKey, clientId) {
  return attach(Object.create(WorkOS.prototype), nativeClient, apiKey, { clientId, https: true }, clientId)
}

module.exports = { WorkOS, AutoPaginatable, FgaPaginatable, CheckResult, CookieSession, fromNative }
