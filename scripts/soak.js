#!/usr/bin/env node
'use strict'
// Soak test: the local AuthKit emulator and an Express app protected by the package (the built addon,
// through node_modules/@xmcp-dev/workos), then SOAK_REQUESTS requests from SOAK_USERS users with
// SOAK_CONCURRENCY in flight. Valid tokens (each user's own, sub user_<n>) are interleaved with invalid
// ones (expired, wrong audience, garbage, unknown kid, alg none, no header), each request asking the app
// to wait a random few milliseconds before it reads getSession() (AsyncLocalStorage across an async gap).
// After a warm-up, AuthKit's /oauth2/jwks answers 500 for a while (the JWKS outage): the keys are kept
// fresh-ish (cacheMaxAgeMs and cooldownMs at their 1 s minimum) so that the provider does try to
// refetch during the outage, and every valid request must still succeed.
//
//   npm run build && node scripts/soak.js
//
// Fails (exit 1) when: a 200 carries another user's identity (session.userId/sessionId/claims.sub
// differ from the requester's), a valid token is not answered 200, an invalid one not 401 with the
// expected error, a 5xx other than the designed 503 appears (a 503 is counted, and still fails the
// class checks), a request errors or times out, the outage never made the provider fetch the JWKS,
// the keys do not recover after the outage, or the whole run exceeds SOAK_TIMEOUT_MS.
//
// Environment (defaults in brackets): SOAK_REQUESTS [10000], SOAK_USERS [100], SOAK_CONCURRENCY [64],
// SOAK_INVALID_PERCENT [30], SOAK_MAX_DELAY_MS [20] (per-request delay, uniform 0..max),
// SOAK_OUTAGE [1] (0: no JWKS outage), SOAK_OUTAGE_MIN_MS [2500], SOAK_TIMEOUT_MS [120000],
// SOAK_SEED [1] (the request schedule is reproducible), SOAK_TOKEN_CACHE [1] (0: verify every token).
// Everything listens on 127.0.0.1 and the run is bounded in count and time.
const http = require('node:http')
const { createEmulator, base64url } = require('../__test__/support/emulator')
const { startExpressApp } = require('../__test__/support/express-app')

function intEnv(name, fallback, min = 0) {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min) {
    console.error(`soak: ${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`)
    process.exit(2)
  }
  return value
}

const REQUESTS = intEnv('SOAK_REQUESTS', 10_000, 1)
const USERS = intEnv('SOAK_USERS', 100, 1)
const CONCURRENCY = intEnv('SOAK_CONCURRENCY', 64, 1)
const INVALID_PERCENT = Math.min(intEnv('SOAK_INVALID_PERCENT', 30), 100)
const MAX_DELAY_MS = intEnv('SOAK_MAX_DELAY_MS', 20)
const OUTAGE = intEnv('SOAK_OUTAGE', 1) !== 0
const OUTAGE_MIN_MS = intEnv('SOAK_OUTAGE_MIN_MS', 2_500)
const TIMEOUT_MS = intEnv('SOAK_TIMEOUT_MS', 120_000, 1_000)
const SEED = intEnv('SOAK_SEED', 1)
const TOKEN_CACHE = intEnv('SOAK_TOKEN_CACHE', 1) !== 0
// The outage starts once this share of the requests completed, and ends once OUTAGE_END_SHARE did
// and it lasted OUTAGE_MIN_MS (or when the requests run out).
const OUTAGE_START_SHARE = 0.2
const OUTAGE_END_SHARE = 0.7
const REQUEST_TIMEOUT_MS = 15_000
const JWKS = { warmUp: true, cacheMaxAgeMs: 1_000, cooldownMs: 1_000, timeoutMs: 2_000 }

const INVALID_KINDS = ['expired', 'wrong_audience', 'garbage', 'unknown_kid', 'alg_none', 'no_header']
/** The `error` member each kind of request must get in its 401 body. */
const EXPECTED_ERROR = {
  expired: 'token_expired',
  wrong_audience: 'invalid_token',
  garbage: 'invalid_token',
  unknown_kid: 'invalid_token',
  alg_none: 'invalid_token',
  no_header: 'unauthorized',
}

/** mulberry32: a small seeded PRNG, so a schedule can be replayed. */
function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** Tokens for every user: two valid ones (so the verified-token cache sees several per user) and one of each invalid kind. */
function mintUsers(emu, random) {
  const now = Math.floor(Date.now() / 1000)
  const users = []
  for (let n = 0; n < USERS; n++) {
    const sub = `user_${n}`
    const sid = `session_${n}`
    const who = { sub, sid }
    const garbage = [
      () => base64url(Buffer.from(Array.from({ length: 48 }, () => Math.floor(random() * 256)))),
      () => `${base64url('{"alg":"RS256"}')}.${base64url(sub)}.${base64url('not a signature')}`,
      () => 'a.b.c',
      () => `${emu.mintToken(who)}x`,
    ][n % 4]()
    users.push({
      sub,
      sid,
      valid: [emu.mintToken(who), emu.mintToken({ ...who, org_id: `org_${n % 7}`, role: 'member', permissions: ['read'] })],
      invalid: {
        expired: emu.mintToken({ ...who, iat: now - 900, exp: now - 600 }),
        wrong_audience: emu.mintToken({ ...who, aud: 'client_other' }),
        garbage,
        unknown_kid: emu.mintToken(who, { header: { kid: `key_unknown_${n % 5}` } }),
        alg_none: emu.mintToken(who, { alg: 'none' }),
        no_header: undefined,
      },
    })
  }
  return users
}

/** The request schedule: [user index, kind] per request, kind 'valid' or one of INVALID_KINDS. */
function schedule(random) {
  return Array.from({ length: REQUESTS }, () => {
    const user = Math.floor(random() * USERS)
    const kind = random() * 100 < INVALID_PERCENT ? INVALID_KINDS[Math.floor(random() * INVALID_KINDS.length)] : 'valid'
    return [user, kind, Math.floor(random() * (MAX_DELAY_MS + 1))]
  })
}

function send(agent, port, token, delay) {
  return new Promise((resolve) => {
    const headers = token === undefined ? {} : { authorization: `Bearer ${token}` }
    const req = http.request(
      { host: '127.0.0.1', port, method: 'GET', path: `/mcp?delay=${delay}`, agent, headers, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        const chunks = []
        res.on('data', (c) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
        res.on('error', (err) => resolve({ error: err.message }))
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)))
    req.on('error', (err) => resolve({ error: err.message }))
    req.end()
  })
}

function parse(body) {
  try {
    return JSON.parse(body)
  } catch {
    return undefined
  }
}

async function main() {
  const random = prng(SEED)
  const rss = { start: 0, peak: 0, end: 0 }
  const sampleRss = () => {
    const now = process.memoryUsage.rss()
    if (now > rss.peak) rss.peak = now
    return now
  }
  const sampler = setInterval(sampleRss, 50)
  sampler.unref()

  const emu = await createEmulator({ accessTokenTtl: 3_600 })
  // Minting first: signing ~7 tokens per user blocks the event loop, which the in-process emulator
  // shares with the app; done after the provider starts, it would time the warm-up fetch out.
  const users = mintUsers(emu, random)
  const plan = schedule(random)
  const app = await startExpressApp(emu, { jwks: JWKS, ...(TOKEN_CACHE ? {} : { tokenCache: false }) })
  const port = Number(new URL(app.url).port)
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const violations = []
  const violate = (message) => {
    violations.push(message)
  }

  console.log(
    `soak: ${REQUESTS} requests, ${USERS} users, ${CONCURRENCY} in flight, ${INVALID_PERCENT}% invalid, ` +
      `delays 0-${MAX_DELAY_MS} ms, token cache ${TOKEN_CACHE ? 'on' : 'off'}, seed ${SEED}`,
  )
  console.log(`soak: emulator ${emu.url}, app ${app.url}, jwks ${JSON.stringify(JWKS)}`)

  // Warm-up: the first request fetches the keys (warmUp also started a fetch at construction).
  const first = await send(agent, port, users[0].valid[0], 0)
  if (first.status !== 200) violate(`warm-up request answered ${first.status ?? first.error}`)
  if (typeof global.gc === 'function') global.gc()
  const heapStart = process.memoryUsage().heapUsed
  rss.start = sampleRss()
  rss.peak = rss.start

  const counts = { byStatus: {}, byKind: {}, identity: 0, fiveXx: 0, s503: 0, errors: 0 }
  const outage = {
    state: OUTAGE ? 'pending' : 'off',
    startedAt: 0,
    endedAt: 0,
    jwksBefore: 0,
    jwksDuring: 0,
    valid: 0,
    validOk: 0,
    invalid: 0,
  }
  const bump = (obj, key) => (obj[key] = (obj[key] ?? 0) + 1)
  let next = 0
  let completed = 0
  let aborted = false
  const started = Date.now()

  const startOutage = () => {
    outage.state = 'on'
    outage.startedAt = Date.now()
    outage.jwksBefore = emu.count('/oauth2/jwks')
    emu.fault('/oauth2/jwks', '500')
  }
  const endOutage = () => {
    emu.clearFaults()
    outage.state = 'over'
    outage.endedAt = Date.now()
    outage.jwksDuring = emu.count('/oauth2/jwks') - outage.jwksBefore
  }

  function check(index, user, kind, inOutage, result) {
    const tag = `#${index} ${user.sub} ${kind}`
    if (result.error) {
      counts.errors++
      violate(`${tag}: ${result.error}`)
      return
    }
    const { status } = result
    bump(counts.byStatus, status)
    bump((counts.byKind[kind] ??= {}), status)
    if (status >= 500 && status !== 503) {
      counts.fiveXx++
      violate(`${tag}: ${status} ${result.body.slice(0, 200)}`)
    }
    if (status === 503) counts.s503++
    const body = parse(result.body)
    if (kind === 'valid') {
      if (inOutage) outage.valid++
      if (status !== 200) {
        violate(`${tag}: valid token answered ${status} ${result.body.slice(0, 200)}`)
        return
      }
      if (inOutage) outage.validOk++
      const session = body && body.session
      if (!session || session.userId !== user.sub || session.sessionId !== user.sid || session.claims?.sub !== user.sub) {
        counts.identity++
        violate(`${tag}: 200 with the identity of ${session ? `${session.userId}/${session.sessionId}` : 'nobody'}`)
      }
      return
    }
    if (inOutage) outage.invalid++
    if (status === 200) {
      counts.identity++
      violate(`${tag}: invalid token accepted as ${body?.session?.userId}`)
      return
    }
    if (status !== 401) {
      violate(`${tag}: invalid token answered ${status}, not 401`)
      return
    }
    if (body?.error !== EXPECTED_ERROR[kind]) violate(`${tag}: 401 with error ${body?.error}, expected ${EXPECTED_ERROR[kind]}`)
    if (!String(result.headers['www-authenticate'] ?? '').startsWith('Bearer resource_metadata='))
      violate(`${tag}: 401 without the WWW-Authenticate challenge`)
    if (result.headers['cache-control'] !== 'no-store') violate(`${tag}: 401 without Cache-Control: no-store`)
  }

  async function worker() {
    while (!aborted && next < plan.length) {
      const index = next++
      const [u, kind, delay] = plan[index]
      const user = users[u]
      const token = kind === 'valid' ? user.valid[index % 2] : user.invalid[kind]
      const inOutage = outage.state === 'on'
      const result = await send(agent, port, token, delay)
      if (aborted) return
      // A request counts as "in the outage" when it was sent and answered while /oauth2/jwks failed.
      check(index, user, kind, inOutage && outage.state === 'on', result)
      completed++
      if (outage.state === 'pending' && completed >= REQUESTS * OUTAGE_START_SHARE) startOutage()
      else if (outage.state === 'on' && completed >= REQUESTS * OUTAGE_END_SHARE && Date.now() - outage.startedAt >= OUTAGE_MIN_MS)
        endOutage()
    }
  }

  let timer
  const deadline = new Promise((resolve) => {
    timer = setTimeout(() => {
      aborted = true
      violate(`aborted: the run exceeded SOAK_TIMEOUT_MS=${TIMEOUT_MS} ms after ${completed} of ${REQUESTS} requests`)
      resolve()
    }, TIMEOUT_MS)
  })
  await Promise.race([Promise.all(Array.from({ length: CONCURRENCY }, worker)), deadline])
  clearTimeout(timer)
  const elapsed = (Date.now() - started) / 1000
  if (outage.state === 'on') endOutage()

  // Recovery: a key published after the outage must be fetched (unknown kid, once the 1 s cooldown
  // has passed) and verify its token.
  let recovery = 'skipped'
  if (OUTAGE && !aborted) {
    await sleep(JWKS.cooldownMs + 200)
    const kid = emu.rotateKeys({ keepOld: true })
    const user = users[USERS - 1]
    const result = await send(agent, port, emu.mintToken({ sub: user.sub, sid: user.sid }, { kid }), 0)
    const session = parse(result.body ?? '')?.session
    recovery = `${result.status ?? result.error}${session ? ` ${session.userId}` : ''}`
    if (result.status !== 200 || session?.userId !== user.sub)
      violate(`recovery: a token under a key published after the outage answered ${recovery}`)
  }
  if (OUTAGE && outage.state !== 'pending' && outage.jwksDuring === 0) {
    violate(
      'the outage made the provider fetch the JWKS not once: too short to test anything (raise SOAK_REQUESTS, SOAK_MAX_DELAY_MS or SOAK_OUTAGE_MIN_MS)',
    )
  }
  if (OUTAGE && outage.state === 'pending') violate('the outage never started')

  // With `node --expose-gc`, collect first, so the end figures show what is still held.
  if (typeof global.gc === 'function') global.gc()
  rss.end = sampleRss()
  const heapEnd = process.memoryUsage().heapUsed
  clearInterval(sampler)
  agent.destroy()
  await app.close()
  await emu.close()

  const statusLine = Object.entries(counts.byStatus)
    .map(([s, n]) => `${s}: ${n}`)
    .join(', ')
  console.log(`soak: ${completed} requests in ${elapsed.toFixed(2)} s: ${(completed / elapsed).toFixed(0)} req/s`)
  console.log(`soak: statuses: ${statusLine || 'none'}; transport errors: ${counts.errors}`)
  for (const kind of ['valid', ...INVALID_KINDS]) {
    const byStatus = counts.byKind[kind] ?? {}
    const total = Object.values(byStatus).reduce((a, b) => a + b, 0)
    const detail = Object.entries(byStatus)
      .map(([s, n]) => `${s}: ${n}`)
      .join(', ')
    console.log(`soak:   ${kind.padEnd(14)} ${String(total).padStart(6)}  (${detail || '-'})`)
  }
  if (OUTAGE) {
    const seconds = ((outage.endedAt - outage.startedAt) / 1000).toFixed(2)
    console.log(
      `soak: JWKS outage: ${seconds} s, ${outage.jwksDuring} JWKS fetches answered 500; during it ${outage.validOk}/${outage.valid} ` +
        `valid requests answered 200, ${outage.invalid} invalid ones; recovery after it: ${recovery}`,
    )
  }
  console.log(`soak: identity violations: ${counts.identity}; 5xx other than 503: ${counts.fiveXx}; 503: ${counts.s503}`)
  console.log(
    `soak: RSS start ${mib(rss.start)}, peak ${mib(rss.peak)}, end ${mib(rss.end)}; JS heap used start ${mib(heapStart)}, ` +
      `end ${mib(heapEnd)}${typeof global.gc === 'function' ? ' (after gc)' : ''} (one process: app, emulator and load generator)`,
  )
  if (violations.length > 0) {
    console.log(`soak: FAILED: ${violations.length} violations; the first ones:`)
    for (const v of violations.slice(0, 20)) console.log(`  ${v}`)
    return 1
  }
  console.log('soak: PASSED')
  return 0
}

// Whatever happens, the process ends: the deadline plus a margin for the shutdown.
setTimeout(
  () => {
    console.error('soak: did not shut down in time')
    process.exit(1)
  },
  intEnv('SOAK_TIMEOUT_MS', 120_000, 1_000) + 30_000,
).unref()

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err)
    process.exit(1)
  },
)
