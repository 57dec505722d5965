'use strict'
// Real MCP clients log in to an xmcp app protected by @xmcp-dev/workos, against the local AuthKit emulator:
// the official TypeScript SDK 1.x (@modelcontextprotocol/sdk), its 2.x client (@modelcontextprotocol/client,
// strict about the metadata `issuer`) and the Python SDK (PyPI `mcp`, in a virtualenv this test creates
// under .test-apps/). Each client gets nothing but the MCP URL and does the whole flow itself: the 401 from
// /mcp, discovery from the WWW-Authenticate header, authorization-server metadata, registration, PKCE
// authorization and token, then a tool call that returns the user's session. Then each one refreshes after
// its access token expired.
//
//   node --test --test-concurrency=1 __test__/clients.test.js     (npm run test:clients)
//
// Expiry without waiting: the package accepts a token up to 30 s after `exp` (clock leeway), and an access
// token normally lives 5 minutes. The emulator can make one token expire early (`expireNextAccessTokenIn`):
// - The TypeScript clients do not track `expires_in`; they learn that a token expired from the resource
//   server's 401 and then refresh. They get an access token that expired 60 s ago (beyond the leeway): the
//   server answers 401 `invalid_token` "Token has expired", as it would to any token used after its
//   lifetime plus the leeway, and the client has to refresh to go on.
// - The Python client refreshes before a request once `expires_in` has passed (a 401 sends it through a
//   new login instead). It gets a token that expires in 3 s, makes a call, waits 3 s and calls again.
const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')

const { createEmulator } = require('./support/emulator.js')
const { buildApp, startApp, appEnv } = require('./support/xmcp-app.js')
const { freePort } = require('./support/processes.js')
const { connectV1, connectV2, v1, v2 } = require('./support/mcp-clients.js')
const { callToolWithStepUp } = require('./support/mcp-client.js')
const { ensureVenv, runPythonClient, MCP_VERSION } = require('./support/python-mcp.js')

const LOGIN_USER = {
  id: 'user_01CLIENT',
  email: 'margaret@example.com',
  firstName: 'Margaret',
  lastName: 'Hamilton',
  organizationId: 'org_01APOLLO',
}
const BUILD_TIMEOUT = 240_000

let emu
let server
let venv
let mcpUrl
let origin

before(async () => {
  // The demo's tool policies: publish_note needs the notes:write scope, delete_workspace the
  // workspace:delete permission (which the login user's member role lacks), team_report the admin role.
  emu = await createEmulator({ scopes: ['notes:write'] })
  emu.addUser(LOGIN_USER)
  emu.setLoginUser(LOGIN_USER.id)
  emu.api.addOrganization({ id: LOGIN_USER.organizationId, name: 'Apollo' })
  emu.api.addRole(LOGIN_USER.organizationId, { slug: 'member', permissions: ['notes:read'] })
  emu.api.addRole(LOGIN_USER.organizationId, { slug: 'admin', name: 'Admin', permissions: ['notes:read', 'workspace:delete'] })
  emu.api.addMembership({ user_id: LOGIN_USER.id, organization_id: LOGIN_USER.organizationId, role: { slug: 'member' } })
  const port = await freePort()
  const build = await buildApp({ name: 'clients-commonjs', port, timeoutMs: BUILD_TIMEOUT })
  server = await startApp({
    dir: build.dir,
    port,
    env: appEnv(emu, port),
  })
  origin = server.url
  mcpUrl = `${origin}/mcp`
})

after(async () => {
  if (server) await server.stop()
  if (emu) await emu.close()
})

/** The emulator's log from `mark` on, only the authorization server's OAuth endpoints. */
function oauthRequests(mark) {
  return emu.requests.slice(mark).filter((r) => r.path.startsWith('/oauth2/') && r.path !== '/oauth2/jwks')
}

function grantTypes(requests) {
  return requests.filter((r) => r.path === '/oauth2/token').map((r) => new URLSearchParams(r.body).get('grant_type'))
}

function parseWhoami(text) {
  const data = JSON.parse(text)
  assert.equal(data.session.userId, LOGIN_USER.id)
  assert.equal(data.session.claims.sub, LOGIN_USER.id)
  assert.equal(data.session.organizationId, LOGIN_USER.organizationId)
  assert.match(data.session.sessionId, /^session_/)
  assert.equal(data.user.email, LOGIN_USER.email)
  assert.equal(data.user.firstName, LOGIN_USER.firstName)
  return data
}

function toolText(result) {
  assert.ok(!result.isError, `tool error: ${JSON.stringify(result)}`)
  return result.content
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('')
}

/**
 * What every client must have done, read from its own record of HTTP exchanges (`http`: entries with
 * method, url, status, authorization, wwwAuthenticate, body) and from the emulator's log.
 */
function assertFullFlow({ http, mark }) {
  const prmUrl = `${origin}/.well-known/oauth-protected-resource/mcp`

  // 1. The first request to /mcp carried no token and got the 401 with the header.
  const first = http.find((e) => e.url === mcpUrl)
  assert.ok(first, `no request to ${mcpUrl}: ${JSON.stringify(http)}`)
  assert.equal(first.status, 401)
  assert.equal(first.authorization, null)
  assert.equal(first.wwwAuthenticate, `Bearer resource_metadata="${prmUrl}"`)
  // The client's own header parser reads the absolute URL (1.x's relative one was dropped here).
  assert.equal(first.headerResourceMetadata, prmUrl)

  // 2. Discovery from the header: the document it names, nothing probed before or instead.
  const prmFetches = http.filter((e) => new URL(e.url).pathname.startsWith('/.well-known/oauth-protected-resource'))
  assert.deepEqual(
    prmFetches.map((e) => e.url),
    prmFetches.map(() => prmUrl),
    `protected-resource metadata fetched from elsewhere: ${prmFetches.map((e) => e.url)}`,
  )
  assert.ok(prmFetches.length >= 1)
  const prm = prmFetches[0].body
  assert.equal(prm.resource, mcpUrl)
  assert.deepEqual(prm.authorization_servers, [emu.url])

  // 3. Authorization-server metadata, from AuthKit itself (not the copy at the MCP origin).
  const asm = http.find((e) => e.url === `${emu.url}/.well-known/oauth-authorization-server`)
  assert.ok(asm, `authorization-server metadata not fetched from ${emu.url}: ${http.map((e) => e.url)}`)
  assert.equal(asm.status, 200)
  assert.equal(asm.body.issuer, emu.url)
  assert.ok(!http.some((e) => e.url === `${origin}/.well-known/oauth-authorization-server`))

  // 4-6. Registration, PKCE authorization for the MCP resource, token.
  const oauth = oauthRequests(mark)
  assert.equal(oauth.filter((r) => r.path === '/oauth2/register' && r.method === 'POST').length, 1, 'dynamic registrations')
  const authorizations = oauth.filter((r) => r.path === '/oauth2/authorize')
  assert.equal(authorizations.length, 1, 'authorization requests')
  const { query } = authorizations[0]
  assert.equal(query.response_type, 'code')
  assert.equal(query.code_challenge_method, 'S256')
  assert.match(query.code_challenge, /^[A-Za-z0-9_-]{43}$/)
  assert.equal(query.resource, mcpUrl)
  const codeGrant = oauth.find((r) => r.path === '/oauth2/token' && new URLSearchParams(r.body).get('grant_type') === 'authorization_code')
  assert.ok(codeGrant, 'no authorization_code grant')
  assert.ok(new URLSearchParams(codeGrant.body).get('code_verifier'))
  assert.equal(new URLSearchParams(codeGrant.body).get('resource'), mcpUrl)

  // After the flow, requests to /mcp carry the token.
  assert.ok(http.some((e) => e.url === mcpUrl && e.authorization === 'Bearer' && e.status < 300))
}

describe('discovery', () => {
  it("the 401 points at an absolute, path-suffixed document whose resource is the MCP URL (VS Code's rule)", async () => {
    const res = await fetch(mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    })
    assert.equal(res.status, 401)
    const match = /^Bearer resource_metadata="([^"]+)"$/.exec(res.headers.get('www-authenticate'))
    assert.ok(match, `WWW-Authenticate: ${res.headers.get('www-authenticate')}`)
    const prmUrl = new URL(match[1]) // absolute: parses without a base
    assert.equal(prmUrl.href, `${origin}/.well-known/oauth-protected-resource/mcp`)
    const doc = await fetch(prmUrl).then((r) => r.json())
    // VS Code (src/vs/base/common/oauth.ts): new URL(resource).toString() === new URL(serverUrl).toString().
    assert.equal(new URL(doc.resource).toString(), new URL(mcpUrl).toString())
    assert.equal(doc.resource, mcpUrl)
    assert.deepEqual(doc.authorization_servers, [emu.url])
  })
})

const typescriptClients = [
  { name: '@modelcontextprotocol/sdk 1.x', connect: connectV1 },
  { name: '@modelcontextprotocol/client 2.x', connect: connectV2 },
]

for (const { name, connect } of typescriptClients) {
  describe(name, { timeout: 60_000 }, () => {
    it('logs in on its own and a tool call returns the user session', async () => {
      const mark = emu.requests.length
      const conn = await connect(mcpUrl)
      try {
        assertFullFlow({ http: conn.log, mark })
        assert.deepEqual(grantTypes(oauthRequests(mark)), ['authorization_code'])
        const data = parseWhoami(toolText(await conn.client.callTool({ name: 'whoami', arguments: {} })))
        assert.ok(Date.parse(data.session.expiresAt) > Date.now() + 200_000, `expiresAt ${data.session.expiresAt}`)
      } finally {
        await conn.close()
      }
    })

    it('refreshes when the server rejects its expired access token, and the call succeeds', async () => {
      const mark = emu.requests.length
      emu.expireNextAccessTokenIn(-60)
      const conn = await connect(mcpUrl)
      try {
        const expired = conn.log.find((e) => e.url === mcpUrl && e.status === 401 && e.authorization === 'Bearer')
        assert.ok(expired, `the expired token was never rejected: ${JSON.stringify(conn.log.map((e) => [e.url, e.status]))}`)
        assert.match(expired.wwwAuthenticate, /error="invalid_token"/)
        assert.match(expired.wwwAuthenticate, /error_description="Token has expired"/)
        const oauth = oauthRequests(mark)
        assert.deepEqual(grantTypes(oauth), ['authorization_code', 'refresh_token'])
        assert.equal(oauth.filter((r) => r.path === '/oauth2/authorize').length, 1, 'logged in again instead of refreshing')
        const data = parseWhoami(toolText(await conn.client.callTool({ name: 'whoami', arguments: {} })))
        assert.ok(Date.parse(data.session.expiresAt) > Date.now() + 200_000, `not the refreshed token: expiresAt ${data.session.expiresAt}`)
      } finally {
        await conn.close()
      }
    })
  })
}

describe('@modelcontextprotocol/client 2.x strictness', () => {
  // Reported, not a defect of the flow above: the package passes AuthKit's own document through at the MCP
  // origin for clients that find no protected-resource metadata. Its `issuer` is AuthKit's, so a strict
  // client that fell back to the MCP origin would refuse it; with the metadata served here none falls back.
  it('refuses the authorization-server metadata copied at the MCP origin (issuer is AuthKit), which it never needs', async () => {
    await assert.rejects(v2.discoverAuthorizationServerMetadata(new URL(origin)), (err) => {
      assert.equal(err.name, 'IssuerMismatchError')
      return true
    })
    const ok = await v2.discoverAuthorizationServerMetadata(new URL(emu.url))
    assert.equal(ok.issuer, emu.url)
  })
})

describe(`Python mcp ${MCP_VERSION}`, { timeout: 420_000 }, () => {
  before(async () => {
    venv = await ensureVenv()
  })

  it('logs in on its own and a tool call returns the user session', async (t) => {
    if (venv.created) t.diagnostic(`created the virtualenv in ${venv.ms} ms`)
    const mark = emu.requests.length
    const run = await runPythonClient(mcpUrl)
    assertFullFlow({ http: run.http, mark })
    assert.deepEqual(grantTypes(oauthRequests(mark)), ['authorization_code'])
    assert.equal(run.calls.length, 1)
    parseWhoami(run.calls[0])
  })

  it('refreshes once expires_in has passed, and the next call succeeds', async () => {
    const mark = emu.requests.length
    emu.expireNextAccessTokenIn(3)
    const run = await runPythonClient(mcpUrl, { args: ['--call-again-after-expiry'] })
    const oauth = oauthRequests(mark)
    assert.deepEqual(grantTypes(oauth), ['authorization_code', 'refresh_token'])
    assert.equal(oauth.filter((r) => r.path === '/oauth2/authorize').length, 1, 'logged in again instead of refreshing')
    const tokens = run.events.filter((e) => e.event === 'tokens')
    assert.deepEqual(
      tokens.map((e) => e.expires_in),
      [3, 300],
    )
    assert.equal(run.calls.length, 2)
    parseWhoami(run.calls[0])
    const after = parseWhoami(run.calls[1])
    assert.ok(Date.parse(after.session.expiresAt) > Date.now() + 200_000, `not the refreshed token: expiresAt ${after.session.expiresAt}`)
    // It refreshed before the server ever saw the expired token.
    assert.ok(!run.http.some((e) => e.url === mcpUrl && e.status === 401 && e.authorization === 'Bearer'))
  })
})

// Authorization (issue 11) with each real client: publish_note needs a scope the first token lacks, so
// the server answers 403 insufficient_scope with the scope; delete_workspace needs a permission the
// user's role lacks; team_report checks the admin role inside the tool (ForbiddenError).
function assertRefusals(results) {
  const byTool = Object.fromEntries(results.map((r) => [r.tool, r]))
  assert.equal(byTool.delete_workspace.isError, true)
  assert.match(byTool.delete_workspace.text, /needs the permission "workspace:delete", which your role does not grant/)
  assert.equal(byTool.team_report.isError, true)
  assert.equal(byTool.team_report.text, '[WorkOS] Forbidden: this needs one of the roles "admin".')
}

const textOfResult = (result) =>
  result.content
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('')

describe('authorization: step-up on 403, refusals as tool errors', { timeout: 120_000 }, () => {
  after(() => {
    emu.refreshTokens = 'always'
  })

  async function stepUpAndRefusals(sdk, conn) {
    const mark = emu.requests.length
    const { result, steppedUp, scope } = await callToolWithStepUp(conn, sdk, 'publish_note')
    const challenged = conn.log.find((e) => e.url === mcpUrl && e.status === 403)
    assert.ok(challenged, 'the server answered 403 first')
    assert.match(
      challenged.wwwAuthenticate,
      /^Bearer error="insufficient_scope", scope="notes:write", resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/mcp"/,
    )
    assert.equal(steppedUp, true, 'the client authorized again')
    assert.ok(scope.split(' ').includes('notes:write'), `the new authorization asked for the scope: ${scope}`)
    assert.equal(oauthRequests(mark).filter((r) => r.path === '/oauth2/authorize').length, 1)
    assert.equal(result.isError, undefined)
    assert.match(textOfResult(result), /^Note published for user_01CLIENT \(token scopes: .*notes:write/)
    const refusals = []
    for (const tool of ['delete_workspace', 'team_report']) {
      const r = await conn.client.callTool({ name: tool, arguments: {} })
      refusals.push({ tool, isError: r.isError, text: textOfResult(r) })
    }
    assertRefusals(refusals)
    return scope
  }

  it('@modelcontextprotocol/client 2.x steps up with the union of its scopes, even holding a refresh token', async () => {
    const conn = await connectV2(mcpUrl)
    try {
      await stepUpAndRefusals(v2, conn)
    } finally {
      await conn.close()
    }
  })

  it('@modelcontextprotocol/sdk 1.x steps up when it holds no refresh token', async () => {
    emu.refreshTokens = 'offline_access'
    const conn = await connectV1(mcpUrl, { scope: 'openid profile email' })
    try {
      assert.equal(conn.provider.tokens().refresh_token, undefined)
      await stepUpAndRefusals(v1, conn)
    } finally {
      emu.refreshTokens = 'always'
      await conn.close()
    }
  })

  it('@modelcontextprotocol/sdk 1.x holding a refresh token refreshes instead, and gives up on the second 403 (its limit, not the server’s)', async () => {
    const conn = await connectV1(mcpUrl)
    try {
      assert.ok(conn.provider.tokens().refresh_token)
      const mark = emu.requests.length
      await assert.rejects(conn.client.callTool({ name: 'publish_note', arguments: {} }), /Server returned 403 after trying upscoping/)
      assert.deepEqual(grantTypes(oauthRequests(mark)), ['refresh_token'])
      assert.equal(conn.log.filter((e) => e.url === mcpUrl && e.status === 403).length, 2)
    } finally {
      await conn.close()
    }
  })

  it(`Python mcp ${MCP_VERSION} steps up on the 403 and the retried call succeeds`, { timeout: 420_000 }, async () => {
    venv = await ensureVenv()
    const mark = emu.requests.length
    const run = await runPythonClient(mcpUrl, {
      args: ['--tool', 'whoami', '--tool', 'publish_note', '--tool', 'delete_workspace', '--tool', 'team_report'],
    })
    const challenged = run.http.find((e) => e.url === mcpUrl && e.status === 403)
    assert.ok(challenged, 'the server answered 403')
    assert.match(challenged.wwwAuthenticate, /error="insufficient_scope", scope="notes:write"/)
    const authorizations = oauthRequests(mark).filter((r) => r.path === '/oauth2/authorize')
    assert.equal(authorizations.length, 2, 'logged in, then stepped up')
    assert.ok(authorizations[1].query.scope.split(' ').includes('notes:write'), authorizations[1].query.scope)
    const [whoami, publish, ...refusals] = run.toolResults
    parseWhoami(whoami.text)
    assert.equal(publish.isError, false)
    assert.match(publish.text, /notes:write/)
    assertRefusals(refusals)
  })
})

describe('machine-to-machine: @modelcontextprotocol/sdk ClientCredentialsProvider', { timeout: 60_000 }, () => {
  it('gets a token with the client-credentials grant on its own and calls tools; user-only tools refuse it', async () => {
    const { ClientCredentialsProvider } = require('@modelcontextprotocol/sdk/client/auth-extensions.js')
    const app = emu.createApplication({ type: 'm2m', organizationId: LOGIN_USER.organizationId, scopes: ['notes:write'] })
    const mark = emu.requests.length
    const provider = new ClientCredentialsProvider({
      clientId: app.client_id,
      clientSecret: app.client_secret,
      scope: 'notes:write',
      expectedIssuer: emu.url,
    })
    const client = new v1.Client({ name: 'xmcp-workos-m2m', version: '1.0.0' })
    await client.connect(new v1.StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }))
    try {
      assert.deepEqual(grantTypes(oauthRequests(mark)), ['client_credentials'])
      assert.equal(oauthRequests(mark).filter((r) => r.path === '/oauth2/authorize').length, 0, 'no browser flow')
      const published = await client.callTool({ name: 'publish_note', arguments: {} })
      assert.equal(published.isError, undefined)
      assert.equal(textOfResult(published), `Note published for ${app.client_id} (token scopes: notes:write)`)
      const refused = await client.callTool({ name: 'delete_workspace', arguments: {} })
      assert.equal(refused.isError, true)
      assert.match(textOfResult(refused), /needs permissions of a user, and this request was authenticated with a machine token/)
      const whoami = await client.callTool({ name: 'whoami', arguments: {} })
      assert.equal(whoami.isError, true)
      assert.equal(textOfResult(whoami), '[WorkOS] No user: this request was authenticated with a machine token')
    } finally {
      await client.close()
    }
  })
})
