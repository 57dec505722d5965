'use strict'
// `WorkOS`: the @workos-inc/node 7.x client shape over the native (Rust) client. Every HTTP call is
// made in Rust; this file only maps method names to native calls and results to values or exceptions.
const native = require('./native.js')
const { exceptions, toException } = require('./errors.js')

const { NoApiKeyProvidedException } = exceptions

const NATIVE = Symbol('workos.native')

async function unwrap(pending) {
  const result = await pending
  if (result.error) throw toException(result.error)
  return result.data
}

class UserManagement {
  constructor(client) {
    this[NATIVE] = client
  }

  /** `GET /user_management/users/{userId}`. */
  getUser(userId) {
    return unwrap(this[NATIVE].userManagementGetUser(String(userId)))
  }
}

class WorkOS {
  /**
   * @param {string} [key] API key; `WORKOS_API_KEY` when omitted.
   * @param {{ apiHostname?: string, https?: boolean, port?: number, timeout?: number, clientId?: string }} [options]
   */
  constructor(key, options = {}) {
    const apiKey = key || process.env.WORKOS_API_KEY
    if (!apiKey) throw new NoApiKeyProvidedException()
    if (options.https === undefined) options.https = true
    const { apiHostname, https, port, timeout } = options
    this.key = apiKey
    this.options = options
    this.clientId = options.clientId || process.env.WORKOS_CLIENT_ID
    attach(this, new native.NativeWorkOS(apiKey, { apiHostname, https, port, timeout }))
  }
}

function attach(client, nativeClient) {
  Object.defineProperty(client, NATIVE, { value: nativeClient })
  client.baseURL = nativeClient.baseUrl
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

module.exports = { WorkOS, fromNative }
