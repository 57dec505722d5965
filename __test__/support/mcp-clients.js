'use strict'
/**
 * Test support for __test__/clients.test.js: the official TypeScript MCP clients, each doing the whole
 * OAuth flow on its own, with every HTTP exchange they make recorded.
 *
 * - `connectV1()`: `@modelcontextprotocol/sdk` 1.x (`StreamableHTTPClientTransport` + `OAuthClientProvider`).
 * - `connectV2()`: `@modelcontextprotocol/client` 2.x, which validates the authorization server metadata's
 *   `issuer` strictly and binds stored credentials to that issuer (`discoveryState`).
 *
 * Both get nothing but the MCP URL. The "browser" of the authorization step is the provider of
 * support/mcp-client.js: a manual-redirect fetch of the authorization URL (the emulator logs the user in at
 * once and answers 302 with `?code=`). After it, as in the SDKs' OAuth examples, `finishAuth(code)` redeems
 * the code and a fresh transport connects with the now authorized provider.
 *
 * The record (`log`): one entry per exchange through the client's fetch, `{ method, url, status,
 * authorization, wwwAuthenticate, headerResourceMetadata?, body? }` (`body`: the JSON of a 200
 * `/.well-known/` document, `authorization`: 'Bearer' when the request carried a bearer token,
 * `headerResourceMetadata`: on a 401, the `resource_metadata` URL the SDK's parser reads from the header).
 */
const v1 = {
  ...require('@modelcontextprotocol/sdk/client/index.js'),
  ...require('@modelcontextprotocol/sdk/client/streamableHttp.js'),
  ...require('@modelcontextprotocol/sdk/client/auth.js'),
}
const v2 = require('@modelcontextprotocol/client')
const { InMemoryOAuthProvider } = require('./mcp-client.js')

const TIMEOUT_MS = 30_000

/**
 * A fetch that records each exchange into `log`. For a 401 it also records what the SDK's own parser
 * (`extractWWWAuthenticateParams`, what its transport calls) reads as `resource_metadata` from the header.
 */
function recordingFetch(log, sdk) {
  return async (input, init = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const method = init.method || (input && typeof input === 'object' && input.method) || 'GET'
    const headers = new Headers(init.headers || (input instanceof Request ? input.headers : undefined))
    const res = await fetch(input, init)
    const entry = {
      method,
      url,
      status: res.status,
      authorization: /^Bearer /i.test(headers.get('authorization') || '') ? 'Bearer' : null,
      wwwAuthenticate: res.headers.get('www-authenticate'),
    }
    if (res.status === 401) entry.headerResourceMetadata = sdk.extractWWWAuthenticateParams(res).resourceMetadataUrl?.href ?? null
    if (new URL(url).pathname.includes('/.well-known/') && res.status === 200) {
      entry.body = await res
        .clone()
        .json()
        .catch(() => null)
    }
    log.push(entry)
    return res
  }
}

/** The 2.x provider: the 1.x one plus the discovery state 2.x keeps between the two legs of the flow. */
class InMemoryOAuthProviderV2 extends InMemoryOAuthProvider {
  saveDiscoveryState(state) {
    this._discoveryState = state
  }

  discoveryState() {
    return this._discoveryState
  }

  invalidateCredentials(scope) {
    super.invalidateCredentials(scope)
    if (scope === 'all' || scope === 'discovery') this._discoveryState = undefined
  }
}

function bounded(promise, what, timeoutMs = TIMEOUT_MS) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms`)), timeoutMs)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Connects, doing the OAuth flow on the first 401.
 * @returns {Promise<{ client, provider, log: object[], close: () => Promise<void> }>}
 */
async function connectWith(sdk, Provider, mcpUrl, { clientName, scope }) {
  const url = new URL(mcpUrl)
  const log = []
  const provider = new Provider({ clientName, scope })
  const connect = async () => {
    const transport = new sdk.StreamableHTTPClientTransport(url, { authProvider: provider, fetch: recordingFetch(log, sdk) })
    const client = new sdk.Client({ name: clientName, version: '1.0.0' })
    try {
      await bounded(client.connect(transport), `${clientName}: connect`)
      return { client, transport }
    } catch (err) {
      await client.close().catch(() => {})
      err.transport = transport
      throw err
    }
  }
  let connection
  try {
    connection = await connect()
  } catch (err) {
    if (!(err instanceof sdk.UnauthorizedError)) throw err
    if (!provider.authorizationCode) throw new Error(`${clientName}: the OAuth flow stopped before a code: ${err.message}`)
    await bounded(err.transport.finishAuth(provider.authorizationCode), `${clientName}: finishAuth`)
    connection = await connect()
  }
  const { client, transport } = connection
  return { client, transport, provider, log, close: () => client.close() }
}

/** `@modelcontextprotocol/sdk` 1.x; `scope`: what its client metadata asks for when the server names none. */
function connectV1(mcpUrl, { clientName = 'xmcp-workos-sdk-v1', scope } = {}) {
  return connectWith(v1, InMemoryOAuthProvider, mcpUrl, { clientName, scope })
}

/** `@modelcontextprotocol/client` 2.x. */
function connectV2(mcpUrl, { clientName = 'xmcp-workos-client-v2', scope } = {}) {
  return connectWith(v2, InMemoryOAuthProviderV2, mcpUrl, { clientName, scope })
}

module.exports = { connectV1, connectV2, recordingFetch, v1, v2 }
