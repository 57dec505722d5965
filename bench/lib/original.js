'use strict'
// The 1.x package's approach (its src/jwt.ts + src/provider.ts, 1.0.1), reimplemented faithfully in
// plain JS for the benchmarks. Used by the Express load server (bench/lib/server.js) and bundled by
// `xmcp build` into the "1.x" app of the xmcp section (bench/xmcp.js), so it takes its dependencies
// as arguments: nothing here may be resolved at run time.
//
// `perRequestJwks: true` is the original's defect: `createRemoteJWKSet` inside every verify, so every
// request downloads the JWKS. `false` is the same code with the remote JWK set created once.

/**
 * @param {{ jose: object, express: Function, issuer: string, audience: string, perRequestJwks: boolean }} options
 *   `issuer`: the AuthKit URL (the original builds `https://${authkitDomain}`; the emulator is plain http)
 * @returns {{ router: import('express').Router, middleware: import('express').RequestHandler, session: () => object|null, context: import('node:async_hooks').AsyncLocalStorage }}
 */
function originalProvider({ jose, express, issuer, audience, perRequestJwks }) {
  const { createRemoteJWKSet, jwtVerify, errors } = jose
  const { AsyncLocalStorage } = require('node:async_hooks')
  const context = new AsyncLocalStorage() // xmcp's createContext is AsyncLocalStorage on a global symbol
  const jwksUrl = `${issuer}/oauth2/jwks`
  const shared = perRequestJwks ? null : createRemoteJWKSet(new URL(jwksUrl))

  async function verifyWorkOSToken(token) {
    try {
      const JWKS = shared || createRemoteJWKSet(new URL(jwksUrl))
      const { payload } = await jwtVerify(token, JWKS, { issuer, audience, clockTolerance: 30 })
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
  return { router, middleware, session: () => context.getStore()?.session, context }
}

module.exports = { originalProvider }
