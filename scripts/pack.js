#!/usr/bin/env node
// Packs what gets published: one tarball per platform package that has its binary, and the main package
// with `optionalDependencies` naming every platform package of `napi.targets` at the same version.
//
//   node scripts/pack.js [--out <dir>] [--all] [--json]
//
//   --out   where the tarballs go (default target/npm-pack/, git-ignored)
//   --all   fail unless every target's binary is present (the release job); without it, platforms
//           whose binary is not in npm/<platform>/ are skipped (`npm run build` puts linux-x64-gnu there;
//           `npm run build:cross` writes the Linux binaries to target/platforms/build/ instead)
//   --json  print { version, main, platforms: { <platform>: tarball }, skipped: [<platform>] } on stdout
//
// Why not `optionalDependencies` in package.json itself: the platform packages of an unreleased
// version are not on the registry, and listing them would put unresolvable entries into
// package-lock.json, so `npm ci` in a fresh clone would depend on the registry's 404 handling. As napi's
// `pre-publish` does, they are added when the package is packed. Here this happens in a staging copy,
// so the working tree is never modified, and the release job publishes exactly these tarballs (the
// same ones __test__/install.test.js installs into fresh xmcp apps).
'use strict'
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { platforms, check, readRootPackage } = require('./npm-dirs.js')

const ROOT = path.resolve(__dirname, '..')
const NPM_TIMEOUT_MS = 120_000

function parseArgs(argv) {
  const args = { out: path.join(ROOT, 'target', 'npm-pack'), all: false, json: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--all') args.all = true
    else if (a === '--json') args.json = true
    else if (a === '--out') args.out = path.resolve(argv[++i] ?? '')
    else throw new Error(`pack: unknown argument ${a}`)
  }
  return args
}

/**
 * The environment for a nested npm in another directory: without what an enclosing `npm run` sets
 * about its own package and lifecycle (user configuration such as npm_config_registry stays).
 */
function npmEnv(extra = {}) {
  const env = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_(lifecycle_|package_)|^npm_command$|^npm_config_local_prefix$/i.test(k)) continue
    env[k] = v
  }
  return { ...env, ...extra }
}

function npmPack(cwd, out) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const stdout = execFileSync(npm, ['pack', '--json', '--pack-destination', out], {
    cwd,
    env: npmEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: NPM_TIMEOUT_MS,
    shell: process.platform === 'win32',
  })
  const [result] = JSON.parse(stdout)
  return { tarball: path.join(out, result.filename), files: result.files.map((f) => f.path) }
}

/** The main package.json as published: `optionalDependencies` on every platform package. */
function publishedManifest(pkg) {
  const optionalDependencies = { ...pkg.optionalDependencies }
  for (const p of platforms(pkg)) optionalDependencies[p.packageName] = pkg.version
  return { ...pkg, optionalDependencies }
}

function pack({ out, all }) {
  const pkg = readRootPackage()
  const problems = check(pkg)
  if (problems.length) throw new Error(`pack: npm/ is out of step with napi.targets:\n  ${problems.join('\n  ')}`)
  fs.mkdirSync(out, { recursive: true })

  const targets = platforms(pkg)
  const missing = targets.filter((p) => !fs.existsSync(path.join(p.dir, p.binary)))
  if (all && missing.length) {
    throw new Error(`pack: --all needs every target's binary; missing: ${missing.map((p) => `npm/${p.platform}/${p.binary}`).join(', ')}`)
  }
  const result = { version: pkg.version, main: null, platforms: {}, skipped: missing.map((p) => p.platform) }
  for (const p of targets) {
    if (missing.includes(p)) continue
    const packed = npmPack(p.dir, out)
    if (!packed.files.includes(p.binary)) throw new Error(`pack: ${p.binary} is not in ${packed.tarball}`)
    result.platforms[p.platform] = packed.tarball
  }

  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'xmcp-workos-pack-'))
  try {
    for (const file of pkg.files) {
      const from = path.join(ROOT, file)
      if (!fs.existsSync(from)) throw new Error(`pack: ${file} (listed in "files") is missing; run \`npm run build\` first`)
      fs.cpSync(from, path.join(stage, file), { recursive: true })
    }
    for (const extra of ['README.md', 'LICENSE']) {
      if (fs.existsSync(path.join(ROOT, extra))) fs.copyFileSync(path.join(ROOT, extra), path.join(stage, extra))
    }
    fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(publishedManifest(pkg), null, 2)}\n`)
    result.main = npmPack(stage, out).tarball
  } finally {
    fs.rmSync(stage, { recursive: true, force: true })
  }
  return result
}

if (require.main === module) {
  try {
    const args = parseArgs(process.argv.slice(2))
    const result = pack(args)
    if (args.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
    } else {
      for (const tarball of [...Object.values(result.platforms), result.main]) console.log(`pack: ${path.relative(process.cwd(), tarball)}`)
      if (result.skipped.length) console.log(`pack: no binary here for ${result.skipped.join(', ')} (skipped)`)
    }
  } catch (err) {
    console.error(err.message)
    process.exit(1)
  }
}

module.exports = { pack, publishedManifest, npmEnv }
