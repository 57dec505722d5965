#!/usr/bin/env node
// Builds the Linux binaries of package.json `napi.targets` on an x86_64 or arm64 Linux machine with the
// pinned zig and cargo-zigbuild (scripts/platforms/versions.env, installed by setup.sh): the gnu targets
// against glibc GLIBC_FLOOR, the musl targets against musl, all from one host, no container.
//
//   node scripts/platforms/build.js [--target <triple>]... [--out-dir <dir>]
//
//   --target    a Linux triple of napi.targets (repeatable; default: all of them)
//   --out-dir   where the binaries go (default: target/platforms/build/<triple>/); CI passes `.`
//
// This is `npm run build:native` (the same napi flags) plus `-x --target <zig target>`: napi runs
// `cargo zigbuild`, which compiles C (aws-lc-sys) and links with `zig cc`. Cargo's output goes to
// target/<triple>/release/, apart from the host build's target/release/, so `npm run build` and the
// repository's linked binary are left alone.
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { ROOT, WORK_DIR, linuxTargets, setup } = require('./tools.js')

const BUILD_TIMEOUT_MS = 40 * 60_000

function parseArgs(argv) {
  const args = { targets: [], outDir: null }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--target') args.targets.push(argv[++i])
    else if (argv[i] === '--out-dir') args.outDir = path.resolve(argv[++i] ?? '')
    else throw new Error(`build: unknown argument ${argv[i]}`)
  }
  return args
}

/** The targets asked for (all Linux targets by default); throws on a triple this script cannot build. */
function selectTargets(triples) {
  const all = linuxTargets()
  if (triples.length === 0) return all
  return triples.map((triple) => {
    const t = all.find((x) => x.triple === triple)
    if (!t) throw new Error(`build: ${triple} is not a Linux target of napi.targets (${all.map((x) => x.triple).join(', ')})`)
    return t
  })
}

/**
 * Builds each target; returns [{ target, file, seconds }]. `tools` is what setup('build') printed (it is
 * run when not given). Throws when a build fails.
 */
function build({ targets = linuxTargets(), outDir = null, tools = setup('build'), log = console.error } = {}) {
  const env = {
    ...process.env,
    PATH: `${tools.ZIGBUILD_BIN}${path.delimiter}${process.env.PATH}`,
    CARGO_ZIGBUILD_ZIG_PATH: tools.ZIG,
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const results = []
  for (const t of targets) {
    const dir = outDir ?? path.join(WORK_DIR, 'build', t.triple)
    fs.mkdirSync(dir, { recursive: true })
    log(
      `build: ${t.zigTarget} (cargo-zigbuild ${tools.CARGO_ZIGBUILD_VERSION}, zig ${tools.ZIG_VERSION}) -> ${path.relative(ROOT, dir) || '.'}/`,
    )
    const started = Date.now()
    const run = spawnSync(npm, ['run', '--silent', 'build:native', '--', '-x', '--target', t.zigTarget, '--output-dir', dir], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
      timeout: BUILD_TIMEOUT_MS,
    })
    if (run.error) throw new Error(`build: ${t.zigTarget}: ${run.error.message}`)
    if (run.status !== 0) throw new Error(`build: ${t.zigTarget} failed (exit ${run.status ?? run.signal})`)
    const file = path.join(dir, t.binary)
    if (!fs.existsSync(file)) throw new Error(`build: ${t.zigTarget} wrote no ${t.binary} into ${dir}`)
    results.push({ target: t, file, seconds: Math.round((Date.now() - started) / 1000) })
  }
  return results
}

if (require.main === module) {
  try {
    const args = parseArgs(process.argv.slice(2))
    for (const r of build({ targets: selectTargets(args.targets), outDir: args.outDir })) {
      console.log(`build: ${path.relative(process.cwd(), r.file)} (${r.seconds} s)`)
    }
  } catch (err) {
    console.error(err.message)
    process.exit(1)
  }
}

module.exports = { build, selectTargets }
