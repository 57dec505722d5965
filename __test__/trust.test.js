'use strict'
// The failure classes of issue 9, each pinned with several inputs of its class, in real Express apps
// over real HTTP against the local AuthKit emulator:
//   1. a newly rotated key is accepted on its first request (no refusal window), storms stay bounded;
//   2. an answer that comes after something else answered never throws or crashes the host;
//   3. discovery documents are unauthenticated for reads only, and endpoints that Express and the
//      guard could read differently are refused at start-up;
//   4. secrets never serialise (the session; the client has its own tests);
//   5. JSON from outside never sets a prototype (token claims);
//   6. weak or malformed keys never enter the key set, and AuthKit is never reached in plaintext.
const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const http = require('node:http')
const util = require('node:util')
const diagnostics = require('node:diagnostics_channel')
const express = require('express')
const { createEmulator, base64url } = require('./support/emulator')
const { startExpressApp, configFor } = require('./support/express-app')
const { freePort } = require('./support/processes')
const { outcomeOf } = require('./support/verdict')
const { waitFor, settled } = require('./support/wait')
const pkg = require('@xmcp-dev/workos')

const { request, bearer } = require('./support/http')
const status = async (url, token) => (await request(url, { headers: token ? bearer(token) : {} })).status

/** An app on its own emulator, so key rotations stay local to the test. */
async function withOwnApp(overrides, fn, options) {
  const emu = await createEmulator()
  const app = await startExpressApp(emu, overrides, options)
  try {
    await fn(emu, app)
  } finally {
    await app.close()
    await emu.close()
  }
}

describe('1. a rotated key is accepted on its first request', () => {
  test('right after start-up: the warm-up download does not hold back a new key', async () => {
    await withOwnApp({ jwks: { warmUp: true } }, async (emu, app) => {
      await waitFor(() => emu.count('/oauth2/jwks') === 1, { what: 'the warm-up download' })
      emu.rotateKeys()
      assert.equal(await status(`${app.url}/mcp`, emu.mintToken()), 200, 'new key, first request')
      assert.equal(emu.count('/oauth2/jwks'), 2, 'one download for the new key')
      assert.equal(await status(`${app.url}/mcp`, emu.mintToken()), 200)
      assert.equal(emu.count('/oauth2/jwks'), 2, 'no further download')
    })
  })

  test('right after start-up, with the old key kept or dropped, and with the key minted before or after the warm-up', async () => {
    for (const keepOld of [true, false]) {
      for (const rotateBeforeWarmUpEnds of [false, true]) {
        await withOwnApp({ jwks: { warmUp: true } }, async (emu, app) => {
          if (!rotateBeforeWarmUpEnds) await waitFor(() => emu.count('/oauth2/jwks') === 1, { what: 'the warm-up' })
          emu.rotateKeys({ keepOld })
          assert.equal(await status(`${app.url}/mcp`, emu.mintToken()), 200, `keepOld=${keepOld} early=${rotateBeforeWarmUpEnds}`)
        })
      }
    }
  })

  test('right after a background refresh: the refresh does not hold back a new key', async () => {
    await withOwnApp({ jwks: { cacheMaxAgeMs: 1000, cooldownMs: 1000 } }, async (emu, app) => {
      assert.equal(await status(`${app.url}/mcp`, emu.mintToken()), 200)
      assert.equal(emu.count('/oauth2/jwks'), 1)
      // Once the keys are a second old, a request starts a background refresh.
      await waitFor(
        async () => {
          await status(`${app.url}/mcp`, emu.mintToken())
          return emu.count('/oauth2/jwks') === 2
        },
        { what: 'the background refresh' },
      )
      emu.rotateKeys({ keepOld: false })
      assert.equal(await status(`${app.url}/mcp`, emu.mintToken()), 200, 'new key right after a background refresh')
      assert.equal(emu.count('/oauth2/jwks'), 3)
    })
  })

  test('a storm of random kids costs one download per cooldown, concurrent or sequential', async () => {
    await withOwnApp({ jwks: { warmUp: true, cooldownMs: 60_000 } }, async (emu, app) => {
      await waitFor(() => emu.count('/oauth2/jwks') === 1, { what: 'the warm-up' })
      const oldKid = emu.currentKid
      // Forged tokens that say they are new may name a key published since our download: they are
      // told to retry (503), at no extra download; old ones are refused.
      const forged = (i, age = 0) =>
        emu.mintToken({ iat: Math.floor(Date.now() / 1000) - age }, { header: { kid: `attacker-${i}-${crypto.randomUUID()}` } })
      const concurrent = await Promise.all(Array.from({ length: 50 }, (_, i) => status(`${app.url}/mcp`, forged(i))))
      for (const s of concurrent) assert.ok(s === 401 || s === 503, `status ${s}`)
      for (let i = 0; i < 50; i++) assert.equal(await status(`${app.url}/mcp`, forged(i)), 503)
      for (let i = 0; i < 50; i++) assert.equal(await status(`${app.url}/mcp`, forged(i, 120)), 401)
      assert.equal(emu.count('/oauth2/jwks'), 2, 'the warm-up and one download for the storm')
      // The worst case the README states: a key rotated during the storm waits for the cooldown,
      // told to retry when a download will have run (not that its token is invalid).
      emu.rotateKeys()
      const res = await request(`${app.url}/mcp`, { headers: bearer(emu.mintToken()) })
      assert.equal(res.status, 503)
      assert.ok(Number(res.headers.get('retry-after')) > 50, res.headers.get('retry-after'))
      assert.equal(emu.count('/oauth2/jwks'), 2)
      // Tokens signed with a known key are unaffected by the storm.
      assert.equal(await status(`${app.url}/mcp`, emu.mintToken({}, { kid: oldKid })), 200)
    })
  })

  test('after a storm, the new key is accepted as soon as the cooldown allows a download', async () => {
    await withOwnApp({ jwks: { warmUp: true, cooldownMs: 1000 } }, async (emu, app) => {
      await waitFor(() => emu.count('/oauth2/jwks') === 1, { what: 'the warm-up' })
      assert.equal(await status(`${app.url}/mcp`, emu.mintToken({}, { header: { kid: 'nobody' } })), 401)
      assert.equal(emu.count('/oauth2/jwks'), 2)
      emu.rotateKeys()
      const token = emu.mintToken()
      await waitFor(async () => (await status(`${app.url}/mcp`, token)) === 200, { what: 'the new key', timeoutMs: 5000, everyMs: 100 })
      assert.equal(emu.count('/oauth2/jwks'), 3, 'exactly one more download')
    })
  })

  test('a request with a new kid during a download in flight waits for it, then looks again', async () => {
    await withOwnApp({ jwks: { warmUp: false, cooldownMs: 60_000 } }, async (emu, app) => {
      assert.equal(await status(`${app.url}/mcp`, emu.mintToken()), 200)
      emu.setDelay('/oauth2/jwks', 300)
      const storm = status(`${app.url}/mcp`, emu.mintToken({}, { header: { kid: 'nobody' } }))
      await waitFor(() => emu.count('/oauth2/jwks') === 2, { what: 'the storm download to start' })
      emu.rotateKeys() // published before the in-flight download answers
      const valid = status(`${app.url}/mcp`, emu.mintToken())
      assert.deepEqual(await Promise.all([storm, valid]), [401, 200])
      assert.equal(emu.count('/oauth2/jwks'), 2, 'the new key came with the download in flight')
    })
  })

  test('a download on a pooled connection that the server closes is retried at once', async () => {
    // An AuthKit whose keep-alive connections die on their second request, as when a server's idle
    // timeout and the client's reuse of the connection coincide.
    const emu = await createEmulator()
    const sockets = new Map()
    const proxy = http.createServer(async (req, res) => {
      const seen = (sockets.get(req.socket) ?? 0) + 1
      sockets.set(req.socket, seen)
      if (seen > 1) return req.socket.destroy()
      res.writeHead(200, { 'content-type': 'application/json', connection: 'keep-alive' })
      res.end(JSON.stringify(emu.jwks()))
    })
    await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    const authkit = `http://127.0.0.1:${proxy.address().port}`
    const port = await freePort()
    const { middleware } = pkg.workosProvider({ ...configFor(emu, `http://127.0.0.1:${port}`), authkitDomain: authkit })
    const app = express()
      .use(middleware)
      .all('/mcp', (req, res) => res.json({ ok: true }))
    const server = app.listen(port, '127.0.0.1')
    try {
      const token = (claims = {}, opts) => emu.mintToken({ iss: authkit, ...claims }, opts)
      assert.equal(await status(`http://127.0.0.1:${port}/mcp`, token()), 200)
      emu.rotateKeys()
      assert.equal(await status(`http://127.0.0.1:${port}/mcp`, token()), 200, 'the download for the new key was retried')
      assert.equal(sockets.size, 2, 'the retry used a new connection')
    } finally {
      server.closeAllConnections()
      server.close()
      proxy.closeAllConnections()
      proxy.close()
      await emu.close()
    }
  })
})

describe('2. an answer that comes late never throws', () => {
  let emu
  before(async () => {
    emu = await createEmulator()
  })
  after(() => emu.close())

  /** Answers 503 after `ms`, as `connect-timeout` does, unless the request was answered already. */
  const timeoutAfter = (ms) => (req, res, next) => {
    const timer = setTimeout(() => {
      req.timedout = true
      if (!res.headersSent) res.status(503).json({ error: 'timeout' })
    }, ms)
    res.on('close', () => clearTimeout(timer))
    next()
  }

  /** Records what the process reports while `fn` runs: unhandled rejections, warnings, dropped verdicts. */
  async function watching(fn) {
    const seen = { rejections: [], warnings: [], dropped: [] }
    const onRejection = (reason) => seen.rejections.push(reason)
    const onWarning = (warning) => seen.warnings.push(warning)
    const onDropped = (message) => seen.dropped.push(message)
    process.on('unhandledRejection', onRejection)
    process.on('warning', onWarning)
    diagnostics.subscribe('@xmcp-dev/workos:dropped', onDropped)
    try {
      await fn(seen)
      await settled()
    } finally {
      process.off('unhandledRejection', onRejection)
      process.off('warning', onWarning)
      diagnostics.unsubscribe('@xmcp-dev/workos:dropped', onDropped)
    }
    assert.deepEqual(seen.rejections, [], 'no unhandled rejection')
    assert.deepEqual(seen.warnings, [], 'no warning')
    return seen
  }

  const cases = [
    { name: 'a valid token', token: () => emu.mintToken(), fault: null, verdict: 200 },
    { name: 'a token for another audience', token: () => emu.mintToken({ aud: 'other' }), fault: null, verdict: 401 },
    { name: 'an expired token', token: () => emu.mintToken({ exp: 1000 }), fault: null, verdict: 401 },
    { name: 'a JWKS outage (503)', token: () => emu.mintToken(), fault: '500', verdict: 503 },
  ]
  for (const c of cases) {
    test(`after a timeout answered first, our late verdict for ${c.name} is dropped quietly`, async () => {
      const app = await startExpressApp(emu, {}, { before: [timeoutAfter(50)] })
      try {
        emu.setDelay('/oauth2/jwks', 300)
        if (c.fault) emu.fault('/oauth2/jwks', c.fault)
        const seen = await watching(async (seen) => {
          const res = await request(`${app.url}/mcp`, { method: 'POST', headers: bearer(c.token()), body: '{}' })
          assert.equal(res.status, 503)
          assert.deepEqual(res.body, { error: 'timeout' })
          await waitFor(() => seen.dropped.length === 1, { what: 'the late verdict' })
        })
        assert.equal(seen.dropped[0].status, c.verdict)
        assert.deepEqual(app.reached, [], 'the MCP handler never ran for the timed-out request')
      } finally {
        emu.clearFaults()
        emu.setDelay('/oauth2/jwks', 0)
        await app.close()
      }
    })
  }

  test('the authorization-server document that comes late is dropped quietly', async () => {
    const app = await startExpressApp(emu, {}, { before: [timeoutAfter(50)] })
    try {
      emu.setDelay('/.well-known/oauth-authorization-server', 300)
      const seen = await watching(async (seen) => {
        const res = await request(`${app.url}/.well-known/oauth-authorization-server`)
        assert.equal(res.status, 503)
        await waitFor(() => seen.dropped.length === 1, { what: 'the late document' })
      })
      assert.equal(seen.dropped[0].status, 200)
    } finally {
      emu.setDelay('/.well-known/oauth-authorization-server', 0)
      await app.close()
    }
  })

  // A response object broken by other middleware: our own answer throws. It must reach Express's
  // error handler (500 here), on the synchronous path and after waiting for keys alike.
  // The answer is written with res.writeHead (which calls res.setHeader for headers set before it).
  for (const method of ['writeHead', 'setHeader']) {
    for (const cold of [false, true]) {
      test(`res.${method} throwing inside our answer goes to the error handler (${cold ? 'after a download' : 'cached keys'})`, async () => {
        // Broken for its first call (ours), working again for the error handler.
        const sabotage = (req, res, next) => {
          const original = res[method]
          res[method] = () => {
            res[method] = original
            throw new Error(`res.${method} is broken`)
          }
          next()
        }
        const app = await startExpressApp(emu, {}, { before: [sabotage] })
        try {
          if (!cold) {
            // Cache the keys through a request that is rejected for another reason.
            await request(`${app.url}/mcp`, { headers: bearer(emu.mintToken({ aud: 'other' })) })
          }
          await watching(async () => {
            const res = await fetch(`${app.url}/mcp`, {
              headers: bearer(emu.mintToken({ aud: 'other' })),
              signal: AbortSignal.timeout(15_000),
            })
            assert.equal(res.status, 500)
            assert.equal((await res.json()).unexpected, `res.${method} is broken`)
          })
        } finally {
          await app.close()
        }
      })
    }
  }
})

describe('3. discovery documents are unauthenticated only for reads', () => {
  let emu
  let app
  const rpc = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } })
  before(async () => {
    emu = await createEmulator()
    app = await startExpressApp(emu, { endpoint: '/' })
  })
  after(async () => {
    await app.close()
    await emu.close()
  })

  const spellings = [
    '/.well-known/oauth-protected-resource',
    '/.well-known/oauth-protected-resource/',
    '/.WELL-KNOWN/OAuth-Protected-Resource',
    '/.well-known/oauth-authorization-server',
    '/.well-known/Oauth-Authorization-Server/',
    '/.well-known/oauth-protected-resourc%65',
    '/.well-known/%6Fauth-authorization-server',
  ]
  for (const path of spellings) {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      test(`${method} ${path} with a JSON-RPC body and no token is refused before any handler`, async () => {
        app.reached.length = 0
        const res = await request(`${app.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: rpc })
        assert.equal(res.status, 401)
        assert.equal(res.body.error, 'unauthorized')
        assert.deepEqual(app.reached, [])
      })
    }
  }

  test('GET, HEAD and OPTIONS of the documents stay open', async () => {
    for (const path of spellings.slice(0, 5)) {
      assert.equal((await request(`${app.url}${path}`)).status, 200, `GET ${path}`)
      assert.equal((await request(`${app.url}${path}`, { method: 'HEAD' })).status, 200, `HEAD ${path}`)
      assert.equal((await request(`${app.url}${path}`, { method: 'OPTIONS' })).status, 204, `OPTIONS ${path}`)
    }
  })

  test('a GET of a spelling the router does not answer is guarded like any path', async () => {
    for (const path of spellings.slice(5)) {
      assert.equal((await request(`${app.url}${path}`)).status, 401, path)
    }
  })

  test('with a valid token a POST to a document path reaches the handler', async () => {
    app.reached.length = 0
    const res = await request(`${app.url}/.well-known/oauth-protected-resource`, {
      method: 'POST',
      headers: bearer(emu.mintToken()),
      body: rpc,
    })
    assert.equal(res.status, 404)
    assert.deepEqual(app.reached, [{ method: 'POST', path: '/.well-known/oauth-protected-resource' }])
  })

  const base = { apiKey: 'sk', clientId: 'client', baseURL: 'http://127.0.0.1:3002', authkitDomain: 'acme.authkit.app' }
  for (const endpoint of [
    '/m%63p',
    '/mcp%2F',
    '/:tool',
    '/mcp/:id',
    '/mcp*',
    '/mcp/(.*)',
    '/mcp?',
    '/mcp+',
    '/[mcp]',
    '/mcp{x}',
    '/mcé',
    '/m cp',
    '/mcp\t',
    '/mcp/../admin',
    '/./mcp',
    '//mcp',
    '/mcp//x',
    '/mcp!',
    '/mcp;x',
    '/mcp,x',
    'mcp',
    ' /mcp',
    '/mcp/ ',
  ]) {
    test(`endpoint ${JSON.stringify(endpoint)} is refused at start-up`, () => {
      assert.throws(() => pkg.workosProvider({ ...base, endpoint }), /^Error: \[WorkOS\] Invalid config: endpoint must be an absolute path/)
    })
  }

  test('plain endpoints are accepted', () => {
    for (const endpoint of ['/', '/mcp', '/mcp/', '/api/mcp', '/v1.0/mcp_x~y-z']) {
      assert.doesNotThrow(() => pkg.workosProvider({ ...base, endpoint }), endpoint)
    }
  })
})

/** Runs `middleware` on a bare request carrying `token` and resolves to the session it gives. */
function sessionThrough(middleware, token) {
  return new Promise((resolve, reject) => {
    const req = { method: 'POST', path: '/mcp', headers: { authorization: `Bearer ${token}` } }
    const res = {}
    middleware(req, res, (err) => (err ? reject(err) : resolve(pkg.getSession())))
    setTimeout(() => reject(new Error('the middleware neither passed nor failed the request')), 10_000).unref()
  })
}

/** The native verdict and its internal reason for `token` (a provider of its own, cold keys). */
async function verdict(emu, token) {
  const provider = new (require('../native.js').NativeProvider)(configFor(emu, 'http://127.0.0.1:1'))
  const outcome = await outcomeOf(provider, `Bearer ${token}`)
  return `${outcome.status} ${outcome.reason ?? ''}`.trim()
}

describe('4. secrets never serialise (the session)', () => {
  test('JSON.stringify and util.inspect of a session show no API key and no bearer token', async () => {
    await withOwnApp({}, async (emu) => {
      const { middleware } = pkg.workosProvider(configFor(emu, 'http://127.0.0.1:1'))
      const token = emu.mintToken()
      const session = await sessionThrough(middleware, token)
      for (const text of [JSON.stringify(session), util.inspect(session, { showHidden: true, getters: true, depth: null })]) {
        assert.ok(!text.includes(emu.apiKey), text)
        assert.ok(!text.includes(token), text)
      }
    })
  })
})

describe('5. outside JSON never sets a prototype (token claims)', () => {
  let emu
  let app
  before(async () => {
    emu = await createEmulator()
    app = await startExpressApp(emu)
  })
  after(async () => {
    await app.close()
    await emu.close()
  })

  const payloads = [
    '{"__proto__": {"isAdmin": true}}',
    '{"constructor": {"prototype": {"isAdmin": true}}}',
    '{"prototype": {"isAdmin": true}}',
    '{"org": {"__proto__": {"isAdmin": true}}, "list": [{"__proto__": {"isAdmin": true}}]}',
    '{"__proto__": null}',
    '{"__proto__": [1, 2]}',
  ]
  for (const extra of payloads) {
    test(`claims ${extra} stay own data`, async () => {
      const claims = JSON.parse(extra) // JSON.parse makes own members, as a token carries them
      const token = emu.mintToken(claims)
      const signed = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())
      assert.ok(Object.hasOwn(signed, Object.keys(claims)[0]), 'the token carries the member')
      const { middleware } = pkg.workosProvider(configFor(emu, 'http://127.0.0.1:1'))
      const session = await sessionThrough(middleware, token)
      const check = (object, expected) => {
        assert.equal(Object.getPrototypeOf(object), Array.isArray(object) ? Array.prototype : Object.prototype)
        if (!Object.hasOwn(object, 'isAdmin')) assert.equal(object.isAdmin, undefined, 'nothing inherited')
        assert.deepEqual(Object.keys(object), Object.keys(expected))
      }
      check(session.claims, signed)
      for (const key of Object.keys(claims)) {
        assert.ok(Object.hasOwn(session.claims, key), key)
        assert.deepEqual(JSON.stringify(session.claims[key]), JSON.stringify(claims[key]))
        if (claims[key] && typeof claims[key] === 'object' && !Array.isArray(claims[key])) check(session.claims[key], claims[key])
      }
      assert.equal({}.isAdmin, undefined, 'Object.prototype untouched')
      // And over HTTP, the session's JSON carries the member.
      const res = await request(`${app.url}/mcp`, { headers: bearer(token) })
      assert.equal(res.status, 200)
      assert.equal(JSON.stringify(res.body.session.claims).includes(Object.keys(claims)[0]), true)
    })
  }
})

describe('6. keys and locations the package refuses', () => {
  /** An RSA key pair of the given size and exponent, as a JWK under `kid` and a signer. */
  function rsaKey(kid, modulusLength = 2048, publicExponent = 65537) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength, publicExponent })
    const { n, e } = publicKey.export({ format: 'jwk' })
    return { jwk: { kty: 'RSA', kid, use: 'sig', alg: 'RS256', n, e }, privateKey }
  }

  /** A JWKS entry with exponent 1 over a real modulus, and a "signature" that is just the padded hash. */
  function exponentOneForgery(emu, kid) {
    const { n } = rsaKey('x').jwk
    const modulusBytes = Buffer.from(n, 'base64url').length
    const header = base64url(JSON.stringify({ alg: 'RS256', kid }))
    const payload = base64url(
      JSON.stringify({ iss: emu.url, aud: emu.clientId, sub: 'user_evil', sid: 's', exp: Math.floor(Date.now() / 1000) + 300 }),
    )
    const digestInfo = Buffer.from('3031300d060960864801650304020105000420', 'hex')
    const hash = crypto.createHash('sha256').update(`${header}.${payload}`).digest()
    const t = Buffer.concat([digestInfo, hash])
    const em = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(modulusBytes - t.length - 3, 0xff), Buffer.from([0]), t])
    return { jwk: { kty: 'RSA', kid, n, e: base64url(Buffer.from([1])) }, token: `${header}.${payload}.${base64url(em)}` }
  }

  const cases = [
    ['a 2047-bit modulus', () => rsaKey('weak', 2047)],
    ['a 2041-bit modulus', () => rsaKey('weak', 2041)],
    ['a 1024-bit modulus', () => rsaKey('weak', 1024)],
  ]
  for (const [name, make] of cases) {
    test(`a key with ${name} never verifies a token`, async () => {
      await withOwnApp({}, async (emu, app) => {
        const { jwk, privateKey } = make()
        emu.addJwk(jwk)
        const token = emu.mintToken({}, { header: { kid: 'weak' }, key: privateKey })
        assert.equal(await status(`${app.url}/mcp`, token), 401)
        assert.equal(await verdict(emu, token), '401 unknown_key', 'the key never entered the key set')
        assert.equal(await status(`${app.url}/mcp`, emu.mintToken()), 200, 'the good key still verifies')
      })
    })
  }

  test('an exponent of 1 (where any padded hash is a valid signature) never enters the key set', async () => {
    await withOwnApp({}, async (emu, app) => {
      const forgery = exponentOneForgery(emu, 'e-one')
      emu.addJwk(forgery.jwk)
      assert.equal(await status(`${app.url}/mcp`, forgery.token), 401)
      assert.equal(await verdict(emu, forgery.token), '401 unknown_key')
    })
  })

  for (const e of [2, 4, 65536]) {
    test(`an even exponent (${e}) never enters the key set`, async () => {
      await withOwnApp({}, async (emu, app) => {
        const good = emu.publicJwk()
        emu.addJwk({ ...good, kid: 'even', e: base64url(Buffer.from(e.toString(16).padStart(e > 255 ? 6 : 2, '0'), 'hex')) })
        const token = emu.mintToken({}, { header: { kid: 'even' } })
        assert.equal(await status(`${app.url}/mcp`, token), 401)
        assert.equal(await verdict(emu, token), '401 unknown_key')
      })
    })
  }

  test('an exponent of 3 is a usable key', async () => {
    await withOwnApp({}, async (emu, app) => {
      const { jwk, privateKey } = rsaKey('three', 2048, 3)
      emu.addJwk(jwk)
      assert.equal(await status(`${app.url}/mcp`, emu.mintToken({}, { header: { kid: 'three' }, key: privateKey })), 200)
    })
  })

  for (const [name, unusable] of [
    ['a 2047-bit key', () => rsaKey('dup', 2047).jwk],
    ['an exponent of 1', (emu) => exponentOneForgery(emu, 'dup').jwk],
    ['an encryption key', (emu) => ({ ...emu.publicJwk(), kid: 'dup', use: 'enc' })],
    ['an HMAC key', () => ({ kty: 'oct', kid: 'dup', k: base64url('secret') })],
  ]) {
    test(`a kid published twice, first as ${name}, resolves to the usable entry`, async () => {
      await withOwnApp({}, async (emu, app) => {
        emu.addJwk(unusable(emu), { first: true })
        emu.addJwk({ ...emu.publicJwk(), kid: 'dup' })
        assert.equal(await status(`${app.url}/mcp`, emu.mintToken({}, { header: { kid: 'dup' } })), 200)
      })
    })
  }

  const base = { apiKey: 'sk', clientId: 'client', baseURL: 'http://127.0.0.1:3002' }
  for (const authkitDomain of [
    'http://auth.example.com',
    'http://10.0.0.5:4000',
    'http://192.168.1.1',
    'http://[2001:db8::1]:4000',
    'http://localhost.evil.com',
    'http://127.0.0.1.nip.io',
    'http://0.0.0.0:4000',
  ]) {
    test(`authkitDomain ${authkitDomain} (plaintext to another host) is refused at start-up`, () => {
      assert.throws(() => pkg.workosProvider({ ...base, authkitDomain }), /^Error: \[WorkOS\] Invalid config: authkitDomain must use https/)
    })
  }

  test('plaintext AuthKit is accepted on loopback hosts, https anywhere', () => {
    for (const authkitDomain of [
      'http://127.0.0.1:4000',
      'http://127.9.9.9',
      'http://localhost:4000',
      'http://LOCALHOST',
      'http://[::1]:4000',
      'https://acme.authkit.app',
      'acme.authkit.app',
    ]) {
      assert.doesNotThrow(() => pkg.workosProvider({ ...base, authkitDomain }), authkitDomain)
    }
  })
})
