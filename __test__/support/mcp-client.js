'use strict'
/**
 * Test support: a real MCP client (@modelcontextprotocol/sdk 1.x) that goes through the whole OAuth
 * flow on its own, plus a bare JSON-RPC helper for high-concurrency tests.
 *
 * `connectWithOAuth()` gives the SDK nothing but the MCP URL. The SDK discovers everything itself:
 * 401 + `WWW-Authenticate: Bearer resource_metadata="<absolute URL>"` -> protected-resource metadata ->
 * authorization-server metadata -> dynamic client registration -> authorize (PKCE) -> token. The
 * "browser" step is a `fetch(url, { redirect: 'manual' })` against the authorization endpoint (the
 * emulator logs the user in at once and answers 302 to the redirect URL with `?code=`); the redirect
 * URL itself is never contacted.
 */
const { Client } = require('@modelcontextprotocol/sdk/client/index.js')
const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js')
const { UnauthorizedError } = require('@modelcontextprotocol/sdk/client/auth.js')

const REDIRECT_URL = 'http://127.0.0.1:9/callback'

/** An in-memory OAuthClientProvider whose "user agent" is a manual-redirect fetch. */
class InMemoryOAuthProvider {
  constructor({ clientName = 'xmcp-workos-test', redirectUrl = REDIRECT_URL, onStep = () => {}, scope } = {}) {
    this._redirectUrl = redirectUrl
    this._clientName = clientName
    this._scope = scope
    this._onStep = onStep
    this._clientInformation = undefined
    this._tokens = undefined
    this._codeVerifier = undefined
    /** The authorization code captured by the last redirectToAuthorization(). */
    this.authorizationCode = undefined
    /** The authorization URL the SDK built (for assertions). */
    this.lastAuthorizationUrl = undefined
  }

  get redirectUrl() {
    return this._redirectUrl
  }

  get clientMetadata() {
    return {
      client_name: this._clientName,
      redirect_uris: [this._redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...(this._scope === undefined ? {} : { scope: this._scope }),
    }
  }

  clientInformation() {
    return this._clientInformation
  }

  saveClientInformation(info) {
    this._clientInformation = info
    this._onStep('register', `dynamic client registration -> client_id ${info.client_id}`)
  }

  tokens() {
    return this._tokens
  }

  saveTokens(tokens) {
    this._tokens = tokens
    this._onStep('token', `token endpoint -> ${tokens.token_type} access token (expires_in ${tokens.expires_in})`)
  }

  saveCodeVerifier(codeVerifier) {
    this._codeVerifier = codeVerifier
  }

  codeVerifier() {
    if (!this._codeVerifier) throw new Error('No code verifier saved')
    return this._codeVerifier
  }

  invalidateCredentials(scope) {
    if (scope === 'all' || scope === 'client') this._clientInformation = undefined
    if (scope === 'all' || scope === 'tokens') this._tokens = undefined
    if (scope === 'all' || scope === 'verifier') this._codeVerifier = undefined
  }

  async redirectToAuthorization(authorizationUrl) {
    const url = new URL(authorizationUrl)
    this.lastAuthorizationUrl = url
    this._onStep('authorize', `authorize ${url.origin}${url.pathname} (PKCE ${url.searchParams.get('code_challenge_method')})`)
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) })
    const body = await res.text()
    const location = res.headers.get('location')
    if (res.status < 300 || res.status >= 400 || !location) {
      throw new Error(`authorize: expected a redirect, got ${res.status}: ${body.slice(0, 500)}`)
    }
    const target = new URL(location)
    if (`${target.origin}${target.pathname}` !== new URL(this._redirectUrl).href) {
      throw new Error(`authorize: redirected to an unexpected URL: ${location}`)
    }
    const error = target.searchParams.get('error')
    if (error) throw new Error(`authorize: ${error} ${target.searchParams.get('error_description') ?? ''}`.trim())
    const code = target.searchParams.get('code')
    if (!code) throw new Error(`authorize: no code in ${location}`)
    this.authorizationCode = code
    this._onStep('authorize', `authorization code received (302 -> ${target.origin}${target.pathname})`)
  }
}

/** A fetch that reports the discovery requests the SDK makes (for the demo's step log). */
function loggingFetch(onStep) {
  return async (input, init) => {
    const res = await fetch(input, init)
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url)
    const method = (init && init.method) || (input && input.method) || 'GET'
    if (res.status === 401 || res.status === 403) {
      onStep(String(res.status), `${method} ${url.pathname} -> ${res.status}, WWW-Authenticate: ${res.headers.get('www-authenticate')}`)
    } else if (url.pathname.startsWith('/.well-known/')) {
      onStep('discovery', `${method} ${url.href} -> ${res.status}`)
    }
    return res
  }
}

/**
 * Calls a tool, completing a step-up authorization the client starts on a 403 `insufficient_scope`.
 * The SDK answers that 403 by authorizing again with the scopes the challenge names; for an
 * interactive client that ends in a redirect (here, the provider's manual-redirect fetch), after which
 * the application redeems the code (`finishAuth`) and calls again, as the SDK's examples do.
 * @returns {Promise<{ result: object, steppedUp: boolean, scope: string | null }>}
 */
async function callToolWithStepUp({ client, transport, provider }, sdk, name, args = {}) {
  provider.authorizationCode = undefined
  try {
    return { result: await client.callTool({ name, arguments: args }), steppedUp: false, scope: null }
  } catch (err) {
    if (!(err instanceof sdk.UnauthorizedError) || !provider.authorizationCode) throw err
    await transport.finishAuth(provider.authorizationCode)
    const scope = provider.lastAuthorizationUrl ? provider.lastAuthorizationUrl.searchParams.get('scope') : null
    return { result: await client.callTool({ name, arguments: args }), steppedUp: true, scope }
  }
}

/**
 * Connects a real MCP client to `mcpUrl`, doing the OAuth flow on the first 401.
 * @param {string|URL} mcpUrl e.g. http://127.0.0.1:3002/mcp
 * @param {{ clientName?: string, onStep?: (step: string, detail: string) => void, timeoutMs?: number, scope?: string }} [options]
 * @returns {Promise<{ client: Client, transport: StreamableHTTPClientTransport, provider: InMemoryOAuthProvider, close: () => Promise<void> }>}
 */
async function connectWithOAuth(mcpUrl, { clientName = 'xmcp-workos-test', onStep = () => {}, timeoutMs = 30_000, scope } = {}) {
  const url = new URL(mcpUrl)
  const provider = new InMemoryOAuthProvider({ clientName, onStep, scope })
  const fetchFn = loggingFetch(onStep)
  const makeTransport = () => new StreamableHTTPClientTransport(url, { authProvider: provider, fetch: fetchFn })
  const makeClient = () => new Client({ name: clientName, version: '1.0.0' })

  const deadline = Date.now() + timeoutMs
  const bounded = (promise, what) =>
    Promise.race([
      promise,
      new Promise((_, reject) => {
        const t = setTimeout(() => reject(new Error(`${what} timed out`)), Math.max(1, deadline - Date.now()))
        t.unref()
      }),
    ])

  let transport = makeTransport()
  let client = makeClient()
  try {
    await bounded(client.connect(transport), 'MCP connect')
  } catch (err) {
    if (!(err instanceof UnauthorizedError)) throw err
    if (!provider.authorizationCode) throw new Error(`OAuth flow stopped before an authorization code: ${err.message}`)
    await bounded(transport.finishAuth(provider.authorizationCode), 'finishAuth')
    await client.close().catch(() => {})
    // As in the SDK's OAuth examples: a fresh transport with the same (now authorized) provider.
    transport = makeTransport()
    client = makeClient()
    await bounded(client.connect(transport), 'MCP reconnect')
  }
  onStep('connected', `MCP initialize OK (server ${JSON.stringify(client.getServerVersion())})`)
  return {
    client,
    transport,
    provider,
    close: () => client.close(),
  }
}

/** Parses a Streamable HTTP response body: JSON, or SSE `data:` events; returns the JSON-RPC message with `id`. */
function parseRpcResponse(contentType, text, id) {
  const messages = []
  if (/text\/event-stream/i.test(contentType || '')) {
    for (const event of text.split(/\r?\n\r?\n/)) {
      const data = event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n')
      if (data) messages.push(JSON.parse(data))
    }
  } else if (text.trim()) {
    const parsed = JSON.parse(text)
    messages.push(...(Array.isArray(parsed) ? parsed : [parsed]))
  }
  return messages.find((m) => m && m.id === id) ?? messages[messages.length - 1]
}

let nextId = 1

async function postRpc(mcpUrl, token, message, sessionId) {
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-06-18',
  }
  if (token) headers.authorization = `Bearer ${token}`
  if (sessionId) headers['mcp-session-id'] = sessionId
  const res = await fetch(mcpUrl, { method: 'POST', headers, body: JSON.stringify(message), signal: AbortSignal.timeout(30_000) })
  const text = await res.text()
  return { res, text }
}

/**
 * One JSON-RPC `tools/call` with plain fetch. xmcp 1.1.3's HTTP transport is stateless (no
 * initialize or session id needed, measured); if a server answers that it needs one, this does an
 * initialize first and retries with the session id it got.
 * @returns {Promise<{ status: number, result?: object, error?: object, text: string, message?: object }>}
 */
async function callToolRaw(mcpUrl, token, name, args = {}) {
  const id = nextId++
  const call = { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }
  let { res, text } = await postRpc(mcpUrl, token, call)
  if (res.status === 400 && /session|initializ/i.test(text)) {
    const init = await postRpc(mcpUrl, token, {
      jsonrpc: '2.0',
      id: nextId++,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'callToolRaw', version: '1.0.0' } },
    })
    const sessionId = init.res.headers.get('mcp-session-id') ?? undefined
    await postRpc(mcpUrl, token, { jsonrpc: '2.0', method: 'notifications/initialized' }, sessionId)
    ;({ res, text } = await postRpc(mcpUrl, token, call, sessionId))
  }
  if (!res.ok) return { status: res.status, text, headers: res.headers }
  const message = parseRpcResponse(res.headers.get('content-type'), text, id)
  return { status: res.status, result: message && message.result, error: message && message.error, message, text, headers: res.headers }
}

/** The concatenated text content of a tools/call result. */
function toolText(result) {
  if (!result || !Array.isArray(result.content)) throw new Error(`Not a tool result: ${JSON.stringify(result)}`)
  return result.content
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('')
}

module.exports = { connectWithOAuth, callToolWithStepUp, callToolRaw, toolText, parseRpcResponse, InMemoryOAuthProvider, REDIRECT_URL }
