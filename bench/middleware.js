'use strict'
// Section 2: the same Express app end to end under load (autocannon, keep-alive, fixed concurrency,
// bounded duration): (a) no auth, (b) this package, (c) the original's approach (jose with a remote
// JWKS created per request, against the local emulator), (d) jose with a cached remote JWKS, plus
// this package with its token cache off. Three processes: the emulator, the server under test, and
// this one (the load generator). Each connection is one client reusing its own valid token.
//
//   node bench/middleware.js [--quick]
const path = require('node:path')
const { fork } = require('node:child_process')
const autocannon = require('autocannon')
const { settings, median, table, fmt, log, ROOT } = require('./lib/common.js')
const { joseVersion } = require('./lib/jose.js')

const ALL_VARIANTS = [
  { id: 'none', label: '(a) no auth' },
  { id: 'none-als', label: '(a′) no auth + one AsyncLocalStorage.run per request' },
  { id: 'workos-router', label: 'diagnostic: this package’s router only', diagnostic: true },
  { id: 'native-calls', label: 'diagnostic: router + isGuarded + authenticateSync, no session', diagnostic: true },
  { id: 'native-calls-timed', label: 'diagnostic: the same, timed in place (+ timers and controls)', diagnostic: true },
  { id: 'workos', label: '(b) this package' },
  { id: 'workos-nocache', label: '(b′) this package, tokenCache: false' },
  { id: 'original', label: `(c) original: jose ${joseVersion}, remote JWKS per request` },
  { id: 'jose-cached', label: `(d) jose ${joseVersion}, remote JWKS cached` },
]

/** LOAD_VARIANTS=id,id… picks variants (diagnostic ones included); default: every non-diagnostic one. */
function variants() {
  const ids = (process.env.LOAD_VARIANTS || '').split(',').filter(Boolean)
  if (!ids.length) return ALL_VARIANTS.filter((v) => !v.diagnostic)
  for (const id of ids) if (!ALL_VARIANTS.some((v) => v.id === id)) throw new Error(`LOAD_VARIANTS: unknown variant ${id}`)
  return ALL_VARIANTS.filter((v) => ids.includes(v.id))
}

/** A forked helper process with request/response messages and a bounded wait for `ready`. */
function startChild(file, args, env, readyTimeoutMs = 20_000) {
  const child = fork(file, args, { env: { ...process.env, ...env }, cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const pending = new Map()
  let nextId = 0
  let readyResolve
  const ready = new Promise((resolve, reject) => {
    readyResolve = resolve
    const timer = setTimeout(() => reject(new Error(`${path.basename(file)} ${args.join(' ')} not ready in ${readyTimeoutMs} ms`)), readyTimeoutMs)
    child.once('exit', (code) => reject(new Error(`${path.basename(file)} exited early (${code})`)))
    child.on('message', (m) => {
      if (m && m.ready) {
        clearTimeout(timer)
        readyResolve(m)
      }
    })
  })
  ready.catch(() => {})
  child.on('message', (m) => {
    if (m && m.id !== undefined && pending.has(m.id)) {
      pending.get(m.id)(m)
      pending.delete(m.id)
    }
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  return {
    ready,
    call(cmd, args = {}, timeoutMs = 30_000) {
      const id = nextId++
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${cmd} timed out`)), timeoutMs)
        pending.set(id, (m) => {
          clearTimeout(timer)
          resolve(m)
        })
        child.send({ id, cmd, ...args })
      })
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}

function cannon(url, tokens, { connections, durationS }) {
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
        // One client per connection, each with its own token for the whole run.
        setupClient: (client) => client.setHeaders({ accept: 'application/json', authorization: `Bearer ${tokens[next++ % tokens.length]}` }),
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    )
  })
}

async function run(cfg = settings()) {
  const L = cfg.load
  const VARIANTS = variants()
  const emu = startChild(path.join(__dirname, 'lib', 'emulator-child.js'), [], {})
  const info = await emu.ready
  try {
    const { tokens } = await emu.call('mint', { n: L.connections })
    const runs = new Map(VARIANTS.map((v) => [v.id, []]))
    for (let round = 0; round < L.repeats; round++) {
      for (let k = 0; k < VARIANTS.length; k++) {
        const v = VARIANTS[(k + round) % VARIANTS.length]
        log(`[middleware] round ${round + 1}/${L.repeats}: ${v.label}, ${L.connections} connections, ${L.durationS} s`)
        await emu.call('reset')
        const server = startChild(path.join(__dirname, 'lib', 'server.js'), [v.id], {
          EMU_URL: info.url,
          EMU_CLIENT_ID: info.clientId,
          EMU_API_KEY: info.apiKey,
        })
        try {
          const { port } = await server.ready
          const url = `http://127.0.0.1:${port}/mcp`
          if (L.warmupS > 0) await cannon(url, tokens, { connections: L.connections, durationS: L.warmupS })
          const before = (await emu.call('count', { path: '/oauth2/jwks' })).count
          const s0 = await server.call('cpu')
          const r = await cannon(url, tokens, { connections: L.connections, durationS: L.durationS })
          const s1 = await server.call('cpu')
          const [cpu0, cpu1] = [s0.cpuUs, s1.cpuUs]
          const inSituCalls = s1.inSituCalls - s0.inSituCalls
          const after = (await emu.call('count', { path: '/oauth2/jwks' })).count
          const total = r.requests.total
          runs.get(v.id).push({
            rps: total / r.duration,
            cpuPerReq: total ? (cpu1 - cpu0) / total : NaN,
            inSituUs: inSituCalls ? (s1.inSituNs - s0.inSituNs) / 1e3 / inSituCalls : NaN,
            threads: Object.fromEntries(Object.keys(s1.threads || {}).map((k) => [k, total ? ((s1.threads[k] - (s0.threads[k] || 0)) / total) : NaN])),
            inSitu: inSituCalls
              ? {
                  trivial: (s1.inSituTrivialNs - s0.inSituTrivialNs) / 1e3 / inSituCalls,
                  guard: (s1.inSituGuardNs - s0.inSituGuardNs) / 1e3 / inSituCalls,
                  auth: (s1.inSituAuthNs - s0.inSituAuthNs) / 1e3 / inSituCalls,
                  parse: (s1.inSituParseNs - s0.inSituParseNs) / 1e3 / inSituCalls,
                }
              : null,
            p50: r.latency.p50,
            p99: r.latency.p99,
            total,
            fetchesPer1000: total ? ((after - before) / total) * 1000 : NaN,
            fetchesIncludingStartup: after,
            bad: r.non2xx + r.errors + r.timeouts,
          })
        } finally {
          await server.stop()
        }
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
        inSituUs: Math.min(...rs.map((x) => x.inSituUs)),
        inSitu: rs.reduce((a, x) => (x.inSituUs < (a ? a.total : Infinity) ? { ...x.inSitu, total: x.inSituUs } : a), null),
        bad: rs.reduce((s, x) => s + x.bad, 0),
      }
    }
    const missing = { rps: NaN, cpuPerReq: NaN, fetchesPer1000: NaN }
    for (const id of ['none', 'none-als', 'workos', 'original']) best[id] ??= missing
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
        Number.isFinite(best.none.cpuPerReq) ? `${b.cpuPerReq >= best.none.cpuPerReq ? '+' : ''}${fmt.us(b.cpuPerReq - best.none.cpuPerReq)}` : 'n/a',
        b.fetchesPer1000 < 0.1 && b.fetchesPer1000 > 0 ? b.fetchesPer1000.toFixed(3) : b.fetchesPer1000.toFixed(1),
        b.fetchesIncludingStartup,
        b.bad,
        fmt.ratio(best.workos.rps / b.rps),
        fmt.ratio(b.rps / best.none.rps),
      ]
    })
    const tables = [
      {
        title: `2. Middleware end to end: GET /mcp, ${L.connections} keep-alive connections, ${L.durationS} s per run after ${L.warmupS} s warm-up, best of ${L.repeats} by req/s (p50/p99 of that run)`,
        text: table(
          ['app', 'req/s (best)', 'req/s (median)', 'req/s, every run', 'p50 ms', 'p99 ms', 'server CPU µs/req (best)', 'CPU vs no auth µs/req', 'JWKS fetches / 1000 req', 'JWKS fetches incl. start-up (best run)', 'non-2xx + errors (all runs)', 'this package faster by', 'share of no-auth req/s'],
          rows,
        ) +
          '\n\nBy server CPU per request (steadier than req/s here, since it leaves out time spent waiting for a core):' +
          (Number.isFinite(best.original.cpuPerReq / best.workos.cpuPerReq)
            ? ` the original approach costs ${fmt.ratio(best.original.cpuPerReq / best.workos.cpuPerReq)} this package's;`
            : '') +
          ` this package costs ${fmt.ratio(best.workos.cpuPerReq / best.none.cpuPerReq)} the no-auth app's` +
          (Number.isFinite(best['none-als'].cpuPerReq)
            ? ` (${fmt.ratio(best.workos.cpuPerReq / best['none-als'].cpuPerReq)} the no-auth app with an AsyncLocalStorage context).`
            : '.') +
          (best['native-calls-timed'] && Number.isFinite(best['native-calls-timed'].inSituUs)
            ? ` Inside the server (diagnostic variant), isGuarded + authenticateSync took ${fmt.us(best['native-calls-timed'].inSitu.total)} µs per request ` +
              `(isGuarded ${fmt.us(best['native-calls-timed'].inSitu.guard)}, authenticateSync ${fmt.us(best['native-calls-timed'].inSitu.auth)}; ` +
              `controls: a trivial napi getter ${fmt.us(best['native-calls-timed'].inSitu.trivial)}, JSON.parse of a token payload ${fmt.us(best['native-calls-timed'].inSitu.parse)}), wall time, best run.`
            : ''),
      },
    ]
    // Which threads the server's CPU went to (best run of each variant; Linux only).
    // Node 20 leaves its V8 platform workers (parallel GC, compiler) and the libuv pool (jose's RSA
    // work) named "node", like the JS thread; the addon's runtime threads are "tokio-…".
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
    const targets = [
      { name: 'JWKS fetches per 1000 authenticated requests ≤ 1', measured: best.workos.fetchesPer1000, goal: 1, lowerIsBetter: true, show: (x) => `${x.toFixed(3)} (original: ${best.original.fetchesPer1000.toFixed(0)})` },
      { name: 'end to end ≥ 3× the original approach’s req/s', measured: best.workos.rps / best.original.rps, goal: 3, show: fmt.ratio },
      { name: 'end to end ≥ 0.9× the unauthenticated app', measured: best.workos.rps / best.none.rps, goal: 0.9, show: fmt.ratio },
    ]
    const bad = VARIANTS.filter((v) => best[v.id].bad > 0)
    if (bad.length) log(`[middleware] WARNING: non-2xx responses or errors in ${bad.map((v) => v.id).join(', ')}`)
    return { tables, targets, raw: best }
  } finally {
    await emu.stop()
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
