'use strict'
// The package in a real Express app over real HTTP against the local AuthKit/WorkOS emulator:
// one test per row of REFERENCE.md and per rule of the native core.
const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const path = require('node:path')
const sdkPackage = require('@workos-inc/node')
const { createEmulator, signHs256, encodeUnsigned, base64url } = require('./support/emulator')
const { startExpressApp, configFor } = require('./support/express-app')
const { outcomeSync, outcomeOf, judgeHeader } = require('./support/verdict')
const { waitFor } = require('./support/wait')
const pkg = require('@xmcp-dev/workos')

const ROOT = path.resolve(__dirname, '..')
const nowSeconds = () => Math.floor(Date.now() / 1000)

async function get(url, headers = {}) {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(15_000) })
  const text = await res.text()
  let body
  try {
    body = JSON.parse(text)
  } catch {
    body = text
  }
  return { status: res.status, headers: res.headers, body }
}
const bearer = (token) => ({ authorization: `Bearer ${token}` })

/** Runs `fn` against a fresh app for the shared emulator, then undoes any fault or delay staged. */
async function withApp(overrides, fn) {
  const other = await startExpressApp(emu, overrides)
  try {
    await fn(other)
  } finally {
    emu.clearFaults()
    emu.setDelay('/oauth2/jwks', 0)
    await other.close()
  }
}

let emu

describe('workosProvider in an Express app', () => {
  let app
  before(async () => {
    emu = await createEmulator()
    app = await startExpressApp(emu)
  })
  after(async () => {
    await app.close()
    await emu.close()
  })

  describe('exports', () => {
    test('require() exposes the original API', () => {
      for (const name of ['workosProvider', 'getSession', 'getUser', 'getClient']) {
        assert.equal(typeof pkg[name], 'function', name)
      }
    })

    test('ESM import is the same module instance', async () => {
      const esm = await import('@xmcp-dev/workos')
      assert.equal(esm.workosProvider, pkg.workosProvider)
      assert.equal(esm.getSession, pkg.getSession)
      assert.equal(esm.default.getClient, pkg.getClient)
    })

    test('ESM exports every name require() exports, and nothing else', async () => {
      const esm = await import('@xmcp-dev/workos')
      const named = Object.keys(esm).filter((k) => k !== 'default')
      assert.deepEqual(named.sort(), Object.keys(pkg).sort())
      for (const name of named) assert.equal(esm[name], pkg[name], name)
    })

    test('router is a real Express Router', () => {
      const { router, middleware } = pkg.workosProvider(configFor(emu, 'http://127.0.0.1:1'))
      for (const m of ['use', 'get', 'post', 'route']) assert.equal(typeof router[m], 'function', m)
      assert.equal(Object.getPrototypeOf(router), require('express').Router)
      assert.equal(typeof middleware, 'function')
    })
  })

  describe('config validation', () => {
    const full = { apiKey: 'sk', clientId: 'client', baseURL: 'http://127.0.0.1:3002', authkitDomain: 'acme.authkit.app' }
    for (const field of ['apiKey', 'clientId', 'baseURL', 'authkitDomain']) {
      test(`missing ${field} throws the original message`, () => {
        assert.throws(() => pkg.workosProvider({ ...full, [field]: '' }), {
          message: `[WorkOS] Missing required config: ${field}`,
        })
      })
    }

    test('fields are checked in the original order', () => {
      assert.throws(() => pkg.workosProvider({}), { message: '[WorkOS] Missing required config: apiKey' })
      assert.throws(() => pkg.workosProvider({ apiKey: 'k' }), { message: '[WorkOS] Missing required config: clientId' })
    })

    test('a malformed baseURL or authkitDomain is a clear error', () => {
      assert.throws(() => pkg.workosProvider({ ...full, baseURL: 'localhost:3002' }), /Invalid config: baseURL/)
      assert.throws(() => pkg.workosProvider({ ...full, authkitDomain: 'acme.authkit.app/x' }), /Invalid config: authkitDomain/)
    })

    test('a duration out of range names its whole path (several objects share member names)', () => {
      for (const [config, path] of [
        [{ tokenCache: { maxAgeMs: 5 } }, 'tokenCache.maxAgeMs'],
        [{ permissionCache: { maxAgeMs: 5 } }, 'permissionCache.maxAgeMs'],
        [{ jwks: { cacheMaxAgeMs: 1.5 } }, 'jwks.cacheMaxAgeMs'],
        [{ metadata: { cacheMaxAgeMs: -1 } }, 'metadata.cacheMaxAgeMs'],
        [{ jwks: { cooldownMs: 10 } }, 'jwks.cooldownMs'],
        [{ jwks: { timeoutMs: 10_000_000 } }, 'jwks.timeoutMs'],
      ]) {
        assert.throws(
          () => pkg.workosProvider({ ...full, ...config }),
          {
            message: new RegExp(
              `^\\[WorkOS\\] Invalid config: ${path.replace('.', '\\.')} must be a whole number of milliseconds from \\d+ to \\d+$`,
            ),
          },
          path,
        )
      }
    })
  })

  describe('router', () => {
    test('root protected-resource metadata is exactly the original document', async () => {
      const res = await get(`${app.url}/.well-known/oauth-protected-resource`)
      assert.equal(res.status, 200)
      assert.deepEqual(res.body, {
        resource: app.url,
        authorization_servers: [emu.url],
        bearer_methods_supported: ['header'],
      })
      assert.equal(res.headers.get('access-control-allow-origin'), '*')
      assert.match(res.headers.get('content-type'), /application\/json/)
    })

    test('resource_documentation appears only when docsURL is set', async () => {
      await withApp({ docsURL: 'https://docs.example/mcp' }, async (other) => {
        const res = await get(`${other.url}/.well-known/oauth-protected-resource`)
        assert.equal(res.body.resource_documentation, 'https://docs.example/mcp')
      })
    })

    test('the endpoint-suffixed document names the MCP endpoint as resource', async () => {
      const res = await get(`${app.url}/.well-known/oauth-protected-resource/mcp`)
      assert.equal(res.status, 200)
      assert.equal(res.body.resource, `${app.url}/mcp`)
      assert.deepEqual(res.body.authorization_servers, [emu.url])
      assert.equal(res.headers.get('access-control-allow-origin'), '*')
    })

    test('a custom endpoint moves the guard and the suffixed document', async () => {
      await withApp({ endpoint: '/api/mcp' }, async (other) => {
        const doc = await get(`${other.url}/.well-known/oauth-protected-resource/api/mcp`)
        assert.equal(doc.body.resource, `${other.url}/api/mcp`)
        const res = await get(`${other.url}/api/mcp`)
        assert.equal(res.status, 401)
        assert.match(res.headers.get('www-authenticate'), /oauth-protected-resource\/api\/mcp"/)
        // /mcp is no longer guarded: it reaches the route, which finds no session.
        assert.equal((await get(`${other.url}/mcp`)).status, 500)
      })
    })

    test("authorization-server metadata passes AuthKit's document through", async () => {
      const res = await get(`${app.url}/.well-known/oauth-authorization-server`)
      assert.equal(res.status, 200)
      assert.equal(res.body.issuer, emu.url)
      assert.equal(res.body.registration_endpoint, `${emu.url}/oauth2/register`)
      assert.equal(res.body.client_id_metadata_document_supported, true)
      assert.equal(res.headers.get('access-control-allow-origin'), '*')
    })

    test('authorization-server metadata is cached', async () => {
      await withApp({}, async (other) => {
        emu.resetLog()
        for (let i = 0; i < 5; i++) await get(`${other.url}/.well-known/oauth-authorization-server`)
        assert.equal(emu.count('/.well-known/oauth-authorization-server'), 1)
      })
    })

    test('with AuthKit failing and nothing cached, the static fallback answers', async () => {
      await withApp({}, async (other) => {
        emu.fault('/.well-known/oauth-authorization-server', '500')
        const res = await get(`${other.url}/.well-known/oauth-authorization-server`)
        assert.equal(res.status, 200)
        assert.deepEqual(res.body, {
          issuer: emu.url,
          authorization_endpoint: `${emu.url}/oauth2/authorize`,
          token_endpoint: `${emu.url}/oauth2/token`,
          jwks_uri: `${emu.url}/oauth2/jwks`,
          response_types_supported: ['code'],
          grant_types_supported: ['authorization_code', 'refresh_token'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['none', 'client_secret_post'],
          scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        })
      })
    })

    test('garbage from AuthKit is never passed through', async () => {
      await withApp({}, async (other) => {
        emu.fault('/.well-known/oauth-authorization-server', 'garbage')
        const res = await get(`${other.url}/.well-known/oauth-authorization-server`)
        assert.equal(res.status, 200)
        assert.equal(res.body.token_endpoint, `${emu.url}/oauth2/token`)
        assert.equal(res.body.registration_endpoint, undefined, 'static fallback')
      })
    })

    test('a stale cached document is served when AuthKit fails', async () => {
      await withApp({ metadata: { cacheMaxAgeMs: 1000 } }, async (other) => {
        const document = '/.well-known/oauth-authorization-server'
        const served = async () => (await get(`${other.url}${document}`)).body.registration_endpoint
        assert.equal(await served(), `${emu.url}/oauth2/register`)
        emu.fault(document, '500')
        emu.resetLog()
        // Once the copy is stale, a request starts a refresh, which AuthKit fails: the emulator logs it.
        await waitFor(
          async () => {
            assert.equal(await served(), `${emu.url}/oauth2/register`, 'cached, not the fallback')
            return emu.count(document) > 0
          },
          { what: 'a refresh of the stale document', everyMs: 100 },
        )
        for (let i = 0; i < 3; i++) assert.equal(await served(), `${emu.url}/oauth2/register`, 'cached after the failed refresh')
        assert.ok(emu.count(document) >= 1)
      })
    })

    test('a hanging AuthKit is answered within 5.5 s', async () => {
      await withApp({}, async (other) => {
        emu.fault('/.well-known/oauth-authorization-server', 'hang')
        const started = Date.now()
        const res = await get(`${other.url}/.well-known/oauth-authorization-server`)
        const elapsed = Date.now() - started
        assert.equal(res.status, 200)
        assert.equal(res.body.issuer, emu.url)
        assert.ok(elapsed < 5500, `answered after ${elapsed} ms`)
      })
    })

    test('metadata documents are never guarded, even with endpoint "/"', async () => {
      await withApp({ endpoint: '/' }, async (other) => {
        assert.equal((await get(`${other.url}/.well-known/oauth-protected-resource`)).status, 200)
        assert.equal((await get(`${other.url}/.well-known/oauth-authorization-server`)).status, 200)
        assert.equal((await get(`${other.url}/public`)).status, 401)
      })
    })
  })

  describe('middleware: which requests are guarded', () => {
    test('paths outside the endpoint pass through untouched', async () => {
      const res = await get(`${app.url}/public`)
      assert.equal(res.status, 200)
      assert.deepEqual(res.body, { public: true })
    })

    test('paths starting with the endpoint are guarded, whatever their case or encoding', async () => {
      for (const p of ['/mcp', '/mcp/', '/mcp/sub', '/MCP', '/Mcp/x', '/%6Dcp']) {
        assert.equal((await get(`${app.url}${p}`)).status, 401, p)
      }
    })
  })

  describe('middleware: 401 responses', () => {
    const metadataUrl = () => `${app.url}/.well-known/oauth-protected-resource/mcp`

    test('no bearer token: unauthorized, absolute resource_metadata, no-store', async () => {
      const res = await get(`${app.url}/mcp`)
      assert.equal(res.status, 401)
      assert.deepEqual(res.body, { error: 'unauthorized', error_description: 'Missing or invalid bearer token' })
      assert.equal(res.headers.get('www-authenticate'), `Bearer resource_metadata="${metadataUrl()}"`)
      assert.equal(res.headers.get('cache-control'), 'no-store')
    })

    test('malformed Authorization headers count as no token', async () => {
      const token = emu.mintToken()
      for (const value of ['Basic abc', `Bearer  ${token}`, `Bearer ${token} extra`, 'Bearer', 'Bearer ', token]) {
        const res = await get(`${app.url}/mcp`, { authorization: value })
        assert.equal(res.status, 401, value)
        assert.equal(res.body.error, 'unauthorized', value)
      }
    })

    test('the scheme is case-insensitive', async () => {
      const res = await get(`${app.url}/mcp`, { authorization: `bEaReR ${emu.mintToken()}` })
      assert.equal(res.status, 200)
    })

    test('a token in the query string is ignored', async () => {
      const res = await get(`${app.url}/mcp?access_token=${emu.mintToken()}`)
      assert.equal(res.status, 401)
      assert.equal(res.body.error, 'unauthorized')
    })

    test('an expired token: token_expired with the original header', async () => {
      const res = await get(`${app.url}/mcp`, bearer(emu.mintToken({ exp: nowSeconds() - 60 })))
      assert.equal(res.status, 401)
      assert.deepEqual(res.body, {
        error: 'token_expired',
        error_description: 'Access token has expired. Please refresh your token.',
      })
      assert.equal(
        res.headers.get('www-authenticate'),
        `Bearer resource_metadata="${metadataUrl()}", error="invalid_token", error_description="Token has expired"`,
      )
      assert.equal(res.headers.get('cache-control'), 'no-store')
    })

    test('a token expired within the 30 s leeway is accepted', async () => {
      const res = await get(`${app.url}/mcp`, bearer(emu.mintToken({ exp: nowSeconds() - 10 })))
      assert.equal(res.status, 200)
    })

    const invalidCases = {
      'wrong issuer': () => emu.mintToken({ iss: 'https://evil.authkit.app' }),
      'issuer with a trailing slash': () => emu.mintToken({ iss: `${emu.url}/` }),
      'wrong audience': () => emu.mintToken({ aud: 'client_other' }),
      'empty audience array': () => emu.mintToken({ aud: [] }),
      'missing exp': () => emu.mintToken({ exp: undefined }),
      'string exp': () => emu.mintToken({ exp: String(nowSeconds() + 300) }),
      'nbf in the future': () => emu.mintToken({ nbf: nowSeconds() + 120 }),
      'iat in the future': () => emu.mintToken({ iat: nowSeconds() + 120 }),
      'missing sub': () => emu.mintToken({ sub: undefined }),
      'missing sid': () => emu.mintToken({ sid: undefined }),
      'alg none': () => emu.mintToken({}, { alg: 'none' }),
      'alg none with a signature': () => `${emu.mintToken({}, { alg: 'none' })}${base64url('sig')}`,
      'HS256 signed with the RSA public key': () => emu.mintToken({}, { alg: 'HS256' }),
      'HS256 keyed with the public key, built by hand': () =>
        signHs256(
          { alg: 'HS256', kid: emu.currentKid },
          { iss: emu.url, aud: emu.clientId, sub: 's', sid: 's', exp: nowSeconds() + 60 },
          Buffer.from(emu.publicKeyPem()),
        ),
      'PS256 signed by the real key': () => emu.mintToken({}, { alg: 'PS256' }),
      'RS512 signed by the real key': () => emu.mintToken({}, { alg: 'RS512' }),
      'unsigned token with RS256 header': () =>
        encodeUnsigned(
          { alg: 'RS256', kid: emu.currentKid },
          { iss: emu.url, aud: emu.clientId, sub: 's', sid: 's', exp: nowSeconds() + 60 },
        ),
      'tampered payload': () => {
        const [h, , s] = emu.mintToken().split('.')
        const forged = base64url(JSON.stringify({ iss: emu.url, aud: emu.clientId, sub: 'user_admin', sid: 's', exp: nowSeconds() + 60 }))
        return `${h}.${forged}.${s}`
      },
      'tampered signature': () => {
        const token = emu.mintToken()
        const last = token.at(-2) === 'A' ? 'B' : 'A'
        return `${token.slice(0, -2)}${last}${token.at(-1)}`
      },
      'crit header': () => emu.mintToken({}, { header: { crit: ['exp'] } }),
      'token over 16 KiB': () => emu.mintToken({ padding: 'x'.repeat(17 * 1024) }),
      'five-part JWE shape': () => 'a.b.c.d.e',
      garbage: () => 'not-a-jwt',
      'unknown kid': () => emu.mintToken({}, { header: { kid: 'no-such-key' } }),
    }
    for (const [name, makeToken] of Object.entries(invalidCases)) {
      test(`invalid token (${name}): invalid_token`, async () => {
        const res = await get(`${app.url}/mcp`, bearer(makeToken()))
        assert.equal(res.status, 401)
        assert.deepEqual(res.body, { error: 'invalid_token', error_description: 'Token verification failed' })
        assert.equal(res.headers.get('www-authenticate'), `Bearer resource_metadata="${metadataUrl()}", error="invalid_token"`)
        assert.equal(res.headers.get('cache-control'), 'no-store')
      })
    }
  })

  describe('middleware: accepted tokens', () => {
    test('a valid token yields the Session of the original shape', async () => {
      const exp = nowSeconds() + 300
      const token = emu.mintToken({ exp, org_id: 'org_1', role: 'admin', permissions: ['read', 'write'], custom: { a: 1 } })
      const res = await get(`${app.url}/mcp`, bearer(token))
      assert.equal(res.status, 200)
      const s = res.body.session
      assert.equal(s.userId, 'user_01EMU')
      assert.equal(s.sessionId, 'session_01EMU')
      assert.equal(s.organizationId, 'org_1')
      assert.equal(s.role, 'admin')
      assert.deepEqual(s.permissions, ['read', 'write'])
      assert.equal(s.expiresAtIsDate, true)
      assert.equal(s.issuedAtIsDate, true)
      assert.equal(s.expiresAt, new Date(exp * 1000).toISOString())
      const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url'))
      assert.deepEqual(s.claims, payload, 'claims are the raw payload')
      assert.deepEqual(Object.keys(s.claims), Object.keys(payload), 'in token order')
    })

    test('the MCP resource URL is accepted as audience (Resource Indicator)', async () => {
      const res = await get(`${app.url}/mcp`, bearer(emu.mintToken({ aud: ['other', `${app.url}/mcp`] })))
      assert.equal(res.status, 200)
    })

    test('a configured audience replaces the defaults', async () => {
      await withApp({ audience: 'https://api.example/custom' }, async (other) => {
        assert.equal((await get(`${other.url}/mcp`, bearer(emu.mintToken({ aud: 'https://api.example/custom' })))).status, 200)
        assert.equal((await get(`${other.url}/mcp`, bearer(emu.mintToken()))).status, 401, 'clientId no longer accepted')
      })
    })
  })

  describe('JWKS cache', () => {
    test('the JWKS is fetched once for many requests', async () => {
      await withApp({}, async (other) => {
        emu.resetLog()
        for (let i = 0; i < 100; i++) {
          assert.equal((await get(`${other.url}/mcp`, bearer(emu.mintToken()))).status, 200)
        }
        assert.equal(emu.count('/oauth2/jwks'), 1)
      })
    })

    test('concurrent requests on a cold cache share one fetch', async () => {
      await withApp({}, async (other) => {
        emu.resetLog()
        emu.setDelay('/oauth2/jwks', 200)
        const results = await Promise.all(Array.from({ length: 50 }, () => get(`${other.url}/mcp`, bearer(emu.mintToken()))))
        assert.deepEqual(new Set(results.map((r) => r.status)), new Set([200]))
        assert.equal(emu.count('/oauth2/jwks'), 1)
      })
    })

    test('unknown kids refetch at most once per cooldown', async () => {
      await withApp({ jwks: { cooldownMs: 60_000 } }, async (other) => {
        assert.equal((await get(`${other.url}/mcp`, bearer(emu.mintToken()))).status, 200)
        emu.resetLog()
        for (let i = 0; i < 20; i++) {
          // Issued before our keys were downloaded (a newer one is told to retry: keys.test.js).
          const forged = emu.mintToken({ iat: nowSeconds() - 120 }, { header: { kid: `attacker-${i}` } })
          const res = await get(`${other.url}/mcp`, bearer(forged))
          assert.equal(res.status, 401)
        }
        // The first download (cold keys) does not spend the budget; the first unknown kid does.
        assert.equal(emu.count('/oauth2/jwks'), 1, 'one download for twenty unknown kids')
      })
    })

    test('key rotation: a token signed by a new key is accepted with one download', async () => {
      // Its own emulator: rotating the shared one would leave the other apps' caches behind.
      const emu = await createEmulator()
      const other = await startExpressApp(emu, { jwks: { cooldownMs: 60_000 } })
      try {
        assert.equal((await get(`${other.url}/mcp`, bearer(emu.mintToken()))).status, 200)
        emu.rotateKeys({ keepOld: true })
        emu.resetLog()
        assert.equal((await get(`${other.url}/mcp`, bearer(emu.mintToken()))).status, 200, 'new kid')
        assert.equal(emu.count('/oauth2/jwks'), 1)
        assert.equal((await get(`${other.url}/mcp`, bearer(emu.mintToken()))).status, 200)
        assert.equal(emu.count('/oauth2/jwks'), 1, 'no further fetch')
      } finally {
        await other.close()
        await emu.close()
      }
    })

    test('a JWKS outage after warm-up keeps accepting valid tokens', async () => {
      // Its own emulator: keys refreshed every second are refreshed on schedule, by this provider
      // too after its app closed (until it is garbage-collected), which the other tests would count.
      const emu = await createEmulator()
      const other = await startExpressApp(emu, { jwks: { cacheMaxAgeMs: 1000, cooldownMs: 1000 } })
      try {
        const status = async () => (await get(`${other.url}/mcp`, bearer(emu.mintToken()))).status
        assert.equal(await status(), 200)
        // Once the keys are stale, a request starts a background refresh; each one AuthKit fails is
        // logged by the emulator, and valid tokens are accepted before, during and after it.
        const refreshFailsWith = async (fault) => {
          emu.clearFaults()
          emu.fault('/oauth2/jwks', fault)
          emu.resetLog()
          await waitFor(
            async () => {
              assert.equal(await status(), 200)
              return emu.count('/oauth2/jwks') > 0
            },
            { what: `a background refresh answered with ${fault}`, everyMs: 100 },
          )
        }
        await refreshFailsWith('500')
        for (let i = 0; i < 10; i++) assert.equal(await status(), 200)
        await refreshFailsWith('garbage')
        assert.equal(await status(), 200)
      } finally {
        await other.close()
        await emu.close()
      }
    })

    test('a cold JWKS outage answers 503 with Retry-After, then recovers', async () => {
      await withApp({}, async (other) => {
        emu.fault('/oauth2/jwks', '500')
        const res = await get(`${other.url}/mcp`, bearer(emu.mintToken()))
        assert.equal(res.status, 503)
        assert.equal(res.body.error, 'server_error')
        assert.ok(Number(res.headers.get('retry-after')) >= 1)
        assert.equal(res.headers.get('cache-control'), 'no-store')
        emu.clearFaults()
        emu.resetLog()
        // Within Retry-After the failure is the answer; after it, a request downloads the keys again.
        await waitFor(async () => (await get(`${other.url}/mcp`, bearer(emu.mintToken()))).status === 200, {
          what: 'a 200 once AuthKit is back',
          everyMs: 200,
        })
        assert.equal(emu.count('/oauth2/jwks'), 1, 'one download after the outage')
      })
    })

    test('a hanging JWKS endpoint is bounded by the timeout', async () => {
      await withApp({ jwks: { timeoutMs: 500 } }, async (other) => {
        emu.fault('/oauth2/jwks', 'hang')
        const started = Date.now()
        const res = await get(`${other.url}/mcp`, bearer(emu.mintToken()))
        assert.equal(res.status, 503)
        assert.ok(Date.now() - started < 3000)
      })
    })

    test('a JWKS with only an HMAC key never verifies anything', async () => {
      const { createEmulator: create } = require('./support/emulator')
      const evil = await create()
      evil.rotateKeys({ keepOld: false })
      const other = await startExpressApp(evil)
      try {
        evil.addJwk({ kty: 'oct', kid: 'hmac', k: base64url('secret') })
        const token = signHs256(
          { alg: 'HS256', kid: 'hmac' },
          { iss: evil.url, aud: evil.clientId, sub: 's', sid: 's', exp: nowSeconds() + 60 },
          Buffer.from('secret'),
        )
        assert.equal((await get(`${other.url}/mcp`, bearer(token))).status, 401)
      } finally {
        await other.close()
        await evil.close()
      }
    })
  })

  describe('verified-token cache', () => {
    const providerOf = (overrides) => new (require('../native.js').NativeProvider)(configFor(emu, 'http://127.0.0.1:1', overrides))

    test('warm-up fetches the keys when the provider is created', async () => {
      emu.resetLog()
      await withApp({ jwks: { warmUp: true } }, async (other) => {
        // No request has reached the app yet: the download the emulator logs is the warm-up's.
        await waitFor(() => emu.count('/oauth2/jwks') === 1, { what: 'the warm-up download' })
        assert.equal((await get(`${other.url}/mcp`, bearer(emu.mintToken()))).status, 200)
        assert.equal(emu.count('/oauth2/jwks'), 1, 'the first request does not fetch again')
      })
    })

    test('a repeated token is answered from the cache, a failure is never cached', async () => {
      const provider = providerOf()
      await provider.warmUp()
      const token = emu.mintToken()
      assert.equal(outcomeSync(provider, `Bearer ${token}`).status, 200)
      assert.equal(provider.tokenCacheSize, 1)
      assert.equal(outcomeSync(provider, `Bearer ${token}`).status, 200)
      assert.equal(provider.tokenCacheSize, 1)
      const bad = emu.mintToken({ aud: 'someone_else' })
      assert.equal(outcomeSync(provider, `Bearer ${bad}`).status, 401)
      assert.equal(outcomeSync(provider, `Bearer ${bad}`).status, 401)
      assert.equal(provider.tokenCacheSize, 1, 'rejections are not cached')
    })

    test('a token rejected for an unknown key is accepted once the key is published', async () => {
      const own = await createEmulator()
      const provider = new (require('../native.js').NativeProvider)(
        configFor(own, 'http://127.0.0.1:1', { jwks: { warmUp: false, cooldownMs: 1000 } }),
      )
      try {
        await provider.warmUp()
        // An unknown kid spends the download budget; a key published just after it waits for the
        // cooldown, told to retry (the token may be newer than our keys), not that it is invalid.
        assert.equal((await outcomeOf(provider, `Bearer ${own.mintToken({}, { header: { kid: 'nobody' } })}`)).reason, 'unknown_key')
        own.rotateKeys({ keepOld: true })
        const token = `Bearer ${own.mintToken()}`
        const within = await outcomeOf(provider, token)
        assert.deepEqual([within.status, within.reason, within.headers['Retry-After']], [503, 'key_pending', '1'])
        await waitFor(async () => (await outcomeOf(provider, token)).status === 200, { what: 'the new key', everyMs: 100 })
      } finally {
        await own.close()
      }
    })

    test('tokens signed by a key removed from the JWKS are dropped from the cache', async () => {
      const own = await createEmulator()
      const provider = new (require('../native.js').NativeProvider)(
        configFor(own, 'http://127.0.0.1:1', { jwks: { warmUp: false, cooldownMs: 1000, cacheMaxAgeMs: 1000 } }),
      )
      try {
        await provider.warmUp()
        const oldToken = `Bearer ${own.mintToken()}`
        assert.equal(outcomeSync(provider, oldToken).status, 200)
        assert.equal(provider.tokenCacheSize, 1)
        own.rotateKeys({ keepOld: false })
        // Once the cooldown since the warm-up has passed, a request with the new key refetches the
        // JWKS (the old key is gone from it); until then the new key is unknown.
        const fresh = `Bearer ${own.mintToken()}`
        await waitFor(async () => (await outcomeOf(provider, fresh)).status === 200, { what: 'the new key', everyMs: 100 })
        assert.equal(provider.tokenCacheSize, 1, 'the old entry was purged, the new one cached')
        const outcome = await judgeHeader(provider, oldToken)
        assert.equal(outcome.status, 401)
        assert.equal(outcome.reason, 'unknown_key')
      } finally {
        await own.close()
      }
    })

    test('the cache is bounded by maxEntries', async () => {
      const provider = providerOf({ tokenCache: { maxEntries: 5 } })
      await provider.warmUp()
      for (let i = 0; i < 20; i++) assert.equal(outcomeSync(provider, `Bearer ${emu.mintToken({ sub: `u${i}` })}`).status, 200)
      assert.equal(provider.tokenCacheSize, 5)
    })

    test('a cached token stops being accepted when it expires', async () => {
      const provider = providerOf()
      await provider.warmUp()
      // Expires 1 to 2 s from now, counting the 30 s leeway.
      const token = `Bearer ${emu.mintToken({ exp: nowSeconds() - 28 })}`
      assert.equal(outcomeSync(provider, token).status, 200)
      assert.equal(provider.tokenCacheSize, 1)
      const outcome = await waitFor(() => outcomeSync(provider, token).status === 401 && outcomeSync(provider, token), {
        what: 'the cached token to expire',
        timeoutMs: 5000,
        everyMs: 50,
      })
      assert.equal(outcome.reason, 'expired')
    })

    test('a repeated token whose key was removed from the JWKS is refused within a second', async () => {
      const own = await createEmulator()
      const other = await startExpressApp(own, { jwks: { cooldownMs: 1000 } })
      try {
        const old = own.mintToken()
        for (let i = 0; i < 5; i++) assert.equal((await get(`${other.url}/mcp`, bearer(old))).status, 200)
        own.rotateKeys({ keepOld: false })
        // The new key's first token downloads the JWKS, which no longer has the old key.
        assert.equal((await get(`${other.url}/mcp`, bearer(own.mintToken()))).status, 200)
        await waitFor(async () => (await get(`${other.url}/mcp`, bearer(old))).status === 401, {
          what: 'the old token refused',
          timeoutMs: 3000,
          everyMs: 50,
        })
      } finally {
        await other.close()
        await own.close()
      }
    })

    test('a repeated token stops being accepted when it expires, in the glue as in the addon', async () => {
      await withApp({}, async (other) => {
        const token = emu.mintToken({ exp: nowSeconds() - 27 }) // 2 to 3 s left, counting the leeway
        assert.equal((await get(`${other.url}/mcp`, bearer(token))).status, 200)
        const res = await waitFor(
          async () => {
            const r = await get(`${other.url}/mcp`, bearer(token))
            return r.status === 401 && r
          },
          { what: 'the token to expire', timeoutMs: 5000, everyMs: 50 },
        )
        assert.equal(res.body.error, 'token_expired')
      })
    })

    test('tokenCache: false turns the cache off', async () => {
      const provider = providerOf({ tokenCache: false })
      await provider.warmUp()
      assert.equal(outcomeSync(provider, `Bearer ${emu.mintToken()}`).status, 200)
      assert.equal(provider.tokenCacheSize, 0)
    })
  })

  describe('sessions', () => {
    test('getSession() outside a verified request throws, even right after one finished', async () => {
      assert.equal((await get(`${app.url}/mcp`, bearer(emu.mintToken()))).status, 200)
      assert.throws(() => pkg.getSession(), {
        message: '[WorkOS] Session not initialized. Ensure this is called within a protected route that passed authentication.',
      })
    })

    test('200 concurrent requests from 20 users each see only their own session', async () => {
      const calls = Array.from({ length: 200 }, (_, i) => {
        const user = `user_${i % 20}`
        const token = emu.mintToken({ sub: user, sid: `session_${i % 20}` })
        return get(`${app.url}/mcp?delay=${Math.floor(Math.random() * 30)}`, bearer(token)).then((res) => ({ user, res }))
      })
      for (const { user, res } of await Promise.all(calls)) {
        assert.equal(res.status, 200)
        assert.equal(res.body.session.userId, user)
        assert.equal(res.body.session.claims.sub, user)
      }
    })
  })

  describe('getUser() and getClient()', () => {
    // getClient() is the client of the most recent workosProvider(): make it this emulator's.
    let app
    before(async () => {
      app = await startExpressApp(emu)
    })
    after(() => app.close())

    test("getUser() returns what the SDK's getUser() returns", async () => {
      emu.addUser(
        { id: 'user_01EMU', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' },
        { raw: { metadata: { team: 'core' }, external_id: 'ext_1' } },
      )
      const res = await get(`${app.url}/mcp-user`, bearer(emu.mintToken()))
      assert.equal(res.status, 200)
      const expected = await pkg.getClient().userManagement.getUser('user_01EMU')
      assert.deepEqual(res.body.user, JSON.parse(JSON.stringify(expected)))
      assert.deepEqual(Object.keys(res.body.user), Object.keys(expected), 'same keys in the same order')
      assert.equal(res.body.user.externalId, 'ext_1')
    })

    test('the API key is sent upstream, never the inbound bearer token', async () => {
      emu.resetLog()
      const token = emu.mintToken()
      await get(`${app.url}/mcp-user`, bearer(token))
      const calls = emu.requests.filter((r) => r.path.startsWith('/user_management/'))
      assert.equal(calls.length, 1)
      assert.equal(calls[0].headers.authorization, `Bearer ${emu.apiKey}`)
      assert.ok(!JSON.stringify(emu.requests).includes(token))
    })

    test("a missing user is the SDK's own NotFoundException", async () => {
      const err = await pkg
        .getClient()
        .userManagement.getUser('user_missing')
        .catch((e) => e)
      assert.ok(err instanceof sdkPackage.NotFoundException)
      assert.equal(pkg.NotFoundException, sdkPackage.NotFoundException)
      assert.equal(err.status, 404)
      assert.equal(err.message, 'User not found: user_missing')
      assert.match(err.requestID, /^req_/, 'the real X-Request-ID (7.x always gives "")')
    })

    test('a bad API key is the SDK UnauthorizedException', async () => {
      const client = new pkg.WorkOS('sk_wrong', { apiHostname: '127.0.0.1', port: Number(new URL(emu.url).port), https: false })
      const err = await client.userManagement.getUser('user_01EMU').catch((e) => e)
      assert.ok(err instanceof pkg.UnauthorizedException)
      assert.equal(err.status, 401)
      assert.equal(err.message, 'Could not authorize the request. Maybe your API key is invalid?')
    })

    test('an id cannot climb out of its path: nothing is sent', async () => {
      emu.resetLog()
      const client = pkg.getClient()
      await assert.rejects(client.userManagement.getUser('a/../b'), TypeError)
      await assert.rejects(client.userManagement.getUser('..'), TypeError)
      assert.ok(!emu.requests.some((r) => r.path.startsWith('/user_management/')))
    })

    test('upstream failures are errors, not crashes', async () => {
      const client = pkg.getClient()
      emu.fault('/user_management/users/user_01EMU', { status: 400, body: { message: 'Bad things' } }, { times: 1 })
      const err = await client.userManagement.getUser('user_01EMU').catch((e) => e)
      assert.ok(err instanceof pkg.GenericServerException)
      assert.equal(err.status, 400)
      assert.equal(err.message, 'Bad things')
      emu.fault('/user_management/users/user_01EMU', 'garbage', { times: 1 })
      assert.equal((await client.userManagement.getUser('user_01EMU').catch((e) => e)).name, 'ParseError')
      // Dropped on the first attempt and on each of the 3 retries.
      emu.fault('/user_management/users/user_01EMU', 'drop', { times: 4 })
      assert.match((await client.userManagement.getUser('user_01EMU').catch((e) => e)).message, /^Unexpected error/)
    })

    test('getClient() and getUser() before workosProvider() throw the original message', () => {
      const script = `
        const m = require('@xmcp-dev/workos')
        const out = []
        try { m.getClient() } catch (e) { out.push(e.message) }
        m.getUser().catch((e) => { out.push(e.message); console.log(JSON.stringify(out)) })`
      const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }))
      const message = '[WorkOS] Client not initialized. Make sure workosProvider() is configured in your middleware.'
      assert.deepEqual(out, [message, message])
    })

    test('WORKOS_API_* environment variables place the API; config wins', () => {
      const script = `
        const m = require('@xmcp-dev/workos')
        const base = { apiKey: 'k', clientId: 'c', baseURL: 'http://127.0.0.1:1', authkitDomain: 'a.authkit.app' }
        m.workosProvider(base); const fromEnv = m.getClient().baseURL
        m.workosProvider({ ...base, apiHostname: 'cfg.example', apiPort: 8443, apiHttps: true })
        console.log(JSON.stringify([fromEnv, m.getClient().baseURL]))`
      const env = { ...process.env, WORKOS_API_HOSTNAME: 'env.example', WORKOS_API_PORT: '9000', WORKOS_API_HTTPS: 'false' }
      const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, env, encoding: 'utf8' }))
      assert.deepEqual(out, ['http://env.example:9000', 'https://cfg.example:8443'])
    })
  })
})
