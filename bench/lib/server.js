'use strict'
// The Express app under load, one variant per process (bench/middleware.js starts it):
//   none         no auth at all (same app, same route)
//   none-als     no auth, but one AsyncLocalStorage.run per request (xmcp's own request context does
//                this in a real xmcp server; isolates what the session store costs from verification)
//   workos       this package: workosProvider() { router, middleware }, default config
//   workos-nocache  this package with tokenCache: false (every request pays an RSA verify)
//   original     the 1.x TypeScript package's approach, reimplemented faithfully: jose 5 (lib/jose.js) with a
//                remote JWK set created inside every verify (so every request downloads the JWKS)
//   jose-cached  the same with the remote JWK set created once
// Diagnostic variants (not in the default set; pick them with LOAD_VARIANTS):
//   workos-router    this package's router only, no middleware (what the router alone costs)
//   native-calls     this package's router + a middleware making the glue's two native calls
//                    (isGuarded, authenticateSync) and then next(), without building a session or
//                    entering AsyncLocalStorage (what the napi calls cost end to end)
//   native-calls-timed  the same, timing the calls in place, plus two timed controls (a trivial napi
//                    getter, a JSON.parse of a token payload); the timers and controls add their cost
// Env: EMU_URL, EMU_CLIENT_ID, EMU_API_KEY. Tells the parent { ready, port } over IPC.
const http = require('node:http')
const { AsyncLocalStorage } = require('node:async_hooks')
const express = require('express')

const variant = process.argv[2]
const EMU_URL = process.env.EMU_URL
const CLIENT_ID = process.env.EMU_CLIENT_ID
const API_KEY = process.env.EMU_API_KEY

/** The original's src/jwt.ts + src/provider.ts (1.0.1), in plain JS; `perRequestJwks` = its defect. */
function originalStyle({ perRequestJwks }) {
  const { createRemoteJWKSet, jwtVerify, errors } = require('./jose.js').jose
  const context = new AsyncLocalStorage() // xmcp's createContext is AsyncLocalStorage on a global symbol
  const issuer = EMU_URL // the original: `https://${authkitDomain}`; the emulator is plain http
  const jwksUrl = `${issuer}/oauth2/jwks`
  const shared = perRequestJwks ? null : createRemoteJWKSet(new URL(jwksUrl))

  async function verifyWorkOSToken(token) {
    try {
      const JWKS = shared || createRemoteJWKSet(new URL(jwksUrl))
      const { payload } = await jwtVerify(token, JWKS, { issuer, audience: CLIENT_ID, clockTolerance: 30 })
      if (!payload.sub || !payload.sid) return { ok: false, error: 'invalid' }
      return { ok: true, claims: payload }
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, error: 'expired' }
      return { ok: false, error: 'invalid' }
    }
  }
  const claimsToSession = (claims) => ({
    userId: claims.sub,
    sessionId: claims.sid,
    organizationId: claims.org_id,
    role: claims.role,
    permissions: claims.permissions,
    expiresAt: new Date(claims.exp * 1000),
    issuedAt: new Date(claims.iat * 1000),
    claims,
  })
  const extractBearerToken = (h) => {
    if (!h) return null
    const parts = h.split(' ')
    if (parts.length !== 2 || parts[0].toLowerCase() !== 'bearer') return null
    return parts[1]
  }
  const router = express.Router()
  // The original's router runs every request inside a context with no session.
  router.use((req, res, next) => context.run({ session: null, headers: req.headers }, () => next()))
  const middleware = async (req, res, next) => {
    if (!req.path.startsWith('/mcp')) return next()
    try {
      const token = extractBearerToken(req.headers.authorization)
      if (!token) {
        res.setHeader('WWW-Authenticate', 'Bearer resource_metadata="/.well-known/oauth-protected-resource"')
        return res.status(401).json({ error: 'unauthorized', error_description: 'Missing or invalid bearer token' })
      }
      const result = await verifyWorkOSToken(token)
      if (!result.ok) {
        res.setHeader('WWW-Authenticate', 'Bearer resource_metadata="/.well-known/oauth-protected-resource", error="invalid_token"')
        return res.status(401).json({ error: result.error === 'expired' ? 'token_expired' : 'invalid_token' })
      }
      const session = claimsToSession(result.claims)
      context.run({ session, headers: req.headers }, () => next())
    } catch {
      res.status(401).json({ error: 'server_error', error_description: 'Authentication processing failed' })
    }
  }
  return { router, middleware, session: () => context.getStore()?.session }
}

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

/** Time spent in the timed section of the `native-calls-timed` variant. */
const inSitu = { ns: 0n, trivialNs: 0n, guardNs: 0n, authNs: 0n, parseNs: 0n, calls: 0 }
const SAMPLE_PAYLOAD = JSON.stringify({
  iss: 'http://127.0.0.1:40000',
  sub: 'user_01EMU',
  sid: 'session_01EMU',
  aud: 'client_emulator',
  iat: 1795696214,
  exp: 1795696514,
  jti: 'jti_61DD96361082BBEA58CA813D',
})

async function main() {
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
  if (variant === 'workos' || variant === 'workos-nocache' || variant === 'workos-router') {
    const { workosProvider, getSession } = require('@xmcp-dev/workos')
    const { router, middleware } = workosProvider(config)
    app.use(router)
    if (variant !== 'workos-router') {
      app.use(middleware)
      session = getSession
    }
  } else if (variant === 'native-calls' || variant === 'native-calls-timed') {
    const { workosProvider } = require('@xmcp-dev/workos')
    const { NativeProvider } = require('../../native.js')
    const provider = new NativeProvider(config)
    await provider.warmUp()
    app.use(workosProvider(config).router)
    if (variant === 'native-calls') {
      app.use((req, res, next) => {
        const outcome = provider.isGuarded(req.method, req.path) ? provider.authenticateSync(req.headers.authorization) : undefined
        if (outcome && outcome.status !== 200) return res.status(500).end()
        next()
      })
    } else app.use((req, res, next) => {
      // Timed in place: what the two native calls cost inside a busy server (caches cold from the
      // HTTP parsing and Express routing around them), reported with the CPU figures.
      const t0 = process.hrtime.bigint()
      void provider.tokenCacheSize // control: a trivial napi call, timed but not counted below
      const t1 = process.hrtime.bigint()
      const guarded = provider.isGuarded(req.method, req.path)
      const t2 = process.hrtime.bigint()
      const outcome = guarded ? provider.authenticateSync(req.headers.authorization) : undefined
      const t3 = process.hrtime.bigint()
      // Control 2: pure JS work of similar size, JSON.parse of an access token's payload.
      const t4 = process.hrtime.bigint()
      JSON.parse(SAMPLE_PAYLOAD)
      inSitu.parseNs += process.hrtime.bigint() - t4
      inSitu.trivialNs += t1 - t0
      inSitu.guardNs += t2 - t1
      inSitu.authNs += t3 - t2
      inSitu.ns += t3 - t1
      inSitu.calls++
      if (outcome && outcome.status !== 200) return res.status(500).end()
      next()
    })
  } else if (variant === 'original' || variant === 'jose-cached') {
    const o = originalStyle({ perRequestJwks: variant === 'original' })
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
  // CPU time of this process, so the parent can report server CPU per request (steadier than req/s on
  // a shared machine: it does not count the time this process waited for a core).
  process.on('message', (m) => {
    if (m && m.cmd === 'cpu') {
      const { user, system } = process.cpuUsage()
      process.send({
        id: m.id,
        cpuUs: user + system,
        threads: cpuByThread(),
        inSituNs: Number(inSitu.ns),
        inSituTrivialNs: Number(inSitu.trivialNs),
        inSituGuardNs: Number(inSitu.guardNs),
        inSituAuthNs: Number(inSitu.authNs),
        inSituParseNs: Number(inSitu.parseNs),
        inSituCalls: inSitu.calls,
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
