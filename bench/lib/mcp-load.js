'use strict'
// A bounded MCP load generator for the xmcp section: each connection is one MCP client with its own
// keep-alive socket and token, which initializes once (initialize + notifications/initialized over
// the Streamable HTTP transport) and then calls one tool again and again until the window closes.
// Every answer is checked (status 200 and the tool's text in the JSON-RPC result).
const fs = require('node:fs')
const http = require('node:http')

const PROTOCOL_VERSION = '2025-06-18'
/** At most this many latencies are kept per window (enough for a p99 over any window here). */
const MAX_SAMPLES = 1_000_000

/** One POST to the MCP endpoint on `conn`'s socket; resolves { status, body, sessionId }. */
function post(conn, message, timeoutMs = 10_000) {
  const body = JSON.stringify(message)
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': PROTOCOL_VERSION,
    'content-length': Buffer.byteLength(body),
    authorization: `Bearer ${conn.token}`,
  }
  if (conn.sessionId) headers['mcp-session-id'] = conn.sessionId
  Object.assign(headers, conn.headers)
  return new Promise((resolve, reject) => {
    const req = http.request(conn.url, { method: 'POST', agent: conn.agent, headers, timeout: timeoutMs }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () =>
        resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString(), sessionId: res.headers['mcp-session-id'] }),
      )
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`MCP request timed out after ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end(body)
  })
}

/**
 * Opens `n` MCP clients on `url` (each: its own socket, token `tokens[i % tokens.length]`) and
 * initializes each once.
 */
async function connect(url, tokens, n) {
  const conns = Array.from({ length: n }, (_, i) => ({
    url,
    token: tokens[i % tokens.length],
    agent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
    sessionId: undefined,
    nextId: 1,
    headers: {},
  }))
  await Promise.all(
    conns.map(async (conn) => {
      const init = await post(conn, {
        jsonrpc: '2.0',
        id: conn.nextId++,
        method: 'initialize',
        params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'xmcp-workos-bench', version: '1.0.0' } },
      })
      if (init.status !== 200 || !init.body.includes('"protocolVersion"'))
        throw new Error(`MCP initialize failed: ${init.status} ${init.body.slice(0, 300)}`)
      conn.sessionId = init.sessionId // xmcp 1.1.3 is stateless: none
      const note = await post(conn, { jsonrpc: '2.0', method: 'notifications/initialized' })
      if (note.status >= 300) throw new Error(`MCP notifications/initialized failed: ${note.status} ${note.body.slice(0, 300)}`)
    }),
  )
  return { conns, close: () => conns.forEach((c) => c.agent.destroy()) }
}

/** p50/p90/p99 of `xs` (sorted in place), in its unit. */
function quantiles(xs) {
  xs.sort((a, b) => a - b)
  const q = (f) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor(f * xs.length))] : NaN)
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99) }
}

/**
 * Every connection calls `tool` with `{ text }` back to back until `durationS` has passed. `modes`
 * are extra request headers: each connection's k-th call sends `modes[k % modes.length]`, and the
 * latencies are also reported per mode.
 * @returns {Promise<{ requests: number, bad: number, firstBad?: string, seconds: number, rps: number, p50: number, p90: number, p99: number, byMode: { requests: number, p50: number }[] }>} latencies in µs
 */
async function callLoop(conns, { tool, durationS, modes = [{}] }) {
  const deadline = process.hrtime.bigint() + BigInt(Math.round(durationS * 1e9))
  const latencies = []
  const perMode = modes.map(() => [])
  let bad = 0
  let firstBad
  const t0 = process.hrtime.bigint()
  await Promise.all(
    conns.map(async (conn, c) => {
      const text = `echo-${c}`
      const expected = `"text":"${text}"`
      for (let k = 0; process.hrtime.bigint() < deadline; k++) {
        const mode = k % modes.length
        conn.headers = modes[mode]
        const s = process.hrtime.bigint()
        let ok = false
        let answer
        try {
          answer = await post(conn, {
            jsonrpc: '2.0',
            id: conn.nextId++,
            method: 'tools/call',
            params: { name: tool, arguments: { text } },
          })
          ok = answer.status === 200 && answer.body.includes(expected)
        } catch (err) {
          answer = { status: 0, body: String(err && err.message) }
        }
        if (latencies.length < MAX_SAMPLES) {
          const us = Number(process.hrtime.bigint() - s) / 1e3
          latencies.push(us)
          perMode[mode].push(us)
        }
        if (!ok) {
          bad++
          firstBad ??= `${answer.status} ${answer.body.slice(0, 300)}`
          // Back off a little so a broken server does not turn this into a busy loop.
          await new Promise((r) => setTimeout(r, 10))
        }
      }
    }),
  )
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  const requests = latencies.length
  return {
    requests,
    bad,
    firstBad,
    seconds,
    rps: requests / seconds,
    ...quantiles(latencies),
    byMode: perMode.map((xs) => ({ requests: xs.length, p50: quantiles(xs).p50 })),
  }
}

/**
 * On-CPU time of process `pid`, all threads, in µs: the scheduler's nanosecond counters
 * (/proc/<pid>/task/<tid>/schedstat), or utime + stime at 10 ms resolution where those are missing.
 * Threads that exited during a window are missed by both; the servers here keep theirs.
 */
function processCpuUs(pid) {
  let total = 0
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        total += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e3
      } catch {}
    }
    if (total > 0) return total
  } catch {}
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 1e4
}

module.exports = { connect, callLoop, processCpuUs }
