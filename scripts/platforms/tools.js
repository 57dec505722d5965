'use strict'
// What scripts/platforms/*.js share: the Linux targets of package.json `napi.targets`, how each is built
// (zig's target spelling) and run here, and the tools that scripts/platforms/setup.sh installed.
const fs = require('node:fs')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { platforms } = require('../npm-dirs.js')

const ROOT = path.resolve(__dirname, '..', '..')
const SETUP = path.join(__dirname, 'setup.sh')
const VERSIONS = path.join(__dirname, 'versions.env')
/** The default place of this machine's builds and logs (git-ignored). */
const WORK_DIR = path.join(ROOT, 'target', 'platforms')

/** The pins of versions.env (or another file of KEY=value lines): { CARGO_ZIGBUILD_VERSION, ZIG_VERSION, GLIBC_FLOOR, ... }. */
function versions(file = VERSIONS) {
  const pins = {}
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(\S*)\s*$/.exec(line)
    if (match) pins[match[1]] = match[2]
  }
  return pins
}

/**
 * The Linux targets of `napi.targets`, in that order, with what this machine needs to know about each:
 * `zigTarget` is what `napi build -x --target` gets (gnu targets carry the glibc floor as zig's suffix),
 * `machine` the ELF machine readelf names, `abi` 'gnu' or 'musl'.
 */
function linuxTargets() {
  const { GLIBC_FLOOR } = versions()
  return platforms()
    .filter((p) => p.os === 'linux')
    .map((p) => {
      const abi = p.triple.endsWith('-gnu') ? 'gnu' : p.triple.endsWith('-musl') ? 'musl' : null
      const arch = p.triple.split('-')[0]
      if (!abi || !['x86_64', 'aarch64'].includes(arch)) throw new Error(`no build set up here for ${p.triple}`)
      return {
        ...p,
        arch,
        abi,
        zigTarget: abi === 'gnu' ? `${p.triple}.${GLIBC_FLOOR}` : p.triple,
        machine: arch === 'x86_64' ? 'Advanced Micro Devices X86-64' : 'AArch64',
        nodeArch: arch === 'x86_64' ? 'x64' : 'arm64',
      }
    })
}

/**
 * Runs setup.sh ('build': zig and cargo-zigbuild; 'all': also qemu, the Node.js builds and sysroots) and
 * returns the KEY=value lines it printed. Its progress goes to this process's stderr.
 */
function setup(mode) {
  const out = execFileSync('bash', [SETUP, mode], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 30 * 60_000,
  })
  const tools = {}
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0) tools[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return tools
}

module.exports = { ROOT, WORK_DIR, versions, linuxTargets, setup }
