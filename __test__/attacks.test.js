'use strict'
// The attack suite: what the verifier refuses, case by case (RFC 8725 and the matrix in
// shared/research/mcp-auth-anchors.md §5). Each case pins the exact outcome: the HTTP status the
// middleware would answer and the internal rejection reason (never sent to clients).
const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const http = require('node:http')
const { createEmulator, base64url, encodeUnsigned } = require('./support/emulator')
const { configFor, startExpressApp } = require('./support/express-app')
const { judgeHeader } = require('./support/verdict')
const { NativeProvider } = require('../native.js')

const now = () => Math.floor(Date.now() / 1000)

let emu
let provider

/** A provider for `emu` with warm keys; `overrides` as in workosProvider's config. */
async function warmProvider(target, overrides = {}) {
  const p = new NativeProvider(configFor(target, 'http://127.0.0.1:3002', overrides))
  await p.warmUp()
  return p
}

/** Judges `Bearer <token>` exactly as the middleware does (sync first, then async). */
async function judge(token, p = provider) {
  const header = `Bearer ${token}`
  return judgeHeader(p, header)
}

/** Signs arbitrary header/payload bytes with the emulator's RS256 key (raw control of encoding). */
function signRaw(headerB64, payloadB64, kid = emu.currentKid) {
  const input = `${headerB64}.${payloadB64}`
  const sig = crypto.sign('sha256', Buffer.from(input), emu._key(kid).privateKey)
  return `${input}.${base64url(sig)}`
}

const enc = (obj) => base64url(JSON.stringify(obj))
const header = (extra = {}) => ({ alg: 'RS256', typ: 'JWT', kid: emu.currentKid, ...extra })
const claims = (extra = {}) => ({
  iss: emu.url,
  aud: emu.clientId,
  sub: 'user_1',
  sid: 'session_1',
  iat: now(),
  exp: now() + 300,
  ...extra,
})
const hmac = (alg, secret, h = {}, c = {}) => {
  const input = `${enc({ alg, kid: emu.currentKid, ...h })}.${enc(claims(c))}`
  const digest = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg]
  return `${input}.${base64url(crypto.createHmac(digest, secret).update(input).digest())}`
}

before(async () => {
  emu = await createEmulator()
  provider = await warmProvider(emu, { tokenCache: false })
})
after(() => emu.close())

const rejected = (reason) => ({ status: 401, reason })
const expired = { status: 401, reason: 'expired' }
const accepted = { status: 200 }

// name → [() => token, expected]
const cases = {
  // Algorithms
  'alg none, no signature': [() => emu.mintToken({}, { alg: 'none' }), rejected('algorithm_not_allowed')],
  'alg None': [() => encodeUnsigned(header({ alg: 'None' }), claims()), rejected('algorithm_not_allowed')],
  'alg NONE with a signature': [
    () => `${encodeUnsigned(header({ alg: 'NONE' }), claims())}${base64url('x'.repeat(256))}`,
    rejected('algorithm_not_allowed'),
  ],
  'alg RS256 header with an empty signature': [() => `${enc(header())}.${enc(claims())}.`, rejected('bad_signature')],
  'HS256 keyed with the PEM public key': [() => hmac('HS256', emu.publicKeyPem()), rejected('algorithm_not_allowed')],
  'HS384 keyed with the PEM public key': [() => hmac('HS384', emu.publicKeyPem()), rejected('algorithm_not_allowed')],
  'HS512 keyed with the PEM public key': [() => hmac('HS512', emu.publicKeyPem()), rejected('algorithm_not_allowed')],
  'HS256 keyed with the DER public key': [
    () => hmac('HS256', crypto.createPublicKey(emu.publicKeyPem()).export({ type: 'spki', format: 'der' })),
    rejected('algorithm_not_allowed'),
  ],
  'HS256 keyed with the JWK modulus': [() => hmac('HS256', Buffer.from(emu.publicJwk().n, 'base64url')), rejected('algorithm_not_allowed')],
  'PS256 validly signed by the real key': [() => emu.mintToken({}, { alg: 'PS256' }), rejected('algorithm_not_allowed')],
  'RS512 validly signed by the real key': [() => emu.mintToken({}, { alg: 'RS512' }), rejected('algorithm_not_allowed')],
  'ES256 validly signed by another key': [
    () => emu.mintToken({}, { alg: 'ES256', key: crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey }),
    rejected('algorithm_not_allowed'),
  ],
  'EdDSA validly signed by another key': [
    () => {
      const input = `${enc(header({ alg: 'EdDSA' }))}.${enc(claims())}`
      const { privateKey } = crypto.generateKeyPairSync('ed25519')
      return `${input}.${base64url(crypto.sign(null, Buffer.from(input), privateKey))}`
    },
    rejected('algorithm_not_allowed'),
  ],
  'RS256 signed by an attacker key under the real kid': [
    () => emu.mintToken({}, { key: crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey }),
    rejected('bad_signature'),
  ],

  // Headers
  // Issued before the provider's keys were downloaded, so not a key AuthKit may have published since
  // (a newer token with an unknown kid is told to retry: keys.test.js).
  'unknown kid': [() => emu.mintToken({ iat: now() - 120 }, { header: { kid: 'no-such-key' } }), rejected('unknown_key')],
  'kid that is a number': [() => signRaw(enc(header({ kid: 7 })), enc(claims())), rejected('malformed_kid')],
  'kid that is null': [() => signRaw(enc(header({ kid: null })), enc(claims())), rejected('malformed_kid')],
  'kid of 1 KiB': [() => signRaw(enc(header({ kid: 'k'.repeat(1024) })), enc(claims())), rejected('malformed_kid')],
  'kid full of path characters': [
    () => signRaw(enc(header({ kid: '../../../etc/passwd?x=%00' })), enc(claims({ iat: now() - 120 }))),
    rejected('unknown_key'),
  ],
  'crit with an unknown extension': [() => emu.mintToken({}, { header: { crit: ['exp'] } }), rejected('crit_not_supported')],
  'crit b64 with b64 false': [() => emu.mintToken({}, { header: { crit: ['b64'], b64: false } }), rejected('crit_not_supported')],
  'b64 false without crit': [() => emu.mintToken({}, { header: { b64: false } }), rejected('b64_not_supported')],
  'nested JWT (cty JWT)': [() => signRaw(enc(header({ cty: 'JWT' })), base64url(emu.mintToken())), rejected('malformed_payload')],
  'five-part JWE': [() => `${enc({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d`, rejected('not_a_jws')],
  'duplicate alg in the header': [
    () => signRaw(base64url(`{"alg":"none","alg":"RS256","kid":"${emu.currentKid}"}`), enc(claims())),
    rejected('malformed_header'),
  ],
  'header that is not an object': [() => signRaw(base64url('["RS256"]'), enc(claims())), rejected('malformed_header')],

  // Claims
  'exp missing': [() => emu.mintToken({ exp: undefined }), rejected('missing_exp')],
  'exp as a string': [() => emu.mintToken({ exp: String(now() + 300) }), rejected('exp_not_a_number')],
  'exp as a float': [() => emu.mintToken({ exp: now() + 300.5 }), accepted],
  'exp negative': [() => emu.mintToken({ exp: -1 }), expired],
  'exp 0': [() => emu.mintToken({ exp: 0 }), expired],
  'exp at the leeway boundary (now - 30 s)': [() => emu.mintToken({ exp: now() - 30 }), expired],
  'exp just inside the leeway (now - 28 s)': [() => emu.mintToken({ exp: now() - 28 }), accepted],
  'exp just outside the leeway (now - 31 s)': [() => emu.mintToken({ exp: now() - 31 }), expired],
  'exp beyond 2^53': [() => emu.mintToken({ exp: 2 ** 60 }), accepted],
  'nbf in the future': [() => emu.mintToken({ nbf: now() + 120 }), rejected('not_yet_valid')],
  'nbf inside the leeway': [() => emu.mintToken({ nbf: now() + 20 }), accepted],
  'nbf as a string': [() => emu.mintToken({ nbf: String(now() + 3600) }), rejected('nbf_not_a_number')],
  'iat in the future': [() => emu.mintToken({ iat: now() + 120 }), rejected('issued_in_the_future')],
  'iat as a string': [() => emu.mintToken({ iat: 'yesterday' }), rejected('iat_not_a_number')],
  'iss with a trailing slash': [() => emu.mintToken({ iss: `${emu.url}/` }), rejected('issuer_mismatch')],
  'iss in different case': [() => emu.mintToken({ iss: emu.url.toUpperCase() }), rejected('issuer_mismatch')],
  'iss missing': [() => emu.mintToken({ iss: undefined }), rejected('issuer_mismatch')],
  'aud as the client id string': [() => emu.mintToken({ aud: emu.clientId }), accepted],
  'aud as an array holding the client id': [() => emu.mintToken({ aud: ['x', emu.clientId] }), accepted],
  'aud as the MCP resource URL': [() => emu.mintToken({ aud: 'http://127.0.0.1:3002/mcp' }), accepted],
  'aud as an empty array': [() => emu.mintToken({ aud: [] }), rejected('audience_mismatch')],
  'aud as an array of foreign audiences': [
    () => emu.mintToken({ aud: ['client_other', 'https://evil/mcp'] }),
    rejected('audience_mismatch'),
  ],
  'aud missing': [() => emu.mintToken({ aud: undefined }), rejected('audience_mismatch')],
  'sub empty': [() => emu.mintToken({ sub: '' }), rejected('missing_sub')],
  'sub not a string': [() => emu.mintToken({ sub: 12345 }), rejected('missing_sub')],
  'sid missing': [() => emu.mintToken({ sid: undefined }), rejected('missing_sid')],
  'sid empty': [() => emu.mintToken({ sid: '' }), rejected('missing_sid')],
  'payload that is not an object': [() => signRaw(enc(header()), base64url('"just a string"')), rejected('malformed_payload')],

  // Encoding and size
  'duplicate exp in the payload': [
    () =>
      signRaw(enc(header()), base64url(`{"iss":"${emu.url}","aud":"${emu.clientId}","sub":"s","sid":"s","exp":1,"exp":${now() + 300}}`)),
    rejected('malformed_payload'),
  ],
  'duplicate sub in the payload': [
    () =>
      signRaw(
        enc(header()),
        base64url(`{"iss":"${emu.url}","aud":"${emu.clientId}","sub":"user_a","sub":"user_admin","sid":"s","exp":${now() + 300}}`),
      ),
    rejected('malformed_payload'),
  ],
  'invalid UTF-8 in the payload': [
    () =>
      signRaw(
        enc(header()),
        base64url(
          Buffer.concat([
            Buffer.from(`{"iss":"${emu.url}","aud":"${emu.clientId}","sub":"`),
            Buffer.from([0xff, 0xfe]),
            Buffer.from(`","sid":"s","exp":${now() + 300}}`),
          ]),
        ),
      ),
    rejected('malformed_payload'),
  ],
  'padded base64 header': [
    () => {
      const [h, p, s] = emu.mintToken().split('.')
      return `${h}==.${p}.${s}`
    },
    rejected('malformed_header'),
  ],
  'padded base64 signature': [() => `${emu.mintToken()}==`, rejected('malformed_signature')],
  'padded payload under a valid signature': [() => signRaw(enc(header()), `${enc(claims())}==`), rejected('malformed_payload')],
  'standard base64 alphabet in the payload': [
    () =>
      signRaw(
        enc(header()),
        Buffer.from(JSON.stringify(claims({ pad: '>>>???' })))
          .toString('base64')
          .replace(/=+$/, ''),
      ),
    rejected('malformed_payload'),
  ],
  'non-canonical trailing bits in the signature': [
    () => {
      const token = emu.mintToken()
      // 256 signature bytes encode to 342 chars whose last char carries 4 unused bits.
      const last = token.at(-1)
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
      const idx = alphabet.indexOf(last)
      return token.slice(0, -1) + alphabet[(idx & ~0b1111) | ((idx + 1) & 0b1111)]
    },
    rejected('malformed_signature'),
  ],
  'whitespace inside the header segment': [
    () => {
      const [h, p, s] = emu.mintToken().split('.')
      return `${h.slice(0, 5)}\n${h.slice(5)}.${p}.${s}`
    },
    rejected('malformed_header'),
  ],
  'whitespace inside the payload segment (the signature no longer matches)': [
    () => {
      const [h, p, s] = emu.mintToken().split('.')
      return `${h}.${p.slice(0, 5)}\n${p.slice(5)}.${s}`
    },
    rejected('bad_signature'),
  ],
  'more than three segments': [() => `${emu.mintToken()}.extra`, rejected('not_a_jws')],
  'empty token segments': [() => '..', rejected('malformed_header')],
  'token just over the 16 KiB cap': [() => `${emu.mintToken()}${'A'.repeat(16 * 1024)}`, rejected('token_too_large')],
}

describe('attack suite: tokens', () => {
  for (const [name, [makeToken, expected]] of Object.entries(cases)) {
    test(name, async () => {
      const outcome = await judge(makeToken())
      assert.equal(outcome.status, expected.status, `status (reason: ${outcome.reason})`)
      if (expected.reason) assert.equal(outcome.reason, expected.reason)
      if (outcome.status === 401) {
        assert.equal(outcome.session ?? undefined, undefined)
        const body = JSON.parse(outcome.body)
        assert.ok(['invalid_token', 'token_expired'].includes(body.error))
        assert.ok(!outcome.body.includes(`"${outcome.reason}"`), 'the reason is never sent to the client')
      }
    })
  }

  test('a token of exactly 16 KiB with a valid signature is accepted', async () => {
    const base = emu.mintToken({ pad: '' })
    const padded = emu.mintToken({ pad: 'x'.repeat(Math.floor(((16 * 1024 - base.length) * 3) / 4)) })
    const fill = 16 * 1024 - padded.length
    const token = emu.mintToken({ pad: 'x'.repeat(Math.floor(((16 * 1024 - base.length) * 3) / 4) + Math.floor((fill * 3) / 4)) })
    assert.ok(token.length <= 16 * 1024 && token.length > 16 * 1024 - 8, `length ${token.length}`)
    assert.equal((await judge(token)).status, 200)
  })
})

describe('attack suite: keys', () => {
  test('a kty oct key in the JWKS never becomes an HMAC secret', async () => {
    const own = await createEmulator()
    try {
      own.addJwk({ kty: 'oct', kid: 'hmac-key', k: base64url('shared-secret'), alg: 'HS256' })
      const p = await warmProvider(own)
      const input = `${enc({ alg: 'HS256', kid: 'hmac-key' })}.${enc({ iss: own.url, aud: own.clientId, sub: 's', sid: 's', exp: now() + 60 })}`
      const token = `${input}.${base64url(crypto.createHmac('sha256', 'shared-secret').update(input).digest())}`
      assert.equal((await judge(token, p)).reason, 'algorithm_not_allowed')
      const rs = own.mintToken({}, { header: { kid: 'hmac-key' } })
      assert.equal((await judge(rs, p)).reason, 'unknown_key', 'an RS256 token naming the oct key finds no RSA key')
    } finally {
      await own.close()
    }
  })

  for (const [name, patch] of Object.entries({
    'use enc': { use: 'enc' },
    'alg PS256': { alg: 'PS256' },
    'key_ops encrypt': { key_ops: ['encrypt'] },
  })) {
    test(`a JWK with ${name} is not used for RS256 verification`, async () => {
      const own = await createEmulator()
      try {
        own.addJwk({ ...own.publicJwk(), kid: 'restricted', ...patch })
        const p = await warmProvider(own)
        const token = own.mintToken({}, { header: { kid: 'restricted' } }) // signed by the real private key
        assert.equal((await judge(token, p)).reason, 'unknown_key')
      } finally {
        await own.close()
      }
    })
  }

  test('missing kid: accepted with one published key, refused with several', async () => {
    const own = await createEmulator()
    try {
      const p = await warmProvider(own)
      assert.equal((await judge(own.mintToken({}, { header: { kid: undefined } }), p)).status, 200)
      own.rotateKeys({ keepOld: true })
      const q = await warmProvider(own)
      assert.equal((await judge(own.mintToken({}, { header: { kid: undefined } }), q)).reason, 'unknown_key')
    } finally {
      await own.close()
    }
  })

  test('unknown kids refetch the JWKS at most once per cooldown, not per request', async () => {
    const own = await createEmulator()
    try {
      const p = await warmProvider(own, { jwks: { cooldownMs: 60_000 } })
      own.resetLog()
      // Issued before the download: 401 (fresh ones are told to retry, at the same cost: keys.test.js).
      const forged = (i) => own.mintToken({ iat: now() - 120 }, { header: { kid: `k${i}` } })
      const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => judge(forged(i), p)))
      assert.ok(outcomes.every((o) => o.reason === 'unknown_key'))
      // The warm-up did not spend the budget: the first unknown kid downloads once, the rest wait for it.
      assert.equal(own.count('/oauth2/jwks'), 1)
    } finally {
      await own.close()
    }
  })

  for (const field of ['jku', 'x5u']) {
    test(`a ${field} header is never fetched`, async () => {
      const reached = { connections: 0, requests: 0 }
      const attacker = http.createServer((req, res) => {
        reached.requests++
        res.end('{}')
      })
      attacker.on('connection', () => reached.connections++)
      await new Promise((r) => attacker.listen(0, '127.0.0.1', r))
      try {
        const url = `http://127.0.0.1:${attacker.address().port}/keys`
        const evilKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
        const token = emu.mintToken({}, { key: evilKey, header: { [field]: url, kid: 'evil' } })
        // A fresh provider: its warm-up leaves the unknown-kid download to this token.
        const fresh = await warmProvider(emu)
        emu.resetLog()
        assert.equal((await judge(token, fresh)).reason, 'unknown_key')
        // The verdict came after the one download the unknown kid allows, from AuthKit (the emulator
        // logged it); the verifier has nothing left to fetch, and the header's URL got nothing.
        assert.equal(emu.count('/oauth2/jwks'), 1)
        assert.deepEqual(reached, { connections: 0, requests: 0 })
      } finally {
        attacker.close()
      }
    })
  }

  test('an embedded jwk header is ignored', async () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
    const token = emu.mintToken({}, { key: privateKey, header: { jwk: publicKey.export({ format: 'jwk' }) } })
    assert.equal((await judge(token)).reason, 'bad_signature')
  })

  test('an embedded x5c header is ignored', async () => {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
    const token = emu.mintToken({}, { key: privateKey, header: { x5c: [base64url('not a certificate')] } })
    assert.equal((await judge(token)).reason, 'bad_signature')
  })
})

describe('attack suite: upstream documents', () => {
  const coldOutcome = async (fault, overrides = {}) => {
    const own = await createEmulator()
    try {
      own.fault('/oauth2/jwks', fault)
      const p = new NativeProvider(configFor(own, 'http://127.0.0.1:3002', { jwks: { warmUp: false, timeoutMs: 1000 }, ...overrides }))
      const started = Date.now()
      const outcome = await judge(own.mintToken(), p)
      return { outcome, elapsed: Date.now() - started }
    } finally {
      await own.close()
    }
  }

  test('a huge JWKS body is refused (1 MiB cap)', async () => {
    const body = JSON.stringify({ keys: [], pad: 'x'.repeat(2 * 1024 * 1024) })
    assert.equal((await coldOutcome({ status: 200, body })).outcome.status, 503)
  })

  test('a JWKS that is not JSON is refused', async () => {
    assert.equal((await coldOutcome('garbage')).outcome.status, 503)
  })

  test('a JWKS of the wrong JSON type is refused', async () => {
    assert.equal((await coldOutcome({ status: 200, body: [1, 2, 3] })).outcome.status, 503)
    assert.equal((await coldOutcome({ status: 200, body: { keys: 'none' } })).outcome.status, 503)
  })

  test('a JWKS redirect is never followed', async () => {
    let hits = 0
    const elsewhere = http.createServer((req, res) => {
      hits++
      res.end('{}')
    })
    await new Promise((r) => elsewhere.listen(0, '127.0.0.1', r))
    try {
      const location = `http://127.0.0.1:${elsewhere.address().port}/oauth2/jwks`
      const { outcome } = await coldOutcome({ status: 302, body: '', headers: { location } })
      assert.equal(outcome.status, 503)
      assert.equal(hits, 0)
    } finally {
      elsewhere.close()
    }
  })

  test('a JWKS endpoint that never answers is bounded by the timeout', async () => {
    const { outcome, elapsed } = await coldOutcome('hang')
    assert.equal(outcome.status, 503)
    assert.ok(elapsed < 3000, `${elapsed} ms`)
  })

  test('huge, redirected or non-object metadata falls back to the static document', async () => {
    for (const fault of [
      { status: 200, body: 'x'.repeat(2 * 1024 * 1024) },
      { status: 301, body: '', headers: { location: 'http://127.0.0.1:9/' } },
      { status: 200, body: '[]' },
    ]) {
      const own = await createEmulator()
      try {
        own.fault('/.well-known/oauth-authorization-server', fault)
        const p = new NativeProvider(configFor(own, 'http://127.0.0.1:3002', { jwks: { warmUp: false } }))
        const doc = JSON.parse(await p.authorizationServerDocument())
        assert.equal(doc.issuer, own.url)
        assert.equal(doc.registration_endpoint, undefined, 'the static fallback')
      } finally {
        await own.close()
      }
    }
  })
})

describe('attack suite: the Authorization header over HTTP', () => {
  let app
  before(async () => {
    app = await startExpressApp(emu)
  })
  after(() => app.close())

  /** Raw request, so repeated headers are sent as they are. */
  function rawGet(path, rawHeaders) {
    return new Promise((resolve, reject) => {
      const { port } = new URL(app.url)
      const req = http.request({ host: '127.0.0.1', port, path, method: 'GET', headers: rawHeaders, timeout: 10_000 }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode))
      })
      req.on('timeout', () => req.destroy(new Error('timeout')))
      req.on('error', reject)
      req.end()
    })
  }

  const cases = {
    'double space': [() => `Bearer  ${emu.mintToken()}`, 401],
    'lowercase scheme': [() => `bearer ${emu.mintToken()}`, 200],
    'extra parts': [() => `Bearer ${emu.mintToken()} trailing`, 401],
    'comma-joined repeated values': [() => `Bearer ${emu.mintToken()}, Bearer ${emu.mintToken()}`, 401],
    'tab separator': [() => `Bearer\t${emu.mintToken()}`, 401],
    'another scheme': [() => `DPoP ${emu.mintToken()}`, 401],
  }
  for (const [name, [value, status]] of Object.entries(cases)) {
    test(`Authorization with ${name} → ${status}`, async () => {
      assert.equal(await rawGet('/mcp', { authorization: value() }), status)
    })
  }

  test('repeated Authorization headers never authenticate (Node refuses the request)', async () => {
    assert.equal(
      await rawGet(
        '/mcp',
        [
          ['authorization', `Bearer ${emu.mintToken()}`],
          ['authorization', 'Bearer garbage'],
        ].flat(),
      ),
      400,
    )
    assert.equal(
      await rawGet(
        '/mcp',
        [
          ['authorization', 'Bearer garbage'],
          ['authorization', `Bearer ${emu.mintToken()}`],
        ].flat(),
      ),
      400,
    )
  })

  test('a token in the query string is ignored', async () => {
    assert.equal(await rawGet(`/mcp?access_token=${emu.mintToken()}`, {}), 401)
  })
})
