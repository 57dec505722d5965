#!/usr/bin/env node
'use strict'
// Writes the committed seed corpus of the fuzz targets: fuzz/corpus/<target>/<name>, one input a file.
//
//   node fuzz/make-corpus.js        (from the repository root; rewrites fuzz/corpus/ entirely)
//
// The inputs come from the local AuthKit emulator (__test__/support/emulator.js), with the rules that
// src/fuzzing.rs applies: issuer https://acme.authkit.app, audiences client_1 and
// https://mcp.example/mcp, "now" = 1 800 000 000. Tokens are signed with fuzz/seed-key.pem, a throwaway
// RSA-2048 key whose modulus src/fuzzing.rs verifies with, so that the valid seeds and those that break
// a claims rule pass the signature check and reach the payload and claims code. A few tokens are signed
// by the emulator's own (random) key, other algorithms or nothing, as attacks. PS256/ES256 signatures
// and the emulator's keys are random, so a rerun changes those files (and only those).
const fs = require('node:fs')
const path = require('node:path')
const crypto = require('node:crypto')
const { createEmulator, base64url, encodeUnsigned } = require('../__test__/support/emulator')

const NOW = 1_800_000_000
const ISSUER = 'https://acme.authkit.app'
const CLIENT_ID = 'client_1'
const RESOURCE = 'https://mcp.example/mcp'

const root = path.resolve(__dirname)
const seedKey = crypto.createPrivateKey(fs.readFileSync(path.join(root, 'seed-key.pem')))

function checkSeedKeyMatchesHarness() {
  const harness = fs.readFileSync(path.join(root, '..', 'src', 'fuzzing.rs'), 'utf8')
  const match = /const SEED_KEY_N: &str = "([A-Za-z0-9_-]+)";/.exec(harness)
  const n = crypto.createPublicKey(seedKey).export({ format: 'jwk' }).n
  if (!match || match[1] !== n) {
    throw new Error('fuzz/seed-key.pem does not match SEED_KEY_N in src/fuzzing.rs: the seed tokens would not verify')
  }
}

const enc = (value) => base64url(typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value))
const b64std = (value) => Buffer.from(value).toString('base64').replace(/=+$/, '')

/** Signs raw (already encoded) header and payload segments with the seed key, RS256. */
function signRaw(headerB64, payloadB64, key = seedKey) {
  const input = `${headerB64}.${payloadB64}`
  return `${input}.${base64url(crypto.sign('sha256', Buffer.from(input), key))}`
}

function tokenSeeds(emu) {
  const claims = (extra = {}) => ({ iss: ISSUER, aud: CLIENT_ID, sub: 'user_1', sid: 'session_1', iat: NOW - 10, exp: NOW + 300, jti: 'jti_1', ...extra })
  // mintToken's defaults (iss, aud, sub, …) are replaced by the harness's; `undefined` removes a claim.
  const mint = (extra = {}, opts = {}) => emu.mintToken(claims(extra), { key: seedKey, ...opts, header: { kid: 'k', ...opts.header } })
  const header = (extra = {}) => ({ alg: 'RS256', typ: 'JWT', kid: 'k', ...extra })
  const valid = mint()
  const [h, p, s] = valid.split('.')
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const idx = alphabet.indexOf(s.at(-1))
  const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  const seedPem = crypto.createPublicKey(seedKey).export({ type: 'spki', format: 'pem' })
  const big = exactly16k()
  const hmac = (alg, secret) => {
    const input = `${enc({ alg, typ: 'JWT', kid: 'k' })}.${enc(claims())}`
    return `${input}.${base64url(crypto.createHmac(`sha${alg.slice(2)}`, secret).update(input).digest())}`
  }
  return {
    // Accepted by the harness's rules.
    'valid-minimal': mint({ iat: undefined, jti: undefined }),
    'valid-full': mint({ org_id: 'org_1', role: 'admin', permissions: ['read', 'write'], scope: 'openid profile' }),
    'valid-aud-array': mint({ aud: ['other', CLIENT_ID] }),
    'valid-aud-resource': mint({ aud: RESOURCE }),
    'valid-nbf-and-float-exp': mint({ nbf: NOW - 5, exp: NOW + 300.5 }),
    'valid-exp-in-leeway': mint({ exp: NOW - 29 }),
    'valid-exp-beyond-2p53': mint({ exp: 2 ** 60 }),
    'valid-no-kid': mint({}, { header: { kid: undefined } }),
    'valid-permissions-mixed': mint({ permissions: ['a', 1, null], role: 5, org_id: '' }),
    'bearer-valid': `Bearer ${valid}`,
    'bearer-lowercase-valid': `bearer ${valid}`,
    // Claims rules broken under a valid signature.
    'claims-expired': mint({ exp: NOW - 31 }),
    'claims-exp-missing': mint({ exp: undefined }),
    'claims-exp-string': mint({ exp: String(NOW + 300) }),
    'claims-nbf-future': mint({ nbf: NOW + 120 }),
    'claims-iat-future': mint({ iat: NOW + 120 }),
    'claims-iss-trailing-slash': mint({ iss: `${ISSUER}/` }),
    'claims-aud-foreign': mint({ aud: ['client_other', 'https://evil/mcp'] }),
    'claims-aud-empty-array': mint({ aud: [] }),
    'claims-sub-empty': mint({ sub: '' }),
    'claims-sid-missing': mint({ sid: undefined }),
    'payload-not-object': signRaw(enc(header()), enc('"just a string"')),
    'payload-duplicate-sub': signRaw(enc(header()), enc(`{"iss":"${ISSUER}","aud":"${CLIENT_ID}","sub":"user_a","sub":"user_admin","sid":"s","exp":${NOW + 300}}`)),
    'payload-invalid-utf8': signRaw(enc(header()), enc(Buffer.concat([Buffer.from(`{"iss":"${ISSUER}","aud":"${CLIENT_ID}","sub":"`), Buffer.from([0xff, 0xfe]), Buffer.from(`","sid":"s","exp":${NOW + 300}}`)]))),
    'payload-padded': signRaw(enc(header()), `${enc(claims())}==`),
    'payload-std-alphabet': signRaw(enc(header()), b64std(JSON.stringify(claims({ pad: '>>>???' })))),
    'payload-nested-jwt': signRaw(enc(header({ cty: 'JWT' })), enc(valid)),
    // Attacks on the algorithm, the key and the header.
    'alg-none': emu.mintToken(claims(), { alg: 'none', header: { kid: 'k' } }),
    'alg-None-with-signature': `${encodeUnsigned(header({ alg: 'None' }), claims())}${base64url('x'.repeat(256))}`,
    'alg-rs256-empty-signature': `${h}.${p}.`,
    'alg-hs256-public-pem': hmac('HS256', seedPem),
    'alg-hs512-public-pem': hmac('HS512', seedPem),
    'alg-ps256-seed-key': mint({}, { alg: 'PS256' }),
    'alg-rs512-seed-key': mint({}, { alg: 'RS512' }),
    'alg-es256': mint({}, { alg: 'ES256', key: ec }),
    'emulator-key-real-token': emu.mintToken({ jti: 'jti_emu' }),
    'emulator-key-harness-claims': emu.mintToken(claims(), { header: { kid: 'k' } }),
    'header-unknown-kid': mint({}, { header: { kid: 'no-such-key' } }),
    'header-kid-number': signRaw(enc(header({ kid: 7 })), enc(claims())),
    'header-kid-long': signRaw(enc(header({ kid: 'k'.repeat(300) })), enc(claims())),
    'header-crit': mint({}, { header: { crit: ['exp'] } }),
    'header-b64-false': mint({}, { header: { b64: false } }),
    'header-jku-jwk': mint({}, { header: { jku: 'https://evil.example/keys', jwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB' } } }),
    'header-duplicate-alg': signRaw(enc('{"alg":"none","alg":"RS256","kid":"k"}'), enc(claims())),
    'header-not-object': signRaw(enc('["RS256"]'), enc(claims())),
    // Encoding and shape.
    'shape-jwe-five-parts': `${enc({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d`,
    'shape-four-parts': `${valid}.extra`,
    'shape-two-parts': `${h}.${p}`,
    'shape-empty-segments': '..',
    'shape-padded-header': `${h}==.${p}.${s}`,
    'shape-padded-signature': `${valid}==`,
    'shape-signature-trailing-bits': valid.slice(0, -1) + alphabet[(idx & ~0b1111) | ((idx + 1) & 0b1111)],
    'shape-whitespace-in-header': `${h.slice(0, 5)}\n${h.slice(5)}.${p}.${s}`,
    'shape-truncated-signature': valid.slice(0, -40),
    // The 16 KiB token cap, from both sides (these two also raise libFuzzer's default -max_len).
    'shape-16k-valid': big,
    'shape-16k-plus-one': `${big}A`,
  }

  /** A validly signed token of exactly 16 384 bytes: a `pad` claim, and a kid of 1 to 3 characters to hit the length. */
  function exactly16k() {
    const limit = 16 * 1024
    for (let kidLength = 1; kidLength <= 3; kidLength++) {
      const kid = 'k'.repeat(kidLength)
      for (let pad = Math.floor((limit * 3) / 4) - 1200; pad < (limit * 3) / 4; pad++) {
        const token = mint({ pad: 'x'.repeat(pad) }, { header: { kid } })
        if (token.length === limit) return token
        if (token.length > limit) break
      }
    }
    throw new Error('no 16 KiB token')
  }
}

function claimsSeeds() {
  const base = { iss: ISSUER, aud: CLIENT_ID, sub: 'user_1', sid: 'session_1', iat: NOW - 10, exp: NOW + 300 }
  const json = (extra = {}) => {
    const out = { ...base }
    for (const [k, v] of Object.entries(extra)) {
      if (v === undefined) delete out[k]
      else out[k] = v
    }
    return JSON.stringify(out)
  }
  // Raw JSON text with the exp literal spliced in, for numbers JSON.stringify cannot write.
  const withExp = (literal) => `{"iss":"${ISSUER}","aud":"${CLIENT_ID}","sub":"user_1","sid":"session_1","exp":${literal}}`
  const nested = (depth) => `{"iss":"${ISSUER}","aud":"${CLIENT_ID}","sub":"u","sid":"s","exp":${NOW},"deep":${'['.repeat(depth)}${']'.repeat(depth)}}`
  return {
    'valid-minimal': json({ iat: undefined }),
    'valid-full': json({ org_id: 'org_1', role: 'admin', permissions: ['read', 'write'], nbf: NOW - 1 }),
    'valid-aud-array': json({ aud: ['x', RESOURCE] }),
    'valid-pretty': JSON.stringify(base, null, 2),
    'valid-escaped-issuer': `{"iss":"https:\\/\\/acme.authkit.app","aud":"client\\u005f1","sub":"u","sid":"s","exp":${NOW + 60}}`,
    'valid-unicode-sub': json({ sub: 'usér_☃_😀', sid: '\u0000' }),
    'missing-iss': json({ iss: undefined }),
    'missing-aud': json({ aud: undefined }),
    'missing-sub': json({ sub: undefined }),
    'missing-sid': json({ sid: undefined }),
    'missing-exp': json({ exp: undefined }),
    'type-aud-number': json({ aud: 5 }),
    'type-aud-nested-array': json({ aud: [[CLIENT_ID]] }),
    'type-sub-number': json({ sub: 12345 }),
    'type-exp-string': json({ exp: `${NOW + 300}` }),
    'type-nbf-bool': json({ nbf: true }),
    'type-iat-null': json({ iat: null }),
    'type-permissions-mixed': json({ permissions: ['a', 1, null, { b: 2 }], role: [], org_id: '' }),
    'time-expired': json({ exp: NOW - 30 }),
    'time-nbf-future': json({ nbf: NOW + 31 }),
    'time-iat-future': json({ iat: NOW + 31 }),
    'num-exp-float': withExp(`${NOW}.999999999999999999999`),
    'num-exp-exponent': withExp('1.8e9'),
    'num-exp-huge': withExp('1e308'),
    'num-exp-overflow': withExp('1e400'),
    'num-exp-negative-huge': withExp('-1.7976931348623157e308'),
    'num-exp-tiny': withExp('4.9e-324'),
    'num-exp-u64-max': withExp('18446744073709551615'),
    'num-exp-beyond-u64': withExp('18446744073709551616'),
    'num-exp-i64-min': withExp('-9223372036854775808'),
    'num-exp-negative-zero': withExp('-0'),
    'num-exp-leading-zero': withExp('01800000000'),
    'num-exp-nan': withExp('NaN'),
    'num-exp-long-digits': withExp('1'.repeat(400)),
    'dup-sub': `{"iss":"${ISSUER}","aud":"${CLIENT_ID}","sub":"user_a","sub":"user_admin","sid":"s","exp":${NOW + 300}}`,
    'dup-exp': withExp(`1,"exp":${NOW + 300}`),
    'dup-via-escape': `{"iss":"${ISSUER}","aud":"${CLIENT_ID}","sub":"user_a","\\u0073ub":"user_admin","sid":"s","exp":${NOW + 300}}`,
    'dup-nested-allowed': json({ extra: JSON.parse('{"a":1}') }).replace('"extra":{"a":1}', '"extra":{"a":1,"a":2}'),
    'utf8-invalid-byte': Buffer.concat([Buffer.from(`{"iss":"${ISSUER}","aud":"${CLIENT_ID}","sub":"`), Buffer.from([0xff, 0xfe]), Buffer.from(`","sid":"s","exp":${NOW + 300}}`)]),
    'utf8-overlong-slash': Buffer.concat([Buffer.from('{"sub":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]),
    'utf8-lone-surrogate-escape': `{"iss":"${ISSUER}","aud":"${CLIENT_ID}","sub":"\\ud800","sid":"s","exp":${NOW + 300}}`,
    'utf8-surrogate-pair-escape': `{"iss":"${ISSUER}","aud":"${CLIENT_ID}","sub":"\\ud83d\\ude00","sid":"s","exp":${NOW + 300}}`,
    'utf8-encoded-surrogate': Buffer.concat([Buffer.from('{"sub":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]),
    'shape-bom': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json())]),
    'shape-trailing-garbage': `${json()} x`,
    'shape-trailing-whitespace': `${json()} \n\t\r`,
    'shape-two-objects': `${json()}${json()}`,
    'shape-array': `[${json()}]`,
    'shape-string': '"just a string"',
    'shape-null': 'null',
    'shape-empty': '',
    'shape-empty-object': '{}',
    'shape-unterminated': json().slice(0, -1),
    'shape-deep-100': nested(100),
    'shape-deep-200': nested(200),
  }
}

function headerSeeds(valid) {
  return {
    'bearer': `Bearer ${valid}`,
    'bearer-lowercase': `bearer ${valid}`,
    'bearer-uppercase': 'BEARER abc',
    'bearer-short': 'Bearer x',
    'bearer-only': 'Bearer',
    'bearer-trailing-space': 'Bearer ',
    'bearer-double-space': 'Bearer  abc',
    'bearer-three-parts': 'Bearer abc def',
    'bearer-tab': 'Bearer\tabc',
    'bearer-leading-space': ' Bearer abc',
    'bearer-comma-joined': 'Bearer a, Bearer b',
    'scheme-basic': 'Basic dXNlcjpwYXNz',
    'scheme-dpop': 'DPoP abc',
    'scheme-unicode': 'Beärer abc',
    'invalid-utf8': Buffer.from([0x42, 0x65, 0x61, 0x72, 0x65, 0x72, 0x20, 0xff, 0xfe]),
    'empty': '',
    'path-mcp': '/mcp',
    'path-mcp-upper': '/MCP',
    'path-mcp-trailing-slash': '/mcp/',
    'path-mcp-sub': '/mcp/tools/call',
    'path-mcp-encoded': '/%6dcp',
    'path-mcp-encoded-upper': '/%6D%43P',
    'path-mcp-double-encoded': '/%256dcp',
    'path-prm-suffixed': '/.well-known/oauth-protected-resource/mcp',
    'path-prm-suffixed-slash': '/.well-known/oauth-protected-resource/mcp/',
    'path-prm-root': '/.well-known/oauth-protected-resource',
    'path-prm-encoded': '/.well-known/oauth-protected-resource%2Fmcp',
    'path-as': '/.well-known/oauth-authorization-server',
    'path-root': '/',
    'path-percent-alone': '%',
    'path-percent-short': '/mcp%4',
    'path-percent-invalid': '/%zzmcp',
    'path-percent-utf8-split': '/%e2%82',
    'path-percent-nul': '/mcp%00',
    'path-percent-ff': '/%ff%fe',
    'path-dot-segments': '/public/../mcp',
    'path-multibyte': '/mcp/☃',
  }
}

const API = 'https://api.workos.com'
const URL_SEEDS = {
  'url-user': `${API}/user_management/users/user_1`,
  'url-query': `${API}/vault/v1/kv?after=a%2F..&limit=2`,
  'url-dot-dot': `${API}/user_management/users/a/../b`,
  'url-encoded-dots': `${API}/user_management/users/%2E%2e/b`,
  'url-empty-segment': `${API}/user_management//users`,
  'url-other-origin': 'https://evil.example/user_management/users',
  'url-credentials': `https://u:p@api.workos.com/user_management/users`,
  'url-default-port': 'https://api.workos.com:443/organizations',
}

function documentSeeds(emu) {
  const jwk = emu.publicJwk()
  const seedJwk = { ...crypto.createPublicKey(seedKey).export({ format: 'jwk' }), kty: 'RSA', use: 'sig', alg: 'RS256', kid: 'k' }
  const n = Buffer.from(seedJwk.n, 'base64url')
  const fakeModulus = (bytes) => {
    const b = Buffer.alloc(bytes, 0xc5)
    b[bytes - 1] = 1
    return base64url(b)
  }
  emu.rotateKeys({ keepOld: true })
  const twoKeys = emu.jwks()
  const metadata = {
    issuer: ISSUER,
    authorization_endpoint: `${ISSUER}/oauth2/authorize`,
    token_endpoint: `${ISSUER}/oauth2/token`,
    registration_endpoint: `${ISSUER}/oauth2/register`,
    jwks_uri: `${ISSUER}/oauth2/jwks`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_post'],
    client_id_metadata_document_supported: true,
  }
  const docs = {
    'jwks-emulator': { keys: [jwk] },
    'jwks-emulator-two-keys': twoKeys,
    'jwks-seed-key-kid-k': { keys: [seedJwk] },
    'jwks-no-kid': { keys: [{ ...seedJwk, kid: undefined }] },
    'jwks-duplicate-kid': { keys: [seedJwk, { ...jwk, kid: 'k' }] },
    'jwks-with-oct-key': { keys: [{ kty: 'oct', kid: 'k', k: base64url('shared-secret'), alg: 'HS256' }, jwk] },
    'jwks-only-oct': { keys: [{ kty: 'oct', kid: 'k', k: 'AA' }] },
    'jwks-use-enc': { keys: [{ ...seedJwk, use: 'enc' }] },
    'jwks-alg-ps256': { keys: [{ ...seedJwk, alg: 'PS256' }] },
    'jwks-key-ops-verify': { keys: [{ ...seedJwk, key_ops: ['sign', 'verify'] }] },
    'jwks-key-ops-encrypt': { keys: [{ ...seedJwk, key_ops: ['encrypt'] }] },
    'jwks-key-ops-not-array': { keys: [{ ...seedJwk, key_ops: 'verify' }] },
    'jwks-kid-number': { keys: [{ ...seedJwk, kid: 7 }] },
    'jwks-kid-long': { keys: [{ ...seedJwk, kid: 'k'.repeat(257) }] },
    'jwks-n-padded': { keys: [{ ...seedJwk, n: n.toString('base64url') + '=' }] },
    'jwks-n-std-alphabet': { keys: [{ ...seedJwk, n: n.toString('base64') }] },
    'jwks-n-leading-zeros': { keys: [{ ...seedJwk, n: base64url(Buffer.concat([Buffer.alloc(4), n])) }] },
    'jwks-n-1024-bit': { keys: [{ ...seedJwk, n: fakeModulus(128) }] },
    'jwks-n-8192-bit': { keys: [{ ...seedJwk, n: fakeModulus(1024) }] },
    'jwks-n-8200-bit': { keys: [{ ...seedJwk, n: fakeModulus(1025) }] },
    'jwks-e-huge': { keys: [{ ...seedJwk, e: base64url(Buffer.alloc(9, 0xff)) }] },
    'jwks-e-empty': { keys: [{ ...seedJwk, e: '' }] },
    'jwks-e-zero': { keys: [{ ...seedJwk, e: 'AA' }] },
    'jwks-n-missing': { keys: [{ ...seedJwk, n: undefined }] },
    'jwks-65-entries': { keys: [...Array.from({ length: 64 }, () => ({})), seedJwk] },
    'jwks-keys-object': { keys: {} },
    'jwks-keys-string': { keys: 'none' },
    'jwks-empty-keys': { keys: [] },
    'jwks-array': [jwk],
    'metadata-authkit': metadata,
    'metadata-minimal': { issuer: ISSUER },
    'error-workos-404': { message: 'User not found: user_1', code: 'entity_not_found', entity_id: 'user_1' },
    'error-workos-401': { message: 'Unauthorized', code: 'unauthorized' },
    'error-workos-422': { message: 'Validation failed', code: 'invalid_request_parameters', errors: [{ code: 'required', field: 'email' }] },
    'error-workos-409': { message: 'Conflict', error: 'conflict' },
    'error-workos-429': { message: 'Too many requests', retry_after: '30' },
    'error-workos-429-bad-retry': { message: 'Too many requests', retry_after: ' 1e999 ' },
    'error-oauth': { error: 'invalid_grant', error_description: 'Invalid or expired code' },
    'error-bad-request': { code: 'bad_request', errors: null, message: 7 },
    'error-message-types': { message: ['a'], code: {}, error: 1, error_description: null },
  }
  const out = {}
  for (const [name, doc] of Object.entries(docs)) out[name] = JSON.stringify(doc)
  out['error-pretty-leading-whitespace'] = `\n\t ${JSON.stringify(docs['error-workos-404'], null, 2)}`
  out['garbage-html'] = '<html>{"not": json'
  out['garbage-empty'] = ''
  out['garbage-truncated'] = JSON.stringify(docs['jwks-emulator']).slice(0, 120)
  out['garbage-invalid-utf8'] = Buffer.concat([Buffer.from('{"message":"'), Buffer.from([0xff]), Buffer.from('"}')])
  out['duplicate-keys-member'] = `{"keys":[],"keys":${JSON.stringify([seedJwk])}}`
  // WorkOS API request URLs as the SDK finishes them (`finished_path`): good ones, and ones it refuses.
  Object.assign(out, URL_SEEDS)
  return out
}

function write(target, seeds) {
  const dir = path.join(root, 'corpus', target)
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true })
  let bytes = 0
  for (const [name, content] of Object.entries(seeds)) {
    fs.writeFileSync(path.join(dir, name), content)
    bytes += Buffer.byteLength(content)
  }
  console.log(`corpus/${target}: ${Object.keys(seeds).length} files, ${bytes} bytes`)
}

async function main() {
  checkSeedKeyMatchesHarness()
  const emu = await createEmulator({ clientId: CLIENT_ID, now: () => NOW * 1000 })
  try {
    const tokens = tokenSeeds(emu)
    write('token', tokens)
    write('claims', claimsSeeds())
    write('authorization_header', headerSeeds(tokens['valid-full']))
    write('documents', documentSeeds(emu))
  } finally {
    await emu.close()
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
