'use strict'
// Section 2: the same Express app end to end under load (autocannon, keep-alive, fixed concurrency,
// bounded duration): (a) no auth, (a′) no auth with an AsyncLocalStorage context, (b) this package,
// (c) the 1.x approach (jose with a remote JWKS created per request, against the local emulator), and
// diagnostic variants on demand. Each app runs beside a fresh no-auth server, both loaded at the same
// time with the same settings: on a shared machine, runs made one after the other meet different
// neighbours, and the difference sought (a few per cent) is smaller than that. Processes: the
// emulator, the two servers, and this one (the load generators). Each connection is one client
// reusing its own valid token.
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
  {
    id: 'native-only',
    label: 'diagnostic: router + the native call on every request (no first-level cache, no session, no ALS)',
    diagnostic: true,
    package: true,
  },
  // A diagnostic, but cheap and telling: in the default set.
  {
    id: 'workos-timed',
    label: 'diagnostic: this package, its middleware and getSession() timed in place (+ timed controls)',
    package: true,
  },
  { id: 'workos', label: '(b) this package', package: true },
  { id: 'workos-nocache', label: 'diagnostic: this package, tokenCache: false', diagnostic: true, package: true },
  { id: 'original', label: `(c) the 1.x approach: jose ${joseVersion}, remote JWKS per request` },
  { id: 'jose-cached', label: `diagnostic: jose ${joseVersion}, remote JWKS cached`, diagnostic: true },
]

/** The unguarded paths of the second window: what the guard must let through without the addon. */
const UNGUARDED = [
  '/health',
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-protected-resource/mcp',
  '/.well-known/oauth-authorization-server',
]
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
        setupClient: (client) =>
          client.setHeaders({ accept: 'application/json', authorization: `Bearer ${tokens[next++ % tokens.length]}` }),
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    )
  })
}

/** The per-name difference of two native-call snapshots. */
const callsBetween = (s0, s1) => Object.fromEntries(Object.keys(s1).map((k) => [k, s1[k] - (s0[k] || 0)]))

/** A fresh server of variant `id` (bench/lib/server.js). */
function startServer(id, info) {
  return startChild(path.join(__dirname, 'lib', 'server.js'), [id], {
    EMU_URL: info.url,
    EMU_CLIENT_ID: info.clientId,
    EMU_API_KEY: info.apiKey,
  })
}

/** The figures of one server over one window: autocannon's result and the server's snapshots before and after. */
function figures(r, s0, s1) {
  const total = r.requests.total
  return {
    rps: total / r.duration,
    cpuPerReq: total ? (s1.cpuUs - s0.cpuUs) / total : NaN,
    threads: Object.fromEntries(Object.keys(s1.threads).map((k) => [k, total ? (s1.threads[k] - (s0.threads[k] || 0)) / total : NaN])),
    nativeCallsPer1000: total ? (totalCalls(s1.nativeCalls, s0.nativeCalls) / total) * 1000 : NaN,
    // The server's in-place medians over this window (its snapshot before the window reset them).
    inSitu: s1.inSitu.calls ? s1.inSitu : null,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total,
    bad: r.non2xx + r.errors + r.timeouts,
  }
}

/**
 * One round of variant `v`: a fresh server of it and a fresh no-auth server, loaded at the same time
 * by two autocannons with the same settings, so both meet the same moment of a shared machine; then,
 * for a package variant, the unguarded window on its server alone.
 */
async function pairRun(v, info, tokens, L) {
  const servers = [startServer('none', info), startServer(v.id, info)]
  try {
    const urls = (await Promise.all(servers.map((s) => s.ready))).map(({ port }) => `http://127.0.0.1:${port}`)
    const load = (durationS) => Promise.all(urls.map((url) => cannon(`${url}/mcp`, tokens, { connections: L.connections, durationS })))
    if (L.warmupS > 0) await load(L.warmupS)
    const before = (await info.emu.call('count', { path: '/oauth2/jwks' })).count
    const s0 = await Promise.all(servers.map((s) => s.call('cpu')))
    const results = await load(L.durationS)
    const s1 = await Promise.all(servers.map((s) => s.call('cpu')))
    const after = (await info.emu.call('count', { path: '/oauth2/jwks' })).count
    const [none, run] = results.map((r, i) => figures(r, s0[i], s1[i]))
    run.fetchesPer1000 = run.total ? ((after - before) / run.total) * 1000 : NaN
    none.fetchesPer1000 = 0
    if (v.package && L.unguardedS > 0) {
      const server = servers[1]
      const u0 = await server.call('cpu')
      const u = await cannon(urls[1], tokens, {
        connections: L.connections,
        durationS: L.unguardedS,
        requests: UNGUARDED.map((p) => ({ method: 'GET', path: p })),
      })
      const u1 = await server.call('cpu')
      run.unguarded = {
        requests: u.requests.total,
        bad: u.non2xx + u.errors + u.timeouts,
        calls: callsBetween(u0.nativeCalls, u1.nativeCalls),
      }
    }
    return { none, run }
  } finally {
    await Promise.all(servers.map((s) => s.stop()))
  }
}

async function run(cfg = settings()) {
  const L = cfg.load
  const VARIANTS = variants().filter((v) => v.id !== 'none')
  const emu = startChild(path.join(__dirname, 'lib', 'emulator-child.js'), [], {})
  const info = { ...(await emu.ready), emu }
  try {
    const { tokens } = await emu.call('mint', { n: L.connections })
    const runs = new Map([['none', []], ...VARIANTS.map((v) => [v.id, []])])
    for (let round = 0; round < L.repeats; round++) {
      for (let k = 0; k < VARIANTS.length; k++) {
        const v = VARIANTS[(k + round) % VARIANTS.length]
        log(
          `[middleware] round ${round + 1}/${L.repeats}: ${v.label} beside (a) no auth, ${L.connections} connections each, ${L.durationS} s`,
        )
        await emu.call('reset')
        const { none, run } = await pairRun(v, info, tokens, L)
        runs.get('none').push(none)
        // Each run keeps the figures of the no-auth server that ran beside it.
        runs.get(v.id).push({
          ...run,
          beside: none,
          rpsRatio: run.rps / none.rps,
          cpuRatio: none.cpuPerReq / run.cpuPerReq,
          cpuOver: run.cpuPerReq - none.cpuPerReq,
        })
      }
    }
    const all = [{ id: 'none', label: ALL_VARIANTS[0].label }, ...VARIANTS]
    const summary = {}
    for (const v of all) {
      const rs = runs.get(v.id)
      const med = (f) => median(rs.map(f))
      summary[v.id] = {
        label: v.label,
        rps: med((x) => x.rps),
        cpuPerReq: med((x) => x.cpuPerReq),
        p50: med((x) => x.p50),
        p99: med((x) => x.p99),
        nativeCallsPer1000: med((x) => x.nativeCallsPer1000),
        fetchesPer1000: med((x) => x.fetchesPer1000),
        bad: rs.reduce((s, x) => s + x.bad, 0),
        rpsAll: rs.map((x) => x.rps),
        cpuAll: rs.map((x) => x.cpuPerReq),
        rpsRatios: rs.map((x) => x.rpsRatio).filter(Number.isFinite),
        cpuRatios: rs.map((x) => x.cpuRatio).filter(Number.isFinite),
        cpuOver: med((x) => x.cpuOver),
        threads: rs.reduce((a, x) => (!a || x.cpuPerReq < a.cpuPerReq ? x : a), null).threads,
        inSitu: rs
          .map((x) => x.inSitu)
          .filter(Boolean)
          .reduce((a, x) => (!a || x.middleware < a.middleware ? x : a), null),
      }
    }
    const S = summary
    const missing = { rps: NaN, cpuPerReq: NaN, rpsRatios: [], cpuRatios: [], fetchesPer1000: NaN }
    for (const id of ['workos', 'original']) S[id] ??= missing
    const ratios = (xs) => (xs.length ? `${fmt.ratio(median(xs))} (${xs.map(fmt.ratio).join(', ')})` : '—')
    const rows = all.map((v) => {
      const b = S[v.id]
      const isNone = v.id === 'none'
      return [
        b.label,
        fmt.int(b.rps),
        b.rpsAll.map((x) => fmt.int(x)).join(' / '),
        fmt.us(b.cpuPerReq),
        b.cpuAll.map((x) => fmt.us(x)).join(' / '),
        isNone ? '—' : `${b.cpuOver >= 0 ? '+' : ''}${fmt.us(b.cpuOver)}`,
        isNone ? '—' : ratios(b.rpsRatios),
        isNone ? '—' : ratios(b.cpuRatios),
        `${b.p50} / ${b.p99}`,
        v.package ? fmt.us(b.nativeCallsPer1000) : '',
        b.fetchesPer1000 < 0.1 && b.fetchesPer1000 > 0 ? b.fetchesPer1000.toFixed(3) : b.fetchesPer1000.toFixed(1),
        b.bad,
      ]
    })
    const timed = S['workos-timed'] && S['workos-timed'].inSitu
    const tables = [
      {
        title: `2. Middleware end to end: GET /mcp; each app runs beside a no-auth server, both loaded at the same time (${L.connections} keep-alive connections each, ${L.durationS} s after ${L.warmupS} s warm-up); ${L.repeats} rounds, fresh processes every round (medians; every run in order)`,
        text:
          table(
            [
              'app',
              'req/s',
              'every run',
              'server CPU µs/req',
              'every run',
              'CPU vs the no-auth server beside it, µs/req (median)',
              'req/s ÷ no auth beside it (median; every run)',
              'no-auth CPU ÷ this CPU (median; every run)',
              'p50 / p99 ms (median)',
              'native calls / 1000 req',
              'JWKS fetches / 1000 req',
              'non-2xx + errors (all runs)',
            ],
            rows,
          ) +
          '\n\nThe two servers of a pair share the two cores (so each serves about half what it would alone); the ratios compare them under the same load at the same moment, which a shared machine does not give to runs made one after the other.' +
          (Number.isFinite(S.original.cpuPerReq)
            ? ` The 1.x approach costs ${fmt.ratio(S.original.cpuPerReq / S.workos.cpuPerReq)} this package’s server CPU per request and serves ${fmt.ratio(S.original.rps / S.workos.rps)} its req/s (medians, each beside its own no-auth server).`
            : '') +
          (timed
            ? ` Timed in place (diagnostic variant; medians per request, the run with the lowest): the middleware took ${fmt.us(timed.middleware)} µs per request from its call until next() ran, and the handler's getSession() (which builds the Session) ${fmt.us(timed.session)} µs; controls: a trivial napi getter ${fmt.us(timed.getter)} µs, JSON.parse of a token payload ${fmt.us(timed.parse)} µs.`
            : ''),
      },
    ]
    // Which threads the server's CPU went to (run with the least CPU per request of each app; Linux only).
    const group = (name) =>
      name === 'main'
        ? 'JS thread'
        : name === 'node'
          ? 'other Node threads (V8 GC/compiler, libuv pool)'
          : /tokio/i.test(name)
            ? 'tokio (addon)'
            : 'other'
    const groups = ['JS thread', 'other Node threads (V8 GC/compiler, libuv pool)', 'tokio (addon)', 'other']
    const threadRows = all
      .filter((v) => S[v.id].threads && Object.keys(S[v.id].threads).length)
      .map((v) => {
        const sums = Object.fromEntries(groups.map((g) => [g, 0]))
        for (const [name, us] of Object.entries(S[v.id].threads)) sums[group(name)] += us
        return [S[v.id].label, ...groups.map((g) => fmt.us(sums[g]))]
      })
    if (threadRows.length) {
      tables.push({
        title:
          '2b. Server CPU per request by thread (µs, /proc per-thread times at 10 ms resolution, the run with the least CPU per request of each app)',
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
    const guardCalls = GUARD_CALLS.reduce((sum, name) => sum + (unguarded.calls[name] || 0), 0)
    const otherCalls = Object.entries(unguarded.calls).filter(([name, n]) => n && !GUARD_CALLS.includes(name))
    if (unguarded.requests) {
      tables.push({
        title: `2c. Unguarded requests under load (${UNGUARDED.join(', ')}; ${L.unguardedS} s after each measured run of a package variant): calls into the addon`,
        text: table(
          [
            'requests',
            'non-2xx + errors',
            'native calls the guard made (authenticateSync, authenticate, isGuarded)',
            'other native calls, by name',
          ],
          [
            [
              fmt.int(unguarded.requests),
              unguarded.bad,
              guardCalls,
              otherCalls.map(([name, n]) => `${name} ${fmt.int(n)}`).join(', ') || 'none',
            ],
          ],
        ),
      })
    }
    const med = (xs) => (xs.length ? median(xs) : NaN)
    const every = (xs) => xs.map(fmt.ratio).join(', ')
    const targets = [
      {
        name: 'end to end, protected ÷ unprotected app, req/s (Express, GET /mcp, side by side; median of rounds)',
        was: '0.84×',
        measured: med(S.workos.rpsRatios),
        goal: 0.95,
        show: (x) => `${fmt.ratio(x)} (${every(S.workos.rpsRatios)})`,
      },
      {
        name: 'end to end, unprotected ÷ protected app, server CPU per request (the same)',
        was: '0.81×',
        measured: med(S.workos.cpuRatios),
        goal: 0.95,
        show: (x) => `${fmt.ratio(x)} (${every(S.workos.cpuRatios)})`,
      },
      {
        name: 'unguarded requests under load: native calls the guard made',
        was: 'one per request',
        measured: unguarded.requests ? guardCalls : NaN,
        goal: 0,
        lowerIsBetter: true,
        show: (x) =>
          `${x} in ${fmt.int(unguarded.requests)} requests${unguarded.calls.authorizationServerDocument ? ` (+ ${fmt.int(unguarded.calls.authorizationServerDocument)} authorizationServerDocument: the router serving that document from the addon’s cache)` : ''}`,
      },
      {
        name: 'end to end, this package ÷ the 1.x approach, server CPU per request (Express)',
        was: '4.50×',
        measured: S.original.cpuPerReq / S.workos.cpuPerReq,
        show: fmt.ratio,
      },
    ]
    const bad = all.filter((v) => S[v.id].bad > 0)
    if (bad.length) log(`[middleware] WARNING: non-2xx responses or errors in ${bad.map((v) => v.id).join(', ')}`)
    return { tables, targets, raw: { summary, runs: Object.fromEntries(runs), unguarded } }
  } finally {
    await emu.stop()
  }
}

module.exports = { run }

runAsScript(module, run)
