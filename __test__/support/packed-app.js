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
 * - `startBuilt()`, `startDev()` run `node dist/http.js` or `xmcp dev` in its own process group
 *   (processes.js); `stop()` signals that group by PID and waits until no process of it is left.
 *
 * Child processes get an environment without NODE_PATH and without the variables an enclosing `npm run`
 * sets, so nothing can resolve modules from the repo. Every step is bounded in time.
 */
const fs = require('node:fs')
const path = require('node:path')
const { npmEnv } = require('../../scripts/pack.js')
const processes = require('./processes.js')
const { xmcpCli: resolveXmcpCli } = require('./xmcp-app.js')

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

/** Runs a command to completion within `timeoutMs`, in the clean environment unless `env` is given. */
function run(command, args, { cwd, env = cleanEnv(), timeoutMs }) {
  return processes.run(command, args, { cwd, env, timeoutMs })
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
 * @param {{ dir: string, type: 'commonjs'|'module', tarballs: { main: string, platforms: Record<string,string> },
 *   dependencies?: Record<string,string> }} options `dependencies`: the user's own, next to the package's
 */
function createApp({ dir, type, tarballs, dependencies = {} }) {
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
      ...dependencies,
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
  const cli = resolveXmcpCli(dir)
  if (!cli.startsWith(dir + path.sep)) throw new Error(`xmcp resolved outside the app: ${cli}`)
  return cli
}

/** `xmcp build` with the port baked in; resolves with its output (check dist/http.js yourself). */
function xmcpBuild(dir, { port, timeoutMs = 240_000 }) {
  fs.rmSync(path.join(dir, 'dist'), { recursive: true, force: true })
  return run(process.execPath, [xmcpCli(dir), 'build'], { cwd: dir, env: cleanEnv({ PORT: String(port) }), timeoutMs })
}

/** `node dist/http.js` (or another entry) in `dir`. */
function startBuilt({ dir, entry = 'dist/http.js', port, env }) {
  return processes.startServer({ cwd: dir, args: [entry], port, env: cleanEnv(env), timeoutMs: 30_000, what: `node ${entry}`, group: true })
}

/** `xmcp dev` in `dir`, with the app's own CLI. */
function startDev({ dir, port, env }) {
  return processes.startServer({
    cwd: dir,
    args: [xmcpCli(dir), 'dev'],
    port,
    env: cleanEnv({ ...env, PORT: String(port) }),
    timeoutMs: 120_000,
    what: 'xmcp dev',
    // xmcp dev keeps watching after a failed compilation instead of exiting: fail fast on it.
    failOn: /\bcompiled with \d+ errors?\b|^ERROR in /im,
    group: true,
  })
}

module.exports = { cleanEnv, run, packTarballs, createApp, npmInstall, xmcpCli, xmcpBuild, startBuilt, startDev }
