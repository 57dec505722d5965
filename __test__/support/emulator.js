'use strict'

/**
 * Local emulator of WorkOS AuthKit (OAuth 2.1 authorization server + JWKS) and
 * the WorkOS REST API (./workos-api.js: what the tests and the demo call: users, organizations, roles,
 * memberships, the sealed-session key set).
 *
 * Test support only: listens on 127.0.0.1, uses Node built-ins only, keeps all
 * state in memory. Tokens are real RS256 JWTs signed with crypto.sign and the
 * JWKS is the real public key exported with `key.export({ format: 'jwk' })`.
 */

const http = require('node:http')
const crypto = require('node:crypto')
const { URLSearchParams } = require('node:url')
const { WorkOsApi } = require('./workos-api')

const DEFAULT_USER_ID = 'user_01EMU'
const SCOPES_SUPPORTED = ['openid', 'profile', 'email', 'offline_access']
const DEFAULT_SCOPE = SCOPES_SUPPORTED.join(' ')
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'
const AUTH_METHODS = ['none', 'client_secret_post']
const MAX_BODY_BYTES = 1024 * 1024

// JWS alg -> how to sign. RS*/PS* default to the emulator's RSA key, HS* default to
// the public key PEM as the HMAC secret (the classic alg-confusion attack), ES* need `key`.
const ALGS = {
  RS256: { hash: 'sha256' },
  RS384: { hash: 'sha384' },
  RS512: { hash: 'sha512' },
  PS256: { hash: 'sha256', padding: crypto.constants.RSA_PKCS1_PSS_PADDING },
  PS384: { hash: 'sha384', padding: crypto.constants.RSA_PKCS1_PSS_PADDING },
  PS512: { hash: 'sha512', padding: crypto.constants.RSA_PKCS1_PSS_PADDING },
  ES256: { hash: 'sha256', ec: true },
  ES384: { hash: 'sha384', ec: true },
  HS256: { hmac: 'sha256' },
  HS384: { hmac: 'sha384' },
  HS512: { hmac: 'sha512' },
}

/**
 * base64url-encode (RFC 7515 §2, no padding).
 * @param {Buffer|string} input
 * @returns {string}
 */
function base64url(input) {
  return Buffer.from(input).toString('base64url')
}

function encodeSegments(headerObj, payloadObj) {
  return `${base64url(JSON.stringify(headerObj))}.${base64url(JSON.stringify(payloadObj))}`
}

/**
 * Compact JWT with an HMAC-SHA256 signature. The header is used as given (set `alg` yourself).
 * @param {object} headerObj
 * @param {object} payloadObj
 * @param {Buffer|string} secretBuffer
 * @returns {string}
 */
function signHs256(headerObj, payloadObj, secretBuffer) {
  const input = encodeSegments(headerObj, payloadObj)
  return `${input}.${crypto.createHmac('sha256', secretBuffer).update(input).digest('base64url')}`
}

/**
 * Compact JWT with an empty signature segment (`alg: none` style): `header.payload.`
 * @param {object} headerObj
 * @param {object} payloadObj
 * @returns {string}
 */
function encodeUnsigned(headerObj, payloadObj) {
  return `${encodeSegments(headerObj, payloadObj)}.`
}

/**
 * Shallow merge where a value of `undefined` deletes the key. Members are defined as data, so an
 * own `__proto__` override (from `JSON.parse`) stays a member and never becomes the prototype.
 */
function mergeDefined(base, overrides) {
  const out = { ...base }
  for (const [k, v] of Object.entries(overrides || {})) {
    if (v === undefined) delete out[k]
    else Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
  }
  return out
}

const randomId = (prefix, bytes = 12) => `${prefix}${crypto.randomBytes(bytes).toString('hex').toUpperCase()}`
const randomToken = (bytes = 32) => crypto.randomBytes(bytes).toString('base64url')
const snakeCase = (key) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

function safeEqual(a, b) {
  const ha = crypto.createHash('sha256').update(String(a)).digest()
  const hb = crypto.createHash('sha256').update(String(b)).digest()
  return crypto.timingSafeEqual(ha, hb)
}

function isAbsoluteUrl(value) {
  if (typeof value !== 'string') return false
  try {
    const u = new URL(value)
    return Boolean(u.protocol) && !value.includes('#')
  } catch {
    return false
  }
}

/** An OAuth error (RFC 6749 §5.2) to be answered as JSON. */
class OAuthError extends Error {
  constructor(error, description, status = 400) {
    super(description)
    this.error = error
    this.status = status
  }
}

/**
 * Reads single-valued parameters; a repeated parameter is an invalid_request (RFC 6749 §3.1).
 * @param {URLSearchParams} params
 */
function singleParams(params) {
  const out = {}
  for (const key of new Set(params.keys())) {
    if (params.getAll(key).length > 1) throw new OAuthError('invalid_request', `Parameter repeated: ${key}`)
    out[key] = params.get(key)
  }
  return out
}

/**
 * @typedef {object} EmulatorOptions
 * @property {number} [port=0] Port on 127.0.0.1 (0 = random).
 * @property {string} [clientId='client_emulator'] AuthKit client id; the default `aud` of access tokens.
 * @property {string} [apiKey='sk_test_emulator'] Bearer key the WorkOS REST API accepts.
 * @property {number} [accessTokenTtl=300] Access token lifetime in seconds.
 * @property {boolean} [resourceIndicator=false] When true, a `resource` parameter (RFC 8707) becomes the token `aud`.
 * @property {() => number} [now=Date.now] Clock in milliseconds (iat/exp, code expiry); lets tests fake time.
 * @property {string[]} [scopes] Custom scopes this AuthKit knows besides openid, profile, email and
 *   offline_access (a client may ask for them; the consenting user grants what was asked).
 * @property {'always' | 'offline_access'} [refreshTokens='always'] When a refresh token is issued:
 *   always, or only when the grant includes `offline_access` (the OpenID Connect rule). Settable later
 *   as `emu.refreshTokens`.
 */

/**
 * @typedef {object} LoggedRequest
 * @property {string} method
 * @property {string} path Raw (not percent-decoded) path, without the query string.
 * @property {Record<string,string>} query
 * @property {Record<string,string|string[]>} headers Lower-case header names.
 * @property {string} body
 */

/**
 * @typedef {'500'|'hang'|'garbage'|'drop'|'trickle'|{status?: number, body?: any, headers?: Record<string,string>}} FaultKind
 */

/**
 * Starts an emulator on 127.0.0.1.
 * @param {EmulatorOptions} [options]
 * @returns {Promise<Emulator>}
 */
async function createEmulator(options = {}) {
  const emu = new Emulator(options)
  await emu._listen(options.port || 0)
  return emu
}

class Emulator {
  /** @param {EmulatorOptions} options */
  constructor(options) {
    this.clientId = options.clientId || 'client_emulator'
    this.apiKey = options.apiKey || 'sk_test_emulator'
    this.accessTokenTtl = options.accessTokenTtl ?? 300
    /** Every scope a client may ask for. */
    this.scopesSupported = [...SCOPES_SUPPORTED, ...(options.scopes || [])]
    this.refreshTokens = options.refreshTokens || 'always'
    this.resourceIndicator = Boolean(options.resourceIndicator)
    this.now = options.now || Date.now
    /** @type {string} set by listen */
    this.url = ''
    /** @type {LoggedRequest[]} */
    this.requests = []
    /** WorkOS API requests made by @workos-inc/node's fetch client instead of the native transport (close() fails on any). */
    this.sdkFetchRequests = 0
    /** Registered OAuth clients by client_id. */
    this.clients = new Map()
    /** WorkOS Connect applications (M2M and first-party OAuth apps) by client_id, with their secrets. */
    this.applications = new Map()
    /** Resources registered for token exchange (resource indicators). */
    this.resources = new Set()
    /** WorkOS users (wire format) by id. */
    this.users = new Map()
    /** The WorkOS REST API (every path that is not AuthKit's); it serves `users` too. */
    this.api = new WorkOsApi({
      apiKey: this.apiKey,
      clientId: this.clientId,
      users: this.users,
      jwks: () => this.jwks(),
    })

    this._keys = new Map() // kid -> { privateKey, publicKey }
    this._published = [] // kids in the JWKS, oldest first
    this._extraJwks = []
    this._orgByUser = new Map()
    this._codes = new Map()
    this._refreshTokens = new Map()
    this._faults = new Map()
    this._delays = new Map()
    this._sockets = new Set()
    this._timers = new Set()
    this._loginUserId = DEFAULT_USER_ID
    /** When true, the JWKS carries an `ETag` and a matching `If-None-Match` is answered `304`. */
    this.jwksEtags = false
    this.currentKid = null
    this.rotateKeys()

    this.addUser({ id: DEFAULT_USER_ID, email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' })

    this._server = http.createServer((req, res) => {
      this._handle(req, res).catch((err) => {
        if (res.headersSent || res.destroyed) return
        this._json(res, 500, { message: String(err && err.message), code: 'emulator_error' })
      })
    })
    this._server.on('connection', (socket) => {
      this._sockets.add(socket)
      socket.on('close', () => this._sockets.delete(socket))
    })
  }

  _listen(port) {
    return new Promise((resolve, reject) => {
      this._server.once('error', reject)
      this._server.listen(port, '127.0.0.1', () => {
        this._server.off('error', reject)
        this.url = `http://127.0.0.1:${this._server.address().port}`
        resolve()
      })
    })
  }

  /**
   * Stops listening and destroys every open socket (including hung requests). Rejects when a WorkOS
   * API request came from the SDK's fetch client rather than the native transport.
   * @returns {Promise<void>}
   */
  close() {
    if (!this._closing) {
      const fetched = this.sdkFetchRequests
      this._closing = new Promise((resolve) => this._server.close(() => resolve()))
      for (const t of this._timers) clearTimeout(t)
      this._timers.clear()
      for (const s of this._sockets) s.destroy()
      if (fetched > 0) {
        this._closing = this._closing.then(() => {
          throw new Error(`${fetched} WorkOS API requests came from @workos-inc/node's fetch client, not the native transport`)
        })
      }
    }
    return this._closing
  }

  // ---------------------------------------------------------------- keys & tokens

  /**
   * Generates a new RSA key (2048 bits, e = 65537 unless told otherwise) and makes it current.
   * @param {{keepOld?: boolean, modulusLength?: number, publicExponent?: number}} [opts] keepOld=false
   *   removes the previous keys from the JWKS (their private keys stay usable via
   *   `mintToken(.., { kid })` to forge "retired key" tokens).
   * @returns {string} the new kid
   */
  rotateKeys({ keepOld = true, modulusLength = 2048, publicExponent = 65537 } = {}) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength, publicExponent })
    const kid = randomId('key_', 8)
    this._keys.set(kid, { privateKey, publicKey })
    if (!keepOld) this._published = []
    this._published.push(kid)
    this.currentKid = kid
    return kid
  }

  /**
   * Publishes an arbitrary extra JWKS entry (e.g. `{ kty: 'oct', k, kid }`), after the emulator's own
   * keys, or before them with `first`.
   * @param {object} jwk
   * @param {{first?: boolean}} [opts]
   */
  addJwk(jwk, { first = false } = {}) {
    this._extraJwks.push({ jwk: { ...jwk }, first })
  }

  _key(kid = this.currentKid) {
    const key = this._keys.get(kid)
    if (!key) throw new Error(`Unknown kid: ${kid}`)
    return key
  }

  /**
   * SPKI PEM of an emulator key.
   * @param {string} [kid] defaults to the current key
   * @returns {string}
   */
  publicKeyPem(kid) {
    return this._key(kid).publicKey.export({ type: 'spki', format: 'pem' })
  }

  /**
   * Public JWK of an emulator key, as published in the JWKS.
   * @param {string} [kid] defaults to the current key
   * @returns {{kty: 'RSA', use: 'sig', alg: 'RS256', kid: string, n: string, e: string}}
   */
  publicJwk(kid = this.currentKid) {
    const { n, e } = this._key(kid).publicKey.export({ format: 'jwk' })
    return { kty: 'RSA', use: 'sig', alg: 'RS256', kid, n, e }
  }

  /** @returns {{keys: object[]}} the JWKS document */
  jwks() {
    const extra = (first) => this._extraJwks.filter((e) => e.first === first).map((e) => ({ ...e.jwk }))
    return { keys: [...extra(true), ...this._published.map((kid) => this.publicJwk(kid)), ...extra(false)] }
  }

  /**
   * Mints a compact JWT. Default claims: iss, sub, sid, aud, iat, exp, jti; `claims` override them
   * and a claim set to `undefined` is removed. Header defaults to `{ alg, typ: 'JWT', kid }`,
   * merged with `header` the same way (`{ kid: undefined }` drops the kid).
   * @param {object} [claims]
   * @param {object} [opts]
   * @param {string} [opts.kid] emulator key to sign with (and header kid); default current key
   * @param {string} [opts.alg='RS256'] RS256/384/512, PS256/384/512, ES256/384 (needs `key`),
   *   HS256/384/512 (secret = `key`, default the RSA public key PEM), or 'none' (empty signature)
   * @param {object} [opts.header] header overrides
   * @param {crypto.KeyObject|string|Buffer} [opts.key] signing key/secret overriding the emulator key
   * @returns {string}
   */
  mintToken(claims = {}, { kid, alg = 'RS256', header = {}, key } = {}) {
    const signKid = kid || this.currentKid
    const iat = Math.floor(this.now() / 1000)
    const payload = mergeDefined(
      {
        iss: this.url,
        sub: DEFAULT_USER_ID,
        sid: 'session_01EMU',
        aud: this.clientId,
        iat,
        exp: iat + this.accessTokenTtl,
        jti: randomId('jti_'),
      },
      claims,
    )
    const head = mergeDefined({ alg, typ: 'JWT', kid: signKid }, header)
    if (alg === 'none') return encodeUnsigned(head, payload)

    const spec = ALGS[alg]
    if (!spec) throw new Error(`Unsupported alg: ${alg}`)
    const input = encodeSegments(head, payload)
    let sig
    if (spec.hmac) {
      sig = crypto
        .createHmac(spec.hmac, key ?? this.publicKeyPem(signKid))
        .update(input)
        .digest()
    } else {
      if (spec.ec && !key) throw new Error(`${alg} needs an EC private key in opts.key`)
      const signingKey = key ?? this._key(signKid).privateKey
      sig = crypto.sign(spec.hash, Buffer.from(input), {
        key: signingKey,
        ...(spec.padding ? { padding: spec.padding, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST } : {}),
        ...(spec.ec ? { dsaEncoding: 'ieee-p1363' } : {}),
      })
    }
    return `${input}.${base64url(sig)}`
  }

  // ---------------------------------------------------------------- users

  /**
   * Stores a WorkOS user in wire (snake_case) format. camelCase input keys are converted;
   * `organizationId` is not part of the user object: it becomes the `org_id` claim at login.
   * @param {object} user e.g. `{ id, email, firstName, lastName, organizationId }`
   * @param {{raw?: object}} [opts] `raw`: snake_case fields merged last, verbatim
   * @returns {object} a copy of the stored wire-format user
   */
  addUser(user = {}, { raw = {} } = {}) {
    const { organizationId, ...rest } = user
    const id = rest.id || randomId('user_')
    const converted = {}
    for (const [k, v] of Object.entries(rest)) converted[snakeCase(k)] = v
    const wire = mergeDefined(
      {
        object: 'user',
        id,
        email: `${id.toLowerCase()}@example.com`,
        email_verified: true,
        first_name: null,
        last_name: null,
        profile_picture_url: null,
        last_sign_in_at: '2026-11-01T10:00:00.000Z',
        locale: null,
        external_id: null,
        metadata: {},
        created_at: '2026-01-01T00:00:00.000Z',
        updated_at: '2026-01-02T00:00:00.000Z',
      },
      { ...converted, ...raw, id: raw.id ?? id },
    )
    this.users.set(wire.id, wire)
    if (organizationId) this._orgByUser.set(wire.id, organizationId)
    else this._orgByUser.delete(wire.id)
    return structuredClone(wire)
  }

  /** @param {string} userId removes a user (the users endpoint then answers 404) */
  removeUser(userId) {
    this.users.delete(userId)
    this._orgByUser.delete(userId)
  }

  /**
   * Sets the user the authorize endpoint logs in as.
   * @param {string} userId must have been added with addUser
   */
  setLoginUser(userId) {
    if (!this.users.has(userId)) throw new Error(`Unknown user: ${userId}`)
    this._loginUserId = userId
  }

  /**
   * Makes the next access token the token endpoint issues (that one only) expire `seconds` from now:
   * `exp` = now + seconds, `iat` = exp - accessTokenTtl (its usual lifetime, started earlier), and the
   * response's `expires_in` = max(seconds, 0). A small positive value gives a client that tracks
   * `expires_in` a token that runs out in a moment. A negative value gives a token whose lifetime
   * ended that long ago: with more than a resource server's clock leeway (30 s for @xmcp-dev/workos)
   * it stands for a token used after it expired, without the test waiting out lifetime and leeway.
   * @param {number} seconds
   */
  expireNextAccessTokenIn(seconds) {
    if (!Number.isInteger(seconds)) throw new Error(`expireNextAccessTokenIn: not an integer: ${seconds}`)
    this._nextAccessTokenExpiresIn = seconds
  }

  // ---------------------------------------------------------------- clients

  /**
   * Registers an OAuth client (what POST /oauth2/register does).
   * @param {object} metadata RFC 7591 client metadata (snake_case)
   * @returns {object} the registration response
   */
  registerClient(metadata = {}) {
    const redirectUris = metadata.redirect_uris
    if (!Array.isArray(redirectUris) || redirectUris.length === 0 || !redirectUris.every(isAbsoluteUrl)) {
      throw new OAuthError('invalid_redirect_uri', 'redirect_uris must be a non-empty array of absolute URLs')
    }
    const method = metadata.token_endpoint_auth_method ?? 'none'
    if (!AUTH_METHODS.includes(method)) {
      throw new OAuthError('invalid_client_metadata', `Unsupported token_endpoint_auth_method: ${method}`)
    }
    const client = {
      client_id: randomId('client_'),
      client_id_issued_at: Math.floor(this.now() / 1000),
      redirect_uris: [...redirectUris],
      client_name: metadata.client_name,
      grant_types: metadata.grant_types ?? ['authorization_code', 'refresh_token'],
      response_types: metadata.response_types ?? ['code'],
      token_endpoint_auth_method: method,
    }
    if (method === 'client_secret_post') {
      client.client_secret = randomToken()
      client.client_secret_expires_at = 0
    }
    this.clients.set(client.client_id, client)
    return structuredClone(client)
  }

  /**
   * Creates a WorkOS Connect application with a client secret, as the WorkOS Dashboard does.
   * @param {{ type?: 'm2m' | 'oauth', firstParty?: boolean, organizationId?: string, scopes?: string[], name?: string }} [options]
   *   `m2m`: a machine-to-machine application (client-credentials grant; tokens carry its organization
   *   and the scopes granted). `oauth` with `firstParty`: an application that may exchange tokens.
   * @returns {{ client_id: string, client_secret: string }}
   */
  createApplication({ type = 'm2m', firstParty = false, organizationId, scopes = [], name = 'Application' } = {}) {
    const app = {
      client_id: randomId('client_'),
      client_secret: randomToken(),
      type,
      firstParty,
      organizationId,
      scopes: [...scopes],
      name,
    }
    this.applications.set(app.client_id, app)
    return { client_id: app.client_id, client_secret: app.client_secret }
  }

  /** Registers a resource (an API's URL) that tokens may be exchanged for. */
  addResource(uri) {
    this.resources.add(uri)
  }

  /** Verifies a token this emulator issued (signature, issuer, expiry) and returns its claims. */
  _verifyOwnToken(token) {
    const [headerB64, payloadB64, signatureB64] = String(token).split('.')
    let header
    let payload
    try {
      header = JSON.parse(Buffer.from(headerB64, 'base64url').toString())
      payload = JSON.parse(Buffer.from(payloadB64, 'base64url').toString())
    } catch {
      throw new OAuthError('invalid_grant', 'The subject token is not a JWT')
    }
    const key = this._keys.get(header.kid)
    const signed =
      key && crypto.verify('sha256', Buffer.from(`${headerB64}.${payloadB64}`), key.publicKey, Buffer.from(signatureB64 || '', 'base64url'))
    if (!signed || header.alg !== 'RS256') throw new OAuthError('invalid_grant', 'The subject token was not issued by this environment')
    if (payload.iss !== this.url) throw new OAuthError('invalid_grant', 'The subject token has another issuer')
    if (!(payload.exp > this.now() / 1000)) throw new OAuthError('invalid_grant', 'The subject token has expired')
    return payload
  }

  /** The Connect application authenticating a request (client_secret_post or HTTP Basic). */
  _authenticateApplication(req, p) {
    let id = p.client_id
    let secret = p.client_secret
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization || '')
    if (basic) [id, secret] = Buffer.from(basic[1], 'base64').toString().split(':').map(decodeURIComponent)
    const app = this.applications.get(id)
    if (!app || !secret || !safeEqual(secret, app.client_secret))
      throw new OAuthError('invalid_client', 'Client authentication failed', 401)
    return app
  }

  /** The scopes granted for `requested` (space-separated) out of `allowed`; all of them without a request. */
  _grantedScopes(requested, allowed) {
    if (requested === undefined || requested === '') return allowed.join(' ')
    const scopes = requested.split(' ').filter(Boolean)
    if (scopes.some((s) => !allowed.includes(s))) throw new OAuthError('invalid_scope', 'A requested scope was not granted to the subject')
    return scopes.join(' ')
  }

  // ---------------------------------------------------------------- log, faults, delays

  /** @param {string} path exact raw path @returns {number} */
  count(path) {
    return this.requests.filter((r) => r.path === path).length
  }

  /** @param {string} path exact raw path @returns {number} requests that carried `If-None-Match` */
  countConditional(path) {
    return this.requests.filter((r) => r.path === path && r.headers['if-none-match'] !== undefined).length
  }

  resetLog() {
    this.requests.length = 0
  }

  /**
   * Injects a fault on an exact raw path, applied before normal handling.
   * @param {string} path
   * @param {FaultKind} kind '500' | 'hang' (never answers until close) | 'garbage' (200, non-JSON
   *   body) | 'drop' (socket destroyed) | 'trickle' (200 and the real JWKS, one byte every 100 ms, so
   *   that its 1 KiB take minutes) | { status, body, headers } custom response
   * @param {{times?: number}} [opts] how many requests it applies to (default: all)
   */
  fault(path, kind, { times = Infinity } = {}) {
    this._faults.set(path, { kind, times })
  }

  clearFaults() {
    this._faults.clear()
  }

  /** @param {string} path exact raw path @param {number} ms latency before answering (0 clears) */
  setDelay(path, ms) {
    if (ms > 0) this._delays.set(path, ms)
    else this._delays.delete(path)
  }

  // ---------------------------------------------------------------- HTTP

  _json(res, status, body, headers = {}) {
    res.writeHead(status, { 'content-type': 'application/json', ...headers })
    res.end(JSON.stringify(body))
  }

  _sleep(ms) {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this._timers.delete(t)
        resolve()
      }, ms)
      this._timers.add(t)
    })
  }

  _readBody(req) {
    return new Promise((resolve, reject) => {
      const chunks = []
      let size = 0
      req.on('data', (c) => {
        size += c.length
        if (size > MAX_BODY_BYTES) reject(new OAuthError('invalid_request', 'Body too large', 413))
        else chunks.push(c)
      })
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
      req.on('error', reject)
    })
  }

  async _handle(req, res) {
    res.setHeader('x-request-id', randomId('req_'))
    const qIndex = req.url.indexOf('?')
    const path = qIndex === -1 ? req.url : req.url.slice(0, qIndex)
    const search = new URLSearchParams(qIndex === -1 ? '' : req.url.slice(qIndex + 1))
    let body = ''
    try {
      body = await this._readBody(req)
    } catch (err) {
      return this._json(res, err.status || 400, { error: 'invalid_request', error_description: err.message })
    }
    this.requests.push({ method: req.method, path, query: Object.fromEntries(search), headers: { ...req.headers }, body })
    // A WorkOS API request of the SDK's own fetch client (undici sends Sec-Fetch-Mode; the native
    // transport does not): every SDK request must come through the native transport instead.
    if (req.headers['sec-fetch-mode'] !== undefined && (req.headers['user-agent'] ?? '').startsWith('workos-node/'))
      this.sdkFetchRequests += 1

    const delay = this._delays.get(path)
    if (delay) await this._sleep(delay)
    if (this._closing || res.destroyed) return

    const fault = this._faults.get(path)
    if (fault && fault.times > 0) {
      fault.times -= 1
      return this._applyFault(req, res, fault.kind)
    }

    try {
      return await this._route(req, res, { path, search, body })
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err
      return this._json(res, err.status, { error: err.error, error_description: err.message }, { 'cache-control': 'no-store' })
    }
  }

  _applyFault(req, res, kind) {
    if (kind === '500') return this._json(res, 500, { message: 'Internal Server Error', code: 'internal_server_error' })
    if (kind === 'hang') return undefined // never answered; close() destroys the socket
    if (kind === 'drop') return req.socket.destroy()
    if (kind === 'trickle') {
      const body = Buffer.from(JSON.stringify(this.jwks()))
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) })
      let sent = 0
      const timer = setInterval(() => {
        if (res.destroyed || sent >= body.length) {
          clearInterval(timer)
          this._timers.delete(timer)
          return res.destroyed ? undefined : res.end()
        }
        res.write(body.subarray(sent, sent + 1))
        sent += 1
      }, 100)
      this._timers.add(timer)
      return undefined
    }
    if (kind === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end('<html>{"not": json')
    }
    if (kind && typeof kind === 'object') {
      const { status = 200, body = '', headers = {} } = kind
      const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body)
      res.writeHead(status, { 'content-type': 'application/json', ...headers })
      return res.end(text)
    }
    throw new Error(`Unknown fault kind: ${kind}`)
  }

  _jwksAnswer(req, res) {
    if (!this.jwksEtags) return this._json(res, 200, this.jwks())
    const text = JSON.stringify(this.jwks())
    const etag = `"${crypto.createHash('sha256').update(text).digest('base64url').slice(0, 22)}"`
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag })
      return res.end()
    }
    res.writeHead(200, { 'content-type': 'application/json', etag })
    return res.end(text)
  }

  _route(req, res, { path, search, body }) {
    const routes = {
      '/oauth2/jwks': ['GET', () => this._jwksAnswer(req, res)],
      '/.well-known/oauth-authorization-server': ['GET', () => this._json(res, 200, this._metadata())],
      '/oauth2/register': ['POST', () => this._register(req, res, body)],
      '/oauth2/authorize': ['GET', () => this._authorize(res, search)],
      '/oauth2/token': ['POST', () => this._token(req, res, body)],
    }
    const route = routes[path]
    if (!route) return this.api.handle(req, res, { path, search, body })
    if (req.method !== route[0]) {
      const body405 = { message: `Method not allowed: ${req.method}`, code: 'method_not_allowed' }
      return this._json(res, 405, body405, { allow: route[0] })
    }
    return route[1]()
  }

  _metadata() {
    return {
      issuer: this.url,
      authorization_endpoint: `${this.url}/oauth2/authorize`,
      token_endpoint: `${this.url}/oauth2/token`,
      registration_endpoint: `${this.url}/oauth2/register`,
      jwks_uri: `${this.url}/oauth2/jwks`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', TOKEN_EXCHANGE],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: [...AUTH_METHODS],
      // AuthKit advertises the OpenID scopes only; custom scopes are accepted without being listed.
      scopes_supported: [...SCOPES_SUPPORTED],
      client_id_metadata_document_supported: true,
    }
  }

  _register(req, res, body) {
    let metadata
    try {
      metadata = JSON.parse(body)
    } catch {
      throw new OAuthError('invalid_client_metadata', 'Body must be JSON')
    }
    if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) {
      throw new OAuthError('invalid_client_metadata', 'Body must be a JSON object')
    }
    return this._json(res, 201, this.registerClient(metadata), { 'cache-control': 'no-store' })
  }

  _authorize(res, search) {
    const p = singleParams(search)
    const client = this.clients.get(p.client_id)
    if (!client) throw new OAuthError('invalid_client', 'Unknown client_id')
    if (!p.redirect_uri || !client.redirect_uris.includes(p.redirect_uri)) {
      throw new OAuthError('invalid_request', 'redirect_uri is not registered for this client')
    }
    // From here on errors go back to the client via the redirect (RFC 6749 §4.1.2.1, RFC 7636 §4.4.1).
    const redirect = (params) => {
      const target = new URL(p.redirect_uri)
      for (const [k, v] of Object.entries(params)) if (v !== undefined) target.searchParams.set(k, v)
      if (p.state !== undefined) target.searchParams.set('state', p.state)
      res.writeHead(302, { location: target.toString(), 'cache-control': 'no-store' })
      res.end()
    }
    if (p.response_type !== 'code') return redirect({ error: 'unsupported_response_type' })
    if (!p.code_challenge || p.code_challenge_method !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(p.code_challenge)) {
      return redirect({ error: 'invalid_request', error_description: 'PKCE with code_challenge_method=S256 is required' })
    }
    const scope = p.scope ?? DEFAULT_SCOPE
    if (scope.split(' ').some((s) => !this.scopesSupported.includes(s))) return redirect({ error: 'invalid_scope' })
    if (p.resource !== undefined && !isAbsoluteUrl(p.resource)) return redirect({ error: 'invalid_target' })

    const code = randomToken()
    const userId = this._loginUserId
    this._codes.set(code, {
      clientId: client.client_id,
      redirectUri: p.redirect_uri,
      challenge: p.code_challenge,
      scope,
      resource: p.resource,
      userId,
      orgId: this._orgByUser.get(userId),
      sid: randomId('session_'),
      expiresAt: this.now() + 60_000,
    })
    return redirect({ code })
  }

  _authenticateClient(p) {
    if (!p.client_id) throw new OAuthError('invalid_request', 'client_id is required')
    const client = this.clients.get(p.client_id)
    if (!client) throw new OAuthError('invalid_client', 'Unknown client_id')
    const needsSecret = client.token_endpoint_auth_method === 'client_secret_post'
    if (needsSecret && !(p.client_secret && safeEqual(p.client_secret, client.client_secret))) {
      throw new OAuthError('invalid_client', 'Client authentication failed')
    }
    return client
  }

  _token(req, res, body) {
    let p
    if (/^application\/json\b/i.test(req.headers['content-type'] || '')) {
      try {
        p = JSON.parse(body)
      } catch {
        throw new OAuthError('invalid_request', 'Malformed JSON body')
      }
      if (!p || typeof p !== 'object') throw new OAuthError('invalid_request', 'Body must be an object')
    } else {
      p = singleParams(new URLSearchParams(body))
    }
    if (!p.grant_type) throw new OAuthError('invalid_request', 'grant_type is required')

    if (p.grant_type === 'client_credentials') return this._clientCredentials(req, res, p)
    if (p.grant_type === TOKEN_EXCHANGE) return this._tokenExchange(req, res, p)
    let grant
    if (p.grant_type === 'authorization_code') {
      if (!p.code || !p.code_verifier || !p.redirect_uri) {
        throw new OAuthError('invalid_request', 'code, redirect_uri and code_verifier are required')
      }
      const client = this._authenticateClient(p)
      const code = this._codes.get(p.code)
      this._codes.delete(p.code) // single use: consumed by the first redemption attempt
      if (!code || code.expiresAt <= this.now()) throw new OAuthError('invalid_grant', 'Invalid or expired code')
      if (code.clientId !== client.client_id) throw new OAuthError('invalid_grant', 'Code was issued to another client')
      if (code.redirectUri !== p.redirect_uri) throw new OAuthError('invalid_grant', 'redirect_uri mismatch')
      const verifierOk = typeof p.code_verifier === 'string' && /^[A-Za-z0-9._~-]{43,128}$/.test(p.code_verifier)
      const computed = verifierOk && base64url(crypto.createHash('sha256').update(p.code_verifier).digest())
      if (!verifierOk || !safeEqual(computed, code.challenge)) throw new OAuthError('invalid_grant', 'PKCE verification failed')
      grant = code
    } else if (p.grant_type === 'refresh_token') {
      if (!p.refresh_token) throw new OAuthError('invalid_request', 'refresh_token is required')
      const client = this._authenticateClient(p)
      const stored = this._refreshTokens.get(p.refresh_token)
      if (!stored || stored.clientId !== client.client_id) throw new OAuthError('invalid_grant', 'Invalid refresh token')
      this._refreshTokens.delete(p.refresh_token) // rotation: old token is dead
      grant = stored
    } else {
      throw new OAuthError('unsupported_grant_type', `Unsupported grant_type: ${p.grant_type}`)
    }

    if (p.resource !== undefined) {
      if (!isAbsoluteUrl(p.resource)) throw new OAuthError('invalid_target', 'resource must be an absolute URI')
      if (grant.resource !== undefined && grant.resource !== p.resource) {
        throw new OAuthError('invalid_target', 'resource differs from the authorization request')
      }
    }
    const resource = p.resource ?? grant.resource
    const offline = this.refreshTokens === 'always' || String(grant.scope).split(' ').includes('offline_access')
    const refreshToken = offline ? randomToken() : undefined
    if (refreshToken) this._refreshTokens.set(refreshToken, { ...grant, resource })
    // Normally the token lives accessTokenTtl from now; expireNextAccessTokenIn() shifts one token.
    const now = Math.floor(this.now() / 1000)
    const expiresIn = this._nextAccessTokenExpiresIn ?? this.accessTokenTtl
    this._nextAccessTokenExpiresIn = undefined
    // As AuthKit's Connect access tokens: the MCP client's id and the granted scopes are claims.
    const accessToken = this.mintToken({
      sub: grant.userId,
      sid: grant.sid,
      org_id: grant.orgId,
      client_id: grant.clientId,
      scope: grant.scope,
      aud: this.resourceIndicator && resource ? resource : this.clientId,
      iat: now + expiresIn - this.accessTokenTtl,
      exp: now + expiresIn,
    })
    const response = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: Math.max(expiresIn, 0),
      refresh_token: refreshToken,
      scope: grant.scope,
    }
    return this._json(res, 200, response, { 'cache-control': 'no-store', pragma: 'no-cache' })
  }

  /** WorkOS Connect M2M: the client-credentials grant. No `sid`; `sub` is the application. */
  _clientCredentials(req, res, p) {
    const app = this._authenticateApplication(req, p)
    if (app.type !== 'm2m') throw new OAuthError('unauthorized_client', 'Only M2M applications may use the client credentials grant')
    const scope = this._grantedScopes(p.scope, app.scopes)
    const now = Math.floor(this.now() / 1000)
    const accessToken = this.mintToken({
      sub: app.client_id,
      sid: undefined,
      client_id: app.client_id,
      org_id: app.organizationId,
      scope: scope || undefined,
      aud: this.clientId,
      iat: now,
      exp: now + this.accessTokenTtl,
    })
    return this._json(
      res,
      200,
      { access_token: accessToken, token_type: 'bearer', expires_in: this.accessTokenTtl },
      { 'cache-control': 'no-store' },
    )
  }

  /**
   * WorkOS Connect token exchange (RFC 8693): a first-party application trades a user's access token
   * for one issued for a registered resource, with the same user, organization and session, the
   * resource as audience, scopes narrowed on request, and `act` naming the application (the previous
   * `act` nested inside it). It lives at most as long as the subject token.
   */
  _tokenExchange(req, res, p) {
    const app = this._authenticateApplication(req, p)
    if (app.type !== 'oauth' || !app.firstParty)
      throw new OAuthError('unauthorized_client', 'Only first-party applications may exchange tokens')
    if (!p.subject_token) throw new OAuthError('invalid_request', 'subject_token is required')
    if (p.subject_token_type !== ACCESS_TOKEN_TYPE)
      throw new OAuthError('invalid_request', `subject_token_type must be ${ACCESS_TOKEN_TYPE}`)
    if (!p.resource) throw new OAuthError('invalid_target', 'resource is required')
    if (!this.resources.has(p.resource)) throw new OAuthError('invalid_target', 'The resource is not registered')
    const subject = this._verifyOwnToken(p.subject_token)
    const scope = this._grantedScopes(p.scope, typeof subject.scope === 'string' ? subject.scope.split(' ').filter(Boolean) : [])
    const now = Math.floor(this.now() / 1000)
    const exp = Math.min(now + (this.exchangedTokenTtl ?? this.accessTokenTtl), subject.exp)
    const accessToken = this.mintToken({
      sub: subject.sub,
      sid: subject.sid,
      org_id: subject.org_id,
      client_id: app.client_id,
      scope: scope || undefined,
      aud: p.resource,
      act: subject.act ? { sub: app.client_id, act: subject.act } : { sub: app.client_id },
      iat: now,
      exp,
    })
    const answer = { access_token: accessToken, token_type: 'Bearer', expires_in: exp - now, issued_token_type: ACCESS_TOKEN_TYPE, scope }
    return this._json(res, 200, answer, { 'cache-control': 'no-store' })
  }
}

module.exports = { createEmulator, Emulator, base64url, signHs256, encodeUnsigned }
