'use strict'
// @xmcp-dev/workos: the Express glue around the native core.
//
// Behaviour (which paths are guarded, how a token is judged, what each failure answers, the
// discovery documents) lives in Rust (src/). This file adapts it to Express and keeps the verified
// session in AsyncLocalStorage for everything that runs for that request.
//
// One request, start to end: `guarded()` (guard.js, the rule of src/guard.rs applied to data computed
// once) lets unguarded requests through without touching the addon. A guarded request's
// `Authorization` header is looked up in a small first-level cache of recent verdicts; on a miss, one
// native call judges it and returns either the verified session as one string or the code of a
// rejection whose answer was built here once, at start-up. The session object is only built when a
// tool first asks for it.
const { AsyncLocalStorage } = require('node:async_hooks')
const diagnostics = require('node:diagnostics_channel')
const express = require('express')
const native = require('./native.js')
const { createGuard } = require('./guard.js')
const { ForbiddenError, TokenExchangeError, targetsOf, namesAreStrings, answerMessage, createHelpers } = require('./authorization.js')
const { WorkOS, fromNative } = require('./workos.js')
const sdk = require('@workos-inc/node')

/** The exception classes of @workos-inc/node, re-exported: `instanceof` holds for the SDK's own import. */
const EXCEPTIONS = [
  'BadRequestException',
  'GenericServerException',
  'NoApiKeyProvidedException',
  'NotFoundException',
  'OauthException',
  'RateLimitExceededException',
  'SignatureVerificationException',
  'UnauthorizedException',
  'UnprocessableEntityException',
]

const SESSION_NOT_INITIALIZED =
  '[WorkOS] Session not initialized. Ensure this is called within a protected route that passed authentication.'
const CLIENT_NOT_INITIALIZED = '[WorkOS] Client not initialized. Make sure workosProvider() is configured in your middleware.'

// Shared through a global symbol so that two bundled copies of this file (xmcp may bundle the
// middleware and the tools separately) see the same sessions and client. There is deliberately no
// fallback: outside a verified request there is no session.
const STATE_KEY = Symbol.for('@xmcp-dev/workos/state')
const state = (globalThis[STATE_KEY] ??= { sessions: new AsyncLocalStorage(), client: undefined })

/** `authenticateSync` could not decide without downloading AuthKit's keys (src/provider.rs). */
const PENDING = 0

/**
 * How long the glue reuses a verdict for the same `Authorization` header before asking the addon
 * again. The addon's answer also bounds it (the token's `exp` and `tokenCache.maxAgeMs`); asking again
 * every second is what applies a JWKS refresh that removed the token's key.
 */
const REUSE_MS = 1000
/** At most this many recent verdicts are kept in the glue (the addon's own cache is larger). */
const FIRST_LEVEL_ENTRIES = 1000

// Verdicts dropped because the response had already started (a timeout middleware answered first,
// or the client went away) are published here, for whoever wants to count them; nothing is logged.
const dropped = diagnostics.channel('@xmcp-dev/workos:dropped')

/** Optional session members, set only when the token carries them. */
const IF_PRESENT = ['roles', 'entitlements', 'featureFlags', 'actor', 'impersonator']

/**
 * The request's verified session: built from the addon's JSON the first time something asks for it
 * (a tool's `getSession()`, xmcp reading `req.auth`), then the same objects for the rest of the
 * request. It also answers the authorization helpers for this request's caller.
 */
class SessionSlot {
  constructor(json, authorization, provider) {
    this.json = json
    this.authorization = authorization
    this.provider = provider
    this.data = undefined
    this.session = undefined
    this.auth = undefined
    this.resolved = undefined
  }

  /** The addon's session JSON, parsed (JSON.parse keeps every claim as plain own data, `__proto__` included). */
  parsed() {
    return (this.data ??= JSON.parse(this.json))
  }

  /** The `Session` of `getSession()`. */
  get() {
    if (this.session === undefined) {
      const data = this.parsed()
      const session = {
        userId: data.userId,
        sessionId: data.sessionId,
        organizationId: data.organizationId,
        role: data.role,
        permissions: data.permissions,
        expiresAt: new Date(data.expiresAtMs),
        issuedAt: new Date(data.issuedAtMs ?? Number.NaN),
        claims: data.claims,
        clientId: data.clientId,
        scopes: data.scopes,
        kind: data.kind,
      }
      for (const key of IF_PRESENT) if (data[key] !== undefined) session[key] = data[key]
      this.session = session
    }
    return this.session
  }

  /** The token's scopes and, with a `scopeHierarchy`, every scope they grant. */
  grantedScopes() {
    const data = this.parsed()
    return data.grantedScopes ?? data.scopes
  }

  /**
   * The MCP SDK's `AuthInfo`, as `req.auth` (xmcp hands it to tools as `extra.authInfo`); its `scopes`
   * include what the token's scopes grant, so the SDK's own scope checks follow the hierarchy.
   */
  authInfo() {
    if (this.auth === undefined) {
      const data = this.parsed()
      const header = this.authorization
      this.auth = {
        token: header.slice(header.indexOf(' ') + 1),
        clientId: data.clientId ?? '',
        scopes: [...this.grantedScopes()],
        expiresAt: data.expiresAtMs / 1000,
        ...(data.resource === undefined ? {} : { resource: new URL(data.resource) }),
        extra: { userId: data.userId, sessionId: data.sessionId, organizationId: data.organizationId, kind: data.kind },
      }
    }
    return this.auth
  }

  /** A token for a downstream API in exchange for this request's (see `exchangeToken`). */
  async exchange(resource, scope) {
    const reply = await this.provider.exchangeToken(this.authorization, resource, scope)
    if (typeof reply === 'number') throw new Error("[WorkOS] This request's access token is no longer accepted.")
    const result = JSON.parse(reply)
    if (result.error) throw new TokenExchangeError(result.error)
    return { accessToken: result.accessToken, expiresAt: new Date(result.expiresAtMs), scope: result.scope ?? undefined }
  }

  /** The caller's roles and permissions (from the token, or read from WorkOS), once per request. */
  grants() {
    this.resolved ??= this.provider.grants(this.authorization).then((reply) => {
      if (typeof reply === 'number') throw new Error("[WorkOS] This request's access token is no longer accepted.")
      const grants = JSON.parse(reply)
      if (grants.error) throw new Error(`[WorkOS] Could not read the caller's roles and permissions from WorkOS: ${grants.error}`)
      return grants
    })
    return this.resolved
  }
}

/**
 * Marks a request with its session slot in a private field: invisible to user code (no key, no
 * symbol to enumerate), and the same shape for every request. The base constructor returns the
 * request itself, so the subclass's field lands on it.
 */
class Returns {
  constructor(target) {
    return target
  }
}
class SlotMark extends Returns {
  #slot
  constructor(req) {
    super(req)
  }
  /** Sets `req`'s slot (again, when the middleware runs twice for one request). */
  static set(req, slot) {
    if (!(#slot in req)) new SlotMark(req)
    req.#slot = slot
  }
  static of(req) {
    return typeof req === 'object' && req !== null && #slot in req ? req.#slot : undefined
  }
}

/**
 * `req.auth`'s accessors, the same two functions for every request. New closures per request cost two
 * function objects each time and put a plain `node:http` request into V8's slow dictionary mode (a
 * first-level cache hit measured 0.77 µs with them, 0.29 µs without; bench/run.js section 1d).
 */
const AUTH_PROPERTY = {
  configurable: true,
  enumerable: true,
  get() {
    return SlotMark.of(this)?.authInfo()
  },
  set(value) {
    Object.defineProperty(this, 'auth', { value, writable: true, configurable: true, enumerable: true })
  },
}

/** `req.auth`, built only when read; code may still assign its own. */
function defineAuth(req, slot) {
  SlotMark.set(req, slot)
  Object.defineProperty(req, 'auth', AUTH_PROPERTY)
}

const POLICIES_NEED_THE_BODY = JSON.stringify({
  error: 'server_error',
  error_description: '[WorkOS] Tool policies need the parsed JSON body: mount express.json() before the WorkOS middleware.',
})

/**
 * Recent verdicts by `Authorization` header, so that a client repeating its token is answered without
 * a native call. Only verified sessions are kept, each until `min(the addon's limit, now + REUSE_MS)`;
 * the oldest entry goes first when it is full. The headers live only in this closure, never in an
 * object handed to user code.
 */
class FirstLevelCache {
  constructor(capacity) {
    this.capacity = capacity
    this.entries = new Map()
  }

  /** The session JSON for `header`, or undefined. */
  get(header, now) {
    const entry = this.entries.get(header)
    if (entry === undefined) return undefined
    if (now < entry.until) return entry.json
    this.entries.delete(header)
    return undefined
  }

  /** Keeps `json` for `header` while `untilMs` (the addon's limit; 0: never) allows. */
  remember(header, json, untilMs, now) {
    const until = Math.min(untilMs, now + REUSE_MS)
    if (!(until > now)) return
    this.entries.delete(header)
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value)
    this.entries.set(header, { json, until })
  }
}

/** True once something else (a timeout middleware, say) has answered or the client has gone. */
function answered(res) {
  return Boolean(res.headersSent || res.writableEnded || res.destroyed)
}

/** True (and published on the `dropped` channel) when `res` can no longer take our answer. */
function tooLate(res, status, reason) {
  if (!answered(res)) return false
  if (dropped.hasSubscribers) dropped.publish({ status, reason })
  return true
}

/**
 * An error after an asynchronous step goes to Express (`next(err)`) while it can still answer, and is
 * dropped once the response has started. Nothing escapes as an unhandled rejection.
 */
function failed(res, next, err) {
  if (answered(res)) return
  try {
    next(err)
  } catch {
    // Express's own next() does not throw; a replaced one that does has nowhere left to report to.
  }
}

function sendJson(res, status, body, headers) {
  res.status(status)
  if (headers) res.set(headers)
  res.type('application/json').send(body)
}

/** A rejection's complete answer, written with Node's own response methods (no Express work per request). */
function rejection({ status, reason, body, headers }) {
  const head = { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) }
  return { status, reason, send: (res) => res.writeHead(status, head).end(body) }
}

/**
 * Creates the WorkOS middleware and router for xmcp.
 * @param {import('./index').config} config
 * @returns {{ middleware: import('express').RequestHandler, router: import('express').Router }}
 */
function workosProvider(config) {
  let provider
  try {
    provider = new native.NativeProvider(config ?? {})
  } catch (err) {
    // Config errors carry the original package's messages; rethrow them as plain Errors.
    throw new Error(err && err.message ? err.message : String(err))
  }
  const info = provider.routerInfo
  state.client = fromNative(provider.client(), config.apiKey, config.clientId)

  const router = express.Router()
  const metadataHeaders = { 'Access-Control-Allow-Origin': '*' }
  const preflight = (req, res) => {
    res.set({ ...metadataHeaders, 'Access-Control-Allow-Methods': 'GET, OPTIONS', 'Access-Control-Allow-Headers': '*' })
    res.status(204).end()
  }
  for (const [path, document] of [
    [info.protectedResourcePath, info.protectedResourceDocument],
    [info.resourceMetadataPath, info.resourceMetadataDocument],
  ]) {
    router.get(path, (req, res) => sendJson(res, 200, document, metadataHeaders))
    router.options(path, preflight)
  }
  router.get(info.authorizationServerPath, (req, res, next) => {
    provider
      .authorizationServerDocument()
      .then((doc) => tooLate(res, 200, 'authorization_server_document') || sendJson(res, 200, doc, metadataHeaders))
      .catch((err) => failed(res, next, err))
  })
  router.options(info.authorizationServerPath, preflight)

  const guarded = createGuard(info.guard)
  const rejections = info.rejections.map(rejection)
  const internalError = rejections.find((r) => r.reason === 'internal_error')
  const keyPending = info.rejections.find((r) => r.reason === 'key_pending')
  // Codes from `retryAfterCodes` on are the `key_pending` answer (503) with `Retry-After: code -
  // retryAfterCodes` seconds, built from that template the first time (src/provider.rs).
  const retryAfterCodes = info.retryAfterCodes
  // One answer per number of seconds the addon asked for: at most the cooldown's, 3600.
  const retryLater = new Map()
  /** The prebuilt answer of a rejection code (see retryAfterCodes for the one that varies). */
  function answerOf(code) {
    if (code < retryAfterCodes) return rejections[code] ?? internalError
    let answer = retryLater.get(code)
    if (answer === undefined) {
      const headers = { ...keyPending.headers, 'Retry-After': String(code - retryAfterCodes) }
      answer = rejection({ ...keyPending, headers })
      retryLater.set(code, answer)
    }
    return answer
  }
  // With `tokenCache: false` the addon marks every reply as not reusable, so this cache stays empty.
  const recent = new FirstLevelCache(FIRST_LEVEL_ENTRIES)

  /** Sends the prebuilt answer of a rejection code, unless something else answered first. */
  function reject(code, res) {
    const answer = answerOf(code)
    // Something else (a timeout middleware, say) answered first: drop our verdict quietly.
    if (tooLate(res, answer.status, answer.reason)) return
    answer.send(res)
  }

  /** Lets the request in with its session, once its `tools/call`s (if policies apply) are allowed. */
  function admit(json, authorization, req, res, next) {
    if (tooLate(res, 200, 'verified')) return
    const slot = new SessionSlot(json, authorization, provider)
    defineAuth(req, slot)
    if (info.policies && req.method === 'POST') return authorizeCalls(slot, req, res, next)
    state.sessions.run(slot, next)
  }

  /**
   * Checks every request of the message that runs the app's code (a `tools/call`, a `prompts/get`, a
   * `resources/read`, a completion: see POLICED in authorization.js) against its policies before any
   * of it runs.
   */
  function authorizeCalls(slot, req, res, next) {
    if (req.body === undefined) {
      res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' }).end(POLICIES_NEED_THE_BODY)
      return
    }
    // Only what the policies can see reaches a tool.
    const message = targetsOf(req.body)
    if (message.calls.length === 0) return state.sessions.run(slot, next)
    if (!namesAreStrings(message)) {
      return answerMessage(
        req,
        res,
        message,
        message.calls.map(() => null),
      )
    }
    const act = (decision) => {
      if (typeof decision === 'number') return reject(decision, res)
      const { allow, denied, status = 200, headers, body } = JSON.parse(decision)
      if (tooLate(res, status, allow ? 'authorized' : denied ? 'denied' : 'insufficient_scope')) return
      if (allow) return state.sessions.run(slot, next)
      if (denied) return answerMessage(req, res, message, denied)
      const head = { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) }
      res.writeHead(status, head).end(body)
    }
    const targets = message.calls.map((call) => call.target)
    const decision = provider.authorizeSync(slot.authorization, targets)
    if (decision !== PENDING) return act(decision)
    provider
      .authorize(slot.authorization, targets)
      .then(act)
      .catch((err) => failed(res, next, err))
  }

  /** Acts on the addon's verdict: a session reply (`<until ms>,<json>`) or a rejection code. */
  function respond(verdict, authorization, req, res, next) {
    if (typeof verdict !== 'string') return reject(verdict, res)
    const comma = verdict.indexOf(',')
    const json = verdict.slice(comma + 1)
    recent.remember(authorization, json, Number(verdict.slice(0, comma)), Date.now())
    admit(json, authorization, req, res, next)
  }

  function middleware(req, res, next) {
    if (!guarded(req.method, req.path)) return next()
    const authorization = req.headers.authorization
    const json = recent.get(authorization, Date.now())
    if (json !== undefined) return admit(json, authorization, req, res, next)
    // Most requests are decided at once from cached keys; only a cold cache or an unknown key waits
    // for AuthKit, off the event loop.
    const verdict = provider.authenticateSync(authorization)
    if (verdict !== PENDING) return respond(verdict, authorization, req, res, next)
    provider
      .authenticate(authorization)
      .then((late) => respond(late, authorization, req, res, next))
      .catch((err) => failed(res, next, err))
  }

  return { middleware, router }
}

/** The current request's session slot. Throws outside an authenticated request. */
function currentSlot() {
  const slot = state.sessions.getStore()
  if (!slot) throw new Error(SESSION_NOT_INITIALIZED)
  return slot
}

/** The session of the current authenticated request. Throws outside one. */
function getSession() {
  return currentSlot().get()
}

/** The WorkOS API client configured by `workosProvider()`. */
function getClient() {
  if (!state.client) throw new Error(CLIENT_NOT_INITIALIZED)
  return state.client
}

const NO_USER = '[WorkOS] No user: this request was authenticated with a machine token'

/** The WorkOS user of the current session, from the WorkOS API. */
async function getUser() {
  const client = getClient()
  const session = getSession()
  if (session.kind === 'machine') throw new Error(NO_USER)
  return client.userManagement.getUser(session.userId)
}

/**
 * Exchanges the current request's access token for one issued for `resource` (your API), through
 * WorkOS Connect token exchange (RFC 8693), as the `connect` application: `{ accessToken, expiresAt,
 * scope }`. The user's own token is never passed on. Cached until shortly before it expires.
 * @param {{ resource: string, scope?: string | string[] }} request
 */
async function exchangeToken(request) {
  const slot = currentSlot()
  const { resource, scope } = request ?? {}
  if (typeof resource !== 'string' || !resource) {
    throw new TypeError('[WorkOS] exchangeToken({ resource }) needs resource: the URL of the API the token is for')
  }
  const scopes = Array.isArray(scope) ? scope.join(' ') : scope
  if (scopes !== undefined && typeof scopes !== 'string')
    throw new TypeError('[WorkOS] exchangeToken: scope must be a string or an array of strings')
  return slot.exchange(resource, scopes)
}

module.exports = {
  workosProvider,
  getSession,
  getUser,
  getClient,
  exchangeToken,
  ...createHelpers(currentSlot),
  ForbiddenError,
  TokenExchangeError,
  WorkOS,
  ...Object.fromEntries(EXCEPTIONS.map((name) => [name, sdk[name]])),
}
