#!/usr/bin/env node
// `npm run demo`: the whole story on one machine, no network beyond 127.0.0.1.
//
//   1. starts a local AuthKit + WorkOS API emulator (with a demo user),
//   2. builds examples/demo with `xmcp build` into examples/demo/dist,
//   3. runs it with WORKOS_* pointing at the emulator,
//   4. connects the official MCP client, which finds its own way through OAuth
//      (401 -> discovery -> dynamic registration -> authorize -> token),
//   5. calls the `whoami` tool and prints the session and the WorkOS user,
//   6. calls `publish_note`, which needs a scope the first token lacks: the server answers 403
//      insufficient_scope, the client authorizes again for that scope and the retried call succeeds,
//   7. calls `delete_workspace`, which needs a permission the user's role lacks: a tool error names it.
//
// Needs the native addon built and linked first (`npm run build`).
'use strict'
const fs = require('node:fs')
const net = require('node:net')
const path = require('node:path')

const OVERALL_TIMEOUT_MS = 180_000
const DEMO_USER = { id: 'user_01DEMO', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', organizationId: 'org_01DEMO' }

const cleanups = []
let finished = false

function log(step, text) {
  console.log(`${`[${step}]`.padEnd(12)} ${text}`)
}

async function cleanup() {
  while (cleanups.length) {
    const fn = cleanups.pop()
    try {
      await fn()
    } catch (err) {
      console.error(`cleanup: ${err && err.message}`)
    }
  }
}

async function fail(message) {
  if (finished) return
  finished = true
  console.error(`\ndemo FAILED: ${message}`)
  await cleanup()
  process.exit(1)
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

async function main() {
  const repo = path.resolve(__dirname, '..')
  let support
  try {
    require.resolve('@xmcp-dev/workos', { paths: [repo] })
    support = {
      ...require('../__test__/support/emulator.js'),
      ...require('../__test__/support/processes.js'),
      ...require('../__test__/support/xmcp-app.js'),
      ...require('../__test__/support/mcp-client.js'),
    }
  } catch (err) {
    throw new Error(`${err.message}\nRun \`npm run build\` first (it builds the native addon and links @xmcp-dev/workos).`)
  }
  const { createEmulator, freePort, buildDir, startApp, appEnv, connectWithOAuth, callToolWithStepUp, toolText, DEMO } = support

  // 1. Emulator. Refresh tokens only with offline_access (the OpenID Connect rule), which this client
  // does not ask for: @modelcontextprotocol/sdk 1.x answers a 403 by refreshing when it holds one.
  const emu = await createEmulator({ scopes: ['notes:write'], refreshTokens: 'offline_access' })
  cleanups.push(() => emu.close())
  emu.addUser(DEMO_USER)
  emu.setLoginUser(DEMO_USER.id)
  emu.api.addOrganization({ id: DEMO_USER.organizationId, name: 'Demo Org' })
  emu.api.addRole(DEMO_USER.organizationId, { slug: 'member', name: 'Member', permissions: ['notes:read'] })
  emu.api.addMembership({ user_id: DEMO_USER.id, organization_id: DEMO_USER.organizationId, role: { slug: 'member' } })
  log('emulator', `AuthKit + WorkOS API emulator on ${emu.url} (login user ${DEMO_USER.email}, role "member")`)

  // 2. Build (xmcp bakes the port into dist/http.js)
  const port = (await portIsFree(3002)) ? 3002 : await freePort()
  log('build', `xmcp build examples/demo (port ${port}) ...`)
  const build = await buildDir({ dir: DEMO, port, timeoutMs: 150_000 })
  log('build', `dist/http.js written in ${(build.buildMs / 1000).toFixed(1)} s`)

  // 3. Run
  const baseURL = `http://127.0.0.1:${port}`
  const server = await startApp({
    dir: DEMO,
    port,
    env: appEnv(emu, port),
  })
  cleanups.push(() => server.stop())
  log('server', `MCP server on ${baseURL}/mcp (node examples/demo/dist/http.js, pid ${server.pid})`)

  // 4. OAuth with the real MCP client
  const conn = await connectWithOAuth(`${baseURL}/mcp`, {
    clientName: 'xmcp-workos-demo',
    scope: 'openid profile email',
    onStep: (step, detail) => log(step, detail),
  })
  cleanups.push(() => conn.close())

  // 5. Tool call
  const result = await conn.client.callTool({ name: 'whoami', arguments: {} })
  if (result.isError) throw new Error(`whoami failed: ${toolText(result)}`)
  const { session, user } = JSON.parse(toolText(result))
  log('tool call', 'whoami ->')
  console.log(`\n  session: ${JSON.stringify(session, null, 2).replace(/\n/g, '\n  ')}`)
  console.log(`  user:    ${JSON.stringify(user, null, 2).replace(/\n/g, '\n  ')}\n`)
  if (session.userId !== DEMO_USER.id || user.email !== DEMO_USER.email) {
    throw new Error(`whoami returned ${session.userId} / ${user.email}, expected ${DEMO_USER.id} / ${DEMO_USER.email}`)
  }

  // 6. Step-up: publish_note needs notes:write, which the first token does not have.
  const { Client } = require('@modelcontextprotocol/sdk/client/index.js')
  const sdk = { Client, ...require('@modelcontextprotocol/sdk/client/auth.js') }
  const published = await callToolWithStepUp(conn, sdk, 'publish_note')
  if (!published.steppedUp) throw new Error('publish_note ran without a step-up: the first token already had notes:write')
  if (published.result.isError) throw new Error(`publish_note failed after the step-up: ${toolText(published.result)}`)
  log('step-up', `publish_note -> 403 insufficient_scope; the client authorized again with scope "${published.scope}"`)
  log('tool call', `publish_note (retried) -> ${toolText(published.result)}`)

  // 7. Refusal: delete_workspace needs workspace:delete, which the member role does not grant.
  const refused = await conn.client.callTool({ name: 'delete_workspace', arguments: {} })
  if (!refused.isError) throw new Error('delete_workspace ran although the role lacks workspace:delete')
  log('refused', `delete_workspace -> tool error: ${toolText(refused)}`)
  if (!fs.existsSync(path.join(DEMO, 'dist', 'http.js'))) throw new Error('examples/demo/dist/http.js disappeared')
}

const timer = setTimeout(() => fail(`timed out after ${OVERALL_TIMEOUT_MS / 1000} s`), OVERALL_TIMEOUT_MS)
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => fail(`interrupted (${signal})`))

main().then(
  async () => {
    if (finished) return
    finished = true
    clearTimeout(timer)
    await cleanup()
    log('done', 'demo OK: everything stopped')
    process.exit(0)
  },
  (err) => fail(err && err.message ? err.message : String(err)),
)
