'use strict'
// The WorkOS client's waits between retries, observed at the server and checked against what the
// README documents ("backoff 0.75 s, 1.1 s, 1.7 s (±50 % jitter)"), not against the formula the code
// uses. Only the lower bounds are asserted: a retry can never come early, while a late one on a busy
// machine says nothing about the code.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const http = require('node:http')
const path = require('node:path')
const { performance } = require('node:perf_hooks')
const { WorkOS } = require('@xmcp-dev/workos')

/** The documented waits (ms) and jitter (a fraction), read from the README. */
function documentedBackoff() {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8')
  const match = readme.match(/backoff ([\d.]+) s, ([\d.]+) s, ([\d.]+) s \(±(\d+) % jitter\)/)
  assert.ok(match, 'the README documents the backoff')
  const waits = match.slice(1, 4).map((text) => {
    // Each value as written: 1.7 stands for anything that rounds to it, from 1.65 on.
    const decimals = text.split('.')[1]?.length ?? 0
    return { text, atLeastMs: (Number(text) - 0.5 * 10 ** -decimals) * 1000 }
  })
  return { waits, jitter: Number(match[4]) / 100 }
}

test('retries wait at least the documented backoff, less the documented jitter', async () => {
  const { waits, jitter } = documentedBackoff()
  const arrivals = []
  const server = http.createServer((req, res) => {
    arrivals.push(performance.now())
    res.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"Service unavailable"}')
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const client = new WorkOS('sk_test_retries', { apiHostname: '127.0.0.1', port: server.address().port, https: false })
    await assert.rejects(client.userManagement.getUser('user_1'), (err) => err.status === 503)
    assert.equal(arrivals.length, 1 + waits.length, 'the first attempt and one retry per documented wait')
    waits.forEach(({ text, atLeastMs }, i) => {
      const gap = arrivals[i + 1] - arrivals[i]
      assert.ok(
        gap >= atLeastMs * (1 - jitter),
        `retry ${i + 1} came ${gap.toFixed(1)} ms after the attempt before it; documented: ${text} s ±${jitter * 100} %`,
      )
    })
  } finally {
    server.closeAllConnections()
    server.close()
  }
})
