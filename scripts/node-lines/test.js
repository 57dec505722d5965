#!/usr/bin/env node
'use strict'
// `npm run test:lines` (part of `npm test`): the JavaScript suites on each pinned Node.js line of
// versions.env, against the addon `npm run build` made (one binary: N-API is the same on every line).
// Each line runs as the whole toolchain would: its `node` first on PATH, so the servers, xmcp builds and
// clients the suites start run on it too.
//
// Tiers: every suite runs on every line, except the registry-heavy ones (REGISTRY_SUITES), which run on
// the machine's Node (`npm run test:js`) and on the newest pinned line only.
//
//   node scripts/node-lines/test.js [--lines 24,26] [--all]
const fs = require('node:fs')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { ROOT } = require('../platforms/tools.js')
const { pinnedLines, supported, binDir } = require('./lines.js')

/** Suites that install from the npm registry (install) or PyPI (clients). */
const REGISTRY_SUITES = ['install.test.js', 'clients.test.js']
/** A whole line's run, at most. */
const LINE_TIMEOUT_MS = 20 * 60_000

function parseArgs(argv) {
  const options = { lines: undefined, all: false }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--all') options.all = true
    else if (argv[i] === '--lines') options.lines = String(argv[++i] ?? '').split(',')
    else throw new Error(`test:lines: unknown argument ${argv[i]}`)
  }
  return options
}

/** Runs the suites on one line; resolves with its exit code and the test counts it printed. */
function runLine(bin, files) {
  return new Promise((resolve) => {
    const node = path.join(bin, 'node')
    const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` }
    const child = spawn(node, ['--test', '--test-concurrency=1', ...files], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] })
    let tail = ''
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk)
      tail = (tail + chunk).slice(-4096)
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), LINE_TIMEOUT_MS)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      // TAP (`# pass 3`) or the spec reporter (`ℹ pass 3`), whichever this line prints by default.
      const count = (name) => Number(new RegExp(`^(?:#|ℹ) ${name} (\\d+)`, 'm').exec(tail)?.[1] ?? 0)
      resolve({ code: signal ? 1 : code, pass: count('pass'), fail: count('fail') })
    })
  })
}

async function main() {
  const options = parseArgs(process.argv.slice(2))
  if (!supported()) {
    console.log(`test:lines: the pinned Node.js builds are Linux x64 ones; skipped on ${process.platform} ${process.arch}`)
    return 0
  }
  const lines = pinnedLines().filter(({ line }) => !options.lines || options.lines.includes(line))
  if (lines.length === 0) throw new Error('test:lines: no pinned line selected')
  const suites = fs
    .readdirSync(path.join(ROOT, '__test__'))
    .filter((f) => f.endsWith('.test.js'))
    .sort()
  const newest = pinnedLines().at(-1).line
  const results = []
  for (const { line, version } of lines) {
    const files = suites.filter((f) => options.all || line === newest || !REGISTRY_SUITES.includes(f)).map((f) => path.join('__test__', f))
    console.log(`\ntest:lines: Node ${version}: ${files.length} suites`)
    const result = await runLine(binDir(version), files)
    results.push({ version, ...result })
  }
  console.log('\ntest:lines:')
  for (const r of results)
    console.log(`  Node ${r.version}: ${r.code === 0 ? 'ok' : `FAILED (exit ${r.code})`}, ${r.pass} passed, ${r.fail} failed`)
  const pass = results.reduce((n, r) => n + r.pass, 0)
  const fail = results.reduce((n, r) => n + r.fail, 0)
  console.log(`${pass} passed, ${fail} failed`)
  return results.every((r) => r.code === 0) ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err)
    process.exit(1)
  },
)
