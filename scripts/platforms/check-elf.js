#!/usr/bin/env node
// Static checks of a built Linux binary, read with binutils' readelf (it reads every architecture):
//
//   node scripts/platforms/check-elf.js <triple> <file.node> [--glibc-floor 2.17] [--json]
//
// - an ELF64 shared object for the target's machine;
// - it exports the N-API module registration, `napi_register_module_v1` (a defined global function in the
//   dynamic symbol table, the one symbol Node looks up when it loads an addon);
// - gnu: every glibc symbol version it needs (the version-needs section, .gnu.version_r, which the dynamic
//   loader checks when it loads the binary) is at most the floor: a binary that needs GLIBC_2.18 does not
//   load on glibc 2.17. Nothing from libstdc++ (GLIBCXX, CXXABI) and only the C runtime's own libraries
//   among the shared libraries it needs (DT_NEEDED): no OpenSSL, nothing the user must install;
// - musl: no glibc at all: no GLIBC_* version needed, none of glibc's libraries (libc.so.6, ld-linux-*)
//   needed, only musl's libc.
'use strict'
const { execFileSync } = require('node:child_process')

const GLIBC_LIBS = new Set(['libc.so.6', 'libm.so.6', 'libpthread.so.0', 'libdl.so.2', 'librt.so.1', 'libutil.so.1'])
const GNU_NEEDED_ALLOWED = new Set([...GLIBC_LIBS, 'libgcc_s.so.1', 'ld-linux-x86-64.so.2', 'ld-linux-aarch64.so.1'])
const isMuslLibc = (lib) => lib === 'libc.so' || /^libc\.musl-[a-z0-9_]+\.so\.1$/.test(lib) || /^ld-musl-[a-z0-9_]+\.so\.1$/.test(lib)
const REGISTRATION = 'napi_register_module_v1'

function readelf(args, file) {
  return execFileSync('readelf', ['-W', ...args, file], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 })
}

/** 'GLIBC_2.17' -> [2, 17]; compares such arrays. */
const versionOf = (name) =>
  name
    .replace(/^[A-Z_]+_/, '')
    .split('.')
    .map(Number)
function compareVersions(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

/** What readelf says about `file`: { class, type, machine, needed, versionNeeds: { lib: [names] }, exports }. */
function inspect(file) {
  const header = readelf(['-h'], file)
  const field = (name) => (new RegExp(`^\\s*${name}:\\s*(.+)$`, 'm').exec(header) || [])[1]?.trim()
  const dynamic = readelf(['-d'], file)
  const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1])
  const versionNeeds = {}
  let lib = null
  for (const line of readelf(['-V'], file).split('\n')) {
    const fileLine = /^\s*0x[0-9a-f]+:\s+Version:\s+\d+\s+File:\s+(\S+)/.exec(line)
    if (fileLine) {
      lib = fileLine[1]
      versionNeeds[lib] ??= []
      continue
    }
    const nameLine = /^\s*0x[0-9a-f]+:\s+Name:\s+(\S+)\s+Flags:/.exec(line)
    if (nameLine && lib) versionNeeds[lib].push(nameLine[1])
  }
  const exports = []
  for (const line of readelf(['--dyn-syms'], file).split('\n')) {
    // Num: Value Size Type Bind Vis Ndx Name
    const m = /^\s*\d+:\s+[0-9a-f]+\s+\d+\s+(\w+)\s+(\w+)\s+(\w+)\s+(\w+)\s+(\S+)/.exec(line)
    if (!m) continue
    const [, type, bind, vis, ndx, name] = m
    if (ndx === 'UND' || vis !== 'DEFAULT' || !['GLOBAL', 'WEAK'].includes(bind)) continue
    exports.push({ name: name.replace(/@.*$/, ''), type, bind })
  }
  return { class: field('Class'), type: field('Type'), machine: field('Machine'), needed, versionNeeds, exports }
}

/**
 * Checks `file` as the binary of `target` ({ triple, abi: 'gnu'|'musl', machine } from tools.js).
 * Returns { problems: [..], facts } where facts says what was found (for the report).
 */
function check(file, target, { glibcFloor = '2.17' } = {}) {
  const info = inspect(file)
  const problems = []
  if (info.class !== 'ELF64') problems.push(`class ${info.class}, not ELF64`)
  if (!/^DYN\b/.test(info.type || '')) problems.push(`type ${info.type}, not a shared object (DYN)`)
  if (info.machine !== target.machine) problems.push(`machine ${info.machine}, not ${target.machine}`)
  const registration = info.exports.find((s) => s.name === REGISTRATION)
  if (!registration || registration.type !== 'FUNC') problems.push(`${REGISTRATION} is not exported as a function`)

  const allVersions = Object.entries(info.versionNeeds).flatMap(([lib, names]) => names.map((name) => ({ lib, name })))
  const glibcVersions = allVersions.filter((v) => v.name.startsWith('GLIBC_'))
  const glibcNumbered = glibcVersions.filter((v) => /^GLIBC_\d+(\.\d+)*$/.test(v.name))
  const newest =
    glibcNumbered
      .map((v) => v.name)
      .sort((a, b) => compareVersions(versionOf(a), versionOf(b)))
      .at(-1) ?? null
  const facts = {
    machine: info.machine,
    needed: info.needed,
    exports: info.exports.map((s) => s.name).sort(),
    newestGlibc: newest,
    versionsNeeded: [...new Set(allVersions.map((v) => v.name))].sort(),
  }

  if (target.abi === 'gnu') {
    const floor = versionOf(`GLIBC_${glibcFloor}`)
    for (const v of glibcVersions) {
      if (!/^GLIBC_\d+(\.\d+)*$/.test(v.name)) problems.push(`needs ${v.name} from ${v.lib}`)
      else if (compareVersions(versionOf(v.name), floor) > 0) problems.push(`needs ${v.name} from ${v.lib}, newer than glibc ${glibcFloor}`)
    }
    for (const v of allVersions) {
      if (/^(GLIBCXX|CXXABI)_/.test(v.name)) problems.push(`needs ${v.name} from ${v.lib} (libstdc++)`)
    }
    for (const lib of info.needed) {
      if (!GNU_NEEDED_ALLOWED.has(lib)) problems.push(`needs the shared library ${lib}, which is not part of glibc`)
    }
    if (!info.needed.includes('libc.so.6')) problems.push('does not link libc.so.6')
  } else {
    for (const v of glibcVersions) problems.push(`needs ${v.name} from ${v.lib} (glibc) in a musl binary`)
    for (const lib of info.needed) {
      if (GLIBC_LIBS.has(lib) || lib.startsWith('ld-linux')) problems.push(`needs glibc's ${lib} in a musl binary`)
      else if (!isMuslLibc(lib) && lib !== 'libgcc_s.so.1') problems.push(`needs the shared library ${lib}`)
    }
    if (!info.needed.some(isMuslLibc)) problems.push("does not link musl's libc")
  }
  return { problems, facts }
}

if (require.main === module) {
  const args = process.argv.slice(2)
  const json = args.includes('--json')
  const floorAt = args.indexOf('--glibc-floor')
  const glibcFloor = floorAt === -1 ? require('./tools.js').versions().GLIBC_FLOOR : args[floorAt + 1]
  const [triple, file] = args.filter((a, i) => !a.startsWith('--') && (floorAt === -1 || i !== floorAt + 1))
  const target = require('./tools.js')
    .linuxTargets()
    .find((t) => t.triple === triple)
  if (!target || !file) {
    console.error('usage: check-elf.js <linux triple of napi.targets> <file.node> [--glibc-floor X.Y] [--json]')
    process.exit(2)
  }
  const result = check(file, target, { glibcFloor })
  if (json) console.log(JSON.stringify(result, null, 2))
  else {
    const f = result.facts
    console.log(
      `check-elf: ${file}: ${f.machine}; needs ${f.needed.join(', ')}; newest glibc version needed ${f.newestGlibc ?? 'none'}; exports ${f.exports.join(', ')}`,
    )
  }
  if (result.problems.length) {
    console.error(`check-elf: ${file} (${triple}):\n  ${result.problems.join('\n  ')}`)
    process.exit(1)
  }
}

module.exports = { check, inspect, compareVersions }
