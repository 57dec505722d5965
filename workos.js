'use strict'
// `WorkOS`: the `WorkOS` class of @workos-inc/node itself, with its HTTP in Rust (src/workos/).
//
// Everything but the wire is the SDK's own code: its modules, deserializers, pagination, sealed
// sessions, webhooks, vault and exceptions. What this file changes is the seam 7.x ships for it:
// `createHttpClient()` returns the SDK's fetch client with a `fetch` that is the native transport (one
// pool, timeouts, retries with backoff and `Retry-After`, an `Idempotency-Key` on every POST, custom CAs
// and proxies). On top of that seam it keeps what this package did better than 7.x: the API key lives in
// the transport (and behind an accessor no dump reaches), a path that would resolve elsewhere than it
// reads is refused before any request, the instance's `get`/`post`/`put`/`delete` never send the key to
// another origin, `requestID` is the answer's `X-Request-ID`, an unparseable 2xx body is a `ParseError`,
// and sealed-session checks download AuthKit's keys through the transport too.
const { createPublicKey } = require('node:crypto')
const { STATUS_CODES } = require('node:http')
const { WorkOS: SdkWorkOS } = require('@workos-inc/node')
const native = require('./native.js')

/**
 * The SDK's fetch client, whose request building and answer handling (`HttpClientError`, `ParseError`,
 * `toJSON()`) this client keeps. 7.x does not export the class: it is what its `createHttpClient()`
 * builds (no request is made).
 */
const FetchHttpClient = SdkWorkOS.prototype.createHttpClient.call({ baseURL: 'https://api.workos.com' }, {}, '').constructor
if (typeof FetchHttpClient.prototype.fetchRequest !== 'function' || typeof FetchHttpClient.prototype.shouldRetryRequest !== 'function') {
  throw new Error(
    `[WorkOS] @workos-inc/node ${new SdkWorkOS('probe').version} does not have the HTTP client this package builds on (7.79.3 to 7.82.0 do)`,
  )
}

/** Decodes a body as fetch's `text()` does (UTF-8, a leading BOM dropped). */
const decoder = new TextDecoder()

/** Refuses a path the SDK or a caller hands over that would not stay where it reads, or not on the API. */
function checkPath(baseURL, path) {
  const asked = `${path}`
  let rest = asked
  const refuse = (why) => {
    throw new TypeError(`[WorkOS] refused to send ${JSON.stringify(asked)}: ${why}`)
  }
  if (!rest.startsWith('/') || rest.startsWith('//')) {
    // An absolute URL (the SDK's vault list builds one) must be on the API's origin; it carries its own query.
    const scheme = rest.indexOf('://')
    let url
    try {
      url = new URL(rest)
    } catch {
      refuse(`not a path or a URL on ${baseURL}`)
    }
    if (scheme < 0 || url.origin !== new URL(baseURL).origin || url.username || url.password)
      refuse(`not on ${baseURL} (the API key goes only to the API)`)
    const at = rest.indexOf('/', scheme + 3)
    rest = at < 0 ? '' : rest.slice(at)
    if (rest.includes('#')) refuse("a URL with '#'")
    rest = rest.split('?')[0]
  }
  if (/[?#\\\u0000-\u001f\u007f]/.test(rest)) refuse("a path with '?', '#', '\\' or a control character")
  for (const segment of rest.slice(1).split('/')) {
    if (['', '.', '..'].includes(segment.replace(/%2e/gi, '.'))) refuse("a path segment that is empty, '.' or '..'")
  }
}

/**
 * What the SDK's fetch client reads of a fetch `Response`, for one native answer: `ok`, `status`,
 * `statusText`, `headers`, `text()`, `json()` (`JSON.parse` of the text, as fetch's). The text can be
 * read again after `json()` failed, so the SDK's `handleParseError` builds its `ParseError`.
 */
class NativeResponse {
  #text
  constructor(status, headers, text) {
    this.status = status
    this.ok = status >= 200 && status < 300
    this.statusText = STATUS_CODES[status] ?? ''
    this.headers = headers
    this.#text = text
  }
  text() {
    return Promise.resolve(this.#text)
  }
  json() {
    return this.text().then((text) => JSON.parse(text))
  }
}

/** A native reply as a response (`X-Request-ID` also readable as `headers['X-Request-ID']`, which 7.x's `handleHttpError` reads). */
function responseOf(reply) {
  const headers = new Headers()
  for (const [name, value] of reply.headers) headers.append(name, value)
  const type = headers.get('content-type') ?? ''
  const text = decoder.decode(reply.body)
  // 7.x's toJSON() reads a body that is not declared JSON as `null`, which its deserializers then fail
  // on with a TypeError; read as JSON, such a body is the method's `ParseError` instead.
  if (reply.status >= 200 && reply.status < 300 && text !== '' && !type.includes('application/json'))
    headers.set('content-type', 'application/json')
  Object.defineProperty(headers, 'X-Request-ID', { value: headers.get('x-request-id') ?? undefined })
  return new NativeResponse(reply.status, headers, text)
}

/** `fetch(url, init)` over the native transport: an answer of any status, or what fetch throws. */
async function nativeFetch(transport, url, { method, headers, body }) {
  const reply = await transport.fetch({
    method,
    url: `${url}`,
    headers: Object.entries(headers ?? {}).map(([name, value]) => [name, `${value}`]),
    body: body === undefined || body === null ? undefined : `${body}`,
  })
  switch (reply.failure) {
    case undefined:
    case null:
      return responseOf(reply)
    case 'timeout':
      // As fetch's abort: the SDK answers it as a 408 `Request timeout`.
      throw new DOMException(reply.detail, 'AbortError')
    case 'network':
      throw new TypeError('fetch failed', { cause: new Error(reply.detail) })
    case 'invalid_argument':
      throw new TypeError(reply.detail)
    default:
      throw new Error(`[WorkOS] ${reply.detail}`)
  }
}

/** The SDK's fetch client over the native transport; the transport retries, so this client does not. */
class NativeHttpClient extends FetchHttpClient {
  constructor(baseURL, options, transport) {
    super(baseURL, options, (url, init) => nativeFetch(transport, url, init))
  }
  getClientName() {
    return 'native'
  }
  shouldRetryRequest() {
    return false
  }
}
/** `Class.prototype[method]`s that check the path first, then do what the SDK's `Base.prototype[method]` does. */
function checkedMethods(Class, Base) {
  for (const method of ['get', 'post', 'put', 'delete']) {
    const checked = {
      async [method](path, ...rest) {
        checkPath(this.baseURL, path)
        return Base.prototype[method].call(this, path, ...rest)
      },
    }[method]
    Object.defineProperty(Class.prototype, method, { value: checked, writable: true, configurable: true })
  }
}
checkedMethods(NativeHttpClient, FetchHttpClient)

/** JWKS downloads of `isValidJwt` / sealed sessions, as the SDK's jose key set (5 min cooldown, 10 min max age), but through the transport. */
function keySetOf(workos) {
  let keys
  let loadedAt = 0
  let loading
  const load = () =>
    (loading ??= workos
      .get(workos.userManagement.getJwksUrl(workos.userManagement.clientId))
      .then(({ data }) => {
        keys = Array.isArray(data?.keys) ? data.keys : []
        loadedAt = Date.now()
      })
      .finally(() => (loading = undefined)))
  const find = ({ kid, alg }) =>
    keys.filter((k) => k.kty === 'RSA' && (k.use ?? 'sig') === 'sig' && (kid === undefined || k.kid === kid) && (!k.alg || k.alg === alg))
  return async function getKey(header) {
    if (!keys || Date.now() - loadedAt > 10 * 60 * 1000) await load()
    let found = find(header)
    if (found.length === 0 && Date.now() - loadedAt > 5 * 60 * 1000) {
      await load()
      found = find(header)
    }
    if (found.length !== 1) throw new Error(found.length ? 'multiple matching keys' : 'no applicable key found in the JSON Web Key Set')
    return createPublicKey({ key: found[0], format: 'jwk' })
  }
}

/** Per client, its API key (`client.key` reads it): never an own property, so no dump shows it. */
const keys = new WeakMap()
/** The provider's transport, for the one instance `fromNative()` is building. */
let handoff

class WorkOS extends SdkWorkOS {
  /** `new WorkOS(key?, options?)`: 7.x's constructor; every request goes through the native transport. */
  constructor(key, options) {
    super(key, options)
    Object.defineProperty(this.userManagement, '_jwks', { value: keySetOf(this), writable: true, configurable: true })
  }

  /** @override The SDK's fetch client over the native transport (the key stays in the transport). */
  createHttpClient(options, userAgent) {
    const transport =
      handoff ??
      new native.NativeWorkOS(`${this.key}`, {
        apiHostname: options.apiHostname || undefined,
        https: options.https,
        port: options.port || undefined,
        timeout: options.timeout,
      })
    handoff = undefined
    if (new URL(transport.baseUrl).origin !== new URL(this.baseURL).origin)
      throw new Error(`[WorkOS] the native transport's base URL ${transport.baseUrl} is not ${this.baseURL}`)
    // 7.x lets the key win over a configured Authorization header; here the transport adds it.
    const configured = Object.entries({ ...options.config?.headers }).filter(([name]) => name.toLowerCase() !== 'authorization')
    const headers = { ...Object.fromEntries(configured), 'User-Agent': userAgent }
    return new NativeHttpClient(this.baseURL, { ...options.config, timeout: options.timeout, headers }, transport)
  }
}
// The instance's own get/post/put/delete (every module calls them) refuse a bad path with a plain TypeError.
checkedMethods(WorkOS, SdkWorkOS)

// `key` is an accessor on a prototype layer whose `constructor` is `Object`, where `util.inspect` stops
// (with `showHidden` and `getters` it calls the getters of the layers above that one).
Object.setPrototypeOf(
  WorkOS.prototype,
  Object.create(SdkWorkOS.prototype, {
    constructor: { value: Object },
    key: {
      get() {
        return keys.get(this)
      },
      set(value) {
        keys.set(this, value)
      },
    },
  }),
)

/** The client of `workosProvider()`: its transport built from the provider config (location from config and env). */
function fromNative(transport, apiKey, clientId) {
  const { hostname, port, protocol } = new URL(transport.baseUrl)
  handoff = transport
  try {
    return new WorkOS(apiKey, { clientId, apiHostname: hostname, port: port ? Number(port) : undefined, https: protocol === 'https:' })
  } finally {
    handoff = undefined
  }
}

module.exports = { WorkOS, fromNative }
