'use strict'
// The differential harness of getClient() (test support): a call made on our client and on
// @workos-inc/node 7.82.0 (the oracle), both pointed at the same emulator state; the results must be
// deep-equal with the same keys in the same order (or the errors of the same class with the same
// fields), and the emulator must have seen the same requests. Also: the surface of a client (every
// module and member name), and which test file compares which part of it.
const assert = require('node:assert/strict')
const sdkPackage = require('@workos-inc/node')
const pkg = require('@xmcp-dev/workos')
const { AutoPaginatable } = require('../../client.js')

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'

/**
 * Members of 7.x's instance that are its internals, not its surface (TypeScript `private`, and the
 * HTTP client), and `key`, a data property there and a getter on a hidden prototype layer here.
 */
const INTERNAL = new Set(['client', 'handleParseError', 'handleHttpError', 'key'])

/** Every member name of `object`'s prototype chain and its own functions (the vault's deprecated aliases). */
function members(object) {
  const names = new Set(Object.keys(object).filter((k) => typeof object[k] === 'function'))
  for (let proto = Object.getPrototypeOf(object); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor') names.add(name)
  }
  return [...names].sort()
}

/** The whole surface of a client: `{ '': instance members, module: members, … }`. */
function surface(client) {
  const out = { '': members(client).filter((n) => !INTERNAL.has(n)) }
  for (const [name, value] of Object.entries(client)) {
    if (value && typeof value === 'object' && !INTERNAL.has(name) && name !== 'options') out[name] = members(value)
  }
  return out
}

/** The modules that `client.test.js` and `client-sessions.test.js` compare; `client-modules.test.js` has the rest. */
const FIRST_MODULES = ['userManagement', 'organizations', 'directorySync', 'auditLogs', 'sso']
const SESSION_METHODS = [
  'authenticateWithMagicAuth',
  'authenticateWithPassword',
  'authenticateWithCode',
  'authenticateWithCodeAndVerifier',
  'authenticateWithRefreshToken',
  'authenticateWithTotp',
  'authenticateWithEmailVerification',
  'authenticateWithOrganizationSelection',
  'authenticateWithSessionCookie',
  'isValidJwt',
  'refreshAndSealSessionData',
  'prepareAuthenticationResponse',
  'sealSessionDataFromAuthenticationResponse',
  'getSessionFromCookie',
  'loadSealedSession',
  'getLogoutUrl',
  'getLogoutUrlFromSessionCookie',
  'jwks',
].map((m) => `userManagement.${m}`)
const OWNERS = {
  'client.test.js': (name) => name.startsWith('.') || (FIRST_MODULES.includes(name.split('.')[0]) && !SESSION_METHODS.includes(name)),
  'client-sessions.test.js': (name) => SESSION_METHODS.includes(name),
  'client-modules.test.js': (name) => !name.startsWith('.') && !FIRST_MODULES.includes(name.split('.')[0]),
}

/** `module.member` names of a surface (`.get` for the instance's own). */
const names = (s) => Object.entries(s).flatMap(([module, list]) => list.map((m) => `${module}.${m}`))

/** A value with class instances written out (class name, own fields, method names), so values of two libraries compare. */
function plain(value) {
  if (Array.isArray(value)) return value.map(plain)
  if (!value || typeof value !== 'object' || value instanceof Date || ArrayBuffer.isView(value)) return value
  const proto = Object.getPrototypeOf(value)
  const fields = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
  if (proto === Object.prototype || proto === null) return fields
  return { class: value.constructor.name, methods: members(value), fields }
}

/** Every key path of a value in order, with the type of what is there: same keys, same order. */
function shape(value, path = '$') {
  if (Array.isArray(value)) return [[path, 'array'], ...value.flatMap((v, i) => shape(v, `${path}[${i}]`))]
  if (value && typeof value === 'object') {
    return [[path, 'object'], ...Object.keys(value).flatMap((k) => shape(value[k], `${path}.${k}`))]
  }
  return [[path, value === null ? 'null' : typeof value]]
}

function assertSameValue(mine, theirs, what = 'result') {
  assert.deepStrictEqual(plain(mine), plain(theirs), what)
  assert.deepStrictEqual(shape(mine), shape(theirs), `${what}: same keys in the same order`)
}

function assertSameList(mine, theirs) {
  assert.ok(theirs instanceof sdkPackage.AutoPaginatable, 'the SDK answered a list')
  assert.ok(mine instanceof AutoPaginatable)
  assert.equal(mine.constructor.name, theirs.constructor.name)
  assert.equal(JSON.stringify(mine), JSON.stringify(theirs), 'JSON.stringify of the list object')
  assert.deepStrictEqual(Object.keys(mine), Object.keys(theirs), 'own keys')
  assert.equal(mine.object, 'list')
  assertSameValue(mine.data, theirs.data, 'data')
  assertSameValue(mine.listMetadata, theirs.listMetadata, 'listMetadata')
  assertSameValue(mine.options, theirs.options, 'options')
  assertSameValue(mine.warnings, theirs.warnings, 'warnings')
}

const API_ERRORS = new Set([
  'UnauthorizedException',
  'NotFoundException',
  'ConflictException',
  'UnprocessableEntityException',
  'BadRequestException',
  'RateLimitExceededException',
  'GenericServerException',
  'OauthException',
])

/** Same class, same own fields; `requestID` is the real X-Request-ID where 7.x gives "". */
function assertSameError(mine, theirs) {
  assert.ok(mine instanceof Error, `expected an error, got ${JSON.stringify(mine)}`)
  assert.equal(mine.constructor.name, theirs.constructor.name, `class (ours: ${mine.message})`)
  for (const field of ['name', 'status', 'code', 'message']) assert.deepStrictEqual(mine[field], theirs[field], field)
  const { requestID: ourId, ...ourFields } = { ...mine }
  const { requestID: theirId, ...theirFields } = { ...theirs }
  assert.deepStrictEqual(ourFields, theirFields, 'own fields')
  assert.deepStrictEqual(Object.keys(mine), Object.keys(theirs), 'own keys in order')
  if (API_ERRORS.has(theirs.constructor.name)) {
    assert.ok(mine instanceof pkg[theirs.constructor.name], 'instanceof the exported class')
    if (theirs.status !== 408) {
      assert.equal(theirId, '', '7.x never reads the request id')
      assert.match(ourId, /^req_/, 'the real X-Request-ID')
    } else {
      assert.equal(ourId, theirId, 'a timeout has no request id')
    }
  }
}

/**
 * The idempotency keys must agree: an explicit key is sent as given, createEvent's automatic one is
 * `workos-node-<uuid>` in both; on other POSTs we add `retry-<uuid>` (7.x sends none).
 */
function assertSameKey(mine, theirs, method) {
  if (theirs && new RegExp(`^workos-node-${UUID}$`).test(theirs)) {
    assert.match(mine, new RegExp(`^workos-node-${UUID}$`))
  } else if (theirs) {
    assert.equal(mine, theirs)
  } else if (method === 'POST') {
    assert.match(mine || '', new RegExp(`^retry-${UUID}$`), 'an automatic Idempotency-Key on POST')
  } else {
    assert.equal(mine, undefined)
  }
}

function assertSameRequests(mine, theirs) {
  assert.equal(mine.length, theirs.length, `request count: ours ${JSON.stringify(mine.map((r) => r.path))}`)
  mine.forEach((request, i) => {
    const { idempotencyKey: ourKey, ...ourRest } = request
    const { idempotencyKey: theirKey, ...theirRest } = theirs[i]
    assert.deepStrictEqual(ourRest, theirRest, `request ${i}`)
    assertSameKey(ourKey, theirKey, request.method)
  })
}

/**
 * Runs `fn` (sync or async), capturing its value or error, whether it answered a promise or threw at
 * once (`async`), and the process warnings it emitted.
 */
async function outcome(fn) {
  const warnings = []
  const emitWarning = process.emitWarning
  process.emitWarning = (...args) => warnings.push(args)
  let async = false
  try {
    const result = fn()
    async = typeof result?.then === 'function'
    return { value: await result, async, warnings }
  } catch (error) {
    return { error, async, warnings }
  } finally {
    process.emitWarning = emitWarning
  }
}

/**
 * A harness over one emulator and the two clients (set `h.emu`, `h.sdk`, `h.ours` in `before`).
 * `h.differential(method, invoke, options)` calls `invoke` on the SDK and on ours from the same
 * emulator state, then puts that state back; it asserts the same outcome and requests (unless
 * `compare` is false) and returns both. `h.covered` collects the methods compared.
 */
function harness() {
  const h = { emu: null, sdk: null, ours: null, covered: new Set(), ignore: () => false }

  /** The WorkOS API requests the emulator saw (AuthKit's paths, and those `h.ignore` names, left out). */
  h.apiRequests = () =>
    h.emu.requests
      .filter((r) => !r.path.startsWith('/oauth2/') && !r.path.startsWith('/.well-known/') && !h.ignore(r))
      .map((r) => ({
        method: r.method,
        path: r.path,
        query: r.query,
        body: r.body,
        contentType: r.headers['content-type'],
        accept: r.headers.accept,
        authorization: r.headers.authorization,
        idempotencyKey: r.headers['idempotency-key'],
        warrantToken: r.headers['warrant-token'],
        custom: r.headers['x-custom'],
      }))

  h.differential = async (method, invoke, { compare = true, requests = true, clients = [h.sdk, h.ours], same = assertSameValue } = {}) => {
    if (compare) h.covered.add(method)
    const api = h.emu.api
    const start = api.snapshot()
    h.emu.resetLog()
    const theirs = await outcome(() => invoke(clients[0], 'sdk'))
    const theirRequests = h.apiRequests()
    api.restore(start)
    h.emu.resetLog()
    const mine = await outcome(() => invoke(clients[1], 'ours'))
    const ourRequests = h.apiRequests()
    api.restore(start)
    if (compare) {
      if (theirs.error) {
        assertSameError(mine.error ?? mine.value, theirs.error)
      } else {
        assert.equal(mine.error, undefined, `ours failed: ${mine.error && mine.error.stack}`)
        if (theirs.value instanceof sdkPackage.AutoPaginatable) assertSameList(mine.value, theirs.value)
        else await same(mine.value, theirs.value)
      }
      if (requests) assertSameRequests(ourRequests, theirRequests)
      assert.deepStrictEqual(mine.warnings, theirs.warnings, 'process warnings')
      assert.equal(mine.async, theirs.async, 'a promise, or a value (or error) at once')
    }
    return { mine, theirs, ourRequests, theirRequests }
  }

  /** One test per case: `[method, label, invoke]`, method as `module.name`. */
  h.cases = (test, list) => {
    for (const [method, label, invoke] of list) test(`${method}: ${label}`, () => h.differential(method, invoke))
  }

  /** Every method this file owns (taken from the SDK instance) was compared. */
  h.assertCovered = (file) => {
    const owned = names(surface(h.sdk)).filter(OWNERS[file])
    assert.deepStrictEqual(
      owned.filter((m) => !h.covered.has(m)),
      [],
      `${file}: methods never compared`,
    )
    return owned.length
  }

  return h
}

module.exports = {
  UUID,
  API_ERRORS,
  OWNERS,
  harness,
  surface,
  names,
  members,
  plain,
  shape,
  outcome,
  assertSameValue,
  assertSameList,
  assertSameError,
  assertSameRequests,
}
