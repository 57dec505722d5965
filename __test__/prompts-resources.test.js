'use strict'
// Issue 21, part 2: policies for prompts (`prompts`) and resources (`resources`, by URI or URI
// template), with the rules of tool policies, checked before the app's prompt, read callback or
// completer runs; in a real Express app whose MCP route records what ran, against the local AuthKit
// + WorkOS API emulator. The template matcher (src/authz/resources.rs) is compared with the MCP SDK's
// own `UriTemplate.match`, which decides which templated resource a read reaches.
const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { UriTemplate } = require('@modelcontextprotocol/sdk/shared/uriTemplate.js')
const { createEmulator } = require('./support/emulator')
const { startExpressApp } = require('./support/express-app')
const { post, bearer } = require('./support/http')

const ORG = 'org_01PR'
const MACHINE = 'client_01PRM2M'
const CONFIG = {
  tools: { '*': { scopes: ['mcp'] } },
  prompts: {
    '*': { scopes: ['mcp'] },
    summarize: { roles: ['admin'] },
    draft: { scopes: ['notes:write'] },
    secret: { machines: false },
  },
  resources: {
    '*': { scopes: ['mcp'] },
    'notes://today': { permissions: ['notes:read'] },
    'users://{id}/profile': { roles: ['admin'] },
    'file://{+path}': { scopes: ['files:read'] },
    'search://q{?term}': { organization: true },
    'ui://app/deploy.html': { roles: ['admin'] },
  },
  machineTokens: true,
}

let nextId = 1
const rpc = (method, params) => ({ jsonrpc: '2.0', id: nextId++, method, params })
const getPrompt = (name) => rpc('prompts/get', { name, arguments: {} })
const read = (uri) => rpc('resources/read', { uri })

let emu
let app
before(async () => {
  emu = await createEmulator()
  emu.api.addOrganization({ id: ORG, name: 'PR' })
  emu.api.addRole(ORG, { slug: 'admin', permissions: ['notes:read'] })
  emu.api.addRole(ORG, { slug: 'member', permissions: [] })
  emu.api.addMembership({ user_id: 'user_01MEMBER', organization_id: ORG, role: { slug: 'member' } })
  emu.api.addMembership({ user_id: 'user_01ADMIN', organization_id: ORG, role: { slug: 'admin' } })
  app = await startExpressApp(emu, CONFIG)
})
after(async () => {
  await app?.close()
  await emu?.close()
})

const member = (scope = 'mcp notes:write files:read') => emu.mintToken({ sub: 'user_01MEMBER', org_id: ORG, scope })
const admin = (scope = 'mcp notes:write files:read') => emu.mintToken({ sub: 'user_01ADMIN', org_id: ORG, scope })
const machine = () => emu.mintToken({ sub: MACHINE, client_id: MACHINE, sid: undefined, org_id: ORG, scope: 'mcp' })

async function send(message, token) {
  app.ran.length = 0
  const res = await post(`${app.url}/mcp`, message, bearer(token))
  return { ...res, ran: [...app.ran] }
}

/** Asserts a JSON-RPC refusal (-32003) saying `says`, with `data`, and that nothing ran. */
function refused(res, says, data) {
  assert.equal(res.status, 200, res.text)
  assert.equal(res.body.error?.code, -32003, res.text)
  assert.match(res.body.error.message, says)
  assert.deepEqual(res.body.error.data, data)
  assert.deepEqual(res.ran, [])
}

describe('prompt policies', () => {
  test('roles, scopes and machines decide a prompts/get; what they allow runs', async () => {
    refused(await send(getPrompt('summarize'), member()), /^Forbidden: the prompt "summarize" needs one of the roles "admin"/, {
      prompt: 'summarize',
    })
    assert.deepEqual((await send(getPrompt('summarize'), admin())).ran, ['prompt:summarize'])
    refused(await send(getPrompt('secret'), machine()), /the prompt "secret" does not accept machine tokens/, { prompt: 'secret' })
    assert.deepEqual((await send(getPrompt('secret'), member())).ran, ['prompt:secret'])
    assert.deepEqual((await send(getPrompt('unlisted'), member())).ran, ['prompt:unlisted'], 'the "*" entry only')
  })

  test('a missing scope is the 403 step-up, as for tools', async () => {
    const res = await send(getPrompt('draft'), member('mcp'))
    assert.equal(res.status, 403)
    assert.match(res.headers.get('www-authenticate'), /error="insufficient_scope", scope="mcp notes:write"/)
    assert.deepEqual(res.ran, [])
    assert.equal((await send(getPrompt('unlisted'), member('files:read'))).status, 403, 'the "*" entry needs mcp')
  })

  test('a prompt name that is not a string is an invalid-params error', async () => {
    for (const params of [{ name: 1 }, { name: ['summarize'] }, {}, null]) {
      const res = await send({ jsonrpc: '2.0', id: 9, method: 'prompts/get', params }, admin())
      assert.deepEqual(res.body, {
        jsonrpc: '2.0',
        id: 9,
        error: { code: -32602, message: 'Invalid params: the prompt name must be a string' },
      })
      assert.deepEqual(res.ran, [])
    }
  })
})

describe('resource policies', () => {
  test('an exact URI, in any spelling the server resolves to it', async () => {
    for (const uri of ['notes://today', 'NOTES://today', 'notes://today/./', 'notes://today/../today']) {
      const res = await send(read(uri), member())
      if (new URL(uri).href === 'notes://today') {
        refused(res, /^Forbidden: the resource "notes:\/\/today" needs the permission "notes:read"/, { uri })
      } else {
        assert.equal(res.body.error, undefined, uri)
      }
    }
    assert.deepEqual((await send(read('notes://today'), admin())).ran, ['resource:notes://today'])
  })

  test('URI templates: every matching template applies', async () => {
    refused(await send(read('users://42/profile'), member()), /needs one of the roles "admin"/, { uri: 'users://42/profile' })
    assert.deepEqual((await send(read('users://42/profile'), admin())).ran, ['resource:users://42/profile'])
    assert.deepEqual((await send(read('users://42/settings'), member())).ran, ['resource:users://42/settings'], 'no template matches')
    const scoped = await send(read('file:///etc/hosts'), member('mcp'))
    assert.equal(scoped.status, 403)
    assert.match(scoped.headers.get('www-authenticate'), /scope="mcp files:read"/)
    const noOrg = emu.mintToken({ sub: 'user_01ADMIN', scope: 'mcp' })
    refused(await send(read('search://q?term=x'), noOrg), /needs an organization/, { uri: 'search://q?term=x' })
    assert.deepEqual((await send(read('search://q?term=x'), member())).ran, ['resource:search://q?term=x'])
  })

  test("a tool's interface gets the tool's policy and the resource's", async () => {
    refused(await send(read('ui://app/deploy.html'), member()), /the tool "deploy" needs one of the roles "admin"/, {
      uri: 'ui://app/deploy.html',
      tool: 'deploy',
    })
    assert.deepEqual((await send(read('ui://app/deploy.html'), admin())).ran, ['deploy'])
  })

  test('completions run the prompt’s or the template’s completer: the same policies decide', async () => {
    const complete = (ref) => rpc('completion/complete', { ref, argument: { name: 'x', value: '' } })
    refused(await send(complete({ type: 'ref/prompt', name: 'summarize' }), member()), /the prompt "summarize"/, { prompt: 'summarize' })
    refused(
      await send(complete({ type: 'ref/resource', uri: 'users://{id}/profile' }), member()),
      /the resource "users:\/\/\{id\}\/profile"/,
      {
        uri: 'users://{id}/profile',
      },
    )
    assert.deepEqual((await send(complete({ type: 'ref/prompt', name: 'summarize' }), admin())).ran, ['complete:summarize'])
    const bad = await send(
      { jsonrpc: '2.0', id: 4, method: 'completion/complete', params: { ref: { type: 'ref/prompt', name: 5 } } },
      admin(),
    )
    assert.equal(bad.body.error.code, -32602)
  })

  test('a batch that mixes kinds: the refused one says why, nothing of the batch runs', async () => {
    const batch = [getPrompt('secret'), read('users://7/profile'), rpc('tools/call', { name: 'anything', arguments: {} })]
    const res = await send(batch, member())
    assert.deepEqual(res.ran, [])
    assert.match(res.body[0].error.message, /^Not run/)
    assert.equal(res.body[1].error.code, -32003)
    assert.match(res.body[2].error.message, /^Not run/)
    assert.deepEqual((await send(batch, admin())).ran, ['prompt:secret', 'resource:users://7/profile', 'anything'])
  })

  test('configuration mistakes name the option', async () => {
    const { workosProvider } = require('@xmcp-dev/workos')
    const base = { apiKey: 'sk', clientId: 'client', baseURL: 'https://mcp.example', authkitDomain: 'acme.authkit.app' }
    for (const [config, says] of [
      [{ prompts: ['p'] }, /^\[WorkOS\] Invalid config: prompts must be an object mapping prompt names/],
      [
        { resources: { 'notes://{day}{': {} } },
        /^\[WorkOS\] Invalid config: resources \["notes:\/\/\{day\}\{"\] has an unclosed template expression/,
      ],
      [{ resources: { x: { role: ['a'] } } }, /^\[WorkOS\] Invalid config: resources \["x"\] has an unknown member "role"/],
      [
        { prompts: { p: { scopes: ['offline_access'] } } },
        /^\[WorkOS\] Invalid config: prompts \["p"\]\.scopes must not require "offline_access"/,
      ],
      [{ resources: { '': {} } }, /^\[WorkOS\] Invalid config: resources has an empty key/],
    ]) {
      assert.throws(
        () => workosProvider({ ...base, ...config }),
        (err) => says.test(err.message),
        JSON.stringify(config),
      )
    }
  })
})

describe('the template matcher is the SDK’s', () => {
  // Each template needs its own permission; a member holds none, so the refusal names exactly the
  // permissions of the templates that matched.
  const TEMPLATES = [
    'notes://{day}',
    'notes://{days*}',
    'file://{+path}',
    'users://{id}/profile',
    'search://q{?term,page}',
    'x://a{/seg}',
    'x://a{.ext}',
    'x://{a}{b}',
    'x://{#frag}',
    'x://{a}/{+rest}',
    'x://b{&k}',
    'x://c{/segs*}',
  ]
  const URIS = [
    'notes://today',
    'notes://a,b',
    'notes://a,,b',
    'notes://,a',
    'notes://a/b',
    'file:///etc/hosts',
    'file://host/a/b',
    'users://42/profile',
    'users:///profile',
    'users://42/profile/x',
    'search://q?term=a&page=2',
    'search://q?term=a',
    'search://q?page=2&term=a',
    'x://a/b',
    'x://a/b/c',
    'x://a.json',
    'x://a.',
    'x://ab',
    'x://a',
    'x://a/b,c',
    'x://anything/at/all',
    'x://b&k=1',
    'x://c/a,b',
    'x://c/a,,b',
    'x://%7Bx%7D',
  ]
  let strict
  before(async () => {
    const resources = Object.fromEntries(TEMPLATES.map((t, i) => [t, { permissions: [`p${i}`] }]))
    strict = await startExpressApp(emu, { resources })
  })
  after(() => strict.close())

  test('over generated URIs, the templates that apply are those the SDK matches', async () => {
    const token = emu.mintToken({ sub: 'user_01MEMBER', org_id: ORG, role: 'member', permissions: [] })
    for (const uri of URIS) {
      const href = new URL(uri).href
      const expected = TEMPLATES.flatMap((t, i) => (new UriTemplate(t).match(href) ? [`p${i}`] : []))
      const res = await post(`${strict.url}/mcp`, read(uri), bearer(token))
      const message = res.body.error?.message ?? ''
      const named = [...message.matchAll(/"(p\d+)"/g)].map((m) => m[1])
      assert.deepEqual(named.sort(), expected.sort(), `${uri} (${href}): ${message}`)
    }
  })

  test('a URI too long to match cheaply (over 2 KiB) gets every template policy, never none', async () => {
    const token = emu.mintToken({ sub: 'user_01MEMBER', org_id: ORG, role: 'member', permissions: [] })
    for (const uri of [`x://${'q/'.repeat(1100)}`, `notes://${'a'.repeat(3000)}`]) {
      const res = await post(`${strict.url}/mcp`, read(uri), bearer(token))
      assert.equal(res.body.error?.code, -32003, uri.slice(0, 40))
      const named = [...res.body.error.message.matchAll(/"(p\d+)"/g)].map((m) => m[1])
      assert.deepEqual(named.sort(), TEMPLATES.map((_, i) => `p${i}`).sort())
    }
  })
})
