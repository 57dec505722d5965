'use strict'
// The Express app under load, one variant per process (bench/middleware.js starts it):
//   none         no auth at all (same app, same route)
//   none-als     no auth, but one AsyncLocalStorage.run per request (xmcp's own request context does
//                this in a real xmcp server; isolates what the session store costs from verification)
//   workos       this package: workosProvider() { router, middleware }, default config
//   original     the 1.x TypeScript package's approach, reimplemented faithfully (bench/lib/original.js):
//                jose 5 (lib/jose.js) with a remote JWK set created inside every verify (so every
//                request downloads the JWKS)
// Diagnostic variants (pick them with LOAD_VARIANTS; bench/middleware.js runs workos-timed by default):
//   workos-router    this package's router only, no middleware (what the router alone costs)
//   workos-timed     this package, its middleware timed in place (from the call until next() runs
//                    inside the session context) and the handler's getSession() (the Session is
//                    built there), plus two timed controls (a trivial napi getter, a JSON.parse)
//   native-only      this package's router + a middleware making the native call on every guarded
//                    request (no first-level cache, no session, no AsyncLocalStorage): what the
//                    first-level cache saves in a server
//   workos-nocache   this package with tokenCache: false (every request pays an RSA verify)
//   jose-cached      the 1.x approach with the remote JWK set created once
// Every variant that loads the package counts its calls into the addon (bench/lib/glue.js), by name.
// Routes: GET /mcp (reads the session, as a tool does first) and GET /health.
// Env: EMU_URL, EMU_CLIENT_ID, EMU_API_KEY. Tells the parent { ready, port } over IPC.
const http = require('node:http')
const { AsyncLocalStorage } = require('node:async_hooks')
const express = require('express')
const { originalProvider } = require('./original.js')

const variant = process.argv[2]
const EMU_URL = process.env.EMU_URL
const CLIENT_ID = process.env.EMU_CLIENT_ID
const API_KEY = process.env.EMU_API_KEY

/**
 * CPU µs per thread name (Linux /proc; {} elsewhere): shows whether a variant's extra CPU runs on
 * the JS thread or on helper threads (V8 GC helpers, libuv pool, tokio).
 */
function cpuByThread() {
  const fs = require('node:fs')
  const out = {}
  try {
    const tick = 1e6 / 100 // µs per clock tick (USER_HZ is 100 on Linux)
    for (const tid of fs.readdirSync('/proc/self/task')) {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const key = tid === String(process.pid) ? 'main' : name.replace(/[-_ ]?\d+$/, '')
      out[key] = (out[key] || 0) + (Number(fields[11]) + Number(fields[12])) * tick
    }
  } catch {}
  return out
}

/**
 * Per-request times (ns) of the pieces timed in place (`workos-timed`), since the parent last asked.
 * Reported as medians: on a loaded machine a few requests are preempted mid-piece, which would
 * dominate a mean.
 */
const MAX_SAMPLES = 200_000
const inSitu = { middleware: [], session: [], getter: [], parse: [] }
const sample = (name, ns) => inSitu[name].length < MAX_SAMPLES && inSitu[name].push(Number(ns))
/** The medians (µs) and count since the last call, then a fresh start. */
function inSituMedians() {
  const out = { calls: inSitu.middleware.length }
  for (const [name, xs] of Object.entries(inSitu)) {
    xs.sort((a, b) => a - b)
    out[name] = xs.length ? xs[xs.length >> 1] / 1e3 : NaN
    inSitu[name] = []
  }
  return out
}
const SAMPLE_PAYLOAD = JSON.stringify({
  iss: 'http://127.0.0.1:40000',
  sub: 'user_01EMU',
  sid: 'session_01EMU',
  aud: 'client_emulator',
  iat: 1795696214,
  exp: 1795696514,
  jti: 'jti_61DD96361082BBEA58CA813D',
})

const PACKAGE_VARIANTS = new Set(['workos', 'workos-router', 'workos-timed', 'native-only', 'workos-nocache'])

/**
 * The `workos-timed` middleware: the package's, timed from the call until `next()` runs, after two
 * timed controls (`getter()`, a trivial napi call made without the call counter, and a JSON.parse of
 * a token payload).
 */
function timedInPlace(middleware, getter) {
  return (req, res, next) => {
    const c0 = process.hrtime.bigint()
    getter()
    const c1 = process.hrtime.bigint()
    JSON.parse(SAMPLE_PAYLOAD)
    const c2 = process.hrtime.bigint()
    sample('getter', c1 - c0)
    sample('parse', c2 - c1)
    const t0 = process.hrtime.bigint()
    middleware(req, res, (err) => {
      sample('middleware', process.hrtime.bigint() - t0)
      next(err)
    })
  }
}

async function main() {
  // The control getter of `workos-timed`, taken before the counting wrappers are installed.
  const rawGetter =
    variant === 'workos-timed'
      ? Object.getOwnPropertyDescriptor(require('../../native.js').NativeProvider.prototype, 'tokenCacheSize').get
      : null
  // Count every call into the addon from the start (the package is required after this).
  const nativeCalls = PACKAGE_VARIANTS.has(variant) ? require('./glue.js').countNativeCalls() : {}
  const app = express()
  const server = http.createServer(app)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  const baseURL = `http://127.0.0.1:${port}`

  let session = () => null
  const config = {
    apiKey: API_KEY,
    clientId: CLIENT_ID,
    baseURL,
    authkitDomain: EMU_URL,
    apiHostname: '127.0.0.1',
    apiPort: Number(new URL(EMU_URL).port),
    apiHttps: false,
    ...(variant === 'workos-nocache' ? { tokenCache: false } : {}),
  }
  if (PACKAGE_VARIANTS.has(variant)) {
    const { workosProvider, getSession } = require('@xmcp-dev/workos')
    const { router, middleware } = workosProvider(config)
    app.use(router)
    if (variant === 'native-only') {
      const { NativeProvider } = require('../../native.js')
      const { createGuard } = require('../../guard.js')
      const provider = new NativeProvider(config)
      await provider.warmUp()
      const guarded = createGuard(provider.routerInfo.guard)
      app.use((req, res, next) => {
        if (guarded(req.method, req.path) && typeof provider.authenticateSync(req.headers.authorization) !== 'string')
          return res.status(500).end()
        next()
      })
    } else if (variant === 'workos-timed') {
      const { NativeProvider } = require('../../native.js')
      const control = new NativeProvider({ ...config, jwks: { warmUp: false } })
      app.use(timedInPlace(middleware, () => rawGetter.call(control)))
      // The handler's getSession(), timed too: the Session is built there, on first use.
      session = () => {
        const t0 = process.hrtime.bigint()
        const s = getSession()
        sample('session', process.hrtime.bigint() - t0)
        return s
      }
    } else if (variant !== 'workos-router') {
      app.use(middleware)
      session = getSession
    }
  } else if (variant === 'original' || variant === 'jose-cached') {
    const o = originalProvider({
      jose: require('./jose.js').jose,
      express,
      issuer: EMU_URL, // the original: `https://${authkitDomain}`; the emulator is plain http
      audience: CLIENT_ID,
      perRequestJwks: variant === 'original',
    })
    app.use(o.router)
    app.use(o.middleware)
    session = o.session
  } else if (variant === 'none-als') {
    const context = new AsyncLocalStorage()
    app.use((req, res, next) => context.run({ session: null, headers: req.headers }, () => next()))
  } else if (variant !== 'none') {
    throw new Error(`unknown variant ${variant}`)
  }
  // What a tool does first: read the session (none for the unauthenticated app).
  app.get('/mcp', (req, res) => {
    const s = session()
    res.json({ ok: true, userId: s ? s.userId : null })
  })
  app.get('/health', (req, res) => res.json({ ok: true }))
  // CPU time of this process, so the parent can report server CPU per request (steadier than req/s on
  // a shared machine: it does not count the time this process waited for a core).
  process.on('message', (m) => {
    if (m && m.cmd === 'cpu') {
      const { user, system } = process.cpuUsage()
      process.send({
        id: m.id,
        cpuUs: user + system,
        threads: cpuByThread(),
        nativeCalls: { ...nativeCalls },
        inSitu: inSituMedians(),
      })
    }
  })
  process.on('disconnect', () => process.exit(0))
  process.on('SIGTERM', () => process.exit(0))
  process.send({ ready: true, port })
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
