'use strict'
/**
 * Test support: child processes and ports, for every helper that runs something (xmcp-app.js,
 * packed-app.js, the type checks).
 *
 * - `freePort()`: a port on 127.0.0.1 that was free a moment ago.
 * - `run()`: a command to completion, its whole process group killed when time runs out.
 * - `startServer()`: `node <args>` until it answers HTTP on its port; `stop()` ends it (and, started
 *   as a process group, every process of that group) and waits until none is left.
 *
 * Every wait is bounded.
 */
const assert = require('node:assert/strict')
const fs = require('node:fs')
const net = require('node:net')
const path = require('node:path')
const { spawn } = require('node:child_process')

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
 * Runs a command to completion with a time limit (the whole process group is killed on timeout).
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number }} options
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
      const what = `${path.basename(command)} ${args.join(' ')}`
      if (timedOut) return reject(new Error(`${what} timed out after ${timeoutMs} ms:\n${plain(output)}`))
      resolve({ code, signal, output: plain(output), ms: Date.now() - started })
    })
  })
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

/** Resolves once 127.0.0.1:port answers HTTP; rejects when the child exits, fails, or time runs out. */
async function waitForHttp({ port, exited, output, timeoutMs, what, failOn }) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const exit = exited()
    if (exit) throw new Error(`${what} exited (code ${exit.code}, signal ${exit.signal}) before listening on ${port}:\n${output()}`)
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
 * Starts `node <args>` in `cwd` with exactly `env` and waits until `port` answers HTTP.
 * @param {{ cwd: string, args: string[], env: NodeJS.ProcessEnv, port: number, timeoutMs: number, what: string,
 *   group?: boolean, failOn?: RegExp }} options
 *   `group`: the server runs in a process group of its own, and `stop()` ends the whole group (xmcp dev
 *   serves from a child process). `failOn`: output that means the start failed (fail fast on it).
 * @returns {Promise<{ url: string, child: import('node:child_process').ChildProcess, pid: number,
 *   output: () => string, stop: (options?: { timeoutMs?: number }) => Promise<{ code, signal }> }>}
 */
async function startServer({ cwd, args, env, port, timeoutMs, what, group = false, failOn }) {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: group })
  let output = ''
  const append = (c) => {
    output += c
    if (output.length > 200_000) output = output.slice(-100_000)
  }
  child.stdout.on('data', append)
  child.stderr.on('data', append)
  let exit = null
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exit = { code, signal }))))

  async function stop({ timeoutMs: graceMs = 10_000 } = {}) {
    const kill = (signal) => (group ? killGroup(child.pid, signal) : child.kill(signal))
    if (!exit) kill('SIGTERM')
    const timer = setTimeout(() => kill('SIGKILL'), graceMs)
    const result = await exited.finally(() => clearTimeout(timer))
    // The leader may exit before its children: wait (bounded) until the whole group is gone.
    if (group && !(await groupGone(child.pid, 3_000))) {
      killGroup(child.pid, 'SIGKILL')
      if (!(await groupGone(child.pid, 3_000))) throw new Error(`process group ${child.pid} survived SIGKILL`)
    }
    return result
  }

  try {
    await waitForHttp({ port, exited: () => exit, output: () => plain(output), timeoutMs, what, failOn })
  } catch (err) {
    await stop().catch(() => {})
    throw err
  }
  return { url: `http://127.0.0.1:${port}`, child, pid: child.pid, output: () => plain(output), stop }
}

/**
 * The servers a test file started, so that its `after` hook stops whatever a failed test left
 * running: `track(startServer(...))` resolves to the server, whose `stop()` also forgets it.
 */
function serverTracker() {
  const running = new Set()
  return {
    async track(serverPromise) {
      const server = await serverPromise
      running.add(server)
      const stop = server.stop
      server.stop = (...args) => {
        running.delete(server)
        return stop(...args)
      }
      return server
    },
    async stopAll() {
      // A copy: each stop() deletes its server from the set.
      for (const server of Array.from(running)) await server.stop().catch(() => {})
    },
  }
}

/**
 * Asserts that a server started as a process group and stopped (`exit`: what `stop()` resolved to)
 * left nothing behind: no live process of its group, nothing answering on its port.
 */
async function assertStopped(server, exit) {
  assert.ok(exit, 'the server did not exit')
  assert.equal(processGroupAlive(server.pid), false, `process group ${server.pid} still has live processes`)
  const stillServing = await fetch(`${server.url}/`, { signal: AbortSignal.timeout(1000) }).then(
    () => true,
    () => false,
  )
  assert.equal(stillServing, false, 'something still answers on the port after stop()')
}

module.exports = { freePort, plain, run, processGroupAlive, startServer, serverTracker, assertStopped }
