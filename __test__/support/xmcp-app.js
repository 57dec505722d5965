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
const path = require('node:path')
const { run, startServer } = require('./processes.js')

const REPO = path.resolve(__dirname, '..', '..')
const DEMO = path.join(REPO, 'examples', 'demo')
const TEST_APPS = path.join(REPO, '.test-apps')
const SKIP = new Set(['dist', '.xmcp', 'node_modules'])

/** The xmcp CLI that module resolution finds from `dir` (its node_modules/xmcp). */
function xmcpCli(dir) {
  const pkgPath = require.resolve('xmcp/package.json', { paths: [dir] })
  const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8'))
  return path.join(path.dirname(pkgPath), typeof pkg.bin === 'string' ? pkg.bin : pkg.bin.xmcp)
}
const XMCP_CLI = xmcpCli(REPO)

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

/**
 * Runs a built app: `node <entry>` in `dir`.
 * @param {{ dir: string, entry?: string, env?: Record<string,string>, port: number, timeoutMs?: number }} options
 * @returns {Promise<{ url: string, child: import('node:child_process').ChildProcess, pid: number, output: () => string, stop: () => Promise<object> }>}
 */
function startApp({ dir, entry = 'dist/http.js', env = {}, port, timeoutMs = 30_000 }) {
  return startServer({ cwd: dir, args: [entry], env: { ...process.env, ...env }, port, timeoutMs, what: `node ${entry}` })
}

/**
 * Runs `xmcp dev` in `dir` (its own process group; `stop()` kills the whole group).
 * `PORT` is passed so that xmcp.config.ts picks the port (xmcp dev builds, then serves).
 * @param {{ dir: string, env?: Record<string,string>, port: number, timeoutMs?: number }} options
 */
function startDev({ dir, env = {}, port, timeoutMs = 120_000 }) {
  return startServer({
    cwd: dir,
    args: [XMCP_CLI, 'dev'],
    env: { ...process.env, ...env, PORT: String(port) },
    port,
    timeoutMs,
    what: 'xmcp dev',
    // xmcp dev keeps watching after a failed compilation instead of exiting: fail fast on it.
    failOn: /\bcompiled with \d+ errors?\b|^ERROR in /im,
    group: true,
  })
}

/**
 * The environment the demo app's middleware reads (src/middleware.ts), pointing it at the emulator
 * `emu` (AuthKit and the WorkOS API) for an app served on 127.0.0.1:`port`.
 */
function appEnv(emu, port) {
  return {
    WORKOS_API_KEY: emu.apiKey,
    WORKOS_CLIENT_ID: emu.clientId,
    BASE_URL: `http://127.0.0.1:${port}`,
    WORKOS_AUTHKIT_DOMAIN: emu.url,
    WORKOS_API_HOSTNAME: '127.0.0.1',
    WORKOS_API_PORT: new URL(emu.url).port,
    WORKOS_API_HTTPS: 'false',
  }
}

module.exports = { REPO, DEMO, TEST_APPS, XMCP_CLI, xmcpCli, appEnv, copyApp, buildApp, buildDir, startApp, startDev }
