'use strict'

// Self-test of the AuthKit/WorkOS emulator. Run: node --test __test__/emulator.test.js
// Everything talks to 127.0.0.1 only; every wait is bounded.

const { describe, it, before, after, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const http = require('node:http')
const { createEmulator, base64url, signHs256, encodeUnsigned } = require('./support/emulator')

const TIMEOUT_MS = 2000

/** fetch with a hard timeout so no test can hang. */
function get(url, init = {}) {
  return fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'manual', ...init })
}

function postForm(url, params) {
  return get(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  })
}

function postJson(url, obj) {
  return get(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(obj) })
}

function decodeJwt(token) {
  const [h, p, s] = token.split('.')
  return {
    header: JSON.parse(Buffer.from(h, 'base64url')),
    payload: JSON.parse(Buffer.from(p, 'base64url')),
    signingInput: `${h}.${p}`,
    signature: Buffer.from(s, 'base64url'),
  }
}

/** Verifies an RS256 JWT against the emulator's *published* JWKS (fetched over HTTP). */
async function verifyWithJwks(emu, token) {
  const { header, payload, signingInput, signature } = decodeJwt(token)
  const { keys } = await (await get(`${emu.url}/oauth2/jwks`)).json()
  const jwk = keys.find((k) => k.kid === header.kid)
  if (!jwk) return { ok: false, payload }
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' })
  const ok = header.alg === 'RS256' && crypto.verify('sha256', Buffer.from(signingInput), key, signature)
  return { ok, payload, header }
}

function pkcePair() {
  const verifier = base64url(crypto.randomBytes(32))
  const challenge = base64url(crypto.createHash('sha256').update(verifier).digest())
  return { verifier, challenge }
}

/** Resolves with `promise` or rejects after `ms` (so assertions about "does not hang" are bounded). */
function within(promise, ms, what) {
  let t
  const timer = new Promise((_, reject) => {
    t = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)
  })
  return Promise.race([promise, timer]).finally(() => clearTimeout(t))
}

describe('emulator', () => {
  let emu
  before(async () => {
    emu = await createEmulator()
  })
  after(() => emu.close())
  beforeEach(() => {
    emu.clearFaults()
    emu.resetLog()
  })

  it('listens on 127.0.0.1 and serves RFC 8414 metadata', async () => {
    assert.match(emu.url, /^http:\/\/127\.0\.0\.1:\d+$/)
    const res = await get(`${emu.url}/.well-known/oauth-authorization-server`)
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type'), /^application\/json/)
    assert.match(res.headers.get('x-request-id'), /^req_/)
    const md = await res.json()
    assert.equal(md.issuer, emu.url)
    assert.equal(md.authorization_endpoint, `${emu.url}/oauth2/authorize`)
    assert.equal(md.token_endpoint, `${emu.url}/oauth2/token`)
    assert.equal(md.registration_endpoint, `${emu.url}/oauth2/register`)
    assert.equal(md.jwks_uri, `${emu.url}/oauth2/jwks`)
    assert.deepEqual(md.code_challenge_methods_supported, ['S256'])
    assert.deepEqual(md.grant_types_supported, [
      'authorization_code',
      'refresh_token',
      'client_credentials',
      'urn:ietf:params:oauth:grant-type:token-exchange',
    ])
    assert.deepEqual(md.token_endpoint_auth_methods_supported, ['none', 'client_secret_post'])
    assert.deepEqual(md.scopes_supported, ['openid', 'profile', 'email', 'offline_access'])
    assert.equal(md.client_id_metadata_document_supported, true)
  })

  it('unknown paths answer 404 JSON', async () => {
    const res = await get(`${emu.url}/nope`)
    assert.equal(res.status, 404)
    assert.match(res.headers.get('content-type'), /^application\/json/)
    assert.equal((await res.json()).code, 'not_found')
  })

  describe('keys and tokens', () => {
    it('publishes a real RSA JWKS', async () => {
      const { keys } = await (await get(`${emu.url}/oauth2/jwks`)).json()
      assert.equal(keys.length, 1)
      const [k] = keys
      assert.deepEqual(Object.keys(k).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use'])
      assert.equal(k.kty, 'RSA')
      assert.equal(k.use, 'sig')
      assert.equal(k.alg, 'RS256')
      assert.equal(k.kid, emu.currentKid)
      assert.equal(k.e, 'AQAB')
      assert.equal(Buffer.from(k.n, 'base64url').length, 256) // 2048-bit modulus
      assert.deepEqual(k, emu.publicJwk())
      const fromPem = crypto.createPublicKey(emu.publicKeyPem()).export({ format: 'jwk' })
      assert.equal(fromPem.n, k.n)
    })

    it('mintToken produces an RS256 JWT that verifies against the JWKS key', async () => {
      const token = emu.mintToken({ org_id: 'org_1' })
      const { ok, header, payload } = await verifyWithJwks(emu, token)
      assert.equal(ok, true)
      assert.deepEqual(header, { alg: 'RS256', typ: 'JWT', kid: emu.currentKid })
      assert.equal(payload.iss, emu.url)
      assert.equal(payload.sub, 'user_01EMU')
      assert.equal(payload.sid, 'session_01EMU')
      assert.equal(payload.aud, 'client_emulator')
      assert.equal(payload.org_id, 'org_1')
      assert.equal(payload.exp - payload.iat, 300)
      assert.ok(Math.abs(payload.iat - Date.now() / 1000) < 5)
      assert.equal(typeof payload.jti, 'string')

      // Tampering with the payload breaks the signature.
      const [h, , s] = token.split('.')
      const forged = `${h}.${base64url(JSON.stringify({ ...payload, sub: 'user_evil' }))}.${s}`
      assert.equal((await verifyWithJwks(emu, forged)).ok, false)
    })

    it('claims and header overrides; undefined removes', () => {
      const { header, payload } = decodeJwt(emu.mintToken({ exp: undefined, aud: 'x' }, { header: { kid: undefined, typ: 'at+jwt' } }))
      assert.equal('exp' in payload, false)
      assert.equal(payload.aud, 'x')
      assert.deepEqual(header, { alg: 'RS256', typ: 'at+jwt' })
    })

    it('attack-token helpers', () => {
      const none = encodeUnsigned({ alg: 'none' }, { sub: 'a' })
      assert.match(none, /^[\w-]+\.[\w-]+\.$/)
      assert.equal(decodeJwt(emu.mintToken({}, { alg: 'none' })).header.alg, 'none')
      assert.ok(emu.mintToken({}, { alg: 'none' }).endsWith('.'))

      const secret = Buffer.from(emu.publicKeyPem())
      const hs = signHs256({ alg: 'HS256', kid: emu.currentKid }, { sub: 'a' }, secret)
      const [h, p, s] = hs.split('.')
      assert.equal(s, crypto.createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url'))
      // mintToken's HS256 defaults to the public PEM as the secret (alg confusion).
      const confused = decodeJwt(emu.mintToken({}, { alg: 'HS256' }))
      const expected = crypto.createHmac('sha256', secret).update(confused.signingInput).digest()
      assert.deepEqual(confused.signature, expected)
    })

    it('rotateKeys keeps or drops the old key; addJwk publishes extras', async () => {
      const local = await createEmulator()
      try {
        const k1 = local.currentKid
        const oldToken = local.mintToken()
        const k2 = local.rotateKeys()
        assert.notEqual(k1, k2)
        assert.equal(local.currentKid, k2)
        let kids = (await (await get(`${local.url}/oauth2/jwks`)).json()).keys.map((k) => k.kid)
        assert.deepEqual(kids, [k1, k2])
        assert.equal(decodeJwt(local.mintToken()).header.kid, k2)
        assert.equal((await verifyWithJwks(local, local.mintToken())).ok, true)
        assert.equal((await verifyWithJwks(local, oldToken)).ok, true)

        const k3 = local.rotateKeys({ keepOld: false })
        kids = (await (await get(`${local.url}/oauth2/jwks`)).json()).keys.map((k) => k.kid)
        assert.deepEqual(kids, [k3])
        assert.equal((await verifyWithJwks(local, oldToken)).ok, false)
        // Retired keys can still sign, for "token from a dropped key" tests.
        assert.equal(decodeJwt(local.mintToken({}, { kid: k1 })).header.kid, k1)

        local.addJwk({ kty: 'oct', kid: 'hmac', k: base64url('secret') })
        const { keys } = await (await get(`${local.url}/oauth2/jwks`)).json()
        assert.deepEqual(keys[1], { kty: 'oct', kid: 'hmac', k: base64url('secret') })
      } finally {
        await local.close()
      }
    })
  })

  describe('OAuth flow', () => {
    let client
    const redirectUri = 'http://127.0.0.1:9/callback'

    async function authorize(params = {}) {
      const { verifier, challenge } = pkcePair()
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: redirectUri,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: 'st8',
        scope: 'openid profile email offline_access',
        ...params,
      })
      const res = await get(`${emu.url}/oauth2/authorize?${q}`)
      return { res, verifier, location: res.headers.get('location') && new URL(res.headers.get('location')) }
    }

    async function exchange(code, verifier, extra = {}) {
      return postForm(`${emu.url}/oauth2/token`, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        client_id: client.client_id,
        code_verifier: verifier,
        ...extra,
      })
    }

    before(async () => {
      const res = await postJson(`${emu.url}/oauth2/register`, {
        redirect_uris: [redirectUri],
        client_name: 'Test MCP client',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      })
      assert.equal(res.status, 201)
      client = await res.json()
    })

    it('dynamic client registration (RFC 7591)', async () => {
      assert.match(client.client_id, /^client_/)
      assert.equal(typeof client.client_id_issued_at, 'number')
      assert.deepEqual(client.redirect_uris, [redirectUri])
      assert.equal(client.client_name, 'Test MCP client')
      assert.equal(client.token_endpoint_auth_method, 'none')
      assert.equal(client.client_secret, undefined)

      const bad = await postJson(`${emu.url}/oauth2/register`, { redirect_uris: ['not a url'] })
      assert.equal(bad.status, 400)
      assert.equal((await bad.json()).error, 'invalid_redirect_uri')
    })

    it('authorize → token → refresh with PKCE', async () => {
      const { res, verifier, location } = await authorize()
      assert.equal(res.status, 302)
      assert.equal(`${location.origin}${location.pathname}`, redirectUri)
      assert.equal(location.searchParams.get('state'), 'st8')
      const code = location.searchParams.get('code')
      assert.ok(code)

      const tokRes = await exchange(code, verifier)
      assert.equal(tokRes.status, 200)
      assert.equal(tokRes.headers.get('cache-control'), 'no-store')
      const tok = await tokRes.json()
      assert.equal(tok.token_type, 'Bearer')
      assert.equal(tok.expires_in, 300)
      assert.equal(tok.scope, 'openid profile email offline_access')
      const first = await verifyWithJwks(emu, tok.access_token)
      assert.equal(first.ok, true)
      assert.equal(first.payload.sub, 'user_01EMU')
      assert.equal(first.payload.aud, 'client_emulator')
      assert.equal(first.payload.iss, emu.url)
      assert.match(first.payload.sid, /^session_/)
      assert.equal('org_id' in first.payload, false)

      // Codes are single-use.
      const replay = await exchange(code, verifier)
      assert.equal(replay.status, 400)
      assert.equal((await replay.json()).error, 'invalid_grant')

      // Refresh rotates the refresh token and keeps the session.
      const refresh = () =>
        postForm(`${emu.url}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: tok.refresh_token, client_id: client.client_id })
      const r1 = await refresh()
      assert.equal(r1.status, 200)
      const tok2 = await r1.json()
      assert.notEqual(tok2.refresh_token, tok.refresh_token)
      const second = await verifyWithJwks(emu, tok2.access_token)
      assert.equal(second.ok, true)
      assert.equal(second.payload.sid, first.payload.sid)
      const r2 = await refresh() // old refresh token is dead
      assert.equal(r2.status, 400)
      assert.equal((await r2.json()).error, 'invalid_grant')
    })

    it('rejects a wrong PKCE verifier', async () => {
      const { location } = await authorize()
      const res = await exchange(location.searchParams.get('code'), pkcePair().verifier)
      assert.equal(res.status, 400)
      const body = await res.json()
      assert.equal(body.error, 'invalid_grant')
      assert.equal(typeof body.error_description, 'string')
    })

    it('authorize validates client, redirect_uri and PKCE', async () => {
      const unknown = await authorize({ client_id: 'client_unknown' })
      assert.equal(unknown.res.status, 400)
      assert.equal((await unknown.res.json()).error, 'invalid_client')

      const badRedirect = await authorize({ redirect_uri: 'http://127.0.0.1:9/evil' })
      assert.equal(badRedirect.res.status, 400)
      assert.equal(badRedirect.location, null)

      const plain = await authorize({ code_challenge_method: 'plain' })
      assert.equal(plain.res.status, 302)
      assert.equal(plain.location.searchParams.get('error'), 'invalid_request')
      assert.equal(plain.location.searchParams.get('code'), null)
      assert.equal(plain.location.searchParams.get('state'), 'st8')
    })

    it('token endpoint errors per RFC 6749', async () => {
      const cases = [
        [{ grant_type: 'password' }, 'unsupported_grant_type'],
        [{}, 'invalid_request'],
        [{ grant_type: 'refresh_token', refresh_token: 'x', client_id: 'client_nope' }, 'invalid_client'],
        [{ grant_type: 'refresh_token', refresh_token: 'x', client_id: client.client_id }, 'invalid_grant'],
      ]
      for (const [params, error] of cases) {
        const res = await postForm(`${emu.url}/oauth2/token`, params)
        assert.equal(res.status, 400, error)
        assert.equal((await res.json()).error, error)
      }
      // redirect_uri must match the authorization request.
      const { location, verifier } = await authorize()
      const res = await exchange(location.searchParams.get('code'), verifier, { redirect_uri: 'http://127.0.0.1:9/other' })
      assert.equal((await res.json()).error, 'invalid_grant')
    })

    it('accepts JSON token requests; codes expire after 60 s', async () => {
      let now = Date.now()
      const local = await createEmulator({ now: () => now })
      try {
        const c = local.registerClient({ redirect_uris: [redirectUri] })
        const run = async (advanceMs) => {
          const { verifier, challenge } = pkcePair()
          const q = new URLSearchParams({
            response_type: 'code',
            client_id: c.client_id,
            redirect_uri: redirectUri,
            code_challenge: challenge,
            code_challenge_method: 'S256',
          })
          const code = new URL((await get(`${local.url}/oauth2/authorize?${q}`)).headers.get('location')).searchParams.get('code')
          now += advanceMs
          return postJson(`${local.url}/oauth2/token`, {
            grant_type: 'authorization_code',
            code,
            redirect_uri: redirectUri,
            client_id: c.client_id,
            code_verifier: verifier,
          })
        }
        assert.equal((await run(59_000)).status, 200)
        const expired = await run(61_000)
        assert.equal(expired.status, 400)
        assert.equal((await expired.json()).error, 'invalid_grant')
      } finally {
        await local.close()
      }
    })

    it('login user, org_id and resource indicator (RFC 8707)', async () => {
      const local = await createEmulator({ resourceIndicator: true, accessTokenTtl: 60 })
      try {
        local.addUser({ id: 'user_grace', email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper', organizationId: 'org_navy' })
        local.setLoginUser('user_grace')
        const c = local.registerClient({ redirect_uris: [redirectUri] })
        const { verifier, challenge } = pkcePair()
        const q = new URLSearchParams({
          response_type: 'code',
          client_id: c.client_id,
          redirect_uri: redirectUri,
          code_challenge: challenge,
          code_challenge_method: 'S256',
          resource: 'http://127.0.0.1:3001/mcp',
        })
        const code = new URL((await get(`${local.url}/oauth2/authorize?${q}`)).headers.get('location')).searchParams.get('code')
        const res = await postForm(`${local.url}/oauth2/token`, {
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
          client_id: c.client_id,
          code_verifier: verifier,
          resource: 'http://127.0.0.1:3001/mcp',
        })
        const tok = await res.json()
        assert.equal(tok.expires_in, 60)
        const { ok, payload } = await verifyWithJwks(local, tok.access_token)
        assert.equal(ok, true)
        assert.equal(payload.sub, 'user_grace')
        assert.equal(payload.org_id, 'org_navy')
        assert.equal(payload.aud, 'http://127.0.0.1:3001/mcp')
        assert.equal(payload.exp - payload.iat, 60)
      } finally {
        await local.close()
      }
    })
  })

  describe('WorkOS users API', () => {
    const auth = { authorization: 'Bearer sk_test_emulator' }

    it('returns the default user in wire format', async () => {
      const res = await get(`${emu.url}/user_management/users/user_01EMU`, { headers: auth })
      assert.equal(res.status, 200)
      assert.match(res.headers.get('x-request-id'), /^req_/)
      assert.deepEqual(await res.json(), {
        object: 'user',
        id: 'user_01EMU',
        email: 'ada@example.com',
        email_verified: true,
        first_name: 'Ada',
        last_name: 'Lovelace',
        profile_picture_url: null,
        last_sign_in_at: '2026-11-01T10:00:00.000Z',
        locale: null,
        external_id: null,
        metadata: {},
        created_at: '2026-01-01T00:00:00.000Z',
        updated_at: '2026-01-02T00:00:00.000Z',
      })
      const [logged] = emu.requests
      assert.equal(logged.method, 'GET')
      assert.equal(logged.path, '/user_management/users/user_01EMU')
      assert.equal(logged.headers.authorization, 'Bearer sk_test_emulator')
      assert.equal(emu.count('/user_management/users/user_01EMU'), 1)
    })

    it('401 without or with a wrong API key', async () => {
      for (const headers of [{}, { authorization: 'Bearer sk_wrong' }, { authorization: 'sk_test_emulator' }]) {
        const res = await get(`${emu.url}/user_management/users/user_01EMU`, { headers })
        assert.equal(res.status, 401)
        assert.deepEqual(await res.json(), { message: 'Unauthorized', code: 'unauthorized' })
      }
    })

    it('404 entity_not_found; the id segment is percent-decoded once', async () => {
      const res = await get(`${emu.url}/user_management/users/user_missing`, { headers: auth })
      assert.equal(res.status, 404)
      assert.deepEqual(await res.json(), { message: 'User not found: user_missing', code: 'entity_not_found', entity_id: 'user_missing' })

      emu.addUser({ id: 'user_a/b', email: 'ab@example.com' }, { raw: { locale: 'en-GB' } })
      const ok = await get(`${emu.url}/user_management/users/${encodeURIComponent('user_a/b')}`, { headers: auth })
      assert.equal(ok.status, 200)
      const user = await ok.json()
      assert.equal(user.id, 'user_a/b')
      assert.equal(user.locale, 'en-GB')
      assert.equal(user.first_name, null)
      assert.equal(emu.count('/user_management/users/user_a%2Fb'), 1)
      // Unencoded it is two segments: not the user endpoint.
      assert.equal((await get(`${emu.url}/user_management/users/user_a/b`, { headers: auth })).status, 404)
      emu.removeUser('user_a/b')
    })

    it('is compatible with @workos-inc/node (its code, over the native transport)', async () => {
      const { WorkOS } = require('@xmcp-dev/workos')
      const port = Number(new URL(emu.url).port)
      const opts = { apiHostname: '127.0.0.1', port, https: false, timeout: TIMEOUT_MS }
      const workos = new WorkOS('sk_test_emulator', opts)
      const user = await workos.userManagement.getUser('user_01EMU')
      assert.equal(user.firstName, 'Ada')
      assert.equal(user.emailVerified, true)
      await assert.rejects(workos.userManagement.getUser('user_missing'), { status: 404, message: 'User not found: user_missing' })
      await assert.rejects(new WorkOS('sk_bad', opts).userManagement.getUser('user_01EMU'), { status: 401, name: 'UnauthorizedException' })
    })

    it("counts WorkOS API requests of the SDK's fetch client, and close() fails on them", async () => {
      const other = await createEmulator()
      const res = await fetch(`${other.url}/user_management/users/user_01EMU`, { headers: { 'user-agent': 'workos-node/7.82.0/fetch' } })
      await res.arrayBuffer()
      assert.equal(other.sdkFetchRequests, 1)
      await assert.rejects(other.close(), /1 WorkOS API requests came from @workos-inc\/node's fetch client/)
    })
  })

  describe('WorkOS Connect applications: client credentials and token exchange', () => {
    const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
    const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token'
    const token = (params) => postForm(`${emu.url}/oauth2/token`, params)
    const errorOf = async (res) => [res.status, (await res.json()).error]

    it('an M2M application gets a token without sid, for itself, in its organization', async () => {
      const app = emu.createApplication({ type: 'm2m', organizationId: 'org_m2m', scopes: ['a', 'b'] })
      const res = await token({ grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret, scope: 'a' })
      assert.equal(res.status, 200)
      const body = await res.json()
      assert.equal(body.token_type, 'bearer')
      assert.equal(body.refresh_token, undefined)
      const { payload } = decodeJwt(body.access_token)
      assert.equal(payload.sub, app.client_id)
      assert.equal(payload.client_id, app.client_id)
      assert.equal(payload.org_id, 'org_m2m')
      assert.equal(payload.scope, 'a')
      assert.equal(payload.aud, emu.clientId)
      assert.equal('sid' in payload, false)
      assert.deepEqual(await errorOf(await token({ grant_type: 'client_credentials', client_id: app.client_id, client_secret: 'x' })), [
        401,
        'invalid_client',
      ])
      assert.deepEqual(
        await errorOf(
          await token({ grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret, scope: 'c' }),
        ),
        [400, 'invalid_scope'],
      )
      const oauth = emu.createApplication({ type: 'oauth', firstParty: true })
      assert.deepEqual(
        await errorOf(await token({ grant_type: 'client_credentials', client_id: oauth.client_id, client_secret: oauth.client_secret })),
        [400, 'unauthorized_client'],
      )
    })

    it('a first-party application exchanges a user token for a registered resource; every refusal has its error', async () => {
      const app = emu.createApplication({ type: 'oauth', firstParty: true })
      emu.addResource('https://api.example/')
      const subject = emu.mintToken({ scope: 'read write', org_id: 'org_1', act: { sub: 'admin@example.com' } })
      const base = {
        grant_type: TOKEN_EXCHANGE,
        client_id: app.client_id,
        client_secret: app.client_secret,
        subject_token: subject,
        subject_token_type: ACCESS_TOKEN,
        resource: 'https://api.example/',
      }
      const res = await token({ ...base, scope: 'read' })
      assert.equal(res.status, 200)
      const body = await res.json()
      assert.equal(body.issued_token_type, ACCESS_TOKEN)
      assert.equal(body.scope, 'read')
      const { payload } = decodeJwt(body.access_token)
      const original = decodeJwt(subject).payload
      assert.deepEqual(
        [payload.sub, payload.sid, payload.org_id, payload.aud],
        [original.sub, original.sid, 'org_1', 'https://api.example/'],
      )
      assert.deepEqual(payload.act, { sub: app.client_id, act: { sub: 'admin@example.com' } }, 'the previous actor nested')
      assert.ok(payload.exp <= original.exp)
      const refusals = [
        [{ subject_token: undefined }, 'invalid_request'],
        [{ subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' }, 'invalid_request'],
        [{ resource: 'https://elsewhere.example/' }, 'invalid_target'],
        [{ resource: undefined }, 'invalid_target'],
        [{ scope: 'admin' }, 'invalid_scope'],
        [{ subject_token: emu.mintToken({ exp: Math.floor(Date.now() / 1000) - 5 }) }, 'invalid_grant'],
        [
          { subject_token: emu.mintToken({}, { key: crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey }) },
          'invalid_grant',
        ],
        [{ subject_token: emu.mintToken({ iss: 'https://other.example' }) }, 'invalid_grant'],
        [{ subject_token: 'not.a.jwt' }, 'invalid_grant'],
      ]
      for (const [patch, error] of refusals) {
        const params = Object.fromEntries(Object.entries({ ...base, ...patch }).filter(([, v]) => v !== undefined))
        assert.deepEqual(await errorOf(await token(params)), [400, error], JSON.stringify(patch))
      }
      const thirdParty = emu.createApplication({ type: 'oauth', firstParty: false })
      assert.deepEqual(await errorOf(await token({ ...base, client_id: thirdParty.client_id, client_secret: thirdParty.client_secret })), [
        400,
        'unauthorized_client',
      ])
    })
  })

  describe('fault injection', () => {
    const jwks = () => `${emu.url}/oauth2/jwks`

    it("'500' answers a JSON error, `times` counts down", async () => {
      emu.fault('/oauth2/jwks', '500', { times: 1 })
      const res = await get(jwks())
      assert.equal(res.status, 500)
      assert.match(res.headers.get('content-type'), /^application\/json/)
      assert.equal(typeof (await res.json()).message, 'string')
      assert.equal((await get(jwks())).status, 200)
      assert.equal(emu.count('/oauth2/jwks'), 2)
    })

    it("'garbage' answers 200 application/json that is not JSON", async () => {
      emu.fault('/oauth2/jwks', 'garbage')
      const res = await get(jwks())
      assert.equal(res.status, 200)
      assert.match(res.headers.get('content-type'), /^application\/json/)
      await assert.rejects(res.json(), SyntaxError)
    })

    it("'drop' destroys the socket", async () => {
      emu.fault('/oauth2/jwks', 'drop')
      await assert.rejects(get(jwks()), TypeError) // fetch failed: socket closed
    })

    it("'hang' never answers (bounded by a client timeout)", async () => {
      emu.fault('/oauth2/jwks', 'hang')
      await assert.rejects(fetch(jwks(), { signal: AbortSignal.timeout(200) }), { name: 'TimeoutError' })
      assert.equal(emu.count('/oauth2/jwks'), 1)
    })

    it('custom response and clearFaults', async () => {
      emu.fault('/user_management/users/user_01EMU', { status: 429, body: { message: 'slow down' }, headers: { 'retry-after': '7' } })
      const res = await get(`${emu.url}/user_management/users/user_01EMU`)
      assert.equal(res.status, 429)
      assert.equal(res.headers.get('retry-after'), '7')
      assert.deepEqual(await res.json(), { message: 'slow down' })
      emu.clearFaults()
      assert.equal((await get(`${emu.url}/user_management/users/user_01EMU`)).status, 401)
    })

    it('setDelay adds latency', async () => {
      emu.setDelay('/oauth2/jwks', 150)
      const started = Date.now()
      assert.equal((await get(jwks())).status, 200)
      assert.ok(Date.now() - started >= 140)
      emu.setDelay('/oauth2/jwks', 0)
    })
  })

  it('close() does not hang with a hung request open', async () => {
    const local = await createEmulator()
    local.fault('/oauth2/jwks', 'hang')
    const clientErr = new Promise((resolve) => {
      const req = http.get(`${local.url}/oauth2/jwks`, () => resolve(new Error('unexpected response')))
      req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error('client timeout')))
      req.on('error', resolve)
    })
    // Wait until the server has logged the request, then close.
    await within(
      (async () => {
        while (local.count('/oauth2/jwks') === 0) await new Promise((r) => setTimeout(r, 10))
      })(),
      TIMEOUT_MS,
      'request arrival',
    )
    await within(local.close(), TIMEOUT_MS, 'close()')
    const err = await clientErr
    assert.match(err.message, /socket hang up|ECONNRESET/)
    await within(local.close(), TIMEOUT_MS, 'second close()') // idempotent
  })
})
