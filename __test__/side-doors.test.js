'use strict'
// Issue 19, classes 1 and 4: a tool policy holds for every way xmcp can run that tool, and a refused
// message that is due no response gets none.
//
// xmcp serves a tool with `_meta.ui` as a resource `ui://app/<tool>.html` (`ui://widget/…` in 0.3 to
// 0.5) whose `resources/read` runs the tool's handler. Here: the rule against a real Express app (whose
// MCP route finds widget resources as xmcp's server does), with every policy kind and many spellings;
// the same against a real `xmcp build` of an app with widget tools; and a tripwire that fails when the
// installed xmcp registers a method, or serves a tool, in a way the policy check does not know.
const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { createEmulator } = require('./support/emulator')
const { startExpressApp } = require('./support/express-app')
const { copyApp, buildDir, startApp, appEnv } = require('./support/xmcp-app')
const { freePort, serverTracker } = require('./support/processes')
const { post, bearer } = require('./support/http')
const { parseRpcResponse } = require('./support/mcp-client')
const { POLICED, UNPOLICED, TOOL_RESOURCE_PREFIXES, toolOfResource } = require('../authorization.js')

const ORG = 'org_01SIDE'
const MACHINE = 'client_01M2M'
const POLICIES = {
  '*': { scopes: ['mcp'] },
  deploy: { scopes: ['files:write'], roles: ['admin'] }, // the review's example
  read: { permissions: ['deploy:read'] },
  admin: { roles: ['admin'] },
  billing: { organization: true },
  human: { machines: false },
}

const PROMPT_POLICIES = { summarize: { roles: ['admin'] } }
const RESOURCE_POLICIES = { 'notes://today': { permissions: ['deploy:read'] }, 'users://{id}/profile': { roles: ['admin'] } }

let nextId = 1
const read = (uri) => ({ jsonrpc: '2.0', id: nextId++, method: 'resources/read', params: { uri } })
const call = (name) => ({ jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name, arguments: {} } })

let emu
let app
before(async () => {
  emu = await createEmulator({ scopes: ['mcp', 'files:write', 'deploy:read'] })
  emu.api.addOrganization({ id: ORG, name: 'Side' })
  emu.api.addRole(ORG, { slug: 'admin', permissions: ['deploy:read'] })
  emu.api.addRole(ORG, { slug: 'member', permissions: [] })
  emu.api.addMembership({ user_id: 'user_01MEMBER', organization_id: ORG, role: { slug: 'member' } })
  emu.api.addMembership({ user_id: 'user_01ADMIN', organization_id: ORG, role: { slug: 'admin' } })
  app = await startExpressApp(emu, { tools: POLICIES, machineTokens: true })
})
after(async () => {
  await app?.close()
  await emu?.close()
})

const member = (scope = 'mcp files:write') => emu.mintToken({ sub: 'user_01MEMBER', org_id: ORG, scope })
const adminToken = (scope = 'mcp files:write') => emu.mintToken({ sub: 'user_01ADMIN', org_id: ORG, scope })
const noOrg = () => emu.mintToken({ sub: 'user_01ADMIN', scope: 'mcp files:write' })
const machine = (scope = 'mcp files:write') => emu.mintToken({ sub: MACHINE, client_id: MACHINE, sid: undefined, org_id: ORG, scope })

/** Sends `message` and reports what happened: the status, the body, and which tools ran. */
async function send(message, token, headers = {}) {
  app.ran.length = 0
  const res = await post(`${app.url}/mcp`, message, { ...bearer(token), ...headers })
  return { ...res, ran: [...app.ran] }
}

describe('a resources/read of a tool interface is decided by the tool policy', () => {
  // [tool, token, what a tools/call of the tool answers]: every policy kind, refused and allowed.
  const cases = () => [
    ['deploy', member(), /needs one of the roles "admin"/],
    ['deploy', member('mcp'), 403],
    ['deploy', emu.mintToken({ sub: 'user_01ADMIN', org_id: ORG }), 403],
    ['deploy', machine(), /needs a role of a user/],
    ['read', member(), /needs the permission "deploy:read"/],
    ['read', machine(), /needs permissions of a user/],
    ['admin', member(), /needs one of the roles "admin"/],
    ['billing', noOrg(), /needs an organization/],
    ['human', machine(), /does not accept machine tokens/],
    ['open', emu.mintToken({ sub: 'user_01ADMIN', org_id: ORG, scope: 'files:write' }), 403],
  ]

  test('every policy kind refuses the read as it refuses the call, and the tool does not run', async () => {
    for (const [tool, token, expected] of cases()) {
      const viaCall = await send(call(tool), token)
      for (const uri of [`ui://app/${tool}.html`, `ui://widget/${tool}.html`]) {
        const res = await send(read(uri), token)
        const label = `${tool} ${uri} ${expected}`
        assert.deepEqual(res.ran, [], label)
        if (expected === 403) {
          assert.equal(res.status, 403, label)
          assert.equal(viaCall.status, 403, label)
          assert.equal(res.headers.get('www-authenticate'), viaCall.headers.get('www-authenticate'), label)
          assert.match(res.headers.get('www-authenticate'), /^Bearer error="insufficient_scope", scope="/)
        } else {
          assert.equal(res.status, 200, label)
          assert.equal(viaCall.body.result.isError, true, label)
          assert.match(viaCall.body.result.content[0].text, expected, label)
          assert.equal(res.body.error.code, -32003, label)
          assert.equal(res.body.error.message, viaCall.body.result.content[0].text, label)
          assert.deepEqual(res.body.error.data, { uri, tool }, label)
          assert.equal(res.body.result, undefined, label)
        }
      }
    }
  })

  test('a caller the policy allows reads the interface (the tool runs, as in xmcp)', async () => {
    for (const [tool, token] of [
      ['deploy', adminToken()],
      ['read', adminToken()],
      ['billing', member()],
      ['human', member()],
      ['open', machine('mcp')],
    ]) {
      const res = await send(read(`ui://app/${tool}.html`), token)
      assert.equal(res.status, 200, tool)
      assert.deepEqual(res.ran, [tool], tool)
      assert.equal(res.body.result.contents[0].text, `ran ${tool}`)
    }
  })

  test('every spelling the MCP server resolves to the tool is refused; the others never run it', async () => {
    const token = member()
    const spellings = [
      'ui://app/admin.html',
      'UI://app/admin.html',
      'Ui://app/admin.html',
      'ui://app/./admin.html',
      'ui://app/x/../admin.html',
      'ui://app/%2e/admin.html',
      ' ui://app/admin.html ',
      '\tui://app/admin.html\n',
      'ui://app/ad\tmin.html',
      'ui://app/adm\nin.html',
      'ui://widget/admin.html',
      'UI://WIDGET/admin.html',
      // Not the tool's resource: the server finds no such resource, and nothing runs either way.
      'ui://APP/admin.html',
      'ui://app/admin.htm',
      'ui://app/admin.html?x=1',
      'ui://app/admin.html#top',
      'ui://app/Admin.html',
      'ui://app/ad%6Din.html',
      'ui:/app/admin.html',
      'ui://app//admin.html',
      'ui://app/admin.html/',
      'app/admin.html',
      'not a uri',
    ]
    for (const uri of spellings) {
      const res = await send(read(uri), token)
      assert.deepEqual(res.ran, [], `${JSON.stringify(uri)} ran the tool`)
      const refused = res.body?.error?.code === -32003
      const reached = toolOfResource(uri) === 'admin'
      assert.equal(refused, reached, JSON.stringify(uri))
    }
    // The same spellings for a caller the policy allows: the server runs the tool exactly for the
    // spellings the middleware judged as the tool's.
    for (const uri of spellings) {
      const res = await send(read(uri), adminToken())
      assert.equal(res.ran.length === 1, toolOfResource(uri) === 'admin', JSON.stringify(uri))
    }
  })

  test('a resource URI that is not a string is an invalid-params error, and nothing runs', async () => {
    for (const params of [
      { uri: ['ui://app/admin.html'] },
      { uri: 42 },
      { uri: { href: 'ui://app/admin.html' } },
      {},
      null,
      'ui://app/admin.html',
    ]) {
      const res = await send({ jsonrpc: '2.0', id: 5, method: 'resources/read', params }, member())
      assert.deepEqual(
        res.body,
        { jsonrpc: '2.0', id: 5, error: { code: -32602, message: 'Invalid params: the resource URI must be a string' } },
        JSON.stringify(params),
      )
      assert.deepEqual(res.ran, [])
    }
  })

  test('other resources are not judged by tool policies', async () => {
    const res = await send(read('file:///notes/today.md'), emu.mintToken({ sub: 'user_01MEMBER', org_id: ORG, scope: 'files:write' }))
    assert.equal(res.status, 200)
    assert.deepEqual(res.ran, ['resource:file:///notes/today.md'])
  })

  test('in a batch, a refused read is answered as refused and nothing of the batch runs', async () => {
    const batch = [call('open'), read('ui://app/admin.html'), read('ui://app/open.html')]
    const res = await send(batch, member())
    assert.deepEqual(res.ran, [])
    assert.match(res.body[0].error.message, /^Not run: another request in this batch was refused \(Forbidden: the tool "admin"/)
    assert.equal(res.body[1].error.code, -32003)
    assert.match(res.body[2].error.message, /^Not run/)
    const allowed = await send(batch, adminToken())
    assert.deepEqual(allowed.ran, ['open', 'admin', 'open'])
    // A missing scope in any of them is the step-up for the whole message.
    const scoped = await send([call('open'), read('ui://app/deploy.html')], adminToken('mcp'))
    assert.equal(scoped.status, 403)
    assert.match(scoped.headers.get('www-authenticate'), /scope="mcp files:write"/)
    assert.deepEqual(scoped.ran, [])
  })
})

describe('a refused message that is due no response gets none (202)', () => {
  const notification = (method, params) => ({ jsonrpc: '2.0', method, params })
  const refusedNotifications = [
    ['a tools/call notification', notification('tools/call', { name: 'admin', arguments: {} })],
    ['a resources/read notification', notification('resources/read', { uri: 'ui://app/admin.html' })],
    ['a tools/call notification naming no string', notification('tools/call', { name: 7 })],
    ['a resources/read notification with no URI', notification('resources/read', {})],
    ['a batch of refused notifications', [notification('tools/call', { name: 'admin' }), notification('tools/call', { name: 'read' })]],
    [
      'a batch of a refused notification and others',
      [notification('tools/call', { name: 'admin' }), notification('notifications/initialized')],
    ],
    ['a batch with responses', [notification('tools/call', { name: 'admin' }), { jsonrpc: '2.0', id: 3, result: {} }]],
  ]
  for (const accept of ['application/json', 'application/json, text/event-stream', 'text/event-stream']) {
    test(`accept: ${accept}`, async () => {
      for (const [label, message] of refusedNotifications) {
        const res = await send(message, member(), { accept })
        assert.equal(res.status, 202, `${label}: ${res.status} ${res.text}`)
        assert.equal(res.text, '', label)
        assert.deepEqual(res.ran, [], label)
      }
    })
  }

  test('a notification beside a refused request: only the request is answered', async () => {
    const batch = [notification('tools/call', { name: 'open' }), call('admin')]
    const res = await send(batch, member())
    assert.equal(res.status, 200)
    assert.equal(res.body.length, 1)
    assert.equal(res.body[0].id, batch[1].id)
    assert.equal(res.body[0].result.isError, true)
  })
})

/** The installed xmcp's runtimes (the bundles `xmcp build` copies into an app). */
const runtime = path.join(path.dirname(require.resolve('xmcp/package.json')), 'dist', 'runtime')

describe('every way the installed xmcp can run a tool is known to the policy check', () => {
  const files = fs.readdirSync(runtime).filter((f) => f.endsWith('.js') && !/^(headers|stdio)\.js$/.test(f))

  test('the runtimes are there to read', () => {
    assert.ok(files.includes('http.js'), files.join(', '))
    assert.ok(files.length >= 2)
  })

  test('each method xmcp registers either runs a tool (and is checked) or is known to run none', () => {
    const known = new Set([...Object.keys(POLICED), ...UNPOLICED])
    for (const file of files) {
      const source = fs.readFileSync(path.join(runtime, file), 'utf8')
      const methods = new Set([...source.matchAll(/setRequestHandler\(\s*["'`]([^"'`]+)["'`]/g)].map((m) => m[1]))
      assert.ok(methods.has('tools/call') && methods.has('resources/read'), `${file}: the method table was not found`)
      const unknown = [...methods].filter((m) => !known.has(m))
      assert.deepEqual(unknown, [], `${file} registers methods the policy check does not know: decide whether they run a tool`)
    }
  })

  test('xmcp serves tools as resources only under the URIs the check knows, and runs the handler in one place', () => {
    for (const file of files) {
      const source = fs.readFileSync(path.join(runtime, file), 'utf8')
      const templates = new Set(
        [...source.matchAll(/["'`](\w+:\/\/[\w.-]*\/?)\$\{\w+\.name\}([^"'`]*)["'`]/g)].map((m) => `${m[1]}…${m[2]}`),
      )
      const known = TOOL_RESOURCE_PREFIXES.map((prefix) => `${prefix}….html`)
      assert.ok(templates.size > 0, `${file}: the tool resource URI was not found`)
      assert.deepEqual(
        [...templates].filter((t) => !known.includes(t)),
        [],
        `${file}: tools served as resources under URIs the check does not know`,
      )
      // The tool handler is called with empty arguments by the resource's read callback, once.
      assert.equal([...source.matchAll(/\.handler\(\{\},/g)].length, 1, `${file}: another place runs a registered tool handler`)
    }
  })
})

describe('a real xmcp build with widget tools', { timeout: 360_000 }, () => {
  const { track, stopAll } = serverTracker()
  let server
  let mcpUrl
  before(async () => {
    const port = await freePort()
    const dir = copyApp({ name: 'side-doors' })
    fs.writeFileSync(
      path.join(dir, 'src', 'middleware.ts'),
      `import { workosProvider } from '@xmcp-dev/workos'

export default workosProvider({
  apiKey: process.env.WORKOS_API_KEY || '',
  clientId: process.env.WORKOS_CLIENT_ID || '',
  baseURL: process.env.BASE_URL || '',
  authkitDomain: process.env.WORKOS_AUTHKIT_DOMAIN || '',
  tools: ${JSON.stringify(POLICIES)},
  prompts: ${JSON.stringify(PROMPT_POLICIES)},
  resources: ${JSON.stringify(RESOURCE_POLICIES)},
  machineTokens: true,
})
`,
    )
    // A prompt, a resource and a templated resource of the app's own, which policies guard too.
    const config = path.join(dir, 'xmcp.config.ts')
    fs.writeFileSync(
      config,
      fs
        .readFileSync(config, 'utf8')
        .replace('prompts: false', "prompts: 'src/prompts'")
        .replace('resources: false', "resources: 'src/resources'"),
    )
    const write = (file, text) => {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
      fs.writeFileSync(path.join(dir, file), text)
    }
    write(
      'src/prompts/summarize.ts',
      `import { getSession } from '@xmcp-dev/workos'

export const metadata = { name: 'summarize', title: 'Summarize', description: 'A prompt' }

export default function summarize() {
  return 'summary for ' + getSession().userId
}
`,
    )
    write(
      'src/resources/(notes)/today.ts',
      `import { getSession } from '@xmcp-dev/workos'

export const metadata = { name: 'today', title: 'Today', description: 'A resource' }

export default function today() {
  return 'notes for ' + getSession().userId
}
`,
    )
    write(
      'src/resources/(users)/[id]/profile.ts',
      `import { z } from 'zod'
import { getSession } from '@xmcp-dev/workos'

export const schema = { id: z.string() }
export const metadata = { name: 'profile', title: 'Profile', description: 'A templated resource' }

export default function profile({ id }: { id: string }) {
  return 'profile ' + id + ' for ' + getSession().userId
}
`,
    )
    for (const name of ['deploy', 'read', 'human', 'billing']) {
      fs.writeFileSync(
        path.join(dir, 'src', 'tools', `${name}.ts`),
        `import { type ToolMetadata } from 'xmcp'
import { getSession } from '@xmcp-dev/workos'

export const metadata: ToolMetadata = {
  name: '${name}',
  description: 'A widget tool',
  _meta: { ui: { prefersBorder: true } },
}

export default async function handler() {
  return 'ran ${name} for ' + getSession().userId
}
`,
      )
    }
    await buildDir({ dir, port, timeoutMs: 240_000 })
    server = await track(startApp({ dir, port, env: appEnv(emu, port) }))
    mcpUrl = `http://127.0.0.1:${port}/mcp`
  })
  after(() => stopAll())

  async function rpc(message, token) {
    const res = await fetch(mcpUrl, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(20_000),
    })
    const text = await res.text()
    return {
      status: res.status,
      headers: res.headers,
      text,
      message: res.ok ? parseRpcResponse(res.headers.get('content-type'), text, message.id) : undefined,
    }
  }

  test('xmcp lists each widget tool as a resource under the URI the check maps to that tool', async () => {
    const { message } = await rpc({ jsonrpc: '2.0', id: 1, method: 'resources/list', params: {} }, adminToken())
    const resources = message.result.resources
    const generated = resources.filter((r) => /^Auto-generated resource for .+ tool$/.test(r.description))
    assert.deepEqual(generated.map((r) => r.name).sort(), ['billing', 'deploy', 'human', 'read'])
    for (const resource of generated) assert.equal(toolOfResource(resource.uri), resource.name, resource.uri)
  })

  test('every request method the bundled MCP SDK defines: the server answers only those the check knows', async () => {
    // The SDK inside xmcp's runtime declares a schema per spec method; asking the running server for
    // each tells which it really answers (anything but -32601 Method not found).
    const source = fs.readFileSync(path.join(runtime, 'http.js'), 'utf8')
    const methods = [...new Set([...source.matchAll(/method:\s*[\w$]+\("([a-z][\w/]*)"\)/g)].map((m) => m[1]))]
    const requests = methods.filter((m) => !m.startsWith('notifications/'))
    assert.ok(requests.includes('tools/call') && requests.includes('resources/read') && requests.length > 10, requests.join(' '))
    const known = new Set([...Object.keys(POLICED), ...UNPOLICED])
    const answered = []
    for (const method of requests) {
      const res = await rpc({ jsonrpc: '2.0', id: 1, method, params: {} }, adminToken())
      assert.equal(res.status, 200, `${method}: ${res.text}`)
      if (res.message?.error?.code !== -32601) answered.push(method)
    }
    assert.ok(answered.includes('tools/call') && answered.includes('resources/read'), answered.join(' '))
    assert.deepEqual(
      answered.filter((m) => !known.has(m)),
      [],
      'the server answers methods the policy check does not know: decide whether they run a tool',
    )
  })

  test('refused callers get refusals, and the handler does not run', async () => {
    for (const [tool, token, expected] of [
      ['deploy', member(), /needs one of the roles "admin"/],
      ['deploy', machine(), /needs a role of a user/],
      ['read', member(), /needs the permission "deploy:read"/],
      ['billing', noOrg(), /needs an organization/],
      ['human', machine(), /does not accept machine tokens/],
    ]) {
      for (const uri of [`ui://app/${tool}.html`, `UI://app/./${tool}.html`]) {
        const res = await rpc(read(uri), token)
        assert.equal(res.status, 200, `${tool} ${uri}`)
        assert.equal(res.message.error.code, -32003, `${tool} ${uri}: ${res.text}`)
        assert.match(res.message.error.message, expected)
        assert.doesNotMatch(res.text, /ran /)
      }
    }
    for (const token of [member('mcp'), emu.mintToken({ sub: 'user_01ADMIN', org_id: ORG })]) {
      const res = await rpc(read('ui://app/deploy.html'), token)
      assert.equal(res.status, 403)
      assert.match(res.headers.get('www-authenticate'), /error="insufficient_scope", scope="mcp files:write"/)
    }
  })

  test('allowed callers read the interface, which runs the handler with their session', async () => {
    const res = await rpc(read('ui://app/deploy.html'), adminToken())
    assert.equal(res.message.result.contents[0].text, 'ran deploy for user_01ADMIN')
    const viaMachine = await rpc(read('ui://app/billing.html'), machine())
    assert.equal(viaMachine.message.result.contents[0].text, `ran billing for ${MACHINE}`)
  })

  test("the app's own prompts and resources are guarded by their policies", async () => {
    const prompt = { jsonrpc: '2.0', id: 31, method: 'prompts/get', params: { name: 'summarize', arguments: {} } }
    const refusedPrompt = await rpc(prompt, member())
    assert.equal(refusedPrompt.message.error.code, -32003, refusedPrompt.text)
    assert.match(refusedPrompt.message.error.message, /the prompt "summarize" needs one of the roles "admin"/)
    assert.doesNotMatch(refusedPrompt.text, /summary for/)
    assert.equal((await rpc(prompt, adminToken())).message.result.messages[0].content.text, 'summary for user_01ADMIN')
    for (const [uri, says, allowed] of [
      ['notes://today', /the resource "notes:\/\/today" needs the permission "deploy:read"/, 'notes for user_01ADMIN'],
      ['users://42/profile', /the resource "users:\/\/42\/profile" needs one of the roles "admin"/, 'profile 42 for user_01ADMIN'],
    ]) {
      const refusedRead = await rpc(read(uri), member())
      assert.equal(refusedRead.message.error.code, -32003, refusedRead.text)
      assert.match(refusedRead.message.error.message, says)
      assert.doesNotMatch(refusedRead.text, / for user_/)
      assert.equal((await rpc(read(uri), adminToken())).message.result.contents[0].text, allowed)
    }
  })

  test('a refused tools/call notification is 202 with no body, as xmcp answers notifications', async () => {
    const res = await rpc({ jsonrpc: '2.0', method: 'tools/call', params: { name: 'deploy' } }, member())
    assert.equal(res.status, 202)
    assert.equal(res.text, '')
    const plain = await rpc({ jsonrpc: '2.0', method: 'notifications/initialized' }, member())
    assert.equal(plain.status, 202, 'what xmcp itself answers a notification')
    assert.ok(server)
  })
})
