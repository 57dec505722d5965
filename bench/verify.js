'use strict'
// Section 1: verify-only, in process. This package (sync and async) against jose (`jwtVerify` +
// `createLocalJWKSet`), fast-jwt (with and without its cache) and Node's `crypto.verify` (the floor:
// one RSA-2048 public-key operation), on fresh distinct tokens and on repeated tokens. Then a
// breakdown of where a cached verify's time goes across the napi boundary.
//
//   node bench/verify.js [--quick]
const crypto = require('node:crypto')
const { createEmulator } = require('../__test__/support/emulator.js')
const { NativeProvider } = require('../native.js')
const { jose, joseVersion } = require('./lib/jose.js')
const { createVerifier } = require('fast-jwt')
const { Minter, keyMaterialOf } = require('./lib/minter.js')

const { jwtVerify, createLocalJWKSet } = jose
const { settings, gc, timeSync, timeAsync, median, table, fmt, log } = require('./lib/common.js')

const BASE_URL = 'http://127.0.0.1:3002'

function expectOk(ok, what) {
  if (!ok) throw new Error(`verify bench: ${what} rejected a valid token; the measurement would be meaningless`)
}

/** JWKS warm-ups that had to be repeated (reported with the results; 0 expected). */
const warmUpRetries = { count: 0 }

/**
 * A provider whose keys are cached, checked with a probe token: a warm-up that left no keys (seen
 * once on this VM, not reproduced since) is retried up to 3 times instead of failing the run.
 */
async function newProvider(emu, extra = {}) {
  const provider = new NativeProvider({
    apiKey: emu.apiKey,
    clientId: emu.clientId,
    baseURL: BASE_URL,
    authkitDomain: emu.url,
    jwks: { warmUp: true },
    ...extra,
  })
  const probe = `Bearer ${emu.mintToken()}`
  for (let attempt = 0; ; attempt++) {
    await provider.warmUp()
    if (provider.authenticateSync(probe)) return provider
    if (attempt === 3) throw new Error('verify bench: the JWKS warm-up left no keys, 4 times in a row')
    warmUpRetries.count++
    log(`[verify] warning: JWKS warm-up left no keys; retrying (${warmUpRetries.count} so far)`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** The verifiers under test. `make()` returns a function of the token index (fresh state per call). */
function peers(emu, inFlight) {
  const issuer = emu.url
  const audience = emu.clientId
  const publicPem = emu.publicKeyPem()
  const publicKey = crypto.createPublicKey(publicPem)
  const localJwks = createLocalJWKSet(emu.jwks())
  const fastJwtOptions = {
    key: publicPem,
    algorithms: ['RS256'],
    allowedIss: issuer,
    allowedAud: audience,
    clockTolerance: 30_000,
    requiredClaims: ['exp', 'sub', 'sid'],
  }
  const ours = (extra) => async (tokens, headers) => {
    const p = await newProvider(emu, extra)
    return (i) => expectOk(p.authenticateSync(headers[i]).status === 200, 'this package')
  }
  const oursAsync = async (tokens, headers) => {
    const p = await newProvider(emu)
    return async (i) => expectOk((await p.authenticate(headers[i])).status === 200, 'this package (async)')
  }
  return [
    { id: 'sync', label: 'this package: authenticateSync', make: ours({}) },
    { id: 'sync-nocache', label: 'this package: authenticateSync, tokenCache: false', make: ours({ tokenCache: false }) },
    { id: 'async', label: 'this package: await authenticate (async)', async: true, make: oursAsync },
    { id: 'async-parallel', label: `this package: authenticate, ${inFlight} in flight (µs = wall time / calls)`, async: true, parallel: true, make: oursAsync },
    {
      id: 'jose',
      label: `jose ${joseVersion}: jwtVerify + createLocalJWKSet`,
      async: true,
      make: async (tokens) => async (i) =>
        expectOk((await jwtVerify(tokens[i], localJwks, { issuer, audience, clockTolerance: 30 })).payload.sid, 'jose'),
    },
    {
      id: 'jose-parallel',
      label: `jose ${joseVersion}, ${inFlight} in flight (RSA on the libuv pool)`,
      async: true,
      parallel: true,
      make: async (tokens) => async (i) =>
        expectOk((await jwtVerify(tokens[i], localJwks, { issuer, audience, clockTolerance: 30 })).payload.sid, 'jose'),
    },
    {
      id: 'fastjwt',
      label: 'fast-jwt, no cache',
      make: async (tokens) => {
        const verify = createVerifier(fastJwtOptions)
        return (i) => expectOk(verify(tokens[i]).sid, 'fast-jwt')
      },
    },
    {
      id: 'fastjwt-cache',
      label: 'fast-jwt, cache: 1000',
      make: async (tokens) => {
        const verify = createVerifier({ ...fastJwtOptions, cache: 1000 })
        return (i) => expectOk(verify(tokens[i]).sid, 'fast-jwt (cache)')
      },
    },
    {
      id: 'floor',
      label: 'floor: crypto.verify (RSA-2048 only)',
      make: async (tokens) => {
        const parts = tokens.map((t) => {
          const dot = t.lastIndexOf('.')
          return [t.slice(0, dot), t.slice(dot + 1)]
        })
        return (i) =>
          expectOk(
            crypto.verify('sha256', Buffer.from(parts[i][0]), publicKey, Buffer.from(parts[i][1], 'base64url')),
            'crypto.verify',
          )
      },
    },
  ]
}

/**
 * Measures every peer `repeats` times, interleaved (round r runs all peers, starting at a rotated
 * position), and keeps the best and the median.
 */
async function measure(list, { tokens, count, budgetMs, repeats, inFlight, prewarm }) {
  const headers = tokens.map((t) => `Bearer ${t}`)
  const runs = new Map(list.map((p) => [p.id, []]))
  for (let round = 0; round < repeats; round++) {
    for (let k = 0; k < list.length; k++) {
      const peer = list[(k + round) % list.length]
      const fn = await peer.make(tokens, headers)
      const at = (i) => i % tokens.length
      if (prewarm) {
        // Fill caches (ours, fast-jwt's) with the working set; every peer gets the same pass.
        for (let i = 0; i < tokens.length; i++) await fn(i)
      }
      gc()
      const r = peer.async
        ? await timeAsync((i) => fn(at(i)), count, budgetMs, peer.parallel ? inFlight : 1)
        : timeSync((i) => fn(at(i)), count, budgetMs)
      runs.get(peer.id).push(r)
    }
  }
  const out = {}
  for (const peer of list) {
    const rs = runs.get(peer.id)
    const us = rs.map((r) => r.us)
    out[peer.id] = {
      label: peer.label,
      best: Math.min(...us),
      median: median(us),
      worst: Math.max(...us),
      cpu: Math.min(...rs.map((r) => r.cpuUs)),
      n: rs.map((r) => r.n),
    }
  }
  return out
}

function resultTable(results, baseId) {
  const base = results[baseId]
  const rows = Object.entries(results).map(([id, r]) => [
    r.label,
    fmt.us(r.best),
    fmt.us(r.median),
    fmt.int(1e6 / r.best),
    fmt.ratio(r.worst / r.best),
    id === baseId ? '—' : fmt.ratio(r.best / base.best),
    fmt.us(r.cpu),
    id === baseId ? '—' : fmt.ratio(r.cpu / base.cpu),
    r.n.join('/'),
  ])
  return table(
    ['verifier', 'best µs/op', 'median µs/op', 'ops/s (best)', 'spread max/min', 'this package faster by', 'CPU µs/op (best)', 'faster by, CPU', 'calls per round'],
    rows,
  )
}

/** Where one cached authenticateSync call spends its time: differences of napi calls doing less. */
async function boundary(emu, cfg) {
  const p = await newProvider(emu)
  const q = await newProvider(emu, { tokenCache: false })
  const typical = emu.mintToken()
  const minimal = emu.mintToken({ iat: undefined, jti: undefined }) // iss, sub, sid, aud, exp
  const extra = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`x${String(i).padStart(2, '0')}`, `value_${i}`]))
  const fat = emu.mintToken(extra)
  const h = (t) => `Bearer ${t}`
  const garbage = h('x'.repeat(typical.length))
  for (const t of [typical, minimal, fat]) expectOk(p.authenticateSync(h(t)).status === 200, 'boundary setup')
  const payloadJson = Buffer.from(typical.split('.')[1], 'base64url').toString()
  const l1 = new Map([[h(typical), { userId: 'u' }]])
  const fastCache = createVerifier({ key: emu.publicKeyPem(), algorithms: ['RS256'], allowedIss: emu.url, allowedAud: emu.clientId, cache: 1000 })
  fastCache(typical)
  const rows = [
    ['getter', 'napi: trivial getter (tokenCacheSize)', () => p.tokenCacheSize],
    ['guard', 'napi: isGuarded("POST", "/mcp")', () => p.isGuarded('POST', '/mcp')],
    ['missing', 'authenticateSync(undefined): 401 outcome object, no token', () => p.authenticateSync(undefined)],
    ['garbageOff', `authenticateSync(${typical.length}-char non-JWT), cache off: + token string in`, () => q.authenticateSync(garbage)],
    ['garbageOn', 'same, cache on: + SHA-256 of the token + LRU miss', () => p.authenticateSync(garbage)],
    ['hitMinimal', 'cache hit, 5 claims (iss sub sid aud exp)', () => p.authenticateSync(h(minimal))],
    ['hitTypical', 'cache hit, 7 claims (AuthKit-like, the emulator default)', () => p.authenticateSync(h(typical))],
    ['hitFat', 'cache hit, 27 claims (20 extra string claims)', () => p.authenticateSync(h(fat))],
    ['jsHash', 'JS reference: crypto.hash("sha256", token) (OpenSSL, same CPU)', () => crypto.hash('sha256', typical)],
    ['jsParse', 'JS reference: JSON.parse(payload JSON text)', () => JSON.parse(payloadJson)],
    ['jsMap', 'JS reference: Map.get(authorization header)', () => l1.get(h(typical))],
    ['fastCache', 'fast-jwt cache hit (same token)', () => fastCache(typical)],
  ]
  const count = cfg.quick ? 20_000 : 200_000
  const best = {}
  const bestCpu = {}
  for (let round = 0; round < Math.max(3, cfg.repeats); round++) {
    for (const [id, , fn] of rows) {
      gc()
      const { us, cpuUs } = timeSync(fn, count, cfg.verify.budgetMs)
      best[id] = Math.min(best[id] ?? Infinity, us)
      bestCpu[id] = Math.min(bestCpu[id] ?? Infinity, cpuUs)
    }
  }
  const derived = {
    crossing: best.getter,
    outcome401: best.missing - best.getter,
    tokenIn: best.garbageOff - best.missing,
    hashAndLookup: best.garbageOn - best.garbageOff,
    perClaim: (best.hitFat - best.hitTypical) / 20,
  }
  // The 200 outcome's cost: the hit minus crossing, token in and hashing (the 401 path shares those).
  derived.successOutcome = best.hitTypical - best.getter - derived.tokenIn - derived.hashAndLookup
  const text = table(
    ['call', 'best µs/call', 'best CPU µs/call'],
    rows.map(([id, label]) => [label, fmt.us(best[id]), fmt.us(bestCpu[id])]),
  )
  const derivedText = table(
    ['derived (differences of the rows above)', 'µs'],
    [
      ['crossing into Rust and back (trivial getter)', fmt.us(derived.crossing)],
      ['building + converting a 401 outcome (4 fields + 2 headers)', fmt.us(derived.outcome401)],
      ['passing the token string in (+ bearer split)', fmt.us(derived.tokenIn)],
      ['SHA-256 of the token + LRU lookup', fmt.us(derived.hashAndLookup)],
      ['building + converting the 200 outcome (7 claims, session)', fmt.us(derived.successOutcome)],
      ['… of which per extra claim', fmt.us(derived.perClaim)],
    ],
  )
  return { best, derived, text: `${text}\n\n${derivedText}` }
}

async function run(cfg = settings()) {
  const emu = await createEmulator({ accessTokenTtl: 3600 })
  const minter = new Minter(keyMaterialOf(emu), cfg.mintThreads)
  try {
    const v = cfg.verify
    log(`[verify] minting ${v.freshTokens} fresh + ${v.workingSet} repeated tokens on ${cfg.mintThreads} threads`)
    const fresh = await minter.mint(v.freshTokens)
    const working = await minter.mint(v.workingSet)
    if (new Set(fresh).size !== fresh.length) throw new Error('fresh tokens are not distinct')
    const all = peers(emu, v.inFlight)

    log(`[verify] fresh tokens: ${all.length} verifiers × ${cfg.repeats} rounds`)
    // Fresh: every call sees a token it has never seen (ours: a new provider per round).
    const freshResults = await measure(all, {
      tokens: fresh,
      count: fresh.length,
      budgetMs: v.budgetMs,
      repeats: cfg.repeats,
      inFlight: v.inFlight,
      prewarm: false,
    })
    log(`[verify] repeated tokens: working set ${working.length}, up to ${v.repeatedIterations} calls`)
    const repeatedResults = await measure(all, {
      tokens: working,
      count: v.repeatedIterations,
      budgetMs: v.budgetMs,
      repeats: cfg.repeats,
      inFlight: v.inFlight,
      prewarm: true,
    })
    log('[verify] napi boundary breakdown')
    const b = await boundary(emu, cfg)

    const f = (id) => freshResults[id].best
    const r = (id) => repeatedResults[id].best
    const tables = [
      {
        title: `1a. Verify, fresh distinct tokens (${fresh.length} tokens, each verifier sees each once per round; best of ${cfg.repeats})`,
        text: resultTable(freshResults, 'sync'),
      },
      {
        title: `1b. Verify, repeated tokens (working set of ${working.length} tokens cycled, caches pre-filled; best of ${cfg.repeats})`,
        text: resultTable(repeatedResults, 'sync'),
      },
      {
        title: '1c. Sync vs async for the cached-key case (µs per call, best)',
        text: table(
          ['case', 'sync', 'async, awaited one by one', `async, ${v.inFlight} in flight`, 'sync faster by (vs one by one)'],
          [
            ['fresh token, key cached', fmt.us(f('sync')), fmt.us(f('async')), fmt.us(f('async-parallel')), fmt.ratio(f('async') / f('sync'))],
            ['repeated token (token cache hit)', fmt.us(r('sync')), fmt.us(r('async')), fmt.us(r('async-parallel')), fmt.ratio(r('async') / r('sync'))],
          ],
        ),
      },
      { title: '1d. Where a cached authenticateSync call spends its time (best of ≥3 rounds)', text: b.text },
    ]
    const targets = [
      { name: 'fresh-token verify ≥ 1.5× jose', measured: f('jose') / f('sync'), goal: 1.5, show: fmt.ratio },
      { name: 'fresh-token verify ≥ 1.0× fast-jwt without cache', measured: f('fastjwt') / f('sync'), goal: 1.0, show: fmt.ratio },
      { name: 'cached-token verify from JS ≤ 3 µs', measured: r('sync'), goal: 3, lowerIsBetter: true, show: (x) => `${fmt.us(x)} µs` },
      { name: 'cached-token verify at least as fast as fast-jwt cache', measured: r('fastjwt-cache') / r('sync'), goal: 1.0, show: fmt.ratio },
    ]
    if (warmUpRetries.count) {
      tables.push({ title: 'Warnings', text: `The JWKS warm-up left no keys ${warmUpRetries.count} time(s) and was retried.` })
    }
    return { tables, targets, raw: { fresh: freshResults, repeated: repeatedResults, boundary: b.best, derived: b.derived, warmUpRetries: warmUpRetries.count } }
  } finally {
    await minter.close()
    await emu.close()
  }
}

module.exports = { run }

if (require.main === module) {
  run().then(
    ({ tables }) => {
      for (const t of tables) console.log(`\n### ${t.title}\n\n${t.text}`)
    },
    (err) => {
      console.error(err)
      process.exitCode = 1
    },
  )
}
