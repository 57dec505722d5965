'use strict'
// Section 3: memory and start-up.
// - Addon load time: `require('./native.js')` (and the whole package) in fresh processes.
// - RSS of a process serving MEMORY_TOKENS (1M) distinct valid tokens through workosProvider's
//   middleware with the default caches (10 000 native entries): growth must stay bounded. Tokens are
//   minted on worker threads in this process and streamed to that child and, at the same time, to a
//   control child that does the same without the package; never more than a few batches exist.
//
//   node bench/memory.js [--quick]
const path = require('node:path')
const { fork, spawnSync } = require('node:child_process')
const { createEmulator } = require('../__test__/support/emulator.js')
const { Minter, keyMaterialOf } = require('./lib/minter.js')
const { settings, median, table, fmt, log, ROOT, runAsScript } = require('./lib/common.js')

const BATCH = 500
/** The package's default `tokenCache.maxEntries`. */
const DEFAULT_CACHE_ENTRIES = 10_000

function loadTimes(runs) {
  const snippets = {
    native: `require(${JSON.stringify(path.join(ROOT, 'native.js'))})`,
    nativeAndProvider: `const { NativeProvider } = require(${JSON.stringify(path.join(ROOT, 'native.js'))}); new NativeProvider({ apiKey: 'k', clientId: 'c', baseURL: 'http://127.0.0.1:1', authkitDomain: 'http://127.0.0.1:9', jwks: { warmUp: false } })`,
    express: `require('express')`,
    package: `require('@xmcp-dev/workos')`,
  }
  const labels = {
    native: 'addon: require("./native.js") (dlopen + loader)',
    nativeAndProvider: 'addon + first new NativeProvider(config)',
    express: 'reference: require("express") alone',
    package: 'whole package: require("@xmcp-dev/workos") (glue + express + addon)',
  }
  const samples = Object.fromEntries(Object.keys(snippets).map((k) => [k, []]))
  for (let i = 0; i < runs; i++) {
    for (const [id, code] of Object.entries(snippets)) {
      const script = `const t0 = process.hrtime.bigint(); ${code}; process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6))`
      const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 })
      if (r.status !== 0) throw new Error(`load-time probe ${id} failed: ${r.stderr}`)
      samples[id].push(Number(r.stdout))
    }
  }
  return Object.entries(samples).map(([id, ms]) => ({
    id,
    label: labels[id],
    median: median(ms),
    min: Math.min(...ms),
    max: Math.max(...ms),
  }))
}

/** A verifying child (node flags `execArgv`), answering in order. */
function verifier(execArgv = []) {
  const child = fork(path.join(__dirname, 'lib', 'memory-child.js'), [], {
    cwd: ROOT,
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const waiting = []
  let onReady
  const ready = new Promise((resolve, reject) => {
    onReady = resolve
    setTimeout(() => reject(new Error('memory child not ready in 20 s')), 20_000).unref()
  })
  child.on('message', (m) => (m.ready ? onReady() : waiting.shift()?.(m)))
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.once('exit', (code) => {
    for (const w of waiting.splice(0)) w({ error: `memory child exited (${code})` })
  })
  return {
    ready,
    /** Sends `msg`; the child answers in order. Bounded: a child silent for 2 min fails the run. */
    request(msg) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`memory child did not answer ${msg.cmd} in 120 s`)), 120_000)
        waiting.push((m) => {
          clearTimeout(timer)
          resolve(m)
        })
        child.send(msg)
      })
    },
    async stop() {
      child.disconnect()
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}

const pick = ({ rss, heapTotal, heapUsed, external }) => ({ rss, heapTotal, heapUsed, external })

/** Sends `msg` to each child and settles when all have answered; a child's error fails the run. */
async function both(children, msg) {
  const answers = await Promise.all(children.map((c) => c.request(msg)))
  for (const a of answers) if (a.error) throw new Error(a.error)
  return answers
}

/** V8's young generation (semi-space, MiB) of the second package/control pair, see cacheGrowth. */
const SMALL_SEMI_SPACE_MB = 1

/**
 * Streams `cfg.memory.tokens` distinct tokens through verifying children at once: the package
 * (workosProvider's middleware, bench/lib/memory-child.js) and the control (the same harness and
 * request objects, no package), with Node's default flags; and the same pair with V8's young
 * generation capped (--max-semi-space-size), which shows the package's own share without V8 sizing
 * its young generation to the harness's traffic. RSS after a full GC at fixed marks; peak RSS after
 * every batch.
 */
async function cacheGrowth(cfg) {
  const total = cfg.memory.tokens
  const emu = await createEmulator({ accessTokenTtl: 3600 })
  const minter = new Minter(keyMaterialOf(emu), cfg.mintThreads)
  const small = [`--max-semi-space-size=${SMALL_SEMI_SPACE_MB}`]
  const children = [verifier(), verifier(), verifier(small), verifier(small)]
  const [pkg, control, pkgSmall, controlSmall] = [0, 1, 2, 3]
  const isControl = (i) => i === control || i === controlSmall
  try {
    await Promise.all(children.map((c) => c.ready))
    const config = {
      apiKey: emu.apiKey,
      clientId: emu.clientId,
      baseURL: 'http://127.0.0.1:3002',
      authkitDomain: emu.url,
      jwks: { warmUp: true },
      ...(cfg.memory.cacheEntries != null ? { tokenCache: { maxEntries: cfg.memory.cacheEntries } } : {}),
    }
    const probe = `Bearer ${emu.mintToken()}`
    const started = await Promise.all(children.map((c, i) => c.request({ cmd: 'start', config, probe, control: isControl(i) })))
    for (const s of started) if (s.error) throw new Error(s.error)
    const capacity = cfg.memory.cacheEntries ?? DEFAULT_CACHE_ENTRIES
    const marks = [...new Set([capacity, 2 * capacity, ...[0.1, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * total))])]
      .filter((m) => m > 0 && m <= total)
      .sort((a, b) => a - b)
    const snap = (s, tokens) => ({ tokens, ...pick(s), cacheSize: s.tokenCacheSize })
    const snapshots = [started.map((s) => snap(s, 0))]
    const baseline = started.map((s) => s.rss)
    const peakRss = [...baseline]
    let processed = 0
    let ok = 0
    let failed = 0
    let firstFailure
    let verifyUs = 0
    let stoppedEarly = false
    const t0 = Date.now()
    let nextProgress = 0
    const outstanding = []
    const settle = (acks) => {
      acks.forEach((ack, i) => (peakRss[i] = Math.max(peakRss[i], ack.peakRss)))
      for (const i of [pkg, pkgSmall]) {
        failed += acks[i].failed
        firstFailure ??= acks[i].firstFailure
      }
      ok += acks[pkg].ok
      verifyUs += acks[pkg].verifyUs
    }
    const snapshot = async () => {
      const answers = await both(children, { cmd: 'snapshot' })
      answers.forEach((s, i) => (peakRss[i] = Math.max(peakRss[i], s.peakRss)))
      snapshots.push(answers.map((s) => snap({ ...s.snapshot, tokenCacheSize: s.tokenCacheSize }, processed)))
    }
    log(
      `[memory] streaming ${fmt.int(total)} distinct tokens (minted on ${cfg.mintThreads} threads) into the package and a control process`,
    )
    for await (const batch of minter.batches(total, BATCH)) {
      outstanding.push(both(children, { cmd: 'batch', tokens: batch.join(' ') }))
      if (outstanding.length >= 2) settle(await outstanding.shift())
      processed += batch.length
      if (marks.length && processed >= marks[0]) {
        while (outstanding.length) settle(await outstanding.shift())
        await snapshot()
        while (marks.length && processed >= marks[0]) marks.shift()
      }
      const elapsed = (Date.now() - t0) / 1000
      if (processed >= nextProgress) {
        log(
          `[memory] ${fmt.int(processed)} / ${fmt.int(total)} tokens, ${elapsed.toFixed(0)} s, ${fmt.int(processed / Math.max(elapsed, 0.001))} tokens/s`,
        )
        nextProgress += Math.max(BATCH, Math.round(total / 10))
      }
      if (elapsed > cfg.memory.maxSeconds) {
        stoppedEarly = true
        log(`[memory] MEMORY_MAX_SECONDS (${cfg.memory.maxSeconds}) reached: stopping at ${fmt.int(processed)} tokens`)
        break
      }
    }
    while (outstanding.length) settle(await outstanding.shift())
    if (snapshots[snapshots.length - 1][pkg].tokens !== processed) await snapshot()
    const seconds = (Date.now() - t0) / 1000
    if (failed) throw new Error(`[memory] ${failed} of ${processed} tokens did not verify (first: ${firstFailure})`)
    return {
      total,
      processed,
      ok,
      stoppedEarly,
      seconds,
      baseline: baseline[pkg],
      peakRss: peakRss[pkg],
      control: { baseline: baseline[control], peakRss: peakRss[control], snapshots: snapshots.map((s) => s[control]) },
      small: [pkgSmall, controlSmall].map((i) => ({
        baseline: baseline[i],
        peakRss: peakRss[i],
        last: snapshots[snapshots.length - 1][i],
      })),
      snapshots: snapshots.map((s) => s[pkg]),
      capacity,
      verifyUsPerToken: verifyUs / processed,
    }
  } finally {
    await Promise.all(children.map((c) => c.stop()))
    await minter.close()
    await emu.close()
  }
}

async function run(cfg = settings()) {
  log(`[memory] addon load time, ${cfg.memory.loadRuns} fresh processes per probe`)
  const loads = loadTimes(cfg.memory.loadRuns)
  const g = await cacheGrowth(cfg)
  const last = g.snapshots[g.snapshots.length - 1]
  const full = g.snapshots.find((s) => s.tokens >= g.capacity) || last
  const growthGc = last.rss - g.baseline
  const growthPeak = g.peakRss - g.baseline
  const controlPeak = g.control.peakRss - g.control.baseline
  const [smallPkg, smallControl] = g.small.map((c) => ({
    peak: c.peakRss - c.baseline,
    gc: c.last.rss - c.baseline,
    heapTotal: c.last.heapTotal,
  }))
  const tables = [
    {
      title: `4a. Load time (${cfg.memory.loadRuns} fresh processes each, ms)`,
      text: table(
        ['what', 'median ms', 'min ms', 'max ms'],
        loads.map((l) => [l.label, fmt.ms(l.median), fmt.ms(l.min), fmt.ms(l.max)]),
      ),
    },
    {
      title: `4b. RSS of the process serving ${fmt.int(g.processed)} distinct valid tokens through workosProvider’s middleware (tokenCache maxEntries ${fmt.int(g.capacity)}${cfg.memory.cacheEntries == null ? ', the default' : ''}), and of a control process doing the same without the package${g.stoppedEarly ? ' — STOPPED EARLY by MEMORY_MAX_SECONDS' : ''}`,
      text:
        table(
          [
            'tokens',
            'RSS MiB (after full GC)',
            'Δ RSS vs start MiB',
            'V8 heap total MiB',
            'V8 heap used MiB',
            'external MiB',
            'RSS − V8 heap total MiB (≈ native)',
            'Δ native vs start MiB',
            'tokenCacheSize',
            'control: Δ RSS MiB',
            'control: V8 heap total MiB',
          ],
          g.snapshots.map((s, i) => [
            fmt.int(s.tokens),
            fmt.mib(s.rss),
            fmt.mib(s.rss - g.baseline),
            fmt.mib(s.heapTotal),
            fmt.mib(s.heapUsed),
            fmt.mib(s.external),
            fmt.mib(s.rss - s.heapTotal),
            fmt.mib(s.rss - s.heapTotal - (g.snapshots[0].rss - g.snapshots[0].heapTotal)),
            fmt.int(s.cacheSize),
            fmt.mib(g.control.snapshots[i].rss - g.control.baseline),
            fmt.mib(g.control.snapshots[i].heapTotal),
          ]),
        ) +
        `\n\nAll ${fmt.int(g.ok)} requests let through (each token verified once, then remembered). Peak RSS without forced GC (sampled after every batch of ${BATCH}): ${fmt.mib(g.peakRss)} MiB (start ${fmt.mib(g.baseline)} MiB, +${fmt.mib(growthPeak)} MiB); ` +
        `the control process: +${fmt.mib(controlPeak)} MiB (start ${fmt.mib(g.control.baseline)} MiB), so the package’s own share of the peak is about ${fmt.mib(growthPeak - controlPeak)} MiB. ` +
        `Growth from the cache being full (${fmt.int(full.tokens)} tokens) to the end: ${fmt.mib(last.rss - full.rss)} MiB. ` +
        `Per token, a request through the middleware (verify, both caches, eviction): ${fmt.us(g.verifyUsPerToken)} µs of CPU in the serving process; ${fmt.int(g.processed / g.seconds)} tokens/s end to end (minting-bound), ${g.seconds.toFixed(0)} s.`,
    },
    {
      title: `4c. The same stream with V8's young generation capped (--max-semi-space-size=${SMALL_SEMI_SPACE_MB}) in a second package/control pair: what is left is the package's own memory`,
      text: table(
        ['process', 'peak Δ RSS MiB', 'Δ RSS after full GC MiB', 'V8 heap total at the end MiB'],
        [
          ['this package (workosProvider’s middleware)', fmt.mib(smallPkg.peak), fmt.mib(smallPkg.gc), fmt.mib(smallPkg.heapTotal)],
          ['control (same harness, no package)', fmt.mib(smallControl.peak), fmt.mib(smallControl.gc), fmt.mib(smallControl.heapTotal)],
        ],
      ),
    },
  ]
  const native = loads.find((l) => l.id === 'native')
  const targets = [
    {
      name: `RSS growth over ${fmt.int(g.processed)} distinct tokens${g.processed < 1e6 ? ' (issue: 1M)' : ''}, peak, ${cfg.memory.cacheEntries == null ? 'default cache size' : `maxEntries ${fmt.int(g.capacity)} (issue: the default)`} (the package as used)`,
      was: '+66.5 MiB',
      measured: growthPeak / 1048576,
      goal: 48,
      goalText: '< 48 MiB',
      strict: true,
      lowerIsBetter: true,
      show: (x) =>
        `+${x.toFixed(1)} MiB (after GC +${fmt.mib(growthGc)}; control +${fmt.mib(controlPeak)}; young generation capped: +${fmt.mib(smallPkg.peak)}, control +${fmt.mib(smallControl.peak)})`,
    },
    {
      name: 'addon load',
      was: '18.6 ms',
      measured: native.median,
      goal: 50,
      goalText: '< 50 ms',
      strict: true,
      lowerIsBetter: true,
      show: (x) => `${fmt.ms(x)} ms median`,
    },
  ]
  return { tables, targets, raw: { loads, growth: g } }
}

module.exports = { run }

runAsScript(module, run)
