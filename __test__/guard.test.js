'use strict'
// One guard rule in two places: src/guard.rs (the reference, `NativeProvider#isGuarded`) and guard.js
// (what the middleware runs, so unguarded requests never cross into the addon). The shared table in
// fixtures/guard-table.json and thousands of generated paths go through both; they must agree, and
// the table says what they must agree on. Then, in a real Express app: which requests reach the addon.
const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const { NativeProvider } = require('../native.js')
const { createGuard } = require('../guard.js')
const { createEmulator } = require('./support/emulator')
const { startExpressApp } = require('./support/express-app')
const { rows } = require('./fixtures/guard-table.json')

const METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'DELETE', 'PATCH']

/** The native reference and the glue's copy, for one endpoint. */
function guardsFor(endpoint) {
  const provider = new NativeProvider({
    apiKey: 'sk',
    clientId: 'client',
    baseURL: 'http://127.0.0.1:1',
    authkitDomain: 'http://127.0.0.1:1',
    endpoint,
    jwks: { warmUp: false },
  })
  return { native: (method, path) => provider.isGuarded(method, path), glue: createGuard(provider.routerInfo.guard) }
}

describe('the guard rule, native and glue', () => {
  const byEndpoint = new Map()
  const guards = (endpoint) => {
    if (!byEndpoint.has(endpoint)) byEndpoint.set(endpoint, guardsFor(endpoint))
    return byEndpoint.get(endpoint)
  }

  for (const [endpoint, method, path, expected] of rows) {
    test(`endpoint ${endpoint}: ${method} ${JSON.stringify(path)} is ${expected ? '' : 'not '}guarded`, () => {
      const { native, glue } = guards(endpoint)
      assert.equal(native(method, path), expected, 'native')
      assert.equal(glue(method, path), expected, 'glue')
    })
  }

  test('generated paths: both agree on every one (20 000 per endpoint)', () => {
    // Pieces that matter to the rule: the endpoints' and documents' letters in both cases, their
    // percent-encodings (valid, truncated, non-hex, non-ASCII), slashes, dots and look-alikes.
    const pieces = [
      '/',
      '/',
      '.',
      'm',
      'M',
      'c',
      'C',
      'p',
      'P',
      'a',
      'A',
      'i',
      'I',
      '%',
      '%6D',
      '%6d',
      '%63',
      '%70',
      '%2F',
      '%2f',
      '%4D',
      '%C3%A9',
      '%FF',
      '%6',
      '%G1',
      'é',
      '\u212A',
      'ß',
      ' ',
      '~',
      '-',
      '_',
      '.well-known',
      '.WELL-KNOWN',
      '/oauth-protected-resource',
      '/OAuth-Protected-Resource',
      '/oauth-authorization-server',
      'oauth-protected-resourc%65',
      'mcp',
      'MCP',
      'api',
      'x',
    ]
    const random = (n) => crypto.randomInt(n)
    for (const endpoint of ['/mcp', '/', '/api/MCP', '/.well-known']) {
      const { native, glue } = guards(endpoint)
      const seeds = rows.filter((r) => r[0] === endpoint).map((r) => r[2])
      let guardedCount = 0
      for (let i = 0; i < 20_000; i++) {
        let path
        if (seeds.length && i % 3 === 0) {
          // A seed path with a few characters flipped in case or percent-encoded.
          path = [...seeds[random(seeds.length)]]
            .map((ch) => {
              const roll = random(8)
              if (roll === 0) return ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase()
              if (roll === 1 && ch.charCodeAt(0) < 0x80) return `%${ch.charCodeAt(0).toString(16).padStart(2, '0')}`
              return ch
            })
            .join('')
        } else {
          path = '/' + Array.from({ length: 1 + random(8) }, () => pieces[random(pieces.length)]).join('')
        }
        const method = METHODS[random(METHODS.length)]
        const expected = native(method, path)
        assert.equal(glue(method, path), expected, `${endpoint}: ${method} ${JSON.stringify(path)}`)
        if (expected) guardedCount++
      }
      assert.ok(guardedCount > 0 && guardedCount < 20_000, `${endpoint}: both outcomes were exercised (${guardedCount} guarded)`)
    }
  })
})

describe('which requests reach the addon', () => {
  let emu
  let app
  const calls = { sync: 0, async: 0 }
  const originals = {}
  before(async () => {
    for (const name of ['authenticateSync', 'authenticate']) {
      originals[name] = NativeProvider.prototype[name]
      NativeProvider.prototype[name] = function (...args) {
        calls[name === 'authenticate' ? 'async' : 'sync']++
        return originals[name].apply(this, args)
      }
    }
    emu = await createEmulator()
    app = await startExpressApp(emu, { jwks: { warmUp: true } })
  })
  after(async () => {
    Object.assign(NativeProvider.prototype, originals)
    await app.close()
    await emu.close()
  })

  const get = (path, headers = {}) => fetch(`${app.url}${path}`, { headers, signal: AbortSignal.timeout(15_000) }).then((r) => r.status)
  const reset = () => Object.assign(calls, { sync: 0, async: 0 })

  test('unguarded requests make no native call', async () => {
    reset()
    assert.equal(await get('/public'), 200)
    assert.equal(await get('/.well-known/oauth-protected-resource'), 200)
    assert.equal(await get('/.well-known/oauth-protected-resource/mcp'), 200)
    assert.equal(await get('/nowhere'), 404)
    assert.deepEqual(calls, { sync: 0, async: 0 })
  })

  test('a guarded request makes one native call; the same header again within a second makes none', async () => {
    await get('/mcp', { authorization: `Bearer ${emu.mintToken()}` }) // keys cached
    reset()
    const token = emu.mintToken()
    assert.equal(await get('/mcp', { authorization: `Bearer ${token}` }), 200)
    assert.deepEqual(calls, { sync: 1, async: 0 })
    for (let i = 0; i < 20; i++) assert.equal(await get('/mcp', { authorization: `Bearer ${token}` }), 200)
    assert.deepEqual(calls, { sync: 1, async: 0 }, 'answered by the first-level cache')
  })

  test('rejections are never reused: each one asks the addon', async () => {
    reset()
    for (let i = 0; i < 5; i++) assert.equal(await get('/mcp'), 401)
    const foreign = emu.mintToken({ aud: 'someone-else' })
    for (let i = 0; i < 5; i++) assert.equal(await get('/mcp', { authorization: `Bearer ${foreign}` }), 401)
    assert.deepEqual(calls, { sync: 10, async: 0 })
  })
})
