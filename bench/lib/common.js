'use strict'
// Shared by every benchmark section: settings (env vars, --quick), timing, tables, machine facts.
const os = require('node:os')
const fs = require('node:fs')
const path = require('node:path')
const v8 = require('node:v8')
const vm = require('node:vm')

const ROOT = path.resolve(__dirname, '..', '..')

/**
 * Every count and duration, from the environment with the values as defaults. `--quick`
 * swaps in small defaults (a few seconds per section) for smoke tests; an env var still wins.
 */
function settings(argv = process.argv.slice(2)) {
  const quick = argv.includes('--quick')
  const num = (name, full, small) => {
    const raw = process.env[name]
    if (raw === undefined || raw === '') return quick ? small : full
    const value = Number(raw)
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`)
    return value
  }
  return {
    quick,
    // Rounds of the verify section. Five, not three: on a shared VM a slow spell can cover all three
    // rounds of one verifier while sparing its neighbour.
    repeats: Math.max(1, Math.floor(num('BENCH_REPEATS', 5, 1))),
    mintThreads: Math.max(1, Math.floor(num('BENCH_MINT_THREADS', os.cpus().length, os.cpus().length))),
    verify: {
      freshTokens: Math.floor(num('VERIFY_FRESH_TOKENS', 5000, 300)),
      workingSet: Math.max(1, Math.floor(num('VERIFY_WORKING_SET', 100, 20))),
      repeatedIterations: Math.floor(num('VERIFY_REPEATED_ITERATIONS', 200_000, 20_000)),
      budgetMs: num('VERIFY_BUDGET_MS', 1000, 250),
      inFlight: Math.max(1, Math.floor(num('VERIFY_IN_FLIGHT', 64, 64))),
    },
    load: {
      // End-to-end runs are the noisiest on a shared 2-core machine: more repeats than the rest.
      repeats: Math.max(1, Math.floor(num('LOAD_REPEATS', 5, 1))),
      durationS: num('LOAD_DURATION_S', 10, 1),
      warmupS: num('LOAD_WARMUP_S', 2, 0.5),
      connections: Math.max(1, Math.floor(num('LOAD_CONNECTIONS', 32, 8))),
      // The unguarded window after each measured run of a package variant (0: none).
      unguardedS: num('LOAD_UNGUARDED_S', 2, 0.5),
    },
    xmcp: {
      // The xmcp apps: rounds (each app restarted every round), the loaded window, the serial
      // (one request at a time) window for latency, and the in-flight requests of the loaded window.
      repeats: Math.max(1, Math.floor(num('XMCP_REPEATS', 4, 1))),
      durationS: num('XMCP_DURATION_S', 8, 1.5),
      serialS: num('XMCP_SERIAL_S', 4, 1),
      warmupS: num('XMCP_WARMUP_S', 3, 0.5),
      connections: Math.max(1, Math.floor(num('XMCP_CONNECTIONS', 16, 4))),
      // Within one process (the -ab apps): pairs of windows with the provider off and on (0: skip).
      abPairs: Math.floor(num('XMCP_AB_PAIRS', 8, 2)),
      abWindowS: num('XMCP_AB_WINDOW_S', 1.5, 0.5),
    },
    memory: {
      tokens: Math.floor(num('MEMORY_TOKENS', 1_000_000, 3_000)),
      // The package default (10 000) unless set; --quick uses 1 000 so a few thousand tokens already
      // exercise eviction.
      cacheEntries: process.env.MEMORY_CACHE_ENTRIES ? Math.floor(num('MEMORY_CACHE_ENTRIES', 0, 0)) : quick ? 1000 : null,
      maxSeconds: num('MEMORY_MAX_SECONDS', 1800, 60),
      loadRuns: Math.max(1, Math.floor(num('LOAD_TIME_RUNS', 7, 3))),
    },
  }
}

/** `global.gc` without needing `--expose-gc` on the command line. */
let gcFn
function gc() {
  if (!gcFn) {
    if (typeof global.gc === 'function') gcFn = global.gc
    else {
      v8.setFlagsFromString('--expose-gc')
      gcFn = vm.runInNewContext('gc')
    }
  }
  gcFn()
}

const now = () => process.hrtime.bigint()
const usSince = (t0) => Number(process.hrtime.bigint() - t0) / 1e3

/**
 * Runs `fn(i)` for i = 0.. until `count` calls or `budgetMs` elapsed (checked every 32 calls).
 * Returns the calls made, the mean wall-clock µs per call, and the mean CPU µs per call of the whole
 * process (all threads; not inflated by waiting for a core on a shared machine).
 */
function timeSync(fn, count, budgetMs) {
  const deadline = budgetMs * 1e3
  const cpu0 = process.cpuUsage()
  const t0 = now()
  let i = 0
  while (i < count) {
    const end = Math.min(count, i + 32)
    for (; i < end; i++) fn(i)
    if (usSince(t0) > deadline) break
  }
  return result(i, usSince(t0), process.cpuUsage(cpu0))
}

function result(n, us, cpu) {
  const calls = Math.max(1, n)
  return { n, us: us / calls, cpuUs: (cpu.user + cpu.system) / calls }
}

/** Like timeSync for an async `fn`, awaited one call at a time, or `inFlight` at a time. */
async function timeAsync(fn, count, budgetMs, inFlight = 1) {
  const deadline = budgetMs * 1e3
  const cpu0 = process.cpuUsage()
  const t0 = now()
  let i = 0
  if (inFlight === 1) {
    while (i < count) {
      await fn(i++)
      if ((i & 31) === 0 && usSince(t0) > deadline) break
    }
  } else {
    while (i < count) {
      const batch = []
      const end = Math.min(count, i + inFlight)
      for (; i < end; i++) batch.push(fn(i))
      await Promise.all(batch)
      if (usSince(t0) > deadline) break
    }
  }
  return result(i, usSince(t0), process.cpuUsage(cpu0))
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** A Markdown table with padded columns (readable in a terminal and pasteable into RESULTS.md). */
function table(headers, rows) {
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c)))
  const widths = headers.map((_, i) => Math.max(3, ...cells.map((r) => r[i].length)))
  // First column (the label) left-aligned, figures right-aligned.
  const line = (r) => '| ' + r.map((c, i) => (i > 0 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ') + ' |'
  const sep = '| ' + widths.map((w, i) => (i > 0 ? '-'.repeat(w - 1) + ':' : '-'.repeat(w))).join(' | ') + ' |'
  return [line(cells[0]), sep, ...cells.slice(1).map(line)].join('\n')
}

const fmt = {
  us: (x) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2)),
  ratio: (x) => (Number.isFinite(x) ? `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}×` : 'n/a'),
  int: (x) => Math.round(x).toLocaleString('en-US'),
  mib: (bytes) => (bytes / 1048576).toFixed(1),
  ms: (x) => (x >= 10 ? x.toFixed(1) : x.toFixed(2)),
}

function machine() {
  const jose = require('./jose.js') // lazily: it requires this file
  const cpus = os.cpus()
  const pkgVersion = (name) => {
    try {
      return require(path.join(ROOT, 'node_modules', name, 'package.json')).version
    } catch {
      return 'missing'
    }
  }
  let binary = 'unknown'
  try {
    const file = fs.readdirSync(path.join(ROOT, 'npm', 'linux-x64-gnu')).find((f) => f.endsWith('.node'))
    const st = fs.statSync(path.join(ROOT, 'npm', 'linux-x64-gnu', file))
    binary = `${file}, ${(st.size / 1048576).toFixed(1)} MB, built ${st.mtime.toISOString()}`
  } catch {}
  return {
    cpu: `${cpus[0] && cpus[0].model} × ${cpus.length}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadavg: os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
    package: require(path.join(ROOT, 'package.json')).version,
    binary,
    peers: `jose ${jose.joseVersion} (${jose.joseDir}), fast-jwt ${pkgVersion('fast-jwt')}, autocannon ${pkgVersion('autocannon')}, express ${pkgVersion('express')}`,
  }
}

/** Parses `--only a,b` into a set of section names (all when absent). */
function selectedSections(argv, all) {
  const i = argv.findIndex((a) => a === '--only' || a.startsWith('--only='))
  if (i === -1) return new Set(all)
  const value = argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1]
  const chosen = new Set(
    String(value || '')
      .split(',')
      .filter(Boolean),
  )
  for (const c of chosen) if (!all.includes(c)) throw new Error(`unknown section ${c}; one of ${all.join(', ')}`)
  return chosen
}

function log(...args) {
  process.stderr.write(args.join(' ') + '\n')
}

/** A section's tables as Markdown: a `### title` and the table text each. */
function formatTables(tables) {
  return tables.map((t) => `### ${t.title}\n\n${t.text}`).join('\n\n')
}

/** The 1-minute load average now, as printed with every figure. */
const load1 = () => os.loadavg()[0].toFixed(2)

/**
 * Runs a section when its file is the entry point (`node bench/<section>.js [--quick]`): prints its
 * tables and targets with the load average before and after; a failure sets the exit code.
 */
function runAsScript(mod, run) {
  if (require.main !== mod) return
  const before = load1()
  run(settings()).then(
    ({ tables, targets }) => {
      console.log(`\n${formatTables(tables)}\n`)
      if (targets && targets.length) console.log(`### Targets\n\n${targetTable(targets)}\n`)
      console.log(`_1-min load average ${before} before, ${load1()} after._`)
    },
    (err) => {
      console.error(err)
      process.exitCode = 1
    },
  )
}

/**
 * The targets as one table: what 2.0.0 measured, this run, the goal, and whether it is met.
 * A target without `goal` is information (a figure the issue asks to see).
 */
function targetTable(targets) {
  return table(
    ['figure', '2.0.0 (run B)', 'this run', 'target', 'met'],
    targets.map((t) => {
      const hasGoal = t.goal !== undefined
      const met = t.lowerIsBetter ? (t.strict ? t.measured < t.goal : t.measured <= t.goal) : t.measured >= t.goal
      const goal = hasGoal ? t.goalText || `${t.lowerIsBetter ? '≤' : '≥'} ${t.showGoal ? t.showGoal(t.goal) : t.goal}` : '(shown)'
      return [t.name, t.was ?? '', t.show(t.measured), goal, !hasGoal ? '' : Number.isNaN(t.measured) ? 'n/a' : met ? 'yes' : 'NO']
    }),
  )
}

module.exports = {
  ROOT,
  settings,
  gc,
  now,
  usSince,
  timeSync,
  timeAsync,
  median,
  table,
  fmt,
  machine,
  selectedSections,
  log,
  load1,
  formatTables,
  runAsScript,
  targetTable,
}
