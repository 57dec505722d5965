'use strict'
// Agents and downstream APIs (issue 12), in real Express apps over real HTTP against the local AuthKit
// emulator: machine-to-machine tokens (WorkOS Connect M2M applications, client-credentials grant) on
// opt-in, and token exchange (RFC 8693 through WorkOS Connect) for calling another service protected
// by this package as the user, without passing the user's token on.
const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const { createEmulator } = require('./support/emulator')
const { startExpressApp, configFor } = require('./support/express-app')
const { waitFor } = require('./support/wait')
const { outcomeOf } = require('./support/verdict')
const pkg = require('@xmcp-dev/workos')

const ORG = 'org_01AGENTS'
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'

const { post, bearer } = require('./support/http')
let nextId = 1
const call = (name, args) => ({ jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name, arguments: args } })
const result = (res) => {
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return res.body.result
}
const text = (res) => result(res).content[0].text

let emu
before(async () => {
  emu = await createEmulator({ scopes: ['mcp', 'files:read', 'files:write'] })
  emu.api.addOrganization({ id: ORG, name: 'Agents Inc' })
  emu.api.addRole(ORG, { slug: 'member', permissions: ['files:read'] })
  emu.api.addMembership({ user_id: 'user_01EMU', organization_id: ORG, role: { slug: 'member' } })
})
after(() => emu.close())

/** A client-credentials grant at AuthKit's token endpoint, as an M2M application does it (no browser). */
async function machineToken(app, { scope, basic = false } = {}) {
  const form = new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) })
  const headers = { 'content-type': 'application/x-www-form-urlencoded' }
  if (basic) headers.authorization = `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64')}`
  else {
    form.set('client_id', app.client_id)
    form.set('client_secret', app.client_secret)
  }
  const res = await fetch(`${emu.url}/oauth2/token`, { method: 'POST', headers, body: form, signal: AbortSignal.timeout(10_000) })
  const body = await res.json()
  assert.equal(res.status, 200, JSON.stringify(body))
  assert.equal(body.refresh_token, undefined)
  return body.access_token
}

describe('machine-to-machine tokens', () => {
  const POLICIES = {
    '*': { scopes: ['mcp'] },
    human_only: { machines: false },
    deploy: { permissions: ['files:write'] },
    admin: { roles: ['admin'] },
    sync: { organization: true },
  }
  let app
  let m2m
  before(async () => {
    m2m = emu.createApplication({ type: 'm2m', organizationId: ORG, scopes: ['mcp', 'files:read'] })
    app = await startExpressApp(emu, { machineTokens: true, tools: POLICIES })
  })
  after(() => app.close())

  test('an M2M application gets a token with the client-credentials grant and calls a tool; the session says machine', async () => {
    for (const basic of [false, true]) {
      const token = await machineToken(m2m, { scope: 'mcp', basic })
      const session = JSON.parse(text(await post(`${app.url}/mcp`, call('whoami'), bearer(token))))
      assert.equal(session.kind, 'machine')
      assert.equal(session.userId, m2m.client_id)
      assert.equal(session.clientId, m2m.client_id)
      assert.equal(session.organizationId, ORG)
      assert.deepEqual(session.scopes, ['mcp'])
      assert.equal('sessionId' in session, false, 'sessionId is undefined for a machine')
    }
  })

  test('user tokens say kind "user"', async () => {
    const session = JSON.parse(text(await post(`${app.url}/mcp`, call('whoami'), bearer(emu.mintToken({ scope: 'mcp', org_id: ORG })))))
    assert.equal(session.kind, 'user')
    assert.equal(session.sessionId, 'session_01EMU')
  })

  test('a tool that forbids machines, and the role and permission rules, refuse a machine with a tool error', async () => {
    const token = await machineToken(m2m, { scope: 'mcp' })
    const refused = {
      human_only: /does not accept machine tokens/,
      deploy: /needs permissions of a user, and this request was authenticated with a machine token/,
      admin: /needs a role of a user, and this request was authenticated with a machine token/,
    }
    emu.resetLog()
    for (const [tool, pattern] of Object.entries(refused)) {
      const res = result(await post(`${app.url}/mcp`, call(tool), bearer(token)))
      assert.equal(res.isError, true, tool)
      assert.match(res.content[0].text, pattern)
    }
    assert.equal(
      emu.requests.filter((r) => r.path.startsWith('/user_management') || r.path.startsWith('/organizations')).length,
      0,
      'no lookup for a machine',
    )
    assert.equal(text(await post(`${app.url}/mcp`, call('sync'), bearer(token))), 'ran sync', "the application's organization counts")
    assert.equal(text(await post(`${app.url}/mcp`, call('any_other_tool'), bearer(token))), 'ran any_other_tool')
  })

  test('scope rules apply to machines the same way: 403 insufficient_scope', async () => {
    const token = await machineToken(m2m, { scope: 'files:read' })
    const res = await post(`${app.url}/mcp`, call('sync'), bearer(token))
    assert.equal(res.status, 403)
    assert.match(res.headers.get('www-authenticate'), /error="insufficient_scope", scope="mcp"/)
  })

  test('the permission and role helpers answer no for a machine, without a WorkOS lookup', async () => {
    const token = await machineToken(m2m, { scope: 'mcp' })
    emu.resetLog()
    const has = result(await post(`${app.url}/mcp`, call('need', { helper: 'hasPermission', names: ['files:read'] }), bearer(token)))
    assert.equal(has.content[0].text, 'false')
    const role = result(await post(`${app.url}/mcp`, call('need', { helper: 'requireRole', names: ['admin'] }), bearer(token)))
    assert.deepEqual(role.forbidden, { kind: 'role', missing: ['admin'] })
    assert.equal(emu.requests.filter((r) => r.path.startsWith('/user_management') || r.path.startsWith('/organizations')).length, 0)
  })

  test('getUser() on a machine session throws a clear error, never a WorkOS 404', async () => {
    const token = await machineToken(m2m, { scope: 'mcp' })
    emu.resetLog()
    const res = result(await post(`${app.url}/mcp`, call('user'), bearer(token)))
    assert.equal(res.isError, true)
    assert.equal(res.content[0].text, '[WorkOS] No user: this request was authenticated with a machine token')
    assert.equal(emu.requests.filter((r) => r.path.startsWith('/user_management/users')).length, 0)
  })

  test('machineTokens off (the default, as 1.x), or a list without the application: refused with 401', async () => {
    const token = await machineToken(m2m, { scope: 'mcp' })
    const off = await startExpressApp(emu)
    const listed = await startExpressApp(emu, { machineTokens: ['client_01SOMEONE_ELSE'] })
    const allowed = await startExpressApp(emu, { machineTokens: [m2m.client_id] })
    try {
      for (const other of [off, listed]) {
        const res = await post(`${other.url}/mcp`, call('whoami'), bearer(token))
        assert.equal(res.status, 401)
        assert.equal(res.body.error, 'invalid_token')
      }
      const provider = (overrides) => new (require('../native.js').NativeProvider)(configFor(emu, 'http://127.0.0.1:1', overrides))
      assert.equal((await outcomeOf(provider({}), `Bearer ${token}`)).reason, 'missing_sid')
      assert.equal(
        (await outcomeOf(provider({ machineTokens: ['client_01SOMEONE_ELSE'] }), `Bearer ${token}`)).reason,
        'machine_not_allowed',
      )
      assert.equal(JSON.parse(text(await post(`${allowed.url}/mcp`, call('whoami'), bearer(token)))).kind, 'machine')
    } finally {
      await off.close()
      await listed.close()
      await allowed.close()
    }
  })

  test('a user token without sid is not a machine token, whatever machineTokens says', async () => {
    for (const claims of [{ sid: undefined }, { sid: undefined, client_id: 'client_x' }, { sid: undefined, sub: 'client_x' }]) {
      const res = await post(`${app.url}/mcp`, call('whoami'), bearer(emu.mintToken({ scope: 'mcp', ...claims })))
      assert.equal(res.status, 401, JSON.stringify(claims))
    }
  })

  test('machineTokens is validated at start-up', () => {
    const base = configFor(emu, 'http://127.0.0.1:1')
    for (const machineTokens of ['yes', 1, [], [''], [5], {}]) {
      assert.throws(
        () => pkg.workosProvider({ ...base, machineTokens }),
        /^Error: \[WorkOS\] Invalid config: machineTokens must be true, false, or an array/,
        JSON.stringify(machineTokens),
      )
    }
  })
})

describe('token exchange: calling your API as the user', () => {
  let connect
  let api
  let mcp
  let apiResource
  before(async () => {
    connect = emu.createApplication({ type: 'oauth', firstParty: true, name: 'MCP server' })
    // The downstream API: another service protected by this package, whose resource URL is its /mcp.
    api = await startExpressApp(emu)
    apiResource = `${api.url}/mcp`
    emu.addResource(apiResource)
    mcp = await startExpressApp(emu, { connect: { clientId: connect.client_id, clientSecret: connect.client_secret } })
  })
  after(async () => {
    await mcp.close()
    await api.close()
  })

  const userToken = (claims = {}) => emu.mintToken({ scope: 'mcp files:read', org_id: ORG, client_id: 'client_mcp_inspector', ...claims })
  const exchanges = () =>
    emu.requests.filter((r) => r.path === '/oauth2/token' && new URLSearchParams(r.body).get('grant_type') === TOKEN_EXCHANGE)
  const callApi = async (token, args = {}, app = mcp) => {
    const res = result(
      await post(`${app.url}/mcp`, call('callApi', { resource: apiResource, url: `${api.url}/mcp`, ...args }), bearer(token)),
    )
    return res
  }

  test('a tool exchanges the user token and the API, protected by this package, sees the same user and the acting application', async () => {
    emu.resetLog()
    const token = userToken()
    const res = await callApi(token)
    assert.equal(res.isError, undefined, JSON.stringify(res))
    const answer = JSON.parse(res.content[0].text)
    assert.equal(answer.status, 200)
    const seen = answer.body.session
    assert.equal(seen.userId, 'user_01EMU')
    assert.equal(seen.organizationId, ORG)
    assert.equal(seen.kind, 'user')
    assert.deepEqual(seen.actor, { sub: connect.client_id }, 'act names the MCP server application')
    assert.equal('impersonator' in seen, false, 'an application acting is not an impersonation')
    assert.equal(seen.claims.aud, apiResource)
    assert.deepEqual(seen.scopes, ['mcp', 'files:read'])
    assert.ok(Date.parse(answer.expiresAt) > Date.now())
    // What AuthKit was sent: the user's token as the subject, the API as resource, the app's credentials.
    const [request] = exchanges()
    const form = new URLSearchParams(request.body)
    assert.equal(form.get('subject_token'), token)
    assert.equal(form.get('subject_token_type'), 'urn:ietf:params:oauth:token-type:access_token')
    assert.equal(form.get('resource'), apiResource)
    assert.equal(form.get('client_id'), connect.client_id)
    // The API never saw the user's own token.
    assert.ok(!emu.requests.some((r) => r.headers.authorization === `Bearer ${token}`))
  })

  test('repeated calls reuse one exchange; another scope, resource or user token exchanges again', async () => {
    emu.resetLog()
    const token = userToken()
    for (let i = 0; i < 5; i++) assert.equal(JSON.parse((await callApi(token)).content[0].text).status, 200)
    assert.equal(exchanges().length, 1)
    const narrowed = JSON.parse((await callApi(token, { scope: 'files:read' })).content[0].text)
    assert.equal(narrowed.scope, 'files:read')
    assert.deepEqual(narrowed.body.session.scopes, ['files:read'])
    assert.equal(exchanges().length, 2)
    await callApi(userToken())
    assert.equal(exchanges().length, 3)
  })

  test('a burst of calls with one token costs one exchange (single flight)', async () => {
    emu.resetLog()
    emu.setDelay('/oauth2/token', 100)
    try {
      const token = userToken()
      const results = await Promise.all(Array.from({ length: 20 }, () => callApi(token)))
      assert.ok(results.every((r) => JSON.parse(r.content[0].text).status === 200))
      assert.equal(exchanges().length, 1)
    } finally {
      emu.setDelay('/oauth2/token', 0)
    }
  })

  test('an exchanged token is exchanged again shortly before it expires, and never outlives the user token', async () => {
    emu.exchangedTokenTtl = 3
    try {
      emu.resetLog()
      const token = userToken()
      await callApi(token)
      assert.equal(exchanges().length, 1)
      await waitFor(
        async () => {
          await callApi(token)
          return exchanges().length === 2
        },
        { what: 'a second exchange before the first token expires', timeoutMs: 5000, everyMs: 200 },
      )
    } finally {
      emu.exchangedTokenTtl = undefined
    }
    emu.resetLog()
    const subjectExp = Math.floor(Date.now() / 1000) + 3
    const shortLived = userToken({ exp: subjectExp })
    const answer = JSON.parse((await callApi(shortLived)).content[0].text)
    assert.ok(Date.parse(answer.expiresAt) <= subjectExp * 1000, `capped by the subject token: ${answer.expiresAt}`)
    await waitFor(
      async () => {
        await callApi(shortLived)
        return exchanges().length === 2
      },
      { what: 'the cache to let go of a token as its subject expires', timeoutMs: 5000, everyMs: 200 },
    )
  })

  test('refusals are typed, with AuthKit’s error and description, and are never cached', async () => {
    const token = userToken()
    const cases = [
      [{ resource: 'https://unregistered.example/api', url: `${api.url}/mcp` }, 'invalid_target', /not registered/],
      [{ scope: 'files:write' }, 'invalid_scope', /not granted/],
    ]
    for (const [args, error, description] of cases) {
      for (let i = 0; i < 2; i++) {
        const res = await callApi(token, args)
        assert.equal(res.isError, true)
        assert.equal(res.exchange.kind, 'refused')
        assert.equal(res.exchange.error, error)
        assert.match(res.exchange.errorDescription, description)
        assert.equal(res.exchange.status, 400)
        assert.match(res.content[0].text, new RegExp(`^\\[WorkOS\\] Token exchange refused: ${error} \\(`))
      }
    }
    const thirdParty = emu.createApplication({ type: 'oauth', firstParty: false })
    const wrongSecret = { clientId: connect.client_id, clientSecret: 'not-the-secret' }
    for (const [credentials, error, status] of [
      [{ clientId: thirdParty.client_id, clientSecret: thirdParty.client_secret }, 'unauthorized_client', 400],
      [wrongSecret, 'invalid_client', 401],
    ]) {
      const other = await startExpressApp(emu, { connect: credentials })
      try {
        const res = await callApi(token, {}, other)
        assert.equal(res.exchange.error, error)
        assert.equal(res.exchange.status, status)
      } finally {
        await other.close()
      }
    }
  })

  test('AuthKit failing or unreachable is an `unreachable` error after retries', async () => {
    const token = userToken()
    for (const kind of ['500', 'drop']) {
      emu.resetLog()
      emu.fault('/oauth2/token', kind)
      try {
        const res = await callApi(token)
        assert.equal(res.isError, true)
        assert.equal(res.exchange.kind, 'unreachable', kind)
        assert.equal(exchanges().length, 3, 'three attempts')
      } finally {
        emu.clearFaults()
      }
    }
  })

  test('without the connect option, exchangeToken says what is missing; bad arguments are TypeErrors', async () => {
    const plain = await startExpressApp(emu)
    try {
      const res = await callApi(userToken(), {}, plain)
      assert.equal(res.exchange.kind, 'not_configured')
      assert.match(res.content[0].text, /needs the `connect` option/)
      for (const resource of ['', 'not a url', 'https://api.example/#fragment']) {
        const bad = await callApi(userToken(), { resource }, mcp)
        assert.equal(bad.isError, true)
      }
    } finally {
      await plain.close()
    }
    await assert.rejects(pkg.exchangeToken({ resource: apiResource }), /Session not initialized/)
    assert.throws(
      () => pkg.workosProvider({ ...configFor(emu, 'http://127.0.0.1:1'), connect: { clientId: 'x' } }),
      /Invalid config: connect needs clientSecret/,
    )
  })

  test('the client secret never appears in anything the package hands out', async () => {
    // JSON with its cycles cut (the SDK's client and its modules point at each other).
    const jsonOf = (value) => {
      const seen = new WeakSet()
      const cut = (_, v) => (typeof v === 'object' && v !== null ? (seen.has(v) ? '[cycle]' : (seen.add(v), v)) : v)
      return JSON.stringify(value, cut) ?? ''
    }
    const secret = connect.client_secret
    const seen = []
    const token = userToken()
    for (const args of [{}, { resource: 'https://unregistered.example/api' }]) {
      seen.push((await callApi(token, args)).content[0].text)
    }
    const errors = [new pkg.TokenExchangeError({ kind: 'refused', error: 'invalid_grant', description: 'x', status: 400 })]
    const { middleware, router } = pkg.workosProvider({
      ...configFor(emu, 'http://127.0.0.1:1'),
      connect: { clientId: connect.client_id, clientSecret: secret },
    })
    for (const value of [...seen, ...errors, middleware, router, pkg.getClient()]) {
      for (const dump of [jsonOf(value), util.inspect(value, { showHidden: true, getters: true, depth: null })]) {
        assert.ok(!dump.includes(secret), dump.slice(0, 200))
      }
    }
    assert.ok(
      !emu.requests.some((r) => r.path !== '/oauth2/token' && JSON.stringify(r).includes(secret)),
      'sent only to the token endpoint',
    )
  })
})
