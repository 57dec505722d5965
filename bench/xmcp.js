'use strict'
// Section 3: a real xmcp app end to end. The same `xmcp build` app (examples/demo's configuration,
// one tool, `echo`, that does not touch the package) in each variant of bench/lib/xmcp-apps.js: no
// auth, the 1.x approach, this package with the README's middleware (and, as a diagnostic, an empty
// AsyncLocalStorage middleware). Each app serves `node dist/http.js`; MCP clients initialize once per
// connection, then call `tools/call` back to back (bench/lib/mcp-load.js).
//
// Per run of each app: a warm-up, a loaded window (XMCP_CONNECTIONS clients) for server CPU per
// request and req/s, then a serial window (one client, one request at a time) for latency. The auth
// overhead of a variant is its figure minus the no-auth app's, from the medians over the rounds.
//
// Separate processes differ from each other by a few per cent of a ~2 ms request (JIT, placement,
// the neighbours on a shared machine), which is more than this package's overhead. So the same two
// providers are also measured each within one process (the `-ab` apps: a request header switches the
// provider off), alternating short windows with and without it; the overhead is then the median of
// the paired differences.
//
//   node bench/xmcp.js [--quick]
//   XMCP_VARIANTS=none,als,1x,workos XMCP_AB=0 node bench/xmcp.js
const path = require('node:path')
const { settings, median, table, fmt, log, runAsScript } = require('./lib/common.js')
const { startChild } = require('./lib/child.js')
const { VARIANTS, TOOL, buildApps } = require('./lib/xmcp-apps.js')
const { startApp } = require('../__test__/support/xmcp-app.js')
const { connect, callLoop, processCpuUs } = require('./lib/mcp-load.js')

const DEFAULT_VARIANTS = ['none', '1x', 'workos']
const AB_VARIANTS = ['1x-ab', 'workos-ab', 'als-ab']
const OFF = { 'x-bench-auth': 'off' }
const ON = {}

function chosenVariants() {
  const ids = (process.env.XMCP_VARIANTS || '').split(',').filter(Boolean)
  const list = ids.length ? ids : [...DEFAULT_VARIANTS]
  for (const id of list)
    if (!VARIANTS[id] || VARIANTS[id].ab)
      throw new Error(
        `XMCP_VARIANTS: unknown variant ${id}; one of ${Object.keys(VARIANTS)
          .filter((v) => !VARIANTS[v].ab)
          .join(', ')}`,
      )
  if (!list.includes('none')) list.unshift('none') // every overhead is measured against it
  return list
}

function appEnv(emu, app) {
  return {
    WORKOS_API_KEY: emu.apiKey,
    WORKOS_CLIENT_ID: emu.clientId,
    BASE_URL: `http://127.0.0.1:${app.port}`,
    WORKOS_AUTHKIT_DOMAIN: emu.url,
    WORKOS_API_HOSTNAME: '127.0.0.1',
    WORKOS_API_PORT: new URL(emu.url).port,
    WORKOS_API_HTTPS: 'false',
  }
}

/** One run of one app: start it, load it, time it serially, stop it. */
async function oneRun(variant, app, emu, tokens, X) {
  const server = await startApp({ dir: app.dir, port: app.port, env: appEnv(emu, app) })
  const url = `${server.url}/mcp`
  let clients
  try {
    clients = await connect(url, tokens, X.connections)
    if (X.warmupS > 0) await callLoop(clients.conns, { tool: TOOL, durationS: X.warmupS })
    const jwks0 = (await emu.call('count', { path: '/oauth2/jwks' })).count
    const c0 = processCpuUs(server.pid)
    const loaded = await callLoop(clients.conns, { tool: TOOL, durationS: X.durationS })
    const c1 = processCpuUs(server.pid)
    const jwks1 = (await emu.call('count', { path: '/oauth2/jwks' })).count
    const serial = await callLoop(clients.conns.slice(0, 1), { tool: TOOL, durationS: X.serialS })
    const c2 = processCpuUs(server.pid)
    const bad = loaded.bad + serial.bad
    if (bad) log(`[xmcp] WARNING: ${variant}: ${bad} failed calls (first: ${loaded.firstBad || serial.firstBad})`)
    return {
      rps: loaded.rps,
      cpuPerReq: (c1 - c0) / loaded.requests,
      loadedP50: loaded.p50,
      loadedP99: loaded.p99,
      serialP50: serial.p50,
      serialP90: serial.p90,
      serialCpuPerReq: (c2 - c1) / serial.requests,
      requests: loaded.requests + serial.requests,
      jwksPer1000: ((jwks1 - jwks0) / loaded.requests) * 1000,
      bad,
    }
  } finally {
    if (clients) clients.close()
    await server.stop()
  }
}

/**
 * One `-ab` app in one process: pairs of loaded windows with the provider off and on (order
 * alternating), then serial windows whose requests alternate off and on. Returns the per-window
 * differences (on − off).
 */
async function abRun(variant, app, emu, tokens, X) {
  const server = await startApp({ dir: app.dir, port: app.port, env: appEnv(emu, app) })
  let clients
  try {
    clients = await connect(`${server.url}/mcp`, tokens, X.connections)
    await callLoop(clients.conns, { tool: TOOL, durationS: X.warmupS, modes: [OFF, ON] })
    const out = {
      cpu: { on: [], off: [] },
      serialP50: { on: [], off: [] },
      requestCpu: { on: [], off: [] },
      rps: { on: [], off: [] },
      bad: 0,
      requests: 0,
    }
    /** The app's probe: median server CPU per request of each mode since the last read. */
    const probe = async () => {
      const res = await fetch(`${server.url}/__bench/stats`, { signal: AbortSignal.timeout(10_000) })
      if (!res.ok) throw new Error(`/__bench/stats answered ${res.status}`)
      return res.json()
    }
    const windowOf = async (conns, modes, seconds) => {
      const c0 = processCpuUs(server.pid)
      const r = await callLoop(conns, { tool: TOOL, durationS: seconds, modes })
      out.bad += r.bad
      out.requests += r.requests
      return { ...r, cpuPerReq: (processCpuUs(server.pid) - c0) / r.requests }
    }
    for (let i = 0; i < X.abPairs; i++) {
      for (const mode of i % 2 ? ['on', 'off'] : ['off', 'on']) {
        const r = await windowOf(clients.conns, [mode === 'on' ? ON : OFF], X.abWindowS)
        out.cpu[mode].push(r.cpuPerReq)
        out.rps[mode].push(r.rps)
      }
    }
    // Serial: one client, its requests alternating off and on, so both modes share every moment of
    // the machine's weather; each window gives one paired figure per measure.
    for (let i = 0; i < X.abPairs; i++) {
      await probe()
      const r = await windowOf(clients.conns.slice(0, 1), i % 2 ? [ON, OFF] : [OFF, ON], X.abWindowS)
      const inApp = await probe()
      const byMode = { [i % 2 ? 'on' : 'off']: r.byMode[0], [i % 2 ? 'off' : 'on']: r.byMode[1] }
      for (const mode of ['off', 'on']) {
        if (!(inApp[mode].n > 0))
          throw new Error(`${variant}: the probe saw no "${mode}" request in a serial window (${JSON.stringify(inApp)})`)
        out.serialP50[mode].push(byMode[mode].p50)
        out.requestCpu[mode].push(inApp[mode].median)
      }
    }
    if (out.bad) log(`[xmcp] WARNING: ${variant}: ${out.bad} failed calls`)
    const diffs = (m) => out[m].on.map((x, i) => x - out[m].off[i])
    return {
      ...out,
      cpuDiffs: diffs('cpu'),
      serialP50Diffs: diffs('serialP50'),
      requestCpuDiffs: diffs('requestCpu'),
      requestCpuOver: median(diffs('requestCpu')),
      cpuOver: median(diffs('cpu')),
      serialP50Over: median(diffs('serialP50')),
    }
  } finally {
    if (clients) clients.close()
    await server.stop()
  }
}

/** The A/B table: per app, the paired differences and their medians. */
function abTable(ab, X) {
  const sign = (x) => `${x >= 0 ? '+' : ''}${fmt.us(x)}`
  const spread = (xs) => `${sign(Math.min(...xs))} … ${sign(Math.max(...xs))}`
  const rows = Object.entries(ab).map(([v, r]) => [
    VARIANTS[v].label,
    fmt.us(median(r.requestCpu.off)),
    sign(r.requestCpuOver),
    spread(r.requestCpuDiffs),
    fmt.us(median(r.cpu.off)),
    sign(r.cpuOver),
    spread(r.cpuDiffs),
    fmt.us(median(r.serialP50.off)),
    sign(r.serialP50Over),
    spread(r.serialP50Diffs),
    fmt.int(r.requests),
    r.bad,
  ])
  return (
    table(
      [
        'app (one process)',
        'off: server CPU per request, in the app, serial, µs (median)',
        'overhead, µs (median of pairs)',
        'pairs min … max',
        'off: server CPU µs/req, loaded (process)',
        'overhead, µs',
        'pairs min … max',
        'off: serial p50 latency µs',
        'overhead, µs',
        'pairs min … max',
        'calls',
        'failed calls',
      ],
      rows,
    ) +
    `\n\nLoaded: ${X.abPairs} pairs of ${X.abWindowS} s windows, all off or all on, the order within a pair alternating (${X.connections} clients; the process's CPU over the window ÷ calls). ` +
    `Serial: ${X.abPairs} windows of ${X.abWindowS} s, one client whose requests alternate off and on; per window and mode, the median of the CPU the app measured around each request (from its router until the response finished) and the median client-side latency. ` +
    'An "off" request skips the provider and turns its AsyncLocalStorage off, as in an app without it.'
  )
}

async function run(cfg = settings()) {
  const X = cfg.xmcp
  const variants = chosenVariants()
  const abVariants = X.abPairs > 0 ? (process.env.XMCP_AB_VARIANTS || AB_VARIANTS.join(',')).split(',').filter(Boolean) : []
  for (const v of abVariants)
    if (!VARIANTS[v] || !VARIANTS[v].ab) throw new Error(`XMCP_AB_VARIANTS: unknown variant ${v}; one of ${AB_VARIANTS.join(', ')}`)
  log(`[xmcp] building ${variants.length + abVariants.length} apps (xmcp build): ${[...variants, ...abVariants].join(', ')}`)
  const apps = await buildApps([...variants, ...abVariants])
  const emuChild = startChild(path.join(__dirname, 'lib', 'emulator-child.js'), [], {})
  const info = await emuChild.ready
  const emu = { ...info, call: emuChild.call }
  try {
    const { tokens } = await emuChild.call('mint', { n: X.connections })
    const runs = new Map(variants.map((v) => [v, []]))
    for (let round = 0; round < X.repeats; round++) {
      for (let k = 0; k < variants.length; k++) {
        const v = variants[(k + round) % variants.length]
        log(
          `[xmcp] round ${round + 1}/${X.repeats}: ${VARIANTS[v].label}, ${X.connections} clients ${X.durationS} s, then 1 client ${X.serialS} s`,
        )
        await emuChild.call('reset')
        runs.get(v).push(await oneRun(v, apps[v], emu, tokens, X))
      }
    }
    const ab = {}
    for (const v of abVariants) {
      log(`[xmcp] ${VARIANTS[v].label}: ${X.abPairs} pairs of ${X.abWindowS} s windows, loaded then serial`)
      ab[v] = await abRun(v, apps[v], emu, tokens, X)
    }

    const metrics = ['rps', 'cpuPerReq', 'serialP50', 'serialCpuPerReq', 'loadedP50', 'loadedP99', 'jwksPer1000']
    const med = {}
    for (const v of variants) {
      med[v] = Object.fromEntries(metrics.map((m) => [m, median(runs.get(v).map((r) => r[m]))]))
      med[v].bad = runs.get(v).reduce((s, r) => s + r.bad, 0)
      med[v].requests = runs.get(v).reduce((s, r) => s + r.requests, 0)
    }
    const over = (v, m) => med[v][m] - med.none[m]
    const sign = (x) => `${x >= 0 ? '+' : ''}${fmt.us(x)}`
    const every = (v, m) =>
      runs
        .get(v)
        .map((r) => fmt.us(r[m]))
        .join(' / ')
    const rows = variants.map((v) => [
      VARIANTS[v].label,
      fmt.int(med[v].rps),
      fmt.us(med[v].cpuPerReq),
      every(v, 'cpuPerReq'),
      v === 'none' ? '—' : sign(over(v, 'cpuPerReq')),
      fmt.us(med[v].serialP50),
      every(v, 'serialP50'),
      v === 'none' ? '—' : sign(over(v, 'serialP50')),
      v === 'none' ? '—' : sign(over(v, 'serialCpuPerReq')),
      `${fmt.ms(med[v].loadedP50 / 1e3)} / ${fmt.ms(med[v].loadedP99 / 1e3)}`,
      med[v].jwksPer1000.toFixed(1),
      fmt.int(med[v].requests),
      med[v].bad,
    ])
    const has = (v) => variants.includes(v)
    /**
     * 1.x overhead ÷ ours, with what went into it. An overhead of ours at or below 0 is within the
     * noise: then the ratio is bounded with the largest of our paired differences (`bound`), or not
     * given at all.
     */
    const ratioOf = (theirs, ours, bound) => (ours > 0 ? theirs / ours : bound > 0 ? theirs / bound : NaN)
    const ratioText = (theirs, ours, bound) =>
      ours > 0
        ? `${fmt.ratio(theirs / ours)} (${fmt.us(theirs)} ÷ ${fmt.us(ours)} µs)`
        : bound > 0
          ? `≥ ${fmt.ratio(theirs / bound)} (${fmt.us(theirs)} µs ÷ our largest paired difference ${fmt.us(bound)} µs; our median ${fmt.us(ours)} µs is within the noise)`
          : `n/a (ours ${fmt.us(ours)} µs: within the noise)`
    const separate = has('1x') && has('workos')
    const tables = [
      {
        title: `3. xmcp app end to end: \`xmcp build\`, \`node dist/http.js\`, tools/call of \`${TOOL}\` (ignores the package); ${X.connections} MCP clients for ${X.durationS} s after ${X.warmupS} s warm-up, then 1 client for ${X.serialS} s; ${X.repeats} runs per app, each its own process`,
        text:
          table(
            [
              'app',
              'req/s',
              'server CPU µs/req',
              'every run',
              'auth overhead, CPU µs/req',
              'serial p50 latency µs',
              'every run',
              'auth overhead, latency µs',
              'auth overhead, serial CPU µs/req',
              'loaded p50 / p99 ms',
              'JWKS fetches / 1000 req',
              'calls (all runs)',
              'failed calls',
            ],
            rows,
          ) +
          (separate
            ? `\n\nThe 1.x approach's overhead ÷ this package's: server CPU per request (loaded) ${ratioText(over('1x', 'cpuPerReq'), over('workos', 'cpuPerReq'))}; serial latency ${ratioText(over('1x', 'serialP50'), over('workos', 'serialP50'))}; server CPU per request (serial) ${ratioText(over('1x', 'serialCpuPerReq'), over('workos', 'serialCpuPerReq'))}.`
            : '') +
          ` Medians of ${X.repeats} runs per app, interleaved; every app restarted for every run. Server CPU is the server process's on-CPU time (all threads, /proc schedstat); the emulator's work for the 1.x approach's JWKS downloads is not in it. Builds: ${Object.entries(
            apps,
          )
            .map(([v, a]) => `${v} ${(a.buildMs / 1000).toFixed(1)} s`)
            .join(', ')}.`,
      },
    ]
    if (abVariants.length) {
      tables.push({
        title: '3b. The same providers measured within one process (provider switched off and on by a request header)',
        text: abTable(ab, X),
      })
    }
    const targets = []
    if (ab['1x-ab'] && ab['workos-ab']) {
      const [theirs, ours] = [ab['1x-ab'], ab['workos-ab']]
      targets.push({
        name: 'xmcp app, auth overhead per request: the 1.x approach ÷ this package (within one process, server CPU per request measured in the app; loaded CPU and serial latency in brackets)',
        was: '—',
        measured: ratioOf(theirs.requestCpuOver, ours.requestCpuOver, Math.max(...ours.requestCpuDiffs)),
        goal: 10,
        show: () =>
          `${ratioText(theirs.requestCpuOver, ours.requestCpuOver, Math.max(...ours.requestCpuDiffs))} (loaded ${ratioText(theirs.cpuOver, ours.cpuOver, Math.max(...ours.cpuDiffs))}; ` +
          `latency ${ratioText(theirs.serialP50Over, ours.serialP50Over, Math.max(...ours.serialP50Diffs))})`,
      })
    }
    if (ab['workos-ab']) {
      const ours = ab['workos-ab']
      const off = median(ours.requestCpu.off)
      targets.push({
        name: 'xmcp app, protected ÷ unprotected, server CPU per request (within one process, in the app: off ÷ (off + our overhead))',
        was: '—',
        measured: off / (off + Math.max(0, ours.requestCpuOver)),
        goal: 0.95,
        show: (x) => `${fmt.ratio(x)} (${fmt.us(off)} µs, +${fmt.us(Math.max(0, ours.requestCpuOver))} µs)`,
      })
    }
    if (separate) {
      targets.push({
        name: 'the same, separate apps (no auth / 1.x / README middleware; medians over processes)',
        was: '—',
        measured: ratioOf(over('1x', 'cpuPerReq'), over('workos', 'cpuPerReq')),
        show: () =>
          `${ratioText(over('1x', 'cpuPerReq'), over('workos', 'cpuPerReq'))} (latency ${ratioText(over('1x', 'serialP50'), over('workos', 'serialP50'))})`,
      })
    }
    return { tables, targets, raw: { runs: Object.fromEntries(runs), medians: med, ab, builds: apps } }
  } finally {
    await emuChild.stop()
  }
}

module.exports = { run }

runAsScript(module, run)
