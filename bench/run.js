#!/usr/bin/env node
'use strict'
// The benchmark entry: runs every section in one process tree and prints Markdown tables, the
// ratios against each peer, and the targets with what was measured.
//
//   node bench/run.js                      full run (issue's counts; about 16 min on 2 cores)
//   node bench/run.js --quick              smoke run: small counts, about a minute
//   node bench/run.js --only verify,memory sections: verify, middleware, xmcp, memory
//   node bench/run.js --json out.json      also write the raw figures
//
// Counts and durations come from env vars (see bench/lib/common.js `settings`), e.g.
// BENCH_REPEATS, VERIFY_FRESH_TOKENS, LOAD_DURATION_S, LOAD_CONNECTIONS, MEMORY_TOKENS.
// Timings are never asserted: the exit code is non-zero only when a benchmark could not run
// (e.g. a verifier rejected a valid token), not when a target is missed.
const fs = require('node:fs')
const os = require('node:os')
const { settings, machine, selectedSections, table, log, load1, formatTables, targetTable } = require('./lib/common.js')

const SECTIONS = {
  verify: () => require('./verify.js'),
  middleware: () => require('./middleware.js'),
  xmcp: () => require('./xmcp.js'),
  memory: () => require('./memory.js'),
}

async function main() {
  const argv = process.argv.slice(2)
  const cfg = settings(argv)
  const chosen = selectedSections(argv, Object.keys(SECTIONS))
  const m = machine()
  const started = new Date()
  const out = []
  const print = (s = '') => {
    out.push(s)
    console.log(s)
  }
  print(`# @xmcp-dev/workos benchmarks${cfg.quick ? ' (--quick: smoke-test counts, figures not meaningful)' : ''}`)
  print()
  print(
    table(
      ['machine', ''],
      [
        ['CPU', m.cpu],
        ['memory', m.memory],
        ['OS', m.os],
        ['Node.js', m.node],
        ['package', `${m.package}; ${m.binary}`],
        ['peers', m.peers],
        ['load average at start (1/5/15 min)', m.loadavg],
        ['started', started.toISOString()],
        [
          'settings',
          JSON.stringify({
            repeats: cfg.repeats,
            mintThreads: cfg.mintThreads,
            verify: cfg.verify,
            load: cfg.load,
            xmcp: cfg.xmcp,
            memory: cfg.memory,
          }),
        ],
      ],
    ),
  )
  const targets = []
  const raw = { machine: m, settings: cfg, sections: {} }
  for (const name of Object.keys(SECTIONS)) {
    if (!chosen.has(name)) continue
    const t0 = Date.now()
    const before = load1()
    const result = await SECTIONS[name]().run(cfg)
    const seconds = ((Date.now() - t0) / 1000).toFixed(0)
    print()
    print(formatTables(result.tables))
    print()
    print(`_${name}: ${seconds} s; 1-min load average ${before} before, ${load1()} after._`)
    targets.push(...result.targets)
    raw.sections[name] = result.raw
  }
  print()
  print('### Targets of issue 10 (benchmark goals, not test assertions)')
  print()
  print(targetTable(targets))
  print()
  print(
    `_Finished ${new Date().toISOString()}; 1-min load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}._`,
  )
  const i = argv.indexOf('--json')
  if (i !== -1 && argv[i + 1]) {
    raw.targets = targets.map(({ show: _show, ...t }) => t)
    fs.writeFileSync(argv[i + 1], JSON.stringify(raw, null, 2))
    log(`raw figures written to ${argv[i + 1]}`)
  }
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
