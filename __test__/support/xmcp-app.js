'use strict'
/**
 * Test support: builds and runs the xmcp demo app (examples/demo) the way a user does.
 *
 * - `buildApp()` copies examples/demo into `<repo>/.test-apps/<name>/` (inside the repo, so module
 *   resolution reaches the repo's node_modules and @xmcp-dev/workos links to the repo root) and runs
 *   `xmcp build`. xmcp bakes the HTTP port into dist/http.js, so the port is chosen at build time.
 *   `xmcp build` exits 0 even when rspack failed, so dist/http.js is checked explicitly.
 * - `startApp()` runs a built `dist/http.js`; `startDev()` runs `xmcp dev`.
 *
 * Everything listens on 127.0.0.1 and every wait is bounded.
 */
const fs = require('node:fs')
const net = require('node:net')
const path = require('node:path')
const { spawn } = require('node:child_process')

const REPO = path.resolve(__dirname, '..', '..')
const DEMO = path.join(REPO, 'examples', 'demo')
const TEST_APPS = path.join(REPO, '.test-apps')
const XMCP_CLI = resolveXmcpCli()
const SKIP = new Set(['dist', '.xmcp', 'node_modules'])

function resolveXmcpCli() {
  const pkgPath = require.resolve('xmcp/package.json', { paths: [REPO] })
  const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8'))
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin.xmcp
  return path.join(path.dirname(pkgPath), bin)
}

/** A port on 127.0.0.1 that was free a moment ago. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** Strips ANSI colour codes from tool output. */
function plain(text) {
  return text.replace(/\x1b\[[0-9;]*m/g, '')
}

/**
 * Runs a command to completion with a time limit (the whole process group is killed on timeout).
 * @returns {Promise<{ code: number|null, signal: string|null, output: string, ms: number }>}
 */
function run(command, args, { cwd, env, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    let output = ''
    child.stdout.on('data', (c) => (output += c))
    child.stderr.on('data', (c) => (output += c))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      killGroup(child.pid, 'SIGKILL')
    }, timeoutMs)
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      const ms = Date.now() - started
      if (timedOut) return reject(new Error(`${path.basename(args[0] || command)} timed out after ${timeoutMs} ms:\n${plain(output)}`))
      resolve({ code, signal, output: plain(output), ms })
    })
  })
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal)
  } catch {
    try {
      process.kill(pid, signal)
    } catch {}
  }
}

/**
 * Whether any live process is left in process group `pgid`. On Linux zombies do not count: an orphan
 * that already exited waits for PID 1 to reap it, which can take a while in a container.
 */
function processGroupAlive(pgid) {
  if (process.platform === 'linux') {
    try {
      for (const entry of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue
        let stat
        try {
          stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8')
        } catch {
          continue
        }
        // pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true
      }
      return false
    } catch {}
  }
  try {
    process.kill(-pgid, 0)
    return true
  } catch (err) {
    return err.code !== 'ESRCH'
  }
}

/** Polls (bounded) until no live process of group `pgid` is left. */
async function groupGone(pgid, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (!processGroupAlive(pgid)) return true
    if (Date.now() >= deadline) return false
    await new Promise((r) => setTimeout(r, 50))
  }
}

function copyDemo(dest) {
  fs.rmSync(dest, { recursive: true, force: true })
  fs.cpSync(DEMO, dest, {
    recursive: true,
    filter: (src) => !SKIP.has(path.basename(src)) || path.dirname(src) !== DEMO,
  })
}

/**
 * Copies examples/demo to `<repo>/.test-apps/<name>/` (without dist/, .xmcp/, node_modules/) and sets
 * the package type. No build.
 * @param {{ name: string, type?: 'commonjs'|'module' }} options
 * @returns {string} the app directory
 */
function copyApp({ name, type = 'commonjs' }) {
  if (!name || /[\\/]/.test(name)) throw new Error(`copyApp: invalid name ${JSON.stringify(name)}`)
  if (type !== 'commonjs' && type !== 'module') throw new Error(`copyApp: invalid type ${JSON.stringify(type)}`)
  const dir = path.join(TEST_APPS, name)
  copyDemo(dir)
  const pkgPath = path.join(dir, 'package.json')
  const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8'))
  pkg.name = `xmcp-workos-test-${name}`
  // An explicit "type": "commonjs" breaks `xmcp build`: leave the field out for CommonJS.
  if (type === 'module') pkg.type = 'module'
  else delete pkg.type
  fs.writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`)
  return dir
}

/**
 * Copies examples/demo to `<repo>/.test-apps/<name>/` and runs `xmcp build` there.
 * @param {{ name: string, type?: 'commonjs'|'module', port: number, timeoutMs?: number, env?: Record<string,string> }} options
 *   `env`: extra environment for the build (e.g. to check that nothing is inlined at build time)
 * @returns {Promise<{ dir: string, port: number, buildMs: number, output: string }>}
 */
async function buildApp({ name, type = 'commonjs', port, timeoutMs = 240_000, env = {} }) {
  if (!Number.isInteger(port)) throw new Error('buildApp: port is required (xmcp bakes it into the build)')
  const dir = copyApp({ name, type })
  return buildDir({ dir, port, timeoutMs, env })
}

/**
 * Runs `xmcp build` in an app directory and checks that dist/http.js was written.
 * @param {{ dir: string, port: number, timeoutMs?: number, env?: Record<string,string> }} options
 */
async function buildDir({ dir, port, timeoutMs = 240_000, env = {} }) {
  fs.rmSync(path.join(dir, 'dist'), { recursive: true, force: true })
  fs.rmSync(path.join(dir, '.xmcp'), { recursive: true, force: true })
  const result = await run(process.execPath, [XMCP_CLI, 'build'], {
    cwd: dir,
    env: { ...process.env, ...env, PORT: String(port) },
    timeoutMs,
  })
  const entry = path.join(dir, 'dist', 'http.js')
  if (!fs.existsSync(entry)) {
    throw new Error(`xmcp build (exit ${result.code}) wrote no dist/http.js in ${dir}:\n${result.output}`)
  }
  return { dir, port, buildMs: result.ms, output: result.output }
}

/** Resolves once 127.0.0.1:port answers HTTP, or rejects when the child exits or time runs out. */
async function waitForHttp({ port, child, output, timeoutMs, what, failOn }) {
  const deadline = Date.now() + timeoutMs
  let exited = null
  const onExit = (code, signal) => (exited = { code, signal })
  child.once('exit', onExit)
  try {
    while (Date.now() < deadline) {
      if (exited) {
        throw new Error(`${what} exited (code ${exited.code}, signal ${exited.signal}) before listening on ${port}:\n${output()}`)
      }
      if (failOn && failOn.test(output())) throw new Error(`${what} failed before listening on ${port}:\n${output()}`)
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) })
        await res.arrayBuffer()
        return
      } catch {}
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`${what} did not answer HTTP on 127.0.0.1:${port} within ${timeoutMs} ms:\n${output()}`)
  } finally {
    child.off('exit', onExit)
  }
}

function spawnServer({ args, dir, env, port, timeoutMs, what, group, failOn }) {
  const child = spawn(process.execPath, args, {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: group,
  })
  let output = ''
  const append = (c) => {
    output += c
    if (output.length > 200_000) output = output.slice(-100_000)
  }
  child.stdout.on('data', append)
  child.stderr.on('data', append)
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  let exitedNow = false
  exited.then(() => (exitedNow = true))

  async function stop({ timeoutMs: stopTimeout = 10_000 } = {}) {
    const kill = (signal) => (group ? killGroup(child.pid, signal) : child.kill(signal))
    if (!exitedNow) kill('SIGTERM')
    const timer = setTimeout(() => kill('SIGKILL'), stopTimeout)
    let result
    try {
      result = await exited
    } finally {
      clearTimeout(timer)
    }
    // xmcp dev runs the server in a child process: wait (bounded) until the whole group is gone.
    if (group && !(await groupGone(child.pid, 3_000))) {
      killGroup(child.pid, 'SIGKILL')
      if (!(await groupGone(child.pid, 3_000))) throw new Error(`process group ${child.pid} survived SIGKILL`)
    }
    return result
  }

  const ready = waitForHttp({ port, child, output: () => plain(output), timeoutMs, what, failOn }).catch(async (err) => {
    await stop()
    throw err
  })
  return ready.then(() => ({
    url: `http://127.0.0.1:${port}`,
    child,
    pid: child.pid,
    output: () => plain(output),
    stop,
  }))
}

/**
 * Runs a built app: `node <entry>` in `dir`.
 * @param {{ dir: string, entry?: string, env?: Record<string,string>, port: number, timeoutMs?: number }} options
 * @returns {Promise<{ url: string, child: import('node:child_process').ChildProcess, pid: number, output: () => string, stop: () => Promise<object> }>}
 */
function startApp({ dir, entry = 'dist/http.js', env = {}, port, timeoutMs = 30_000 }) {
  return spawnServer({ args: [entry], dir, env, port, timeoutMs, what: `node ${entry}`, group: false })
}

/**
 * Runs `xmcp dev` in `dir` (its own process group; `stop()` kills the whole group).
 * `PORT` is passed so that xmcp.config.ts picks the port (xmcp dev builds, then serves).
 * @param {{ dir: string, env?: Record<string,string>, port: number, timeoutMs?: number }} options
 */
function startDev({ dir, env = {}, port, timeoutMs = 120_000 }) {
  return spawnServer({
    args: [XMCP_CLI, 'dev'],
    dir,
    env: { ...env, PORT: String(port) },
    port,
    timeoutMs,
    what: 'xmcp dev',
    // xmcp dev keeps watching after a failed compilation instead of exiting: fail fast on it.
    failOn: /\bcompiled with \d+ errors?\b|^ERROR in /im,
    group: true,
  })
}

module.exports = { REPO, DEMO, TEST_APPS, XMCP_CLI, freePort, processGroupAlive, copyApp, buildApp, buildDir, startApp, startDev }
