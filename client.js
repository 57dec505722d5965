'use strict'
// `WorkOS`: the @workos-inc/node 7.x client shape over the native (Rust) client. Every HTTP call,
// serialization, query and retry happens in Rust (src/workos/); this file maps the SDK's method names
// and arguments to native calls, turns `Date` arguments into ISO strings, wraps lists in
// `AutoPaginatable`, and turns failures into the SDK's exceptions (errors.js).
const native = require('./native.js')
const { exceptions, toException } = require('./errors.js')

const { NoApiKeyProvidedException } = exceptions

const NATIVE = Symbol('workos.native')

/** Calls a native method; a failure (or an argument it cannot take) becomes a rejection. */
async function call(owner, method, ...args) {
  const result = await owner[NATIVE][method](...args)
  if (result.error) throw toException(result.error)
  return result.data
}

/** Calls a synchronous native method (`getAuthorizationUrl`, `getJwksUrl`). */
function callSync(owner, method, ...args) {
  const result = owner[NATIVE][method](...args)
  if (result.warning) process.emitWarning(result.warning, 'WorkOS')
  if (result.error) throw toException(result.error)
  return result.data
}

/** `String(id)`, as the SDK's template literals write path parameters. */
const id = (value) => String(value)

/** `value.toISOString()` for the SDK's `Date` arguments, with the TypeError it would throw. */
function isoString(value, expression) {
  if (value == null) throw new TypeError(`Cannot read properties of ${value} (reading 'toISOString')`)
  if (typeof value.toISOString !== 'function') throw new TypeError(`${expression}.toISOString is not a function`)
  return value.toISOString()
}

/**
 * The list object of @workos-inc/node (`AutoPaginatable`): own `list`, `apiCall`, `object` and
 * `options` (so `JSON.stringify` writes the same), `data` and `listMetadata` getters, and
 * `autoPagination()`. Where to walk from is decided natively; the walk does not fetch the first page
 * again.
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
    return this.apiCall()
  }
}

/** A list method: the first page, wrapped; `autoPagination()` asks Rust for the rest. */
async function list(owner, method, ...args) {
  const page = await call(owner, method, ...args, null)
  const walk = page.walk
  const apiCall = async () => {
    if (!walk) return page.list.data
    if (walk.continues && !walk.after) return [...page.list.data]
    const rest = await call(owner, method, ...args, walk)
    return walk.continues ? [...page.list.data, ...rest] : rest
  }
  return new AutoPaginatable(page.list, apiCall, page.options)
}

class Module {
  constructor(nativeClient) {
    Object.defineProperty(this, NATIVE, { value: nativeClient })
  }
}

class UserManagement extends Module {
  getUser(userId) {
    return call(this, 'userManagementGetUser', id(userId))
  }

  getUserByExternalId(externalId) {
    return call(this, 'userManagementGetUserByExternalId', id(externalId))
  }

  listUsers(options) {
    return list(this, 'userManagementListUsers', options)
  }

  createUser(payload) {
    return call(this, 'userManagementCreateUser', payload)
  }

  updateUser(payload) {
    return call(this, 'userManagementUpdateUser', id(payload?.userId), payload)
  }

  deleteUser(userId) {
    return call(this, 'userManagementDeleteUser', id(userId))
  }

  listOrganizationMemberships(options) {
    return list(this, 'userManagementListOrganizationMemberships', options)
  }

  getOrganizationMembership(organizationMembershipId) {
    return call(this, 'userManagementGetOrganizationMembership', id(organizationMembershipId))
  }

  createOrganizationMembership(options) {
    return call(this, 'userManagementCreateOrganizationMembership', options)
  }

  updateOrganizationMembership(organizationMembershipId, options) {
    return call(this, 'userManagementUpdateOrganizationMembership', id(organizationMembershipId), options)
  }

  deleteOrganizationMembership(organizationMembershipId) {
    return call(this, 'userManagementDeleteOrganizationMembership', id(organizationMembershipId))
  }

  deactivateOrganizationMembership(organizationMembershipId) {
    return call(this, 'userManagementSetOrganizationMembershipActive', id(organizationMembershipId), false)
  }

  reactivateOrganizationMembership(organizationMembershipId) {
    return call(this, 'userManagementSetOrganizationMembershipActive', id(organizationMembershipId), true)
  }

  listSessions(userId, options) {
    return list(this, 'userManagementListSessions', id(userId), options)
  }

  revokeSession(payload) {
    return call(this, 'userManagementRevokeSession', payload)
  }

  getUserIdentities(userId) {
    return call(this, 'userManagementGetUserIdentities', userId ? id(userId) : '')
  }

  sendInvitation(payload) {
    return call(this, 'userManagementSendInvitation', payload)
  }

  listInvitations(options) {
    return list(this, 'userManagementListInvitations', options)
  }

  getInvitation(invitationId) {
    return call(this, 'userManagementGetInvitation', id(invitationId))
  }

  findInvitationByToken(invitationToken) {
    return call(this, 'userManagementFindInvitationByToken', id(invitationToken))
  }

  acceptInvitation(invitationId) {
    return call(this, 'userManagementInvitationAction', id(invitationId), 'accept')
  }

  revokeInvitation(invitationId) {
    return call(this, 'userManagementInvitationAction', id(invitationId), 'revoke')
  }

  resendInvitation(invitationId) {
    return call(this, 'userManagementInvitationAction', id(invitationId), 'resend')
  }

  getJwksUrl(clientId) {
    return callSync(this, 'userManagementGetJwksUrl', clientId ? id(clientId) : '')
  }

  getAuthorizationUrl(options) {
    return callSync(this, 'userManagementGetAuthorizationUrl', options)
  }
}

class Organizations extends Module {
  listOrganizations(options) {
    return list(this, 'organizationsListOrganizations', options)
  }

  createOrganization(payload, requestOptions = {}) {
    const key = requestOptions?.idempotencyKey
    return call(this, 'organizationsCreateOrganization', payload, key ? id(key) : undefined)
  }

  deleteOrganization(organizationId) {
    return call(this, 'organizationsDeleteOrganization', id(organizationId))
  }

  getOrganization(organizationId) {
    return call(this, 'organizationsGetOrganization', id(organizationId))
  }

  getOrganizationByExternalId(externalId) {
    return call(this, 'organizationsGetOrganizationByExternalId', id(externalId))
  }

  updateOrganization(options) {
    return call(this, 'organizationsUpdateOrganization', id(options?.organization), options)
  }

  listOrganizationRoles(options) {
    return call(this, 'organizationsListOrganizationRoles', id(options?.organizationId))
  }
}

class DirectorySync extends Module {
  listDirectories(options) {
    return list(this, 'directorySyncListDirectories', options)
  }

  getDirectory(directoryId) {
    return call(this, 'directorySyncGetDirectory', id(directoryId))
  }

  deleteDirectory(directoryId) {
    return call(this, 'directorySyncDeleteDirectory', id(directoryId))
  }

  listGroups(options) {
    return list(this, 'directorySyncListGroups', options)
  }

  listUsers(options) {
    return list(this, 'directorySyncListUsers', options)
  }

  getUser(user) {
    return call(this, 'directorySyncGetUser', id(user))
  }

  getGroup(group) {
    return call(this, 'directorySyncGetGroup', id(group))
  }
}

class AuditLogs extends Module {
  async createEvent(organization, event, options = {}) {
    const key = options?.idempotencyKey
    const withDate = event == null ? event : { ...event, occurredAt: isoString(event.occurredAt, 'event.occurredAt') }
    return call(this, 'auditLogsCreateEvent', organization, withDate, key ? id(key) : undefined)
  }

  async createExport(options) {
    const rangeEnd = isoString(options?.rangeEnd, 'options.rangeEnd')
    const rangeStart = isoString(options?.rangeStart, 'options.rangeStart')
    return call(this, 'auditLogsCreateExport', { ...options, rangeStart, rangeEnd })
  }

  getExport(auditLogExportId) {
    return call(this, 'auditLogsGetExport', id(auditLogExportId))
  }
}

class SSO extends Module {
  listConnections(options) {
    return list(this, 'ssoListConnections', options)
  }

  deleteConnection(connectionId) {
    return call(this, 'ssoDeleteConnection', id(connectionId))
  }

  getAuthorizationUrl(options) {
    return callSync(this, 'ssoGetAuthorizationUrl', options)
  }

  getConnection(connectionId) {
    return call(this, 'ssoGetConnection', id(connectionId))
  }

  getProfileAndToken(options) {
    return call(this, 'ssoGetProfileAndToken', options)
  }

  getProfile(options) {
    const token = options?.accessToken
    return call(this, 'ssoGetProfile', token ? id(token) : undefined)
  }
}

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
    const { apiHostname, port, timeout, appInfo, config } = options
    this.key = apiKey
    this.options = options
    this.clientId = options.clientId || process.env.WORKOS_CLIENT_ID
    const headers = config && config.headers
    const nativeOptions = { apiHostname, https: Boolean(options.https), port: port ? Number(port) : undefined, timeout, appInfo, headers }
    attach(this, new native.NativeWorkOS(String(apiKey), nativeOptions))
  }
}

function attach(client, nativeClient) {
  Object.defineProperty(client, NATIVE, { value: nativeClient })
  client.baseURL = nativeClient.baseUrl
  client.auditLogs = new AuditLogs(nativeClient)
  client.directorySync = new DirectorySync(nativeClient)
  client.organizations = new Organizations(nativeClient)
  client.sso = new SSO(nativeClient)
  client.userManagement = new UserManagement(nativeClient)
  return client
}

/** Wraps the native client a provider built (its API location already resolved from config and env). */
function fromNative(nativeClient, apiKey, clientId) {
  const client = Object.create(WorkOS.prototype)
  client.key = apiKey
  client.options = {}
  client.clientId = clientId
  return attach(client, nativeClient)
}

module.exports = { WorkOS, AutoPaginatable, fromNative }
