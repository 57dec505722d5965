'use strict'
/**
 * Test support for __test__/install.test.js: the package as a user gets it, in xmcp apps that know
 * nothing of this repository.
 *
 * - `packTarballs(out)` runs scripts/pack.js: the tarballs the release job publishes.
 * - `createApp()` makes a fresh app outside the repo (under os.tmpdir()): examples/demo's sources and a
 *   package.json naming xmcp, @xmcp-dev/compiler, zod, @types/node and the main tarball. The platform
 *   package is not named there: `overrides` only says where npm finds it, so npm reaches it the way a
 *   user's install does, through the main package's `optionalDependencies` (and marks it optional).
 * - `npmInstall()`, `xmcpBuild()` use the app's own npm install and its own xmcp CLI.
 * - `startServer()` runs `node dist/http.js` or `xmcp dev` in its own process group; `stop()` signals
 *   that group by PID and waits until no process of it is left.
 *
 * Child processes get an environment without NODE_PATH and without the variables an enclosing `npm run`
 * sets, so nothing can resolve modules from the repo. Every step is bounded in time.
 */
const fs = require('node:fs')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { npmEnv } = require('../../scripts/pack.js')
const { processGroupAlive } = require('./xmcp-app.js')

const REPO = path.resolve(__dirname, '..', '..')
const DEMO = path.join(REPO, 'examples', 'demo')
const APP_FILES = ['src', 'xmcp.config.ts', 'tsconfig.json', 'xmcp-env.d.ts']
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'

/** The environment of every child: no NODE_PATH, nothing from an enclosing `npm run`. */
function cleanEnv(extra = {}) {
  const env = npmEnv(extra)
  delete env.NODE_PATH
  return env
}

const plain = (text) => text.replace(/\x1b\[[0-9;]*m/g, '')

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
 * Runs a command to completion within `timeoutMs` (its whole process group is killed on timeout).
 * @returns {Promise<{ code: number|null, output: string, ms: number }>}
 */
function run(command, args, { cwd, env = cleanEnv(), timeoutMs }) {
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
    child.once('close', (code) => {
      clearTimeout(timer)
      const what = `${path.basename(command)} ${args.join(' ')}`
      if (timedOut) return reject(new Error(`${what} timed out after ${timeoutMs} ms:\n${plain(output)}`))
      resolve({ code, output: plain(output), ms: Date.now() - started })
    })
  })
}

async function mustRun(command, args, options) {
  const result = await run(command, args, options)
  if (result.code !== 0) throw new Error(`${path.basename(command)} ${args.join(' ')} exited ${result.code}:\n${result.output}`)
  return result
}

/**
 * Packs the package with scripts/pack.js into `out`.
 * @returns {Promise<{ version: string, main: string, platforms: Record<string,string>, skipped: string[], ms: number }>}
 */
async function packTarballs(out) {
  const { output, ms } = await mustRun(process.execPath, [path.join(REPO, 'scripts', 'pack.js'), '--out', out, '--json'], {
    cwd: REPO,
    timeoutMs: 180_000,
  })
  return { ...JSON.parse(output.slice(output.indexOf('{'))), ms }
}

/**
 * A fresh app in `dir` (which must not exist yet).
 * @param {{ dir: string, type: 'commonjs'|'module', tarballs: { main: string, platforms: Record<string,string> } }} options
 */
function createApp({ dir, type, tarballs }) {
  fs.mkdirSync(dir, { recursive: true })
  for (const file of APP_FILES) fs.cpSync(path.join(DEMO, file), path.join(dir, file), { recursive: true })
  const pkg = {
    name: `xmcp-workos-installed-${type}`,
    version: '0.0.0',
    private: true,
    // An explicit "type": "commonjs" breaks `xmcp build`: leave the field out for CommonJS.
    ...(type === 'module' ? { type: 'module' } : {}),
    scripts: { build: 'xmcp build', dev: 'xmcp dev', start: 'node dist/http.js' },
    dependencies: {
      '@xmcp-dev/workos': `file:${tarballs.main}`,
      xmcp: '1.1.3',
      zod: '^3.25.76',
    },
    devDependencies: {
      '@types/node': '^20.19.43',
      '@xmcp-dev/compiler': '1.1.3',
    },
    overrides: Object.fromEntries(
      Object.entries(tarballs.platforms).map(([platform, tarball]) => [`@xmcp-dev/workos-${platform}`, `file:${tarball}`]),
    ),
  }
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`)
  return dir
}

/** `npm install` in the app: from the registry (npm cache preferred) and the tarballs. */
function npmInstall(dir, { timeoutMs = 300_000 } = {}) {
  return mustRun(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    timeoutMs,
  })
}

/** The app's own xmcp CLI (node_modules/xmcp). */
function xmcpCli(dir) {
  const pkgPath = require.resolve('xmcp/package.json', { paths: [dir] })
  if (!pkgPath.startsWith(dir + path.sep)) throw new Error(`xmcp resolved outside the app: ${pkgPath}`)
  const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8'))
  return path.join(path.dirname(pkgPath), typeof pkg.bin === 'string' ? pkg.bin : pkg.bin.xmcp)
}

/** `xmcp build` with the port baked in; resolves with its output (check dist/http.js yourself). */
function xmcpBuild(dir, { port, timeoutMs = 240_000 }) {
  fs.rmSync(path.join(dir, 'dist'), { recursive: true, force: true })
  return run(process.execPath, [xmcpCli(dir), 'build'], { cwd: dir, env: cleanEnv({ PORT: String(port) }), timeoutMs })
}

/** Resolves once 127.0.0.1:port answers HTTP; rejects when the child exits, fails, or time runs out. */
async function waitForHttp({ port, exited, output, timeoutMs, what, failOn }) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`${what} exited (${JSON.stringify(exited())}) before listening on ${port}:\n${output()}`)
    if (failOn && failOn.test(output())) throw new Error(`${what} failed before listening on ${port}:\n${output()}`)
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) })
      await res.arrayBuffer()
      return
    } catch {}
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${what} did not answer HTTP on 127.0.0.1:${port} within ${timeoutMs} ms:\n${output()}`)
}

/**
 * Starts `node <args>` in `cwd` as the leader of a new process group and waits until `port` answers.
 * @param {{ cwd: string, args: string[], port: number, env?: object, timeoutMs?: number, what: string, failOn?: RegExp }} options
 * @returns {Promise<{ url: string, pid: number, output: () => string, stop: () => Promise<{ code, signal }> }>}
 */
async function startServer({ cwd, args, port, env = {}, timeoutMs = 60_000, what, failOn }) {
  const child = spawn(process.execPath, args, { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let output = ''
  const append = (c) => {
    output += c
    if (output.length > 200_000) output = output.slice(-100_000)
  }
  child.stdout.on('data', append)
  child.stderr.on('data', append)
  let exitInfo = null
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exitInfo = { code, signal }))))

  async function stop({ timeoutMs: graceMs = 10_000 } = {}) {
    if (!exitInfo) killGroup(child.pid, 'SIGTERM')
    const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), graceMs)
    const result = await exited.finally(() => clearTimeout(timer))
    // The leader may exit before its children (xmcp dev runs the server in a child process).
    const deadline = Date.now() + 5_000
    while (processGroupAlive(child.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    if (processGroupAlive(child.pid)) {
      killGroup(child.pid, 'SIGKILL')
      await new Promise((r) => setTimeout(r, 500))
      if (processGroupAlive(child.pid)) throw new Error(`process group ${child.pid} survived SIGKILL`)
    }
    return result
  }

  try {
    await waitForHttp({ port, exited: () => exitInfo, output: () => plain(output), timeoutMs, what, failOn })
  } catch (err) {
    await stop().catch(() => {})
    throw err
  }
  return { url: `http://127.0.0.1:${port}`, pid: child.pid, output: () => plain(output), stop }
}

/** `node dist/http.js` (or another entry) in `dir`. */
function startBuilt({ dir, entry = 'dist/http.js', port, env }) {
  return startServer({ cwd: dir, args: [entry], port, env, timeoutMs: 30_000, what: `node ${entry}` })
}

/** `xmcp dev` in `dir`, with the app's own CLI. */
function startDev({ dir, port, env }) {
  return startServer({
    cwd: dir,
    args: [xmcpCli(dir), 'dev'],
    port,
    env: { ...env, PORT: String(port) },
    timeoutMs: 120_000,
    what: 'xmcp dev',
    // xmcp dev keeps watching after a failed compilation instead of exiting: fail fast on it.
    failOn: /\bcompiled with \d+ errors?\b|^ERROR in /im,
  })
}

module.exports = { cleanEnv, run, packTarballs, createApp, npmInstall, xmcpCli, xmcpBuild, startBuilt, startDev }
