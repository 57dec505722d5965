'use strict'
// End to end: the real xmcp demo app (examples/demo) built with `xmcp build` (CommonJS and ESM),
// served by `node dist/http.js` and `xmcp dev`, protected by @xmcp-dev/workos against the local
// AuthKit + WorkOS API emulator, and driven by the official MCP TypeScript client through the whole
// OAuth flow.
//
//   node --test --test-concurrency=1 __test__/xmcp.test.js
//
// Needs the native binary linked (`npm run build`, which runs scripts/link-platform.js).
const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { createEmulator } = require('./support/emulator.js')
const { copyApp, buildApp, startApp, startDev, appEnv } = require('./support/xmcp-app.js')
const { freePort, serverTracker, assertStopped } = require('./support/processes.js')
const { connectWithOAuth, callToolRaw, toolText } = require('./support/mcp-client.js')

const SESSION_NOT_INITIALIZED =
  '[WorkOS] Session not initialized. Ensure this is called within a protected route that passed authentication.'
const LOGIN_USER = { id: 'user_01LOGIN', email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper', organizationId: 'org_01ACME' }
const BUILD_TIMEOUT = 240_000
// Set at build time only: proves xmcp does not inline process.env.* into dist/ (the run-time value wins).
const BUILD_TIME_ENV = {
  WORKOS_API_KEY: 'sk_build_time_inlined',
  WORKOS_CLIENT_ID: 'client_build_time_inlined',
  BASE_URL: 'http://build-time-inlined.invalid',
  WORKOS_AUTHKIT_DOMAIN: 'http://build-time-inlined.invalid',
}

let emu
const { track, stopAll } = serverTracker()
const builds = {}

/** Builds each app once per file; later tests reuse the promise (and its failure). */
function getBuild(type) {
  builds[type] ??= (async () => {
    const port = await freePort()
    const started = Date.now()
    const build = await buildApp({ name: `xmcp-${type}`, type, port, timeoutMs: BUILD_TIMEOUT, env: BUILD_TIME_ENV })
    return { ...build, wallMs: Date.now() - started }
  })()
  return builds[type]
}

async function startBuilt(type) {
  const build = await getBuild(type)
  return track(startApp({ dir: build.dir, port: build.port, env: appEnv(emu, build.port) }))
}

function parseWhoami(result) {
  assert.ok(!result.isError, `whoami failed: ${JSON.stringify(result)}`)
  return JSON.parse(toolText(result))
}

before(async () => {
  emu = await createEmulator()
  emu.addUser(LOGIN_USER)
  emu.setLoginUser(LOGIN_USER.id)
})

after(async () => {
  await stopAll()
  if (emu) await emu.close()
})

// ------------------------------------------------------------------------------------------- (a)
describe('xmcp build', { timeout: 2 * BUILD_TIMEOUT + 30_000 }, () => {
  for (const type of ['commonjs', 'module']) {
    it(`writes dist/http.js for a ${type} app`, async (t) => {
      const build = await getBuild(type)
      const entry = path.join(build.dir, 'dist', 'http.js')
      assert.ok(fs.existsSync(entry), `missing ${entry}:\n${build.output}`)
      // The binary travels with the build (copied by rspack as an asset), so dist/ is self-contained.
      assert.ok(
        fs.readdirSync(path.join(build.dir, 'dist')).some((f) => f.endsWith('.node')),
        'no .node asset in dist/',
      )
      t.diagnostic(`xmcp build (${type}): ${build.buildMs} ms`)
    })
  }

  it('reads process.env at run time (nothing inlined at build time)', async () => {
    const build = await getBuild('commonjs')
    const bundle = fs.readFileSync(path.join(build.dir, 'dist', 'http.js'), 'utf8')
    assert.ok(!bundle.includes('build-time-inlined'), 'a build-time environment value was inlined into dist/http.js')
    assert.ok(!bundle.includes('sk_build_time_inlined'))
    assert.match(bundle, /process\.env\.WORKOS_AUTHKIT_DOMAIN/)
  })
})

// ------------------------------------------------------------------------------------- (b)(c)(f)
for (const type of ['commonjs', 'module']) {
  describe(`built ${type} app (node dist/http.js)`, { timeout: BUILD_TIMEOUT + 120_000 }, () => {
    let server
    before(async () => {
      server = await startBuilt(type)
    })
    after(async () => {
      if (server) await server.stop()
    })

    it('answers 401 with an absolute resource_metadata URL when unauthenticated', async () => {
      const port = new URL(server.url).port
      const res = await fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
      })
      assert.equal(res.status, 401)
      const www = res.headers.get('www-authenticate')
      assert.ok(www, 'no WWW-Authenticate header')
      assert.ok(
        www.includes(`resource_metadata="http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp"`),
        `WWW-Authenticate: ${www}`,
      )
      assert.match(res.headers.get('content-type') ?? '', /application\/json/)
      const body = await res.json()
      assert.equal(body.error, 'unauthorized')
      assert.equal(typeof body.error_description, 'string')

      // The document it points at names the MCP endpoint and AuthKit.
      const prm = await fetch(`http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp`).then((r) => r.json())
      assert.equal(prm.resource, `http://127.0.0.1:${port}/mcp`)
      assert.deepEqual(prm.authorization_servers, [emu.url])
    })

    it('serves whoami to a real MCP client after the full OAuth flow', async () => {
      const clientsBefore = emu.clients.size
      const steps = []
      const conn = await connectWithOAuth(`${server.url}/mcp`, {
        clientName: `xmcp-${type}-test`,
        onStep: (step) => steps.push(step),
      })
      try {
        // The SDK found everything itself: 401 -> metadata -> registration -> authorize -> token.
        for (const step of ['401', 'discovery', 'register', 'authorize', 'token', 'connected']) {
          assert.ok(steps.includes(step), `missing OAuth step ${step}: ${steps.join(', ')}`)
        }
        assert.equal(emu.clients.size, clientsBefore + 1, 'no dynamic client registration')
        assert.equal(conn.provider.lastAuthorizationUrl.searchParams.get('resource'), `${server.url}/mcp`)

        const tools = await conn.client.listTools()
        // tools/list is never blocked by a tool policy: every tool is listed, the guarded ones too.
        assert.deepEqual(tools.tools.map((t) => t.name).sort(), [
          'delayed-whoami',
          'delete_workspace',
          'publish_note',
          'team_report',
          'whoami',
        ])

        const data = parseWhoami(await conn.client.callTool({ name: 'whoami', arguments: {} }))
        assert.equal(data.session.userId, LOGIN_USER.id)
        assert.equal(data.session.claims.sub, LOGIN_USER.id)
        assert.equal(data.session.organizationId, LOGIN_USER.organizationId)
        assert.match(data.session.sessionId, /^session_/)
        assert.ok(Date.parse(data.session.expiresAt) > Date.now(), `expiresAt ${data.session.expiresAt}`)
        assert.equal(new Date(data.session.expiresAt).toISOString(), data.session.expiresAt)
        assert.equal(data.user.id, LOGIN_USER.id)
        assert.equal(data.user.email, LOGIN_USER.email)
        assert.equal(data.user.firstName, LOGIN_USER.firstName)
        assert.equal(data.user.lastName, LOGIN_USER.lastName)
      } finally {
        await conn.close()
      }
    })

    it('isolates 200 concurrent tool calls from 20 users', { timeout: 60_000 }, async () => {
      const tokens = Array.from({ length: 20 }, (_, n) => emu.mintToken({ sub: `user_${n}`, sid: `session_${n}` }))
      const mcpUrl = `${server.url}/mcp`
      const calls = Array.from({ length: 200 }, (_, i) => {
        const n = (i * 7) % 20
        const delayMs = Math.floor(Math.random() * 101)
        return callToolRaw(mcpUrl, tokens[n], 'delayed-whoami', { delayMs }).then((r) => ({ n, r }))
      })
      const results = await Promise.all(calls)
      const wrong = []
      for (const { n, r } of results) {
        assert.equal(r.status, 200, `HTTP ${r.status}: ${r.text}`)
        assert.ok(r.result && !r.result.isError, `tool error: ${r.text}`)
        const got = toolText(r.result)
        if (got !== `user_${n}`) wrong.push(`caller user_${n} saw ${got}`)
      }
      assert.deepEqual(wrong, [], `${wrong.length}/200 calls saw another user's session`)
    })
  })
}

// ------------------------------------------------------------------------------------------- (d)
describe('built dist/ copied outside the repo', { timeout: BUILD_TIMEOUT + 120_000 }, () => {
  for (const type of ['commonjs', 'module']) {
    it(`still serves an authenticated tool call (${type})`, async (t) => {
      const build = await getBuild(type)
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `xmcp-workos-dist-${type}-`))
      t.after(() => fs.rmSync(tmp, { recursive: true, force: true }))
      fs.cpSync(path.join(build.dir, 'dist'), tmp, { recursive: true })
      // Nothing above the copy can resolve packages: no node_modules on the way to the root.
      for (let dir = tmp; ; dir = path.dirname(dir)) {
        assert.ok(!fs.existsSync(path.join(dir, 'node_modules')), `${dir}/node_modules exists`)
        if (path.dirname(dir) === dir) break
      }
      const server = await track(startApp({ dir: tmp, entry: 'http.js', port: build.port, env: appEnv(emu, build.port) }))
      try {
        const r = await callToolRaw(`${server.url}/mcp`, emu.mintToken({ sub: LOGIN_USER.id, sid: 'session_copy' }), 'whoami', {})
        assert.equal(r.status, 200, r.text)
        const data = parseWhoami(r.result)
        assert.equal(data.session.userId, LOGIN_USER.id)
        assert.equal(data.session.sessionId, 'session_copy')
        assert.equal(data.user.email, LOGIN_USER.email)
      } finally {
        await server.stop()
      }
    })
  }
})

// ------------------------------------------------------------------------------------------- (e)
describe('xmcp dev', { timeout: 180_000 }, () => {
  for (const type of ['commonjs', 'module']) {
    it(`serves an authenticated tool call (${type})`, async () => {
      const dir = copyApp({ name: `xmcp-dev-${type}`, type })
      const port = await freePort()
      const server = await track(startDev({ dir, port, env: appEnv(emu, port), timeoutMs: 120_000 }))
      let exit
      try {
        const token = emu.mintToken({ sub: LOGIN_USER.id, sid: 'session_dev' })
        const r = await callToolRaw(`${server.url}/mcp`, token, 'whoami', {})
        assert.equal(r.status, 200, `${r.text}\n${server.output()}`)
        const data = parseWhoami(r.result)
        assert.equal(data.session.userId, LOGIN_USER.id)
        assert.equal(data.session.sessionId, 'session_dev')
        assert.equal(data.user.email, LOGIN_USER.email)

        const unauthenticated = await fetch(`${server.url}/mcp`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
        assert.equal(unauthenticated.status, 401)
      } finally {
        exit = await server.stop()
      }
      // The whole process group is gone (xmcp dev runs the server in a child process).
      await assertStopped(server, exit)
    })
  }
})

// ------------------------------------------------------------------------------------------- (g)
describe('no session outlives its request', () => {
  it('a later unauthenticated or invalid call gets 401, never the previous session', async (t) => {
    const server = await startBuilt('commonjs')
    t.after(() => server.stop())
    const mcpUrl = `${server.url}/mcp`
    const ok = await callToolRaw(mcpUrl, emu.mintToken({ sub: 'user_previous', sid: 'session_previous' }), 'delayed-whoami', { delayMs: 0 })
    assert.equal(toolText(ok.result), 'user_previous')
    for (const token of [undefined, 'not-a-jwt', emu.mintToken({ sub: 'user_x' }, { alg: 'HS256' })]) {
      const r = await callToolRaw(mcpUrl, token, 'delayed-whoami', { delayMs: 0 })
      assert.equal(r.status, 401, `token ${token}: ${r.text}`)
      assert.ok(!r.text.includes('user_previous'))
    }
  })

  // xmcp serves nothing but the MCP endpoint and the package's discovery routes, so a path without a
  // tool is only reachable with a plain Express app: the same middleware + router, plus a route the
  // middleware does not guard. The original package's global fallback answered the last session there.
  it('code on an unguarded path sees no session after an authenticated request finished', async (t) => {
    const express = require('express')
    const { workosProvider, getSession } = require('@xmcp-dev/workos')
    const port = await freePort()
    const { middleware, router } = workosProvider({
      apiKey: emu.apiKey,
      clientId: emu.clientId,
      baseURL: `http://127.0.0.1:${port}`,
      authkitDomain: emu.url,
    })
    const app = express()
    app.use(router)
    app.use(middleware)
    const peek = () => {
      try {
        return { userId: getSession().userId }
      } catch (err) {
        return { error: err.message }
      }
    }
    app.post('/mcp', async (req, res) => {
      await new Promise((r) => setTimeout(r, 5))
      res.json(peek())
    })
    app.get('/health', (req, res) => res.json(peek()))
    app.get('/health-later', (req, res) => setTimeout(() => res.json(peek()), 5))
    const httpServer = await new Promise((resolve) => {
      const s = app.listen(port, '127.0.0.1', () => resolve(s))
    })
    t.after(() => new Promise((resolve) => httpServer.close(resolve)))
    const base = `http://127.0.0.1:${port}`

    const token = emu.mintToken({ sub: 'user_leak', sid: 'session_leak' })
    const authed = await fetch(`${base}/mcp`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }).then((r) => r.json())
    assert.deepEqual(authed, { userId: 'user_leak' })

    for (const route of ['/health', '/health-later']) {
      const body = await fetch(`${base}${route}`).then((r) => r.json())
      assert.deepEqual(body, { error: SESSION_NOT_INITIALIZED }, `${route} saw ${JSON.stringify(body)}`)
    }
    await new Promise((r) => setTimeout(r, 5))
    assert.deepEqual(peek(), { error: SESSION_NOT_INITIALIZED })
  })
})
