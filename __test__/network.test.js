'use strict'
// Where the native HTTP client reaches AuthKit: custom CA roots (NODE_EXTRA_CA_CERTS, as Node does)
// and proxies (HTTP_PROXY / HTTPS_PROXY / NO_PROXY). Each scenario runs in a child process because
// the client is built once per process. Loopback only.
const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync, execFile } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const http = require('node:http')
const https = require('node:https')
const { createEmulator } = require('./support/emulator')
const { waitFor } = require('./support/wait')

const ROOT = path.resolve(__dirname, '..')

/** Runs `NativeProvider#authenticate` for one token in a fresh process with `env`. */
function authenticateInChild({ authkitDomain, token, env, clientId }) {
  const script = `
    const { NativeProvider } = require('./native.js')
    const p = new NativeProvider({ apiKey: 'k', clientId: ${JSON.stringify(clientId)}, baseURL: 'http://127.0.0.1:1',
      authkitDomain: ${JSON.stringify(authkitDomain)}, jwks: { warmUp: false, timeoutMs: 3000 } })
    const { outcomeOf } = require('./__test__/support/verdict.js')
    outcomeOf(p, ${JSON.stringify(`Bearer ${token}`)}).then((o) => console.log(JSON.stringify({ status: o.status, reason: o.reason })))`
  const cleanEnv = { ...process.env }
  for (const name of [
    'HTTP_PROXY',
    'HTTPS_PROXY',
    'NO_PROXY',
    'http_proxy',
    'https_proxy',
    'no_proxy',
    'ALL_PROXY',
    'all_proxy',
    'NODE_EXTRA_CA_CERTS',
  ])
    delete cleanEnv[name]
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script], { cwd: ROOT, env: { ...cleanEnv, ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`))
      resolve({ ...JSON.parse(stdout.trim().split('\n').at(-1)), stderr })
    })
  })
}

describe('custom CA roots', () => {
  let dir
  let server
  let emu
  let origin
  // What reached the https AuthKit: requests relayed, and handshakes the client broke off (why).
  const seen = { relayed: 0, refusedHandshakes: [] }
  const reset = () => Object.assign(seen, { relayed: 0, refusedHandshakes: [] })
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workos-ca-'))
    const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=workos-test-ca',
    )
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1')
    fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n')
    openssl(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      '2',
      '-extfile',
      'san.ext',
    )
    emu = await createEmulator()
    // An https AuthKit: the TLS server relays to the emulator, answering for its issuer.
    server = https.createServer(
      { key: fs.readFileSync(path.join(dir, 'server.key')), cert: fs.readFileSync(path.join(dir, 'server.pem')) },
      (req, res) => {
        seen.relayed++
        const upstream = http.request(`${emu.url}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode, up.headers)
          up.pipe(res)
        })
        upstream.on('error', () => res.destroy())
        req.pipe(upstream)
      },
    )
    server.on('tlsClientError', (err) => seen.refusedHandshakes.push(err.code || err.message))
    await new Promise((r) => server.listen(0, '127.0.0.1', r))
    origin = `https://127.0.0.1:${server.address().port}`
  })
  after(async () => {
    server.closeAllConnections()
    server.close()
    await emu.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  /** A 503 because the client refused AuthKit's certificate: the handshake ended with its unknown-CA alert, no request. */
  async function assertRefusedCertificate(out) {
    assert.deepEqual({ status: out.status, reason: out.reason }, { status: 503, reason: 'jwks_unavailable' }, out.stderr)
    // The client's alert reaches this process on its own schedule.
    await waitFor(() => seen.refusedHandshakes.length > 0, { what: 'the refused handshake' })
    assert.equal(seen.relayed, 0, 'no request got through')
    for (const why of seen.refusedHandshakes) assert.match(why, /ALERT_UNKNOWN_CA|unknown ca/i)
  }

  test('an AuthKit certificate from an unknown CA is not trusted', async () => {
    reset()
    const token = emu.mintToken({ iss: origin })
    const out = await authenticateInChild({ authkitDomain: origin, token, clientId: emu.clientId, env: {} })
    await assertRefusedCertificate(out)
  })

  test('NODE_EXTRA_CA_CERTS adds the CA, as it does for Node', async () => {
    const token = emu.mintToken({ iss: origin })
    reset()
    const out = await authenticateInChild({
      authkitDomain: origin,
      token,
      clientId: emu.clientId,
      env: { NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem') },
    })
    assert.equal(out.status, 200, out.stderr)
    assert.deepEqual(seen, { relayed: 1, refusedHandshakes: [] })
  })

  test('an unreadable NODE_EXTRA_CA_CERTS is a warning, not a crash', async () => {
    const token = emu.mintToken({ iss: origin })
    reset()
    const out = await authenticateInChild({
      authkitDomain: origin,
      token,
      clientId: emu.clientId,
      env: { NODE_EXTRA_CA_CERTS: path.join(dir, 'missing.pem') },
    })
    await assertRefusedCertificate(out)
    assert.match(out.stderr, /Warning: ignoring extra certs/)
  })
})

describe('proxies', () => {
  let emu
  let proxy
  let proxied
  before(async () => {
    emu = await createEmulator()
    proxied = []
    // A forward proxy for plain http: requests arrive in absolute form and are relayed to the emulator.
    proxy = http.createServer((req, res) => {
      proxied.push(req.url)
      const target = new URL(req.url)
      const upstream = http.request(`${emu.url}${target.pathname}${target.search}`, { method: req.method }, (up) => {
        res.writeHead(up.statusCode, up.headers)
        up.pipe(res)
      })
      upstream.on('error', () => res.destroy())
      req.pipe(upstream)
    })
    await new Promise((r) => proxy.listen(0, '127.0.0.1', r))
  })
  after(async () => {
    proxy.close()
    await emu.close()
  })

  test('HTTP_PROXY carries AuthKit requests, even to an address that only the proxy can reach', async () => {
    proxied.length = 0
    // Plain http is only allowed for loopback AuthKit hosts; nothing listens on this port here.
    const authkit = 'http://localhost:9'
    const token = emu.mintToken({ iss: authkit })
    const env = { HTTP_PROXY: `http://127.0.0.1:${proxy.address().port}` }
    const out = await authenticateInChild({ authkitDomain: authkit, token, clientId: emu.clientId, env })
    assert.equal(out.status, 200, out.stderr)
    assert.deepEqual(proxied, ['http://localhost:9/oauth2/jwks'])
  })

  test('NO_PROXY bypasses the proxy', async () => {
    proxied.length = 0
    const token = emu.mintToken()
    const env = { HTTP_PROXY: `http://127.0.0.1:${proxy.address().port}`, NO_PROXY: '127.0.0.1' }
    const out = await authenticateInChild({ authkitDomain: emu.url, token, clientId: emu.clientId, env })
    assert.equal(out.status, 200, out.stderr)
    assert.deepEqual(proxied, [])
  })
})
