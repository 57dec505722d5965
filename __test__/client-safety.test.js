'use strict'
// getClient() with what an outside review found (issue 9), each pinned as a class with several inputs:
// the API key never shows in a dump (4), data from the API never sets a prototype (5), and answers the
// real API should not send are still read as JSON.parse reads them, never misread (6). Where the SDK
// reads an answer, ours must read it the same; where the SDK would crash, ours throws a ParseError.
const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const { Writable } = require('node:stream')
const { execFileSync } = require('node:child_process')
const path = require('node:path')
const { WorkOS: SdkWorkOS } = require('@workos-inc/node')
const pkg = require('@xmcp-dev/workos')
const { createEmulator } = require('./support/emulator')
const { configFor } = require('./support/express-app')

const KEY = 'sk_test_never_print_this_4f1c9e'
const ROOT = path.resolve(__dirname, '..')
const ADA = 'user_01EMU'

let emu
let options
let sdk
let ours

/** Every way a dump of `value` is written: JSON, inspect (plain, all hidden members and getters), console. */
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
  let json
  try {
    json = JSON.stringify(value)
  } catch {
    json = ''
  }
  return {
    json,
    inspect: util.inspect(value),
    hidden: util.inspect(value, { showHidden: true, getters: true, depth: Infinity }),
    format: util.format('%o %O %j', value, value, value),
    console: logged,
  }
}

function assertNoKey(value, what, key = KEY) {
  for (const [how, text] of Object.entries(dumps(value))) {
    assert.ok(!text.includes(key), `${what}: ${how} shows the API key:\n${text}`)
  }
}

/** `invoke` on the SDK and on ours, each meeting `fault` (a raw answer) on `path` once. */
async function both(faultPath, fault, invoke) {
  const run = async (client) => {
    emu.clearFaults()
    emu.fault(faultPath, fault, { times: 1 })
    try {
      return { value: await invoke(client) }
    } catch (error) {
      return { error }
    } finally {
      emu.clearFaults()
    }
  }
  return { theirs: await run(sdk), mine: await run(ours) }
}

const answer = (body, status = 200) => ({ status, body })

/** Our result equals the SDK's: same value, same keys, and no prototype other than the usual. */
function assertSameRead({ mine, theirs }) {
  assert.equal(mine.error, undefined, `ours failed: ${mine.error && mine.error.stack}`)
  assert.equal(theirs.error, undefined, `the SDK failed: ${theirs.error && theirs.error.stack}`)
  assert.deepStrictEqual(mine.value, theirs.value)
}

/** Every object in `value` has a plain prototype (Object.prototype or Array.prototype). */
function assertPlainPrototypes(value, at = '$') {
  if (value === null || typeof value !== 'object') return
  const proto = Object.getPrototypeOf(value)
  assert.ok(proto === Object.prototype || proto === Array.prototype, `${at} has another prototype`)
  for (const key of Object.keys(value)) assertPlainPrototypes(value[key], `${at}.${key}`)
}

const wireUser = (extra = '') =>
  `{"object":"user","id":"${ADA}","email":"ada@example.com","email_verified":true,"first_name":"Ada","last_name":null,` +
  `"profile_picture_url":null,"last_sign_in_at":null,"locale":null,"created_at":"2026-01-01T00:00:00.000Z",` +
  `"updated_at":"2026-01-01T00:00:00.000Z","external_id":null,"metadata":{}${extra}}`

describe('getClient() safety (issue 9)', () => {
  before(async () => {
    emu = await createEmulator({ apiKey: KEY })
    options = { apiHostname: '127.0.0.1', port: Number(new URL(emu.url).port), https: false }
    sdk = new SdkWorkOS(KEY, options)
    ours = new pkg.WorkOS(KEY, options)
    emu.addUser({ id: ADA, email: 'ada@example.com', firstName: 'Ada' })
    for (let i = 0; i < 12; i++) emu.addUser({ id: `user_${String(i).padStart(2, '0')}` })
  })
  after(() => emu.close())

  describe('4. the API key never shows in a dump', () => {
    test('clients: new WorkOS(key), new WorkOS(key, options), WORKOS_API_KEY, getClient()', () => {
      const saved = process.env.WORKOS_API_KEY
      process.env.WORKOS_API_KEY = KEY
      try {
        const clients = {
          'new WorkOS(key)': new pkg.WorkOS(KEY),
          'new WorkOS(key, options)': new pkg.WorkOS(KEY, {
            ...options,
            appInfo: { name: 'tool', version: '1' },
            config: { headers: { 'X-A': 'b' } },
          }),
          'new WorkOS() with WORKOS_API_KEY': new pkg.WorkOS(),
        }
        pkg.workosProvider(configFor(emu, 'http://127.0.0.1:1'))
        clients['getClient()'] = pkg.getClient()
        for (const [what, client] of Object.entries(clients)) {
          assertNoKey(client, what)
          for (const [name, module] of Object.entries(client))
            if (module && typeof module === 'object') assertNoKey(module, `${what}.${name}`)
          assert.equal(client.key, KEY, `${what}: key stays readable`)
          assert.ok(!Object.keys(client).includes('key'), `${what}: key is not an own property`)
          assert.ok(!Object.getOwnPropertyNames(client).includes('key'))
        }
      } finally {
        if (saved === undefined) delete process.env.WORKOS_API_KEY
        else process.env.WORKOS_API_KEY = saved
      }
    })

    test('list results (AutoPaginatable), before and after autoPagination()', async () => {
      const lists = [
        await ours.userManagement.listUsers(),
        await ours.userManagement.listUsers({ limit: 2 }),
        await ours.organizations.listOrganizations(),
      ]
      for (const list of lists) {
        assertNoKey(list, 'a list')
        assertNoKey(await list.autoPagination(), 'its items')
        assertNoKey(list, 'a walked list')
      }
    })

    test('every exception class, from real failing calls', async () => {
      const fault = (p, kind, times = 1) => emu.fault(p, kind, { times })
      const caught = async (promise) =>
        promise.then(
          () => assert.fail('expected an error'),
          (e) => e,
        )
      const errors = {
        UnauthorizedException: await caught(new pkg.WorkOS(`${KEY}_wrong`, options).userManagement.getUser(ADA)),
        NotFoundException: await caught(ours.userManagement.getUser('user_missing')),
        UnprocessableEntityException: await caught(ours.userManagement.listUsers({ limit: 500 })),
        OauthException: await caught(ours.sso.getProfileAndToken({ code: 'nope', clientId: emu.clientId })),
        TypeError: await caught(ours.userManagement.getUser('..')),
      }
      fault(`/user_management/users/${ADA}`, answer({ message: 'Taken', error: 'conflict' }, 409))
      errors.ConflictException = await caught(ours.userManagement.getUser(ADA))
      fault('/user_management/users', answer({ code: 'weak', errors: [{ code: 'password_too_short' }] }, 400))
      errors.BadRequestException = await caught(ours.userManagement.createUser({ email: 'x@y.z', password: 'p' }))
      fault(`/user_management/users/${ADA}`, { status: 429, body: {}, headers: { 'retry-after': '0' } }, 4)
      errors.RateLimitExceededException = await caught(ours.userManagement.getUser(ADA))
      fault(`/user_management/users/${ADA}`, answer({ message: 'No' }, 400))
      errors.GenericServerException = await caught(ours.userManagement.getUser(ADA))
      fault(`/user_management/users/${ADA}`, 'garbage')
      errors.ParseError = await caught(ours.userManagement.getUser(ADA))
      fault(`/user_management/users/${ADA}`, { status: 400, body: '<html>', headers: { 'content-type': 'text/html' } })
      errors['Unexpected error: ParseError'] = await caught(ours.userManagement.getUser(ADA))
      fault(`/user_management/users/${ADA}`, 'drop', 4)
      errors['Unexpected error: fetch failed'] = await caught(ours.userManagement.getUser(ADA))
      errors.SignatureVerificationException = await caught(
        ours.webhooks.verifyHeader({ payload: {}, sigHeader: `t=${Date.now()},v1=00`, secret: 's' }),
      )
      emu.clearFaults()
      const saved = process.env.WORKOS_API_KEY
      delete process.env.WORKOS_API_KEY
      try {
        errors.NoApiKeyProvidedException = (() => {
          try {
            return new pkg.WorkOS()
          } catch (e) {
            return e
          }
        })()
      } finally {
        if (saved !== undefined) process.env.WORKOS_API_KEY = saved
      }
      for (const [what, error] of Object.entries(errors)) {
        assert.ok(error instanceof Error, what)
        assertNoKey(error, what)
      }
      for (const name of Object.keys(pkg).filter((n) => /Exception$|^ParseError$/.test(n))) {
        assert.ok(
          Object.values(errors).some((e) => e.constructor === pkg[name]),
          `${name} was exercised`,
        )
      }
    })

    test('a client in another process: console.log of the client prints no key', () => {
      const script = `const { WorkOS } = require('@xmcp-dev/workos'); const c = new WorkOS(${JSON.stringify(KEY)});
        console.log(c); console.dir(c, { showHidden: true, getters: true, depth: null }); console.log(JSON.stringify(c), c.key.length)`
      const out = execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' })
      assert.ok(!out.includes(KEY), out)
      assert.match(out, new RegExp(`${KEY.length}\\n$`))
    })
  })

  describe('the secrets of local computations never show in a dump', () => {
    const COOKIE_PASSWORD = 'cookie_password_never_print_this_32chars'
    const WEBHOOK_SECRET = 'whsec_never_print_this_5a1b'

    test('sealed sessions: the cookie password is in no result, session object or error', async () => {
      const um = new pkg.WorkOS(KEY, { ...options, clientId: emu.clientId }).userManagement
      const response = { user: { id: ADA }, accessToken: emu.mintToken(), refreshToken: 'rt' }
      const sealed = await um.sealSessionDataFromAuthenticationResponse({
        authenticationResponse: response,
        cookiePassword: COOKIE_PASSWORD,
      })
      const session = um.loadSealedSession({ sessionData: sealed, cookiePassword: COOKIE_PASSWORD })
      const values = {
        sealed,
        prepared: await um.prepareAuthenticationResponse({
          authenticationResponse: response,
          session: { sealSession: true, cookiePassword: COOKIE_PASSWORD },
        }),
        opened: await um.getSessionFromCookie({ sessionData: sealed, cookiePassword: COOKIE_PASSWORD }),
        session,
        authenticated: await session.authenticate(),
        refreshed: await session.refresh(),
        'an error of a wrong prefix': await um
          .getSessionFromCookie({ sessionData: `x${sealed}`, cookiePassword: COOKIE_PASSWORD })
          .catch((e) => e),
        'an error of a short password': await um
          .getSessionFromCookie({ sessionData: sealed, cookiePassword: COOKIE_PASSWORD.slice(0, 20) })
          .catch((e) => e),
      }
      assert.equal(session.cookiePassword, COOKIE_PASSWORD, 'readable, as in 7.x')
      for (const [what, value] of Object.entries(values)) {
        assertNoKey(value, what, COOKIE_PASSWORD)
        assertNoKey(value, what, COOKIE_PASSWORD.slice(0, 20))
        assertNoKey(value, what)
      }
    })

    test('webhook and Action secrets: in no signature, event, response or error', async () => {
      const payload = { id: 'event_1', event: 'user.created', data: { object: 'user', id: ADA }, created_at: 'x' }
      const sigHeader = `t=${Date.now()}, v1=${await ours.webhooks.computeSignature(Date.now(), payload, WEBHOOK_SECRET)}`
      const values = {
        event: await ours.webhooks.constructEvent({ payload, sigHeader, secret: WEBHOOK_SECRET }).catch((e) => e),
        'a bad signature': await ours.webhooks
          .constructEvent({ payload: { ...payload, id: 'x' }, sigHeader, secret: WEBHOOK_SECRET })
          .catch((e) => e),
        response: await ours.actions.signResponse({ type: 'authentication', verdict: 'Deny', errorMessage: 'no' }, WEBHOOK_SECRET),
        'a bad action': await ours.actions.constructAction({ payload, sigHeader: 't=1,v1=2', secret: WEBHOOK_SECRET }).catch((e) => e),
      }
      for (const [what, value] of Object.entries(values)) assertNoKey(value, what, WEBHOOK_SECRET)
    })

    test('vault: the data key of encrypt/decrypt is in no result or error', async () => {
      const sealed = await ours.vault.encrypt('plain', { tenant: 't' }, 'aad')
      const dataKeys = () => Object.values(emu.api.store.dataKeys)
      assert.equal(dataKeys().length, 1)
      const values = {
        sealed,
        decoded: ours.vault.decode(sealed),
        decrypted: await ours.vault.decrypt(sealed, 'aad'),
        'a wrong aad': await ours.vault.decrypt(sealed, 'other').catch((e) => e),
      }
      emu.fault('/vault/v1/keys/data-key', answer({ context: {}, encrypted_keys: 'eA==', id: 'k' }), { times: 1 })
      values['an answer without a data key'] = await ours.vault.encrypt('x', {}).catch((e) => e)
      emu.fault('/vault/v1/keys/decrypt', answer({ data_key: Buffer.alloc(31, 1).toString('base64'), id: 'k' }), { times: 1 })
      values['a data key of the wrong size'] = await ours.vault.decrypt(sealed).catch((e) => e)
      emu.clearFaults()
      assert.ok(values['an answer without a data key'] instanceof pkg.ParseError)
      assert.equal(values['an answer without a data key'].rawBody, '', 'the answer is not kept: it could hold a key')
      for (const [what, value] of Object.entries(values)) {
        for (const key of [...dataKeys(), Buffer.alloc(31, 1).toString('base64')]) assertNoKey(value, what, key)
      }
    })
  })

  describe('5. data from the API never sets a prototype', () => {
    const PROTO =
      '"__proto__":{"polluted":true,"email":"evil@example.com"},"constructor":{"prototype":{"polluted":true}},"prototype":{"polluted":true}'

    test('user metadata and the user object itself', async () => {
      for (const body of [
        wireUser().replace('"metadata":{}', `"metadata":{${PROTO}}`),
        wireUser(`,${PROTO}`),
        wireUser().replace('"email":"ada@example.com",', `${PROTO},`),
      ]) {
        const read = await both(`/user_management/users/${ADA}`, answer(body), (c) => c.userManagement.getUser(ADA))
        assertSameRead(read)
        assertPlainPrototypes(read.mine.value)
        assert.equal(read.mine.value.polluted, undefined)
        assert.equal({}.polluted, undefined, 'Object.prototype untouched')
      }
      const read = await both(`/user_management/users/${ADA}`, answer(wireUser().replace('"metadata":{}', `"metadata":{${PROTO}}`)), (c) =>
        c.userManagement.getUser(ADA),
      )
      assert.deepStrictEqual(Object.keys(read.mine.value.metadata), ['__proto__', 'constructor', 'prototype'])
      assert.equal(read.mine.value.metadata.polluted, undefined)
    })

    test('directory user rawAttributes and customAttributes, in a list page', async () => {
      const item =
        `{"object":"directory_user","id":"du_1","directory_id":"d","organization_id":null,"idp_id":"i","email":null,` +
        `"first_name":null,"last_name":null,"state":"active","created_at":"x","updated_at":"x","groups":[],` +
        `"raw_attributes":{${PROTO}},"custom_attributes":{${PROTO}}}`
      const page = `{"object":"list","data":[${item}],"list_metadata":{"before":null,"after":null,${PROTO}}}`
      const read = await both('/directory_users', answer(page), (c) =>
        c.directorySync.listUsers({ directory: 'd' }).then((l) => ({ data: l.data, meta: l.listMetadata })),
      )
      assertSameRead(read)
      assertPlainPrototypes(read.mine.value)
      assert.equal(read.mine.value.data[0].rawAttributes.polluted, undefined)
    })

    test('error bodies: rawData, errors, and the members read from them', async () => {
      for (const [status, body] of [
        [400, `{${PROTO},"message":"m"}`],
        [400, `{"error":"e",${PROTO}}`],
        [400, `{"code":"c","errors":[{${PROTO}}],"message":"m"}`],
        [422, `{"code":"c","errors":[{"code":"x",${PROTO}}]}`],
        [409, `{${PROTO}}`],
      ]) {
        const { mine, theirs } = await both(`/user_management/users/${ADA}`, answer(body, status), (c) => c.userManagement.getUser(ADA))
        assert.equal(mine.error.constructor.name, theirs.error.constructor.name, body)
        const { requestID: _a, ...ourFields } = mine.error
        const { requestID: _b, ...theirFields } = theirs.error
        assert.deepStrictEqual(ourFields, theirFields, body)
        assert.equal(mine.error.message, theirs.error.message, body)
        assertPlainPrototypes(ourFields)
      }
    })
  })

  describe('6. answers the real API should not send are read as JSON.parse reads them', () => {
    test('an array where an object is expected is a ParseError, never mapped by position', async () => {
      for (const [p, body, invoke] of [
        [`/user_management/users/${ADA}`, '["user","user_01EMU","ada@example.com"]', (c) => c.userManagement.getUser(ADA)],
        ['/organizations/org_1', '["organization","org_1","Acme",false,[]]', (c) => c.organizations.getOrganization('org_1')],
        ['/user_management/users', '{"object":"list","data":[["user","u"]],"list_metadata":{}}', (c) => c.userManagement.listUsers()],
        [
          '/organizations/org_1',
          '{"object":"organization","id":"org_1","domains":[["organization_domain","d"]]}',
          (c) => c.organizations.getOrganization('org_1'),
        ],
        ['/sso/token', '{"access_token":"t","profile":["p","idp"]}', (c) => c.sso.getProfileAndToken({ code: 'c', clientId: 'x' })],
        ['/user_management/users', '[]', (c) => c.userManagement.listUsers()],
      ]) {
        const { mine } = await both(p, answer(body), invoke)
        assert.ok(mine.error instanceof pkg.ParseError, `${body}: ${mine.error ? mine.error.stack : JSON.stringify(mine.value)}`)
        assert.match(mine.error.message, /^unexpected response shape: /)
        assert.equal(mine.error.rawBody, body)
        assert.equal(mine.error.rawStatus, 200)
      }
    })

    test('lone surrogate escapes are accepted wherever JSON.parse accepts them', async () => {
      for (const body of [
        wireUser().replace('"first_name":"Ada"', '"first_name":"\\ud800"'),
        wireUser().replace('"metadata":{}', '"metadata":{"\\udc00":"x\\ud800y","k":"\\udbff"}'),
        wireUser(',"\\ud800":1'),
      ]) {
        const read = await both(`/user_management/users/${ADA}`, answer(body), (c) => c.userManagement.getUser(ADA))
        assertSameRead(read)
      }
      const page = `{"object":"list","\\ud800":1,"data":[${wireUser().replace('"first_name":"Ada"', '"first_name":"\\udfff"')}],"list_metadata":{"\\udc00":1,"before":null,"after":null}}`
      assertSameRead(await both('/user_management/users', answer(page), (c) => c.userManagement.listUsers().then((l) => l.data)))
      const error = await both(`/user_management/users/${ADA}`, answer('{"message":"\\ud800","\\udc00":1}', 400), (c) =>
        c.userManagement.getUser(ADA),
      )
      assert.equal(error.mine.error.message, error.theirs.error.message)
      assert.deepStrictEqual(error.mine.error.rawData, error.theirs.error.rawData)
    })

    test('the autoPagination() walk reads odd but valid pages too', async () => {
      const list = await ours.userManagement.listUsers()
      assert.equal(list.data.length, 10)
      assert.ok(list.listMetadata.after, 'there is a second page')
      const next =
        `\ufeff{"\\ud800":1,"data":[${wireUser().replace('"first_name":"Ada"', '"first_name":"\\ud800"').replace(ADA, 'user_odd')}],` +
        `"data":[${wireUser().replace('"first_name":"Ada"', '"first_name":"\\udc00z"').replace(ADA, 'user_last')}],"list_metadata":{"\\udc00":[],"after":null}}`
      emu.fault('/user_management/users', answer(next), { times: 1 })
      const all = await list.autoPagination()
      emu.clearFaults()
      assert.deepStrictEqual(all.map((u) => u.id).slice(10), ['user_last'], 'the last "data" wins, as in JSON.parse')
      assert.equal(all[10].firstName, '\udc00z')
    })

    test('an error answer whose JSON is not an object keeps it as rawData', async () => {
      for (const [status, body] of [
        [400, '[{"code":"x"}]'],
        [403, '["a",1]'],
        [418, '"teapot"'],
        [400, '42'],
        [400, 'null'],
      ]) {
        const { mine, theirs } = await both(`/user_management/users/${ADA}`, answer(body, status), (c) => c.userManagement.getUser(ADA))
        assert.ok(mine.error instanceof pkg.GenericServerException, `${body}: ${mine.error && mine.error.stack}`)
        assert.deepStrictEqual(mine.error.rawData, JSON.parse(body), body)
        assert.equal(mine.error.status, status)
        if (body !== 'null') {
          // 7.x reads `null` with a destructuring TypeError; ours keeps it as the data of the answer.
          assert.deepStrictEqual(mine.error.rawData, theirs.error.rawData, body)
          assert.equal(mine.error.message, theirs.error.message)
        }
      }
    })

    test('a missing required array and a null one give the same error', async () => {
      const org = (domains) => `{"object":"organization","id":"org_1","name":"A"${domains}}`
      const user = (groups) => `{"object":"directory_user","id":"du_1"${groups}}`
      const page = (data) => `{"object":"list"${data},"list_metadata":{"after":null}}`
      for (const [p, invoke, missing, nulled] of [
        ['/organizations/org_1', (c) => c.organizations.getOrganization('org_1'), org(''), org(',"domains":null')],
        ['/directory_users/du_1', (c) => c.directorySync.getUser('du_1'), user(''), user(',"groups":null')],
        ['/user_management/users', (c) => c.userManagement.listUsers(), page(''), page(',"data":null')],
        [
          '/organizations/org_1/roles',
          (c) => c.organizations.listOrganizationRoles({ organizationId: 'org_1' }),
          '{"object":"list"}',
          '{"object":"list","data":null}',
        ],
      ]) {
        const a = await both(p, answer(missing), invoke)
        const b = await both(p, answer(nulled), invoke)
        assert.ok(a.mine.error instanceof pkg.ParseError, `${missing}: ${a.mine.error}`)
        assert.ok(b.mine.error instanceof pkg.ParseError, `${nulled}: ${b.mine.error}`)
        assert.equal(a.mine.error.message, b.mine.error.message)
        assert.equal(a.theirs.error.constructor, TypeError, '7.x fails in its deserializer')
      }
      // The same in the walk of autoPagination(): a later page without data, or with data null.
      const messages = []
      for (const data of ['', ',"data":null']) {
        const list = await ours.userManagement.listUsers()
        emu.fault('/user_management/users', answer(page(data)), { times: 1 })
        const err = await list.autoPagination().catch((e) => e)
        emu.clearFaults()
        assert.ok(err instanceof pkg.ParseError, String(err))
        messages.push(err.message)
      }
      assert.equal(messages[0], messages[1])
    })
  })
})
