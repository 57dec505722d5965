'use strict'
/**
 * Test support: the Python MCP SDK (PyPI `mcp`) in a virtualenv the tests create, and a runner for
 * support/mcp_oauth_client.py.
 *
 * The virtualenv lives in `<repo>/.test-apps/python-mcp-<version>/` (git-ignored) and is keyed by the
 * pinned version, so reruns reuse it and a version bump gets a new one. It counts as ready only once the
 * install finished (a marker file written last); anything else is deleted and created again. Creating it
 * needs python3 >= 3.10 with the venv module, and PyPI (the only network access).
 */
const fs = require('node:fs')
const path = require('node:path')
const { spawn, execFileSync } = require('node:child_process')
const { run: runProcess } = require('./processes.js')

const MCP_VERSION = '2.3.0'
const REPO = path.resolve(__dirname, '..', '..')
const VENV = path.join(REPO, '.test-apps', `python-mcp-${MCP_VERSION}`)
const READY = path.join(VENV, '.xmcp-workos-ready')
const SCRIPT = path.join(__dirname, 'mcp_oauth_client.py')
const INSTALL_TIMEOUT_MS = 300_000

const venvPython = () => (process.platform === 'win32' ? path.join(VENV, 'Scripts', 'python.exe') : path.join(VENV, 'bin', 'python'))

/** The base interpreter: $PYTHON, else python3 (python on Windows); must be >= 3.10 (mcp's minimum). */
function basePython() {
  const candidates = [process.env.PYTHON, process.platform === 'win32' ? 'python' : 'python3'].filter(Boolean)
  for (const exe of candidates) {
    try {
      const version = execFileSync(exe, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
        encoding: 'utf8',
        timeout: 10_000,
      }).trim()
      const [major, minor] = version.split('.').map(Number)
      if (major === 3 && minor >= 10) return { exe, version }
      throw new Error(`${exe} is Python ${version}; the mcp package needs 3.10 or later`)
    } catch (err) {
      if (exe === candidates[candidates.length - 1]) throw new Error(`No usable Python: ${err.message}`)
    }
  }
  throw new Error('No Python interpreter found (set PYTHON)')
}

/** `run` of processes.js, resolving with the output and failing on a non-zero exit. */
async function run(command, args, { timeoutMs, env = process.env }) {
  const { code, signal, output } = await runProcess(command, args, { cwd: process.cwd(), env, timeoutMs })
  if (code === 0) return output
  throw new Error(`${path.basename(command)} ${args.join(' ')} failed (${signal || `exit ${code}`}):\n${output.slice(-4000)}`)
}

/**
 * Makes sure the virtualenv with `mcp==MCP_VERSION` exists.
 * @returns {Promise<{ python: string, created: boolean, ms: number }>}
 */
async function ensureVenv() {
  const started = Date.now()
  if (fs.existsSync(READY) && fs.existsSync(venvPython())) return { python: venvPython(), created: false, ms: 0 }
  fs.rmSync(VENV, { recursive: true, force: true })
  fs.mkdirSync(path.dirname(VENV), { recursive: true })
  const { exe } = basePython()
  await run(exe, ['-m', 'venv', VENV], { timeoutMs: 120_000 })
  await run(venvPython(), ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', `mcp==${MCP_VERSION}`], {
    timeoutMs: INSTALL_TIMEOUT_MS,
  })
  const installed = (
    await run(venvPython(), ['-c', 'import importlib.metadata as m; print(m.version("mcp"))'], { timeoutMs: 30_000 })
  ).trim()
  if (installed !== MCP_VERSION) throw new Error(`the virtualenv has mcp ${installed}, not ${MCP_VERSION}`)
  fs.writeFileSync(READY, `mcp==${MCP_VERSION}\n`)
  return { python: venvPython(), created: true, ms: Date.now() - started }
}

/**
 * Runs support/mcp_oauth_client.py against `mcpUrl`.
 * @param {string} mcpUrl
 * @param {{ args?: string[], timeoutMs?: number }} [options]
 * @returns {Promise<{ events: object[], calls: string[], toolResults: object[], http: object[], output: string }>}
 */
function runPythonClient(mcpUrl, { args = [], timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(venvPython(), [SCRIPT, mcpUrl, ...args], {
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      const events = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line))
      const output = `${stdout}\n${stderr}`.slice(-8000)
      const failure = events.find((e) => e.event === 'error')
      if (code !== 0 || failure || !events.some((e) => e.event === 'done')) {
        return reject(new Error(`python MCP client failed (${signal || `exit ${code}`}): ${failure ? failure.traceback : ''}\n${output}`))
      }
      resolve({
        events,
        calls: events.filter((e) => e.event === 'call' && !e.is_error).map((e) => e.text),
        toolResults: events.filter((e) => e.event === 'call').map((e) => ({ tool: e.tool, text: e.text, isError: e.is_error })),
        http: events
          .filter((e) => e.event === 'http')
          .map(
            ({
              www_authenticate: wwwAuthenticate,
              header_resource_metadata: headerResourceMetadata,
              grant_type: grantType,
              event: _event,
              ...rest
            }) => ({
              ...rest,
              wwwAuthenticate,
              headerResourceMetadata,
              grantType,
            }),
          ),
        output,
      })
    })
  })
}

module.exports = { MCP_VERSION, VENV, ensureVenv, runPythonClient }
