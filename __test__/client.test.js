'use strict'
// getClient() and `new WorkOS()`: @workos-inc/node's own `WorkOS`, whose HTTP is the native transport.
// The SDK's code is the SDK's: what is tested here is the seam and what this package adds at it. The
// surface against the real SDK; the transport as the emulator sees it (headers, the key, retries,
// idempotency, timeouts, refusals); the SDK's exceptions by status; and that no dump shows the key.
//
// The SDK version under test is the installed one; CI runs this file against the lowest 7.x the
// dependency range allows too (.ci/run sets WORKOS_SDK_VERSION to the version it installed).
const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const path = require('node:path')
const { Writable } = require('node:stream')
const { execFileSync } = require('node:child_process')
const { performance } = require('node:perf_hooks')
const sdk = require('@workos-inc/node')
const pkg = require('@xmcp-dev/workos')
const { createEmulator } = require('./support/emulator')
const { configFor } = require('./support/express-app')

const ROOT = path.resolve(__dirname, '..')
const KEY = 'sk_test_never_print_this_4f1c9e'
const ADA = 'user_01EMU'
const UUID = /^retry-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

let emu
let options
let client

const caught = (promise) =>
  promise.then(
    (value) => assert.fail(`expected an error, got ${util.inspect(value)}`),
    (error) => error,
  )
const answer = (body, status = 200, headers) => ({ status, body, headers })
const apiRequests = () => emu.requests.filter((r) => !r.path.startsWith('/oauth2/'))

before(async () => {
  emu = await createEmulator({ apiKey: KEY })
  options = { apiHostname: '127.0.0.1', port: Number(new URL(emu.url).port), https: false }
  client = new pkg.WorkOS(KEY, options)
  emu.addUser({ id: ADA, email: 'ada@example.com', firstName: 'Ada' })
  for (let i = 0; i < 12; i++) emu.addUser({ id: `user_${String(i).padStart(2, '0')}` })
})
after(() => emu.close())

describe('the SDK itself', () => {
  test('the version under test', (t) => {
    t.diagnostic(`@workos-inc/node ${client.version}`)
    if (process.env.WORKOS_SDK_VERSION) assert.equal(client.version, process.env.WORKOS_SDK_VERSION)
    assert.equal(client.version, new sdk.WorkOS(KEY).version)
  })

  test("getClient() and new WorkOS() are instances of the SDK's WorkOS; the exceptions are the SDK's classes", () => {
    pkg.workosProvider(configFor(emu, 'http://127.0.0.1:1'))
    assert.ok(pkg.getClient() instanceof sdk.WorkOS)
    assert.ok(client instanceof sdk.WorkOS)
    assert.ok(pkg.WorkOS.prototype instanceof sdk.WorkOS)
    const exceptions = Object.keys(sdk).filter((name) => name.endsWith('Exception'))
    assert.ok(exceptions.length >= 9)
    for (const name of exceptions) assert.equal(pkg[name], sdk[name], name)
  })

  test("the whole surface is the SDK's: every module and member, on new WorkOS() and getClient()", (t) => {
    pkg.workosProvider(configFor(emu, 'http://127.0.0.1:1'))
    const members = (object) => {
      const names = new Set(Object.keys(object).filter((k) => typeof object[k] === 'function'))
      for (let p = Object.getPrototypeOf(object); p && p !== Object.prototype; p = Object.getPrototypeOf(p))
        for (const name of Object.getOwnPropertyNames(p)) if (name !== 'constructor') names.add(name)
      return [...names].sort()
    }
    // The SDK's internals (its HTTP client and error handlers, TypeScript `private`s), and `key`: a data
    // property there, an accessor here.
    const INTERNAL = new Set(['client', 'handleParseError', 'handleHttpError', 'key'])
    const surface = (c) => {
      const out = { '': members(c).filter((n) => !INTERNAL.has(n)) }
      for (const [name, value] of Object.entries(c))
        if (value && typeof value === 'object' && !INTERNAL.has(name) && name !== 'options') out[name] = members(value)
      return out
    }
    const theirs = surface(new sdk.WorkOS(KEY, { ...options }))
    for (const [what, c] of [
      ['new WorkOS()', client],
      ['getClient()', pkg.getClient()],
    ]) {
      const mine = surface(c)
      assert.deepStrictEqual(Object.keys(mine).sort(), Object.keys(theirs).sort(), `${what}: modules`)
      for (const module of Object.keys(theirs)) assert.deepStrictEqual(mine[module], theirs[module], `${what}: ${module || 'the instance'}`)
    }
    // The README's count: the modules' methods (not the vault's deprecated aliases, own properties, nor
    // the `jwks` getter), all of them on getClient().
    // Members whose value is a function, on a client without clientId (where `jwks` is undefined), less
    // the vault's aliases (own properties, the same functions as its methods).
    const methodsOf = (object) => {
      const all = members(object).filter((n) => typeof object[n] === 'function')
      return all.filter((n) => !(Object.hasOwn(object, n) && all.some((other) => other !== n && object[other] === object[n])))
    }
    const modules = Object.keys(theirs).filter((m) => m !== '')
    const methods = modules.flatMap((m) => methodsOf(client[m]).map((n) => `${m}.${n}`))
    for (const name of methods) assert.equal(typeof name.split('.').reduce((o, k) => o[k], pkg.getClient()), 'function', name)
    t.diagnostic(`${methods.length} methods in ${modules.length} modules; ${Object.values(theirs).flat().length} members in all`)
    if (client.version === '7.82.0') assert.deepEqual([methods.length, modules.length], [140, 18])
  })

  test("new WorkOS(key, options) keeps 7.x's constructor", () => {
    assert.equal(client.baseURL, `http://127.0.0.1:${options.port}`)
    assert.equal(new pkg.WorkOS(KEY).baseURL, 'https://api.workos.com')
    assert.equal(new pkg.WorkOS(KEY, { apiHostname: 'h.example', port: 8443 }).baseURL, 'https://h.example:8443')
    const saved = { key: process.env.WORKOS_API_KEY, id: process.env.WORKOS_CLIENT_ID }
    try {
      delete process.env.WORKOS_API_KEY
      assert.throws(() => new pkg.WorkOS(), sdk.NoApiKeyProvidedException)
      process.env.WORKOS_API_KEY = KEY
      process.env.WORKOS_CLIENT_ID = 'client_env'
      const fromEnv = new pkg.WorkOS()
      assert.equal(fromEnv.key, KEY)
      assert.equal(fromEnv.clientId, 'client_env')
    } finally {
      for (const [name, value] of [
        ['WORKOS_API_KEY', saved.key],
        ['WORKOS_CLIENT_ID', saved.id],
      ])
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
    }
    assert.throws(() => new pkg.WorkOS(KEY, { apiHostname: 'bad host/' }), /apiHostname/)
  })

  test("getClient() is the provider's client: its API location, its key, its clientId", async () => {
    pkg.workosProvider(configFor(emu, 'http://127.0.0.1:1'))
    const c = pkg.getClient()
    assert.equal(c.baseURL, emu.url)
    assert.equal(c.key, KEY)
    assert.equal(c.clientId, emu.clientId)
    assert.equal((await c.userManagement.getUser(ADA)).email, 'ada@example.com')
  })
})

describe('the transport: what reaches the API', () => {
  test("every request is the native transport's, with the key, the SDK's headers and no fetch of Node's", async () => {
    emu.resetLog()
    const withApp = new pkg.WorkOS(KEY, {
      ...options,
      appInfo: { name: 'tool', version: '1.2' },
      config: { headers: { 'X-Extra': 'yes', Authorization: 'Bearer not-the-key' } },
    })
    await withApp.userManagement.getUser(ADA)
    await client.userManagement.listUsers({ limit: 2 })
    const [first, second] = apiRequests()
    assert.equal(first.headers.authorization, `Bearer ${KEY}`, 'the key wins over a configured Authorization, as in 7.x')
    assert.equal(first.headers['x-extra'], 'yes')
    assert.equal(first.headers['user-agent'], `workos-node/${client.version}/native tool: 1.2`)
    assert.equal(first.headers.accept, 'application/json, text/plain, */*')
    assert.equal(second.headers['user-agent'], `workos-node/${client.version}/native`)
    assert.equal(second.path, '/user_management/users')
    assert.deepEqual(second.query, { limit: '2', order: 'desc' })
    for (const r of [first, second]) assert.equal(r.headers['sec-fetch-mode'], undefined, 'not sent by fetch')
    assert.equal(emu.sdkFetchRequests, 0)
  })

  test("a request's own Authorization (an access token) replaces the key", async () => {
    emu.resetLog()
    await client.get('/user_management/users', { accessToken: 'at_user' }).catch(() => {})
    assert.equal(apiRequests()[0].headers.authorization, 'Bearer at_user')
  })

  test('every POST carries an Idempotency-Key, the same on every attempt; an explicit one is kept', async () => {
    emu.fault('/organizations', '500', { times: 1 })
    emu.resetLog()
    await client.organizations.createOrganization({ name: 'Acme' })
    const posts = apiRequests().filter((r) => r.path === '/organizations')
    assert.equal(posts.length, 2)
    assert.match(posts[0].headers['idempotency-key'], UUID)
    assert.equal(posts[1].headers['idempotency-key'], posts[0].headers['idempotency-key'])
    emu.resetLog()
    await client.organizations.createOrganization({ name: 'Acme 2' }, { idempotencyKey: 'mine-1' })
    assert.equal(apiRequests()[0].headers['idempotency-key'], 'mine-1')
  })

  test('429 with Retry-After: waits that long, then succeeds; a 429 that persists is RateLimitExceededException', async () => {
    const path = `/user_management/users/${ADA}`
    emu.fault(path, answer({ message: 'Slow down' }, 429, { 'retry-after': '1' }), { times: 1 })
    const started = performance.now()
    assert.equal((await client.userManagement.getUser(ADA)).id, ADA)
    assert.ok(performance.now() - started >= 950, 'waited the Retry-After')
    emu.fault(path, answer({ message: 'Slow down' }, 429, { 'retry-after': '0' }), { times: 4 })
    emu.resetLog()
    const err = await caught(client.userManagement.getUser(ADA))
    assert.ok(err instanceof sdk.RateLimitExceededException)
    assert.equal(err.retryAfter, 0)
    assert.equal(emu.count(path), 4, 'the first attempt and 3 retries')
    emu.clearFaults()
  })

  test("timeouts are per attempt and retried; when they persist, the SDK's 408 OauthException", async () => {
    const quick = new pkg.WorkOS(KEY, { ...options, timeout: 300 })
    const path = `/user_management/users/${ADA}`
    emu.fault(path, 'hang', { times: 1 })
    assert.equal((await quick.userManagement.getUser(ADA)).id, ADA)
    emu.fault(path, 'hang', { times: 4 })
    const err = await caught(quick.userManagement.getUser(ADA))
    assert.ok(err instanceof sdk.OauthException)
    assert.equal(err.status, 408)
    emu.clearFaults()
  })

  test('no answer at all: the SDK\'s "Unexpected error: TypeError: fetch failed", after the retries', async () => {
    const path = `/user_management/users/${ADA}`
    emu.fault(path, 'drop', { times: 4 })
    const err = await caught(client.userManagement.getUser(ADA))
    assert.match(err.message, /^Unexpected error: TypeError: fetch failed/)
    assert.ok(err.cause instanceof TypeError)
    emu.clearFaults()
  })

  test('a path that would resolve elsewhere than it reads is refused before any request', async () => {
    emu.resetLog()
    for (const id of ['a/../b', '..', '.', '', 'a/./b', 'a//b', '%2e%2E', 'a?b=1', 'a#b', 'a\\b', 'a\tb']) {
      const err = await caught(client.userManagement.getUser(id))
      assert.ok(err instanceof TypeError, `${JSON.stringify(id)}: ${err}`)
      assert.match(err.message, /^\[WorkOS\] refused to send/)
    }
    assert.deepEqual(apiRequests(), [], 'nothing was sent')
    const spaced = await caught(client.userManagement.getUser('user 1'))
    assert.ok(spaced instanceof sdk.NotFoundException)
    assert.equal(apiRequests()[0].path, '/user_management/users/user%201')
  })

  test("the instance's get/post/put/delete never send the key to another origin", async () => {
    emu.resetLog()
    for (const call of [
      () => client.get('http://evil.example/x'),
      () => client.get('//evil.example/x'),
      () => client.post(`http://127.0.0.1:${options.port + 1}/x`, {}),
      () => client.put(`https://127.0.0.1:${options.port}/x`, {}),
      () => client.delete(`http://u:p@127.0.0.1:${options.port}/x`),
      () => client.client.get('http://evil.example/x', {}),
    ]) {
      assert.match((await caught(call())).message, /refused to send|not on/)
    }
    assert.deepEqual(apiRequests(), [])
    // A URL on the API's own origin is fine (the SDK's vault list builds one).
    assert.equal((await client.get(`${client.baseURL}/user_management/users/${ADA}`)).data.id, ADA)
  })
})

describe("the SDK's exceptions, by status", () => {
  const path = `/user_management/users/${ADA}`
  const failing = async (fault) => {
    emu.fault(path, fault, { times: 4 })
    try {
      return await caught(client.userManagement.getUser(ADA))
    } finally {
      emu.clearFaults()
    }
  }

  test('401, 404, 409, 422, 400, OAuth errors, 500: each class, with the X-Request-ID', async () => {
    const bad = await caught(new pkg.WorkOS(`${KEY}_wrong`, options).userManagement.getUser(ADA))
    assert.ok(bad instanceof sdk.UnauthorizedException)
    const missing = await caught(client.userManagement.getUser('user_missing'))
    assert.ok(missing instanceof sdk.NotFoundException)
    assert.equal(missing.message, 'User not found: user_missing')
    assert.match(missing.requestID, /^req_/, "the answer's X-Request-ID (7.x's fetch client gives '')")
    const conflict = await failing(answer({ message: 'Taken', error: 'conflict' }, 409))
    assert.equal(conflict.name, 'ConflictException')
    assert.equal(conflict.status, 409)
    const invalid = await failing(answer({ message: 'Invalid', code: 'invalid', errors: [{ code: 'x', field: 'y' }] }, 422))
    assert.ok(invalid instanceof sdk.UnprocessableEntityException)
    const badRequest = await failing(answer({ message: 'Weak', code: 'weak', errors: [{ code: 'short' }] }, 400))
    assert.ok(badRequest instanceof sdk.BadRequestException)
    const oauth = await failing(answer({ error: 'invalid_grant', error_description: 'No' }, 400))
    assert.ok(oauth instanceof sdk.OauthException)
    assert.equal(oauth.error, 'invalid_grant')
    const server = await failing(answer({ message: 'Down' }, 500))
    assert.ok(server instanceof sdk.GenericServerException)
    assert.equal(server.status, 500)
    assert.equal(server.message, 'Down')
  })

  test('an unparseable 2xx body is a ParseError; an error answer that is not JSON is "Unexpected error: ParseError"', async () => {
    const broken = await failing('garbage')
    assert.equal(broken.name, 'ParseError')
    assert.equal(broken.rawBody, '<html>{"not": json')
    assert.equal(broken.rawStatus, 200)
    assert.match(broken.requestID, /^req_/)
    const html = await failing({ status: 200, body: '<html>', headers: { 'content-type': 'text/html' } })
    assert.equal(html.name, 'ParseError', 'a 2xx body not declared JSON (7.x reads it as null, then fails with a TypeError)')
    const notJson = await failing({ status: 400, body: '<html>', headers: { 'content-type': 'text/html' } })
    assert.match(notJson.message, /^Unexpected error: ParseError/)
    assert.equal(notJson.cause.name, 'ParseError')
  })

  test('__proto__ in an answer stays data', async () => {
    emu.fault(path, answer(`{"object":"user","id":"${ADA}","email":"e","metadata":{"__proto__":{"polluted":true}}}`), { times: 1 })
    const user = await client.userManagement.getUser(ADA)
    assert.equal(Object.getPrototypeOf(user.metadata), Object.prototype)
    assert.deepEqual(Object.keys(user.metadata), ['__proto__'])
    assert.equal({}.polluted, undefined)
  })
})

describe('sealed sessions', () => {
  test("isValidJwt() downloads AuthKit's keys through the transport", async () => {
    const withClient = new pkg.WorkOS(KEY, { ...options, clientId: emu.clientId })
    emu.resetLog()
    assert.equal(await withClient.userManagement.isValidJwt(emu.mintToken()), true)
    assert.equal(await withClient.userManagement.isValidJwt(`${emu.mintToken()}x`), false)
    const jwks = apiRequests().filter((r) => r.path === `/sso/jwks/${emu.clientId}`)
    assert.equal(jwks.length, 1, 'downloaded once, then cached')
    assert.equal(jwks[0].headers['user-agent'], `workos-node/${client.version}/native`)
  })
})

describe('the API key never shows in a dump', () => {
  /** Every way a dump of `value` is written: JSON (cycles cut), inspect (plain, hidden members and getters), console. */
  function dumps(value) {
    let logged = ''
    const sink = new Writable({
      write(chunk, _, done) {
        logged += chunk
        done()
      },
    })
    const logger = new console.Console({ stdout: sink, stderr: sink })
    logger.log(value)
    logger.dir(value, { showHidden: true, getters: true, depth: Infinity })
    const seen = new WeakSet()
    const json = JSON.stringify(value, (_, v) => {
      if (typeof v !== 'object' || v === null) return v
      if (seen.has(v)) return '[cycle]'
      seen.add(v)
      return v
    })
    return {
      json,
      hidden: util.inspect(value, { showHidden: true, getters: true, depth: Infinity }),
      format: util.format('%o %O', value, value),
      logged,
    }
  }
  const assertNoKey = (value, what) => {
    for (const [how, text] of Object.entries(dumps(value))) assert.ok(!`${text}`.includes(KEY), `${what}: ${how} shows the key`)
  }

  test('clients and their modules (new WorkOS(), WORKOS_API_KEY, getClient()); client.key stays readable', async () => {
    pkg.workosProvider(configFor(emu, 'http://127.0.0.1:1'))
    const saved = process.env.WORKOS_API_KEY
    process.env.WORKOS_API_KEY = KEY
    try {
      const clients = { 'new WorkOS(key, options)': client, WORKOS_API_KEY: new pkg.WorkOS(), 'getClient()': pkg.getClient() }
      for (const [what, c] of Object.entries(clients)) {
        await c.userManagement.getUser(ADA).catch(() => {})
        assertNoKey(c, what)
        for (const [name, module] of Object.entries(c)) if (module && typeof module === 'object') assertNoKey(module, `${what}.${name}`)
        assert.equal(c.key, KEY)
        assert.ok(!Object.getOwnPropertyNames(c).includes('key'))
      }
    } finally {
      if (saved === undefined) delete process.env.WORKOS_API_KEY
      else process.env.WORKOS_API_KEY = saved
    }
  })

  test('lists, before and after autoPagination(), and errors', async () => {
    const list = await client.userManagement.listUsers({ limit: 5 })
    assertNoKey(list, 'a list')
    assertNoKey(await list.autoPagination(), 'its items')
    assertNoKey(list, 'a walked list')
    assertNoKey(await caught(new pkg.WorkOS(`${KEY}_wrong`, options).userManagement.getUser(ADA)), 'UnauthorizedException')
    assertNoKey(await caught(client.userManagement.getUser('user_missing')), 'NotFoundException')
    assertNoKey(await caught(client.userManagement.getUser('..')), 'a refusal')
  })

  test('console.log of a client in another process prints no key', () => {
    const script = `const { WorkOS } = require('@xmcp-dev/workos'); const c = new WorkOS(${JSON.stringify(KEY)});
      console.log(c); console.dir(c, { showHidden: true, getters: true, depth: null }); console.log(c.key.length)`
    const out = execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' })
    assert.ok(!out.includes(KEY), out)
    assert.match(out, new RegExp(`${KEY.length}\\n$`))
  })
})

describe("the SDK's own behaviour, where this package's copy differed", () => {
  test('autoPagination() fetches the first page again', async () => {
    const list = await client.userManagement.listUsers()
    emu.resetLog()
    const all = await list.autoPagination()
    assert.ok(all.length >= 13)
    const pages = apiRequests().filter((r) => r.path === '/user_management/users')
    assert.ok(pages.length >= 1)
    assert.equal(pages[0].query.after, undefined, 'the walk starts at the head of the list, the page the caller has')
    assert.equal(pages[0].query.limit, '100')
  })

  test('ids go into the path as the SDK writes them: a "/" in an id is a separator', async () => {
    emu.resetLog()
    await caught(client.userManagement.getUser('a/b'))
    assert.equal(apiRequests()[0].path, '/user_management/users/a/b')
  })
})
