'use strict'
// @xmcp-dev/workos: the Express glue around the native core.
//
// Behaviour (which paths are guarded, how a token is judged, what each failure answers, the
// discovery documents) lives in Rust (src/). This file adapts it to Express and keeps the verified
// session in AsyncLocalStorage for everything that runs for that request.
const { AsyncLocalStorage } = require('node:async_hooks')
const diagnostics = require('node:diagnostics_channel')
const express = require('express')
const native = require('./native.js')
const { WorkOS, fromNative } = require('./client.js')
const { exceptions } = require('./errors.js')

const SESSION_NOT_INITIALIZED =
  '[WorkOS] Session not initialized. Ensure this is called within a protected route that passed authentication.'
const CLIENT_NOT_INITIALIZED = '[WorkOS] Client not initialized. Make sure workosProvider() is configured in your middleware.'

// Shared through a global symbol so that two bundled copies of this file (xmcp may bundle the
// middleware and the tools separately) see the same sessions and client. There is deliberately no
// fallback: outside a verified request there is no session.
const STATE_KEY = Symbol.for('@xmcp-dev/workos/state')
const state = (globalThis[STATE_KEY] ??= { sessions: new AsyncLocalStorage(), client: undefined })

function toSession(data) {
  return {
    userId: data.userId,
    sessionId: data.sessionId,
    organizationId: data.organizationId ?? undefined,
    role: data.role ?? undefined,
    permissions: data.permissions ?? undefined,
    expiresAt: new Date(data.expiresAtMs),
    issuedAt: new Date(data.issuedAtMs ?? Number.NaN),
    // JSON.parse keeps every member as plain own data (`__proto__` included), as signed.
    claims: JSON.parse(data.claimsJson),
  }
}

// Verdicts dropped because the response had already started (a timeout middleware answered first,
// or the client went away) are published here, for whoever wants to count them; nothing is logged.
const dropped = diagnostics.channel('@xmcp-dev/workos:dropped')

/** True once something else (a timeout middleware, say) has answered or the client has gone. */
function answered(res) {
  return Boolean(res.headersSent || res.writableEnded || res.destroyed)
}

/** True (and published on the `dropped` channel) when `res` can no longer take our answer. */
function tooLate(res, status, reason) {
  if (!answered(res)) return false
  if (dropped.hasSubscribers) dropped.publish({ status, reason })
  return true
}

/**
 * An error after an asynchronous step goes to Express (`next(err)`) while it can still answer, and is
 * dropped once the response has started. Nothing escapes as an unhandled rejection.
 */
function failed(res, next, err) {
  if (answered(res)) return
  try {
    next(err)
  } catch {
    // Express's own next() does not throw; a replaced one that does has nowhere left to report to.
  }
}

function sendJson(res, status, body, headers) {
  res.status(status)
  if (headers) res.set(headers)
  res.type('application/json').send(body)
}

/**
 * Creates the WorkOS middleware and router for xmcp.
 * @param {import('./index').config} config
 * @returns {{ middleware: import('express').RequestHandler, router: import('express').Router }}
 */
function workosProvider(config) {
  let provider
  try {
    provider = new native.NativeProvider(config ?? {})
  } catch (err) {
    // Config errors carry the original package's messages; rethrow them as plain Errors.
    throw new Error(err && err.message ? err.message : String(err))
  }
  const info = provider.routerInfo
  state.client = fromNative(provider.client(), config.apiKey, config.clientId)

  const router = express.Router()
  const metadataHeaders = { 'Access-Control-Allow-Origin': '*' }
  const preflight = (req, res) => {
    res.set({ ...metadataHeaders, 'Access-Control-Allow-Methods': 'GET, OPTIONS', 'Access-Control-Allow-Headers': '*' })
    res.status(204).end()
  }
  for (const [path, document] of [
    [info.protectedResourcePath, info.protectedResourceDocument],
    [info.resourceMetadataPath, info.resourceMetadataDocument],
  ]) {
    router.get(path, (req, res) => sendJson(res, 200, document, metadataHeaders))
    router.options(path, preflight)
  }
  router.get(info.authorizationServerPath, (req, res, next) => {
    provider
      .authorizationServerDocument()
      .then((doc) => tooLate(res, 200, 'authorization_server_document') || sendJson(res, 200, doc, metadataHeaders))
      .catch((err) => failed(res, next, err))
  })
  router.options(info.authorizationServerPath, preflight)

  function respond(outcome, res, next) {
    // Something else (a timeout middleware, say) answered first: drop our verdict quietly.
    if (tooLate(res, outcome.status, outcome.reason)) return
    if (outcome.status === 200) {
      state.sessions.run(toSession(outcome.session), next)
    } else {
      sendJson(res, outcome.status, outcome.body, outcome.headers)
    }
  }

  function middleware(req, res, next) {
    if (!provider.isGuarded(req.method, req.path)) return next()
    const authorization = req.headers.authorization
    // Most requests are decided at once from cached keys; only a cold cache or an unknown key waits
    // for AuthKit, off the event loop.
    const immediate = provider.authenticateSync(authorization)
    if (immediate) return respond(immediate, res, next)
    provider
      .authenticate(authorization)
      .then((outcome) => respond(outcome, res, next))
      .catch((err) => failed(res, next, err))
  }

  return { middleware, router }
}

/** The session of the current authenticated request. Throws outside one. */
function getSession() {
  const session = state.sessions.getStore()
  if (!session) throw new Error(SESSION_NOT_INITIALIZED)
  return session
}

/** The WorkOS API client configured by `workosProvider()`. */
function getClient() {
  if (!state.client) throw new Error(CLIENT_NOT_INITIALIZED)
  return state.client
}

/** The WorkOS user of the current session, from the WorkOS API. */
async function getUser() {
  const client = getClient()
  const session = getSession()
  return client.userManagement.getUser(session.userId)
}

module.exports = { workosProvider, getSession, getUser, getClient, WorkOS, ...exceptions }
