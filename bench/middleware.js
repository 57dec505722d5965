'use strict'
// Section 2: the same Express app end to end under load (autocannon, keep-alive, fixed concurrency,
// bounded duration): (a) no auth, (a′) no auth with an AsyncLocalStorage context, (b) this package,
// (c) the 1.x approach (jose with a remote JWKS created per request, against the local emulator), and
// diagnostic variants on demand. Three processes: the emulator, the server under test, and this one
// (the load generator). Each connection is one client reusing its own valid token.
//
// After each loaded window of a variant that loads the package, a short second window requests only
// unguarded paths (/health and the discovery documents) on the same server, and the server's count
// of calls into the addon, by name, says which of them reached it.
//
//   node bench/middleware.js [--quick]
//   LOAD_VARIANTS=none,workos,workos-timed,native-only node bench/middleware.js   (diagnostics)
const path = require('node:path')
const autocannon = require('autocannon')
const { settings, median, table, fmt, log, runAsScript } = require('./lib/common.js')
const { startChild } = require('./lib/child.js')
const { totalCalls } = require('./lib/glue.js')
const { joseVersion } = require('./lib/jose.js')

const ALL_VARIANTS = [
  { id: 'none', label: '(a) no auth' },
  { id: 'none-als', label: '(a′) no auth + one AsyncLocalStorage.run per request' },
  { id: 'workos-router', label: 'diagnostic: this package’s router only', diagnostic: true, package: true },
  { id: 'native-only', label: 'diagnostic: router + the native call on every request (no first-level cache, no session, no ALS)', diagnostic: true, package: true },
  { id: 'workos-timed', label: 'diagnostic: this package, its middleware timed in place (+ timed controls)', diagnostic: true, package: true },
  { id: 'workos', label: '(b) this package', package: true },
  { id: 'workos-nocache', label: 'diagnostic: this package, tokenCache: false', diagnostic: true, package: true },
  { id: 'original', label: `(c) the 1.x approach: jose ${joseVersion}, remote JWKS per request` },
  { id: 'jose-cached', label: `diagnostic: jose ${joseVersion}, remote JWKS cached`, diagnostic: true },
]

/** The unguarded paths of the second window: what the guard must let through without the addon. */
const UNGUARDED = ['/health', '/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-authorization-server']
/** Native calls the guard would make for a request (the AS document route's own call is the router's). */
const GUARD_CALLS = ['authenticateSync', 'authenticate', 'isGuarded']

/** LOAD_VARIANTS=id,id… picks variants (diagnostic ones included); default: every non-diagnostic one. */
function variants() {
  const ids = (process.env.LOAD_VARIANTS || '').split(',').filter(Boolean)
  if (!ids.length) return ALL_VARIANTS.filter((v) => !v.diagnostic)
  for (const id of ids) if (!ALL_VARIANTS.some((v) => v.id === id)) throw new Error(`LOAD_VARIANTS: unknown variant ${id}`)
  return ALL_VARIANTS.filter((v) => ids.includes(v.id))
}

/** One autocannon window; `requests` (optional) are cycled by each connection. */
function cannon(url, tokens, { connections, durationS, requests }) {
  let next = 0
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections,
        pipelining: 1,
        duration: durationS,
        timeout: 10,
        headers: { accept: 'application/json' },
        requests,
        // One client per connection, each with its own token for the whole run.
        setupClient: (client) => client.setHeaders({ accept: 'application/json', authorization: `Bearer ${tokens[next++ % tokens.length]}` }),
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    )
  })
}

/** The per-name difference of two native-call snapshots. */
const callsBetween = (s0, s1) => Object.fromEntries(Object.keys(s1).map((k) => [k, s1[k] - (s0[k] || 0)]))

/** One run of one variant: a fresh server, a warm-up, the measured window, then the unguarded window. */
async function oneRun(v, info, tokens, L) {
  const server = startChild(path.join(__dirname, 'lib', 'server.js'), [v.id], {
    EMU_URL: info.url,
    EMU_CLIENT_ID: info.clientId,
    EMU_API_KEY: info.apiKey,
  })
  try {
    const { port } = await server.ready
    const url = `http://127.0.0.1:${port}`
    if (L.warmupS > 0) await cannon(`${url}/mcp`, tokens, { connections: L.connections, durationS: L.warmupS })
    const before = (await info.emu.call('count', { path: '/oauth2/jwks' })).count
    const s0 = await server.call('cpu')
    const r = await cannon(`${url}/mcp`, tokens, { connections: L.connections, durationS: L.durationS })
    const s1 = await server.call('cpu')
    const after = (await info.emu.call('count', { path: '/oauth2/jwks' })).count
    const total = r.requests.total
    const run = {
      rps: total / r.duration,
      cpuPerReq: total ? (s1.cpuUs - s0.cpuUs) / total : NaN,
      threads: Object.fromEntries(Object.keys(s1.threads).map((k) => [k, total ? (s1.threads[k] - (s0.threads[k] || 0)) / total : NaN])),
      nativeCallsPer1000: total ? (totalCalls(s1.nativeCalls, s0.nativeCalls) / total) * 1000 : NaN,
      inSitu: s1.inSitu.calls - s0.inSitu.calls
        ? {
            middleware: (s1.inSitu.middlewareNs - s0.inSitu.middlewareNs) / 1e3 / (s1.inSitu.calls - s0.inSitu.calls),
            getter: (s1.inSitu.getterNs - s0.inSitu.getterNs) / 1e3 / (s1.inSitu.calls - s0.inSitu.calls),
            parse: (s1.inSitu.parseNs - s0.inSitu.parseNs) / 1e3 / (s1.inSitu.calls - s0.inSitu.calls),
          }
        : null,
      p50: r.latency.p50,
      p99: r.latency.p99,
      total,
      fetchesPer1000: total ? ((after - before) / total) * 1000 : NaN,
      fetchesIncludingStartup: after,
      bad: r.non2xx + r.errors + r.timeouts,
    }
    if (v.package && L.unguardedS > 0) {
      const u0 = await server.call('cpu')
      const u = await cannon(url, tokens, {
        connections: L.connections,
        durationS: L.unguardedS,
        requests: UNGUARDED.map((p) => ({ method: 'GET', path: p })),
      })
      const u1 = await server.call('cpu')
      run.unguarded = { requests: u.requests.total, bad: u.non2xx + u.errors + u.timeouts, calls: callsBetween(u0.nativeCalls, u1.nativeCalls) }
    }
    return run
  } finally {
    await server.stop()
  }
}

async function run(cfg = settings()) {
  const L = cfg.load
  const VARIANTS = variants()
  const emu = startChild(path.join(__dirname, 'lib', 'emulator-child.js'), [], {})
  const info = { ...(await emu.ready), emu }
  try {
    const { tokens } = await emu.call('mint', { n: L.connections })
    const runs = new Map(VARIANTS.map((v) => [v.id, []]))
    for (let round = 0; round < L.repeats; round++) {
      for (let k = 0; k < VARIANTS.length; k++) {
        const v = VARIANTS[(k + round) % VARIANTS.length]
        log(`[middleware] round ${round + 1}/${L.repeats}: ${v.label}, ${L.connections} connections, ${L.durationS} s`)
        await emu.call('reset')
        runs.get(v.id).push({ round, ...(await oneRun(v, info, tokens, L)) })
      }
    }
    const best = {}
    for (const v of VARIANTS) {
      const rs = runs.get(v.id)
      const top = rs.reduce((a, b) => (b.rps > a.rps ? b : a))
      best[v.id] = {
        ...top,
        label: v.label,
        medianRps: median(rs.map((x) => x.rps)),
        rpsAll: rs.map((x) => x.rps),
        cpuPerReq: Math.min(...rs.map((x) => x.cpuPerReq)),
        medianCpuPerReq: median(rs.map((x) => x.cpuPerReq)),
        inSitu: rs.map((x) => x.inSitu).filter(Boolean).reduce((a, x) => (!a || x.middleware < a.middleware ? x : a), null),
        bad: rs.reduce((s, x) => s + x.bad, 0),
      }
    }
    const missing = { rps: NaN, cpuPerReq: NaN, medianCpuPerReq: NaN, medianRps: NaN, fetchesPer1000: NaN }
    for (const id of ['none', 'none-als', 'workos', 'original']) best[id] ??= missing

    // Paired ratios: within each round, the package against the no-auth app run just before or after it.
    const paired = (id, metric) => {
      const a = runs.get('none') || []
      const b = runs.get(id) || []
      const ratios = b.map((x) => a.find((y) => y.round === x.round)).map((y, i) => (y ? metric(y, b[i]) : NaN)).filter(Number.isFinite)
      return ratios.length ? { median: median(ratios), all: ratios } : { median: NaN, all: [] }
    }
    const pairedRps = paired('workos', (none, ours) => ours.rps / none.rps)
    const pairedCpu = paired('workos', (none, ours) => none.cpuPerReq / ours.cpuPerReq)

    const none = best.none
    const rows = VARIANTS.map((v) => {
      const b = best[v.id]
      return [
        b.label,
        fmt.int(b.rps),
        fmt.int(b.medianRps),
        b.rpsAll.map((x) => fmt.int(x)).join(' / '),
        b.p50,
        b.p99,
        fmt.us(b.cpuPerReq),
        fmt.us(b.medianCpuPerReq),
        Number.isFinite(none.cpuPerReq) ? `${b.cpuPerReq >= none.cpuPerReq ? '+' : ''}${fmt.us(b.cpuPerReq - none.cpuPerReq)}` : 'n/a',
        v.package ? fmt.us(b.nativeCallsPer1000) : '',
        b.fetchesPer1000 < 0.1 && b.fetchesPer1000 > 0 ? b.fetchesPer1000.toFixed(3) : b.fetchesPer1000.toFixed(1),
        b.bad,
        fmt.ratio(b.rps / none.rps),
        fmt.ratio(none.cpuPerReq / b.cpuPerReq),
      ]
    })
    const timed = best['workos-timed'] && best['workos-timed'].inSitu
    const tables = [
      {
        title: `2. Middleware end to end: GET /mcp, ${L.connections} keep-alive connections, ${L.durationS} s per run after ${L.warmupS} s warm-up, ${L.repeats} runs each, interleaved (p50/p99 of the best run)`,
        text:
          table(
            ['app', 'req/s (best)', 'req/s (median)', 'req/s, every run', 'p50 ms', 'p99 ms', 'server CPU µs/req (best)', 'server CPU µs/req (median)', 'CPU vs no auth µs/req (best)', 'native calls / 1000 req', 'JWKS fetches / 1000 req', 'non-2xx + errors (all runs)', 'req/s ÷ no auth (best)', 'no-auth CPU ÷ this CPU (best)'],
            rows,
          ) +
          `\n\nThis package against no auth, paired by round (each round runs every app once, in rotated order): req/s ${pairedRps.all.map(fmt.ratio).join(', ')} (median ${fmt.ratio(pairedRps.median)}); ` +
          `no-auth CPU ÷ this package’s CPU per request ${pairedCpu.all.map(fmt.ratio).join(', ')} (median ${fmt.ratio(pairedCpu.median)}).` +
          (Number.isFinite(best.original.cpuPerReq) ? ` The 1.x approach costs ${fmt.ratio(best.original.cpuPerReq / best.workos.cpuPerReq)} this package’s server CPU per request and serves ${fmt.ratio(best.original.rps / best.workos.rps)} its req/s.` : '') +
          (timed
            ? ` Timed in place (diagnostic variant, best run): the middleware took ${fmt.us(timed.middleware)} µs per request from its call until next() ran; controls: a trivial napi getter ${fmt.us(timed.getter)} µs, JSON.parse of a token payload ${fmt.us(timed.parse)} µs.`
            : ''),
      },
    ]
    // Which threads the server's CPU went to (best run of each variant; Linux only).
    const group = (name) => (name === 'main' ? 'JS thread' : name === 'node' ? 'other Node threads (V8 GC/compiler, libuv pool)' : /tokio/i.test(name) ? 'tokio (addon)' : 'other')
    const groups = ['JS thread', 'other Node threads (V8 GC/compiler, libuv pool)', 'tokio (addon)', 'other']
    const threadRows = VARIANTS.filter((v) => best[v.id].threads && Object.keys(best[v.id].threads).length).map((v) => {
      const sums = Object.fromEntries(groups.map((g) => [g, 0]))
      for (const [name, us] of Object.entries(best[v.id].threads)) sums[group(name)] += us
      return [best[v.id].label, ...groups.map((g) => fmt.us(sums[g]))]
    })
    if (threadRows.length) {
      tables.push({
        title: '2b. Server CPU per request by thread (µs, /proc per-thread times at 10 ms resolution, best run of each app)',
        text: table(['app', ...groups], threadRows),
      })
    }
    // Unguarded requests: every run of every package variant, summed.
    const unguarded = { requests: 0, bad: 0, calls: {} }
    for (const v of VARIANTS.filter((x) => x.package)) {
      for (const r of runs.get(v.id)) {
        if (!r.unguarded) continue
        unguarded.requests += r.unguarded.requests
        unguarded.bad += r.unguarded.bad
        for (const [name, n] of Object.entries(r.unguarded.calls)) unguarded.calls[name] = (unguarded.calls[name] || 0) + n
      }
    }
    const guardCalls = GUARD_CALLS.reduce((s, name) => s + (unguarded.calls[name] || 0), 0)
    const otherCalls = Object.entries(unguarded.calls).filter(([name, n]) => n && !GUARD_CALLS.includes(name))
    if (unguarded.requests) {
      tables.push({
        title: `2c. Unguarded requests under load (${UNGUARDED.join(', ')}; ${L.unguardedS} s after each measured run of a package variant): calls into the addon`,
        text: table(
          ['requests', 'non-2xx + errors', 'native calls the guard made (authenticateSync, authenticate, isGuarded)', 'other native calls, by name'],
          [[fmt.int(unguarded.requests), unguarded.bad, guardCalls, otherCalls.map(([name, n]) => `${name} ${fmt.int(n)}`).join(', ') || 'none']],
        ),
      })
    }
    const targets = [
      { name: 'end to end, protected ÷ unprotected app, req/s (Express, GET /mcp; paired median; best ÷ best in brackets)', was: '0.84×', measured: pairedRps.median, goal: 0.95, show: (x) => `${fmt.ratio(x)} (${fmt.ratio(best.workos.rps / none.rps)})` },
      { name: 'end to end, unprotected ÷ protected app, server CPU per request (the same)', was: '0.81×', measured: pairedCpu.median, goal: 0.95, show: (x) => `${fmt.ratio(x)} (${fmt.ratio(none.cpuPerReq / best.workos.cpuPerReq)})` },
      {
        name: 'unguarded requests under load: native calls the guard made',
        was: 'one per request',
        measured: unguarded.requests ? guardCalls : NaN,
        goal: 0,
        lowerIsBetter: true,
        show: (x) => `${x} in ${fmt.int(unguarded.requests)} requests${otherCalls.length ? ` (+ ${otherCalls.map(([name, n]) => `${fmt.int(n)} ${name}`).join(', ')}: the router serving that document)` : ''}`,
      },
      { name: 'end to end, this package ÷ the 1.x approach, req/s (Express)', was: '3.60×', measured: best.workos.rps / best.original.rps, show: fmt.ratio },
    ]
    const bad = VARIANTS.filter((v) => best[v.id].bad > 0)
    if (bad.length) log(`[middleware] WARNING: non-2xx responses or errors in ${bad.map((v) => v.id).join(', ')}`)
    return { tables, targets, raw: { best, runs: Object.fromEntries(runs), pairedRps, pairedCpu, unguarded } }
  } finally {
    await emu.stop()
  }
}

module.exports = { run }

runAsScript(module, run)
