'use strict'
// A real Express app protected by the package, on 127.0.0.1, for the behaviour tests.
const http = require('node:http')
const express = require('express')
const { workosProvider, getSession, getUser } = require('@xmcp-dev/workos')

/** A free loopback port. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = http.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** Provider config pointing at the emulator, plus `overrides`. */
function configFor(emu, baseURL, overrides = {}) {
  const apiPort = Number(new URL(emu.url).port)
  return {
    apiKey: emu.apiKey,
    clientId: emu.clientId,
    baseURL,
    authkitDomain: emu.url,
    apiHostname: '127.0.0.1',
    apiPort,
    apiHttps: false,
    ...overrides,
    // No start-up fetch unless a test asks for one: the tests count fetches and stage outages.
    jwks: { warmUp: false, ...overrides.jwks },
  }
}

/**
 * Starts an Express app with `router` and `middleware` mounted as xmcp mounts them, and routes that
 * report what the tool code would see. `before`: middleware mounted ahead of the package's (a timeout
 * middleware, say). `reached` lists the requests that got past the package to a route.
 */
async function startExpressApp(emu, overrides = {}, { before = [] } = {}) {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const { middleware, router } = workosProvider(configFor(emu, url, overrides))
  const app = express()
  const reached = []
  for (const m of before) app.use(m)
  app.use(express.json())
  app.use(router)
  app.use(middleware)
  app.use((req, res, next) => {
    reached.push({ method: req.method, path: req.path })
    next()
  })
  app.get('/public', (req, res) => res.json({ public: true }))
  const sessionView = () => {
    const s = getSession()
    return {
      ...s,
      expiresAtIsDate: s.expiresAt instanceof Date,
      issuedAtIsDate: s.issuedAt instanceof Date,
      expiresAt: s.expiresAt.toISOString(),
      issuedAt: Number.isNaN(s.issuedAt.getTime()) ? null : s.issuedAt.toISOString(),
    }
  }
  app.all(/^\/mcp(\/.*)?$/i, async (req, res) => {
    // An async gap before reading the session, like real tool code.
    const delay = Number(req.query.delay || 0)
    await new Promise((r) => setTimeout(r, delay))
    try {
      res.json({ session: sessionView() })
    } catch (err) {
      res.status(500).json({ error: err.message })
    }
  })
  app.get('/mcp-user', async (req, res) => {
    try {
      res.json({ user: await getUser() })
    } catch (err) {
      res.status(500).json({ name: err.name, message: err.message, status: err.status })
    }
  })
  app.use((req, res) => res.status(404).json({ notFound: req.path }))
  app.use((err, req, res, next) => {
    if (res.headersSent) return next(err)
    res.status(500).json({ unexpected: String(err && err.message) })
  })
  // Headers up to 64 KiB, so the package's own 16 KiB token cap is what rejects long tokens.
  const server = http.createServer({ maxHeaderSize: 64 * 1024 }, app)
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    url,
    reached,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.()
        server.close(() => resolve())
      }),
  }
}

module.exports = { freePort, configFor, startExpressApp }
