'use strict'
// A forked helper process (the emulator, a server under test) driven over IPC with request/response
// messages, by bench/middleware.js and bench/xmcp.js. Every wait is bounded.
const path = require('node:path')
const { fork } = require('node:child_process')
const { ROOT } = require('./common.js')

/** A forked helper process with request/response messages and a bounded wait for `ready`. */
function startChild(file, args, env, { readyTimeoutMs = 20_000, execArgv = process.execArgv } = {}) {
  const child = fork(file, args, { env: { ...process.env, ...env }, cwd: ROOT, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const pending = new Map()
  let nextId = 0
  let readyResolve
  const ready = new Promise((resolve, reject) => {
    readyResolve = resolve
    const timer = setTimeout(
      () => reject(new Error(`${path.basename(file)} ${args.join(' ')} not ready in ${readyTimeoutMs} ms`)),
      readyTimeoutMs,
    )
    child.once('exit', (code) => reject(new Error(`${path.basename(file)} exited early (${code})`)))
    child.on('message', (m) => {
      if (m && m.ready) {
        clearTimeout(timer)
        readyResolve(m)
      }
    })
  })
  ready.catch(() => {})
  child.on('message', (m) => {
    if (m && m.id !== undefined && pending.has(m.id)) {
      pending.get(m.id)(m)
      pending.delete(m.id)
    }
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  return {
    ready,
    call(cmd, args = {}, timeoutMs = 30_000) {
      const id = nextId++
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${cmd} timed out`)), timeoutMs)
        pending.set(id, (m) => {
          clearTimeout(timer)
          resolve(m)
        })
        child.send({ id, cmd, ...args })
      })
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}

module.exports = { startChild }
