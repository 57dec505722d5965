'use strict'
// Authorization (issue 11) in a real Express app over real HTTP against the local AuthKit + WorkOS API
// emulator: the complete session and req.auth, per-tool policies checked before any tool runs (the
// step-up 403 for scopes, tool errors for permissions, roles and organization), roles and permissions
// read from WorkOS when the token lacks them (cached, single flight, never a silent allow), the
// helpers for checks inside tools, and discovery (scopes_supported, the 401's scope).
const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const { createEmulator } = require('./support/emulator')
const { startExpressApp, configFor } = require('./support/express-app')
const { waitFor } = require('./support/wait')
const pkg = require('@xmcp-dev/workos')

const nowSeconds = () => Math.floor(Date.now() / 1000)

const { post, bearer } = require('./support/http')
let nextId = 1
const call = (name, args) => ({ jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name, arguments: args } })
const list = () => ({ jsonrpc: '2.0', id: nextId++, method: 'tools/list', params: {} })
const textOf = (response) => response.result.content[0].text

const ORG = 'org_01ACME'
const POLICIES = {
  '*': { scopes: ['mcp'] },
  deploy: { scopes: ['deploy'], permissions: ['deploy:run'] },
  read: { permissions: ['deploy:read'] },
  admin: { roles: ['admin', 'owner'] },
  billing: { organization: true },
}

let emu
let app
let member
let admin
let outsider
before(async () => {
  emu = await createEmulator({ scopes: ['mcp', 'deploy', 'files:read'] })
  emu.api.addOrganization({ id: ORG, name: 'Acme' })
  emu.api.addRole(ORG, { slug: 'admin', name: 'Admin', permissions: ['deploy:run', 'deploy:read'] })
  emu.api.addRole(ORG, { slug: 'member', name: 'Member', permissions: ['deploy:read'] })
  member = 'user_01MEMBER'
  admin = 'user_01ADMIN'
  outsider = 'user_01OUTSIDER'
  emu.api.addMembership({ user_id: member, organization_id: ORG, role: { slug: 'member' } })
  emu.api.addMembership({ user_id: admin, organization_id: ORG, role: { slug: 'member' }, roles: [{ slug: 'member' }, { slug: 'admin' }] })
  emu.api.addMembership({ user_id: outsider, organization_id: ORG, role: { slug: 'admin' }, status: 'inactive' })
  app = await startExpressApp(emu, { tools: POLICIES, scopes: ['mcp', 'deploy', 'files:read'] })
})
after(async () => {
  await app.close()
  await emu.close()
})

/** A token for `user` in the organization, with these scopes (space-separated, as AuthKit writes them). */
const tokenFor = (user, scope = 'mcp deploy', claims = {}) =>
  emu.mintToken({ sub: user, org_id: ORG, scope, client_id: 'client_mcp', ...claims })
const apiLookups = () =>
  emu.requests.filter((r) => r.path === '/user_management/organization_memberships' || /^\/organizations\/[^/]+\/roles$/.test(r.path))
    .length

describe('discovery names the scopes', () => {
  test('both protected-resource documents publish scopes_supported', async () => {
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
      const doc = await (await fetch(`${app.url}${path}`)).json()
      assert.deepEqual(doc.scopes_supported, ['mcp', 'deploy', 'files:read'], path)
    }
  })

  test('without the scopes option nothing is published, policies or not (as in 1.x)', async () => {
    const withPolicies = await startExpressApp(emu, { tools: POLICIES })
    const plain = await startExpressApp(emu)
    try {
      for (const other of [withPolicies, plain]) {
        assert.equal('scopes_supported' in (await (await fetch(`${other.url}/.well-known/oauth-protected-resource`)).json()), false)
      }
    } finally {
      await withPolicies.close()
      await plain.close()
    }
  })

  test('every 401 challenge asks for the scopes every tool needs', async () => {
    for (const headers of [{}, bearer(emu.mintToken({ aud: 'other' })), bearer(emu.mintToken({ exp: nowSeconds() - 100 }))]) {
      const res = await post(`${app.url}/mcp`, list(), headers)
      assert.equal(res.status, 401)
      assert.match(
        res.headers.get('www-authenticate'),
        /^Bearer resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp", scope="mcp"/,
      )
    }
  })

  test('configuration mistakes are refused at start-up with the field named', () => {
    const base = configFor(emu, 'http://127.0.0.1:1')
    for (const [config, pattern] of [
      [{ tools: { '*': { scopes: ['offline_access'] } } }, /tools \["\*"\]\.scopes must not require "offline_access"/],
      [{ scopes: ['mcp', 'offline_access'] }, /scopes must not list "offline_access"/],
      [{ scopes: ['a b'] }, /scopes must be an array of scope names/],
      [{ scopes: ['mcp'], tools: { t: { scopes: ['deploy'] } } }, /not in the `scopes` option/],
      [{ tools: { t: { permission: ['x'] } } }, /unknown member "permission"/],
      [{ tools: ['t'] }, /tools must be an object/],
      [{ permissionCache: { maxAgeMs: 5 } }, /maxAgeMs must be a whole number/],
    ]) {
      assert.throws(
        () => pkg.workosProvider({ ...base, ...config }),
        (err) => pattern.test(err.message) && err.message.startsWith('[WorkOS] Invalid config: '),
        JSON.stringify(config),
      )
    }
  })
})

describe('missing scopes: the step-up challenge', () => {
  test('a call that needs a scope the token lacks gets 403 insufficient_scope with every scope it needs', async () => {
    app.reached.length = 0
    const res = await post(`${app.url}/mcp`, call('deploy'), bearer(tokenFor(admin, 'mcp')))
    assert.equal(res.status, 403)
    assert.equal(
      res.headers.get('www-authenticate'),
      `Bearer error="insufficient_scope", scope="mcp deploy", resource_metadata="${app.url}/.well-known/oauth-protected-resource/mcp", error_description="This request needs the scopes: mcp deploy"`,
    )
    assert.equal(res.headers.get('cache-control'), 'no-store')
    assert.deepEqual(res.body, { error: 'insufficient_scope', error_description: 'This request needs the scopes: mcp deploy' })
    assert.deepEqual(app.reached, [], 'the tool did not run')
  })

  test('a token without any scope claim is challenged for the baseline scopes on any tool', async () => {
    for (const name of ['whoami', 'unknown_tool', 'read']) {
      const res = await post(`${app.url}/mcp`, call(name), bearer(emu.mintToken({ sub: admin, org_id: ORG })))
      assert.equal(res.status, 403, name)
      assert.match(res.headers.get('www-authenticate'), /scope="mcp"/)
    }
  })

  test('a batch is challenged once, for the scopes all of its calls need', async () => {
    const res = await post(`${app.url}/mcp`, [call('whoami'), call('deploy'), list()], bearer(tokenFor(admin, 'mcp')))
    assert.equal(res.status, 403)
    assert.match(res.headers.get('www-authenticate'), /scope="mcp deploy"/)
  })

  test('with the scopes granted, the call runs', async () => {
    const res = await post(`${app.url}/mcp`, call('deploy'), bearer(tokenFor(admin, 'mcp deploy')))
    assert.equal(res.status, 200)
    assert.equal(textOf(res.body), 'ran deploy')
  })

  test('tools/list, initialize and other methods are never blocked by a tool policy', async () => {
    for (const message of [
      list(),
      { jsonrpc: '2.0', id: 9, method: 'initialize', params: {} },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
    ]) {
      const res = await post(`${app.url}/mcp`, message, bearer(emu.mintToken({ sub: member, org_id: ORG })))
      assert.equal(res.status, 200, message.method)
    }
  })
})

describe('permissions, roles and organization: tool errors, the tool never runs', () => {
  test('a permission the role lacks: an isError result naming it', async () => {
    app.reached.length = 0
    const message = call('deploy')
    const res = await post(`${app.url}/mcp`, message, bearer(tokenFor(member)))
    assert.equal(res.status, 200)
    assert.equal(res.body.id, message.id)
    assert.equal(res.body.result.isError, true)
    assert.match(textOf(res.body), /needs the permission "deploy:run", which your role does not grant/)
    assert.deepEqual(app.reached, [])
  })

  test('a permission the role grants: the tool runs', async () => {
    assert.equal(textOf((await post(`${app.url}/mcp`, call('read'), bearer(tokenFor(member)))).body), 'ran read')
    assert.equal(textOf((await post(`${app.url}/mcp`, call('deploy'), bearer(tokenFor(admin)))).body), 'ran deploy')
  })

  test('roles: one of the listed roles is needed', async () => {
    const denied = await post(`${app.url}/mcp`, call('admin'), bearer(tokenFor(member)))
    assert.match(textOf(denied.body), /needs one of the roles "admin", "owner" \(yours: "member"\)/)
    assert.equal(textOf((await post(`${app.url}/mcp`, call('admin'), bearer(tokenFor(admin)))).body), 'ran admin')
  })

  test('an inactive membership grants nothing', async () => {
    const res = await post(`${app.url}/mcp`, call('admin'), bearer(tokenFor(outsider)))
    assert.match(textOf(res.body), /needs one of the roles "admin", "owner" \(you have none\)/)
  })

  test('organization: a token without org_id is refused for the tool that needs one', async () => {
    const token = emu.mintToken({ sub: admin, scope: 'mcp deploy' })
    assert.match(textOf((await post(`${app.url}/mcp`, call('billing'), bearer(token))).body), /needs an organization/)
    assert.match(
      textOf((await post(`${app.url}/mcp`, call('read'), bearer(token))).body),
      /needs permissions, which come from an organization membership/,
    )
    assert.equal(textOf((await post(`${app.url}/mcp`, call('billing'), bearer(tokenFor(member)))).body), 'ran billing')
  })

  test('unknown tools get only the "*" policy', async () => {
    assert.equal(textOf((await post(`${app.url}/mcp`, call('no_such_tool'), bearer(tokenFor(member)))).body), 'ran no_such_tool')
  })

  test('a tool name that is not a string is an invalid-params error, and nothing runs', async () => {
    for (const params of [{ name: 42 }, { name: ['deploy'] }, { name: { toString: 'deploy' } }, {}, null, 'deploy']) {
      app.reached.length = 0
      const message = { jsonrpc: '2.0', id: 77, method: 'tools/call', params }
      const res = await post(`${app.url}/mcp`, message, bearer(tokenFor(admin)))
      assert.equal(res.status, 200)
      assert.deepEqual(
        res.body,
        { jsonrpc: '2.0', id: 77, error: { code: -32602, message: 'Invalid params: the tool name must be a string' } },
        JSON.stringify(params),
      )
      assert.deepEqual(app.reached, [])
    }
  })

  test('in a batch, refused calls get tool errors and the rest of the batch is not run', async () => {
    app.reached.length = 0
    const batch = [call('read'), call('deploy'), list(), { jsonrpc: '2.0', method: 'notifications/initialized' }]
    const res = await post(`${app.url}/mcp`, batch, bearer(tokenFor(member)))
    assert.equal(res.status, 200)
    assert.equal(res.body.length, 3, 'one answer per request, none for the notification')
    assert.deepEqual(
      res.body.map((r) => r.id),
      [batch[0].id, batch[1].id, batch[2].id],
    )
    assert.match(res.body[0].error.message, /^Not run: another request in this batch was refused/)
    assert.equal(res.body[1].result.isError, true)
    assert.match(res.body[2].error.message, /^Not run/)
    assert.deepEqual(app.reached, [])
    const allowed = await post(`${app.url}/mcp`, [call('read'), list()], bearer(tokenFor(member)))
    assert.equal(textOf(allowed.body[0]), 'ran read')
  })

  test('the answer is SSE when the client accepts it, as the MCP server would answer', async () => {
    const message = call('deploy')
    const res = await post(`${app.url}/mcp`, message, { ...bearer(tokenFor(member)), accept: 'application/json, text/event-stream' })
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type'), /^text\/event-stream/)
    const match = /^event: message\ndata: (.+)\n\n$/.exec(res.text)
    assert.ok(match, res.text)
    const response = JSON.parse(match[1])
    assert.equal(response.id, message.id)
    assert.equal(response.result.isError, true)
  })

  test('for a client speaking the 2026-07-28 revision, the refused result says resultType "complete"', async () => {
    const res = await post(`${app.url}/mcp`, call('deploy'), { ...bearer(tokenFor(member)), 'mcp-protocol-version': '2026-07-28' })
    assert.equal(res.body.result.resultType, 'complete')
    assert.equal(res.body.result.isError, true)
    const legacy = await post(`${app.url}/mcp`, call('deploy'), { ...bearer(tokenFor(member)), 'mcp-protocol-version': '2025-06-18' })
    assert.equal('resultType' in legacy.body.result, false)
  })

  test('token claims win: roles and permissions in the token are used without asking WorkOS', async () => {
    emu.resetLog()
    const token = tokenFor(member, 'mcp deploy', { role: 'admin', permissions: ['deploy:run'] })
    assert.equal(textOf((await post(`${app.url}/mcp`, call('deploy'), bearer(token))).body), 'ran deploy')
    assert.equal(textOf((await post(`${app.url}/mcp`, call('admin'), bearer(token))).body), 'ran admin')
    assert.equal(apiLookups(), 0)
    const notGranted = tokenFor(admin, 'mcp deploy', { permissions: ['deploy:read'] })
    assert.match(
      textOf((await post(`${app.url}/mcp`, call('deploy'), bearer(notGranted))).body),
      /needs the permission "deploy:run"/,
      'the token says no, even though the membership would say yes',
    )
  })

  test('a burst of 50 calls by one user costs one membership lookup and one roles lookup', async () => {
    const fresh = await startExpressApp(emu, { tools: POLICIES })
    try {
      emu.resetLog()
      emu.setDelay('/user_management/organization_memberships', 100)
      const results = await Promise.all(Array.from({ length: 50 }, () => post(`${fresh.url}/mcp`, call('read'), bearer(tokenFor(member)))))
      assert.deepEqual(new Set(results.map((r) => textOf(r.body))), new Set(['ran read']))
      assert.equal(emu.count('/user_management/organization_memberships'), 1)
      assert.equal(emu.count(`/organizations/${ORG}/roles`), 1)
    } finally {
      emu.setDelay('/user_management/organization_memberships', 0)
      await fresh.close()
    }
  })

  test('a WorkOS outage during a lookup refuses the call with a clear error, and is not remembered', async () => {
    const fresh = await startExpressApp(emu, { tools: POLICIES, apiTimeout: 2000 })
    try {
      for (const kind of ['500', 'garbage', 'drop']) {
        emu.fault('/user_management/organization_memberships', kind)
        const res = await post(`${fresh.url}/mcp`, [call('read'), call('whoami')], bearer(tokenFor(admin)))
        assert.equal(res.body[0].result.isError, true, kind)
        assert.match(
          textOf(res.body[0]),
          /could not be authorized: your roles and permissions could not be read from WorkOS \(GET \/user_management\/organization_memberships/,
        )
        assert.match(res.body[1].error.message, /^Not run/)
        emu.clearFaults()
      }
      assert.equal(textOf((await post(`${fresh.url}/mcp`, call('read'), bearer(tokenFor(admin)))).body), 'ran read', 'recovered at once')
    } finally {
      emu.clearFaults()
      await fresh.close()
    }
  })

  test('without express.json() before it, the middleware refuses rather than let tools/call through unchecked', async () => {
    const raw = await startExpressApp(emu, { tools: POLICIES }, { json: false })
    try {
      const res = await post(`${raw.url}/mcp`, call('deploy'), bearer(tokenFor(admin)))
      assert.equal(res.status, 500)
      assert.match(res.body.error_description, /mount express\.json\(\) before the WorkOS middleware/)
      assert.deepEqual(raw.reached, [])
    } finally {
      await raw.close()
    }
  })
})

/** Runs `middleware` in process on a bare request; resolves when it calls next(). */
const runMiddleware = (middleware, req) => new Promise((resolve, reject) => middleware(req, {}, (err) => (err ? reject(err) : resolve())))

describe('the session and req.auth', () => {
  test('getSession() adds clientId and scopes; roles, entitlements, featureFlags and impersonator when the token has them', async () => {
    const act = JSON.parse('{"sub":"admin@example.com","__proto__":{"isAdmin":true}}')
    const token = tokenFor(member, 'mcp files:read', { roles: ['member', 'viewer'], entitlements: ['pro'], feature_flags: ['beta'], act })
    const text = textOf((await post(`${app.url}/mcp`, call('whoami'), bearer(token))).body)
    assert.match(text, /"impersonator":\{"sub":"admin@example.com","__proto__":\{"isAdmin":true\}\}/, 'act kept as own data')
    const session = JSON.parse(text)
    assert.equal(session.userId, member)
    assert.equal(session.clientId, 'client_mcp')
    assert.deepEqual(session.scopes, ['mcp', 'files:read'])
    assert.deepEqual(session.roles, ['member', 'viewer'])
    assert.deepEqual(session.entitlements, ['pro'])
    assert.deepEqual(session.featureFlags, ['beta'])
    assert.equal(session.impersonator.sub, 'admin@example.com')
    const plain = JSON.parse(
      textOf((await post(`${app.url}/mcp`, call('whoami'), bearer(emu.mintToken({ sub: member, org_id: ORG, scope: 'mcp' })))).body),
    )
    for (const key of ['roles', 'entitlements', 'featureFlags', 'impersonator']) assert.equal(key in plain, false, key)
    assert.equal(plain.clientId, undefined)
  })

  test('without a scope claim, scopes is empty', async () => {
    const open = await startExpressApp(emu)
    try {
      const res = await post(`${open.url}/mcp`, call('whoami'), bearer(emu.mintToken({ sub: member })))
      assert.deepEqual(JSON.parse(textOf(res.body)).scopes, [])
    } finally {
      await open.close()
    }
  })

  test('req.auth is the MCP SDK AuthInfo', async () => {
    const exp = nowSeconds() + 200
    const token = tokenFor(member, 'mcp', { exp, aud: [emu.clientId, `${app.url}/mcp`] })
    const auth = JSON.parse(textOf((await post(`${app.url}/mcp`, call('auth'), bearer(token))).body))
    assert.deepEqual(auth, {
      token,
      clientId: 'client_mcp',
      scopes: ['mcp'],
      expiresAt: exp,
      resource: `${app.url}/mcp`,
      extra: { userId: member, sessionId: 'session_01EMU', organizationId: ORG, kind: 'user' },
    })
    const plainAud = JSON.parse(textOf((await post(`${app.url}/mcp`, call('auth'), bearer(tokenFor(member, 'mcp')))).body))
    assert.equal('resource' in plainAud, false, 'resource only when aud names the MCP resource URL')
  })

  test('req.auth: code after the middleware may replace it, a second pass gives the newer caller, and req gains no other key', async () => {
    const { middleware } = pkg.workosProvider(configFor(emu, app.url))
    const req = Object.assign(new http.IncomingMessage(null), { method: 'GET', path: '/mcp' })
    const keysBefore = Reflect.ownKeys(req)
    const pass = (token) => {
      req.headers = { authorization: `Bearer ${token}` }
      return runMiddleware(middleware, req)
    }
    await pass(tokenFor(member, 'mcp'))
    assert.equal(req.auth.extra.userId, member)
    const added = Reflect.ownKeys(req).filter((key) => !keysBefore.includes(key))
    assert.deepEqual(added, ['auth'], 'only auth is added (no symbol holds the session)')
    await pass(tokenFor(admin, 'mcp deploy'))
    assert.equal(req.auth.extra.userId, admin, 'the same request through the middleware twice: the second caller')
    assert.deepEqual(req.auth.scopes, ['mcp', 'deploy'])
    const { get } = Object.getOwnPropertyDescriptor(req, 'auth')
    assert.equal(get.call({}), undefined, 'the getter on an object that never passed the middleware reads nothing')
    for (const other of [Object.create(null), 5, 'x', undefined]) assert.equal(get.call(other), undefined)
    req.auth = { token: 'mine' }
    assert.deepEqual(Object.getOwnPropertyDescriptor(req, 'auth'), {
      value: { token: 'mine' },
      writable: true,
      enumerable: true,
      configurable: true,
    })
  })

  test('a node:http request keeps V8 fast properties after the middleware (per-request accessors made it a slow dictionary)', async () => {
    require('node:v8').setFlagsFromString('--allow-natives-syntax')
    // A V8 intrinsic, enabled for this process: whether the object still has a fast (map-based) layout.
    const hasFastProperties = new Function('o', 'return %HasFastProperties(o)')
    const { middleware } = pkg.workosProvider(configFor(emu, app.url))
    const token = tokenFor(member, 'mcp')
    for (let i = 0; i < 3; i++) {
      const req = Object.assign(new http.IncomingMessage(null), {
        method: 'POST',
        path: '/mcp',
        headers: { authorization: `Bearer ${token}` },
      })
      assert.equal(hasFastProperties(req), true, 'a fresh request')
      await runMiddleware(middleware, req)
      req.route = {}
      assert.equal(hasFastProperties(req), true, `after the middleware, request ${i + 1}`)
      assert.equal(req.auth.clientId, 'client_mcp')
    }
  })
})

describe('helpers inside tools', () => {
  const need = async (token, helper, names) => {
    const res = await post(`${app.url}/mcp`, call('need', { helper, names }), bearer(token))
    assert.ok(res.body.result, JSON.stringify(res.body))
    return res.body.result
  }
  const resultText = (result) => result.content[0].text

  test('hasScopes / requireScopes', async () => {
    const token = tokenFor(member, 'mcp files:read')
    assert.equal(resultText(await need(token, 'hasScopes', ['mcp', 'files:read'])), 'true')
    assert.equal(resultText(await need(token, 'hasScopes', ['deploy'])), 'false')
    assert.equal(resultText(await need(token, 'requireScopes', ['files:read'])), 'undefined')
    const denied = await need(token, 'requireScopes', ['files:read', 'deploy', 'files:write'])
    assert.equal(denied.isError, true)
    assert.deepEqual(denied.forbidden, { kind: 'scope', missing: ['deploy', 'files:write'] })
    assert.equal(resultText(denied), '[WorkOS] Forbidden: this needs the scopes "deploy", "files:write".')
  })

  test('hasPermission / requirePermission, resolved from the membership', async () => {
    const token = tokenFor(member)
    assert.equal(resultText(await need(token, 'hasPermission', ['deploy:read'])), 'true')
    assert.equal(resultText(await need(token, 'hasPermission', ['deploy:read', 'deploy:run'])), 'false')
    const denied = await need(token, 'requirePermission', ['deploy:read', 'deploy:run'])
    assert.deepEqual(denied.forbidden, { kind: 'permission', missing: ['deploy:run'] })
    assert.equal(resultText(await need(tokenFor(admin), 'requirePermission', ['deploy:run'])), 'undefined')
  })

  test('hasRole / requireRole: one of the roles named', async () => {
    assert.equal(resultText(await need(tokenFor(admin), 'hasRole', ['owner', 'admin'])), 'true')
    assert.equal(resultText(await need(tokenFor(member), 'hasRole', ['owner', 'admin'])), 'false')
    const denied = await need(tokenFor(member), 'requireRole', ['owner', 'admin'])
    assert.deepEqual(denied.forbidden, { kind: 'role', missing: ['owner', 'admin'] })
    assert.equal(resultText(denied), '[WorkOS] Forbidden: this needs one of the roles "owner", "admin".')
  })

  test('a WorkOS outage makes the permission helpers reject with a clear error, never a yes or no', async () => {
    const fresh = await startExpressApp(emu, { tools: POLICIES, apiTimeout: 2000 })
    try {
      emu.fault(`/organizations/${ORG}/roles`, '500')
      for (const helper of ['hasPermission', 'requirePermission']) {
        const res = (await post(`${fresh.url}/mcp`, call('need', { helper, names: ['deploy:read'] }), bearer(tokenFor(member)))).body.result
        assert.equal(res.isError, true)
        assert.match(
          resultText(res),
          /^\[WorkOS\] Could not read the caller's roles and permissions from WorkOS: GET \/organizations\/org_01ACME\/roles answered HTTP 500/,
        )
      }
    } finally {
      emu.clearFaults()
      await fresh.close()
    }
  })

  test('outside an authenticated request the helpers throw the session error', async () => {
    assert.throws(() => pkg.hasScopes('mcp'), /Session not initialized/)
    assert.throws(() => pkg.requireScopes('mcp'), /Session not initialized/)
    await assert.rejects(async () => pkg.requirePermission('x'), /Session not initialized/)
    await assert.rejects(async () => pkg.hasRole('x'), /Session not initialized/)
    const err = new pkg.ForbiddenError('permission', ['a'])
    assert.equal(err instanceof Error, true)
    assert.equal(err.name, 'ForbiddenError')
    assert.deepEqual(err.missing, ['a'])
  })
})

describe('scope hierarchies (scopeHierarchy)', () => {
  const HIERARCHY = { 'files:admin': ['files:write'], 'files:write': ['files:read'], all: ['files:admin', 'mail'] }
  const SCOPED = {
    '*': { scopes: ['mcp'] },
    reader: { scopes: ['files:read'] },
    writer: { scopes: ['files:write'] },
    mailer: { scopes: ['mail'] },
  }
  let scoped
  before(async () => {
    scoped = await startExpressApp(emu, { tools: SCOPED, scopeHierarchy: HIERARCHY })
  })
  after(() => scoped.close())
  const token = (scope) => emu.mintToken({ sub: admin, org_id: ORG, scope })
  const send = (message, scope) => post(`${scoped.url}/mcp`, message, bearer(token(scope)))

  test('a scope meets every policy that needs a scope it grants, transitively', async () => {
    for (const [scope, tool] of [
      ['mcp files:read', 'reader'],
      ['mcp files:write', 'reader'],
      ['mcp files:admin', 'reader'],
      ['mcp files:admin', 'writer'],
      ['mcp all', 'writer'],
      ['mcp all', 'mailer'],
    ]) {
      const res = await send(call(tool), scope)
      assert.equal(res.status, 200, `${scope} -> ${tool}`)
      assert.equal(textOf(res.body), `ran ${tool}`, `${scope} -> ${tool}`)
    }
    for (const [scope, tool] of [
      ['mcp files:read', 'writer'],
      ['mcp files:write', 'mailer'],
      ['mcp mail', 'reader'],
      ['files:admin', 'reader'], // the hierarchy grants no mcp
    ]) {
      assert.equal((await send(call(tool), scope)).status, 403, `${scope} -> ${tool}`)
    }
  })

  test('the 403 names the narrowest scopes that meet the whole message', async () => {
    const challenge = async (message, scope) => {
      const res = await send(message, scope)
      assert.equal(res.status, 403)
      return /scope="([^"]*)"/.exec(res.headers.get('www-authenticate'))[1]
    }
    assert.equal(await challenge(call('reader'), 'mcp'), 'mcp files:read')
    assert.equal(await challenge([call('reader'), call('writer')], 'mcp'), 'mcp files:write', 'files:write grants files:read')
    assert.equal(await challenge([call('writer'), call('reader'), call('mailer')], 'mcp files:read'), 'mcp files:write mail')
  })

  test('requireScopes / hasScopes and req.auth.scopes follow the hierarchy; getSession().scopes is the token', async () => {
    const need = async (helper, names, scope) => (await send(call('need', { helper, names }), scope)).body.result
    const text = (result) => result.content[0].text
    assert.equal(text(await need('hasScopes', ['files:read', 'files:write'], 'mcp files:admin')), 'true')
    assert.equal(text(await need('hasScopes', ['mail'], 'mcp files:admin')), 'false')
    const refused = await need('requireScopes', ['mail', 'files:read'], 'mcp files:write')
    assert.equal(refused.isError, true)
    assert.deepEqual(refused.forbidden, { kind: 'scope', missing: ['mail'] })
    const auth = JSON.parse(textOf((await send(call('auth'), 'mcp files:admin')).body))
    assert.deepEqual(auth.scopes, ['mcp', 'files:admin', 'files:write', 'files:read'])
    const session = JSON.parse(textOf((await send(call('whoami'), 'mcp files:admin')).body))
    assert.deepEqual(session.scopes, ['mcp', 'files:admin'])
  })

  test('without a hierarchy nothing expands', async () => {
    const auth = JSON.parse(textOf((await post(`${app.url}/mcp`, call('auth'), bearer(tokenFor(admin, 'mcp files:admin')))).body))
    assert.deepEqual(auth.scopes, ['mcp', 'files:admin'])
  })

  test('cycles, bad names and unknown scopes are refused at start-up, with the option named', () => {
    const base = { apiKey: 'sk', clientId: 'client', baseURL: 'https://mcp.example', authkitDomain: 'acme.authkit.app' }
    for (const [scopeHierarchy, extra, says] of [
      [{ a: ['a'] }, {}, /scopeHierarchy has a cycle: a → a/],
      [{ a: ['b'], b: ['c'], c: ['a'] }, {}, /scopeHierarchy has a cycle: a → b → c → a/],
      [{ a: ['b c'] }, {}, /scopeHierarchy names a scope "b c"/],
      [{ a: ['offline_access'] }, {}, /scopeHierarchy may not name offline_access/],
      [{ a: ['b'] }, { scopes: ['a'] }, /scopeHierarchy names "b", which is not in scopes/],
      [{ a: 'b' }, {}, /scopeHierarchy must be an object of scope names to arrays/],
      [['a'], {}, /scopeHierarchy must be an object of scope names to arrays/],
      [{ a: [1] }, {}, /scopeHierarchy must be an object of scope names to arrays/],
    ]) {
      assert.throws(() => pkg.workosProvider({ ...base, ...extra, scopeHierarchy }), says, JSON.stringify(scopeHierarchy))
    }
    assert.doesNotThrow(() => pkg.workosProvider({ ...base, scopes: ['a', 'b'], scopeHierarchy: { a: ['b'] }, jwks: { warmUp: false } }))
  })

  test("the 401's scope is the narrowest too", async () => {
    const narrowed = await startExpressApp(emu, {
      tools: { '*': { scopes: ['files:read', 'mcp', 'files:write'] } },
      scopeHierarchy: HIERARCHY,
    })
    try {
      const res = await post(`${narrowed.url}/mcp`, list())
      assert.equal(res.status, 401)
      assert.match(res.headers.get('www-authenticate'), /, scope="mcp files:write"/)
    } finally {
      await narrowed.close()
    }
  })
})

describe('cache lifetime', () => {
  test('a role change at WorkOS applies once permissionCache.maxAgeMs has passed', async () => {
    const fresh = await startExpressApp(emu, { tools: POLICIES, permissionCache: { maxAgeMs: 1000 } })
    const user = 'user_01PROMOTED'
    const membership = emu.api.addMembership({ user_id: user, organization_id: ORG, role: { slug: 'member' } })
    try {
      assert.equal((await post(`${fresh.url}/mcp`, call('deploy'), bearer(tokenFor(user)))).body.result.isError, true)
      emu.api.store.memberships[membership.id].role = { slug: 'admin' }
      await waitFor(async () => textOf((await post(`${fresh.url}/mcp`, call('deploy'), bearer(tokenFor(user)))).body) === 'ran deploy', {
        what: 'the promotion to apply',
        timeoutMs: 5000,
        everyMs: 100,
      })
    } finally {
      await fresh.close()
    }
  })
})
