'use strict'
// A real Express app protected by the package, on 127.0.0.1, for the behaviour tests.
const http = require('node:http')
const express = require('express')
const workos = require('@xmcp-dev/workos')
const { workosProvider, getSession, getUser } = workos
const { freePort } = require('./processes.js')

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
 * The tools of the test app's JSON-RPC endpoint (POST /mcp with a JSON-RPC body), as an MCP server
 * would run them: `whoami` (the session), `auth` (req.auth), `need` (runs the authorization helper
 * named in its arguments, e.g. `{ helper: 'requirePermission', names: ['a'] }`); any other tool
 * just says it ran.
 */
async function runTool(req, name, args = {}) {
  if (name === 'whoami') return JSON.stringify(getSession())
  if (name === 'user') return JSON.stringify(await getUser())
  if (name === 'auth') return JSON.stringify(req.auth)
  if (name === 'need') return JSON.stringify(await workos[args.helper](...(args.names || [])))
  if (name === 'callApi') {
    // Exchanges the caller's token for one for `resource` and calls `url` with it, as a tool that
    // talks to the MCP server's own API would.
    const exchanged = await workos.exchangeToken({ resource: args.resource, scope: args.scope })
    const res = await fetch(args.url, {
      headers: { authorization: `Bearer ${exchanged.accessToken}` },
      signal: AbortSignal.timeout(15_000),
    })
    return JSON.stringify({
      status: res.status,
      body: await res.json(),
      expiresAt: exchanged.expiresAt.toISOString(),
      scope: exchanged.scope,
    })
  }
  return `ran ${name}`
}

/**
 * The tools that also have an interface resource, as xmcp serves them (a tool with `_meta.ui`): xmcp
 * registers `ui://app/<name>.html` literally and looks a `resources/read` up by
 * `new URL(uri).toString()`; reading it runs the tool's handler with empty arguments. xmcp 0.3 to 0.5
 * did the same under `ui://widget/`.
 */
const WIDGET_TOOLS = ['deploy', 'read', 'admin', 'billing', 'human', 'whoami', 'open']
const widgets = new Map(WIDGET_TOOLS.flatMap((name) => [`ui://app/${name}.html`, `ui://widget/${name}.html`].map((uri) => [uri, name])))

/** The tool a `resources/read` of `uri` runs here, as xmcp's server finds it. */
function widgetToolOf(uri) {
  try {
    return widgets.get(new URL(uri).toString())
  } catch {
    return undefined
  }
}

async function answerRpc(req, message) {
  if (message.method === 'tools/list') return { jsonrpc: '2.0', id: message.id, result: { tools: [] } }
  const widget = message.method === 'resources/read' ? widgetToolOf(message.params?.uri) : undefined
  if (widget !== undefined) {
    req.ranTools.push(widget)
    const text = await runTool(req, widget, {})
    return { jsonrpc: '2.0', id: message.id, result: { contents: [{ uri: message.params.uri, text }] } }
  }
  // Prompts, other resources and completions run the app's code too: record that they ran.
  if (message.method === 'prompts/get') {
    req.ranTools.push(`prompt:${message.params?.name}`)
    const text = `prompt ${message.params?.name}`
    return { jsonrpc: '2.0', id: message.id, result: { messages: [{ role: 'user', content: { type: 'text', text } }] } }
  }
  if (message.method === 'resources/read' && /^(notes|file|users|search):/.test(message.params?.uri)) {
    req.ranTools.push(`resource:${message.params.uri}`)
    return { jsonrpc: '2.0', id: message.id, result: { contents: [{ uri: message.params.uri, text: 'read' }] } }
  }
  if (message.method === 'completion/complete') {
    req.ranTools.push(`complete:${message.params?.ref?.name ?? message.params?.ref?.uri}`)
    return { jsonrpc: '2.0', id: message.id, result: { completion: { values: [] } } }
  }
  if (message.method !== 'tools/call') return { jsonrpc: '2.0', id: message.id, result: {} }
  try {
    req.ranTools.push(message.params.name)
    const text = await runTool(req, message.params.name, message.params.arguments)
    return { jsonrpc: '2.0', id: message.id, result: { content: [{ type: 'text', text: text ?? 'undefined' }] } }
  } catch (err) {
    const extra =
      err instanceof workos.ForbiddenError
        ? { forbidden: { kind: err.kind, missing: err.missing } }
        : err instanceof workos.TokenExchangeError
          ? { exchange: { kind: err.kind, error: err.error, errorDescription: err.errorDescription, status: err.status } }
          : {}
    return { jsonrpc: '2.0', id: message.id, result: { content: [{ type: 'text', text: err.message }], isError: true, ...extra } }
  }
}

/**
 * Starts an Express app with `router` and `middleware` mounted as xmcp mounts them, and routes that
 * report what the tool code would see. `before`: middleware mounted ahead of the package's (a timeout
 * middleware, say). `json: false` leaves out `express.json()`. `reached` lists the requests that got
 * past the package to a route.
 */
async function startExpressApp(emu, overrides = {}, { before = [], json = true } = {}) {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const { middleware, router } = workosProvider(configFor(emu, url, overrides))
  const app = express()
  const reached = []
  // The tools whose handlers ran (by tools/call or by reading their interface resource).
  const ran = []
  for (const m of before) app.use(m)
  if (json) app.use(express.json())
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
  app.post(/^\/mcp(\/.*)?$/i, async (req, res, next) => {
    const body = req.body
    const isRpc = Array.isArray(body) || (body && body.jsonrpc === '2.0')
    if (!isRpc) return next()
    req.ranTools = ran
    const answers = await Promise.all((Array.isArray(body) ? body : [body]).map((m) => answerRpc(req, m)))
    res.json(Array.isArray(body) ? answers : answers[0])
  })
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
    ran,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.()
        server.close(() => resolve())
      }),
  }
}

module.exports = { configFor, startExpressApp }
