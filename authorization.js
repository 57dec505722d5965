'use strict'
// Authorization in the glue: finding the `tools/call`s of a JSON-RPC message, answering the calls a
// policy refuses in the MCP response format the client asked for, and the helpers tools use for
// checks of their own. What a caller may do is decided natively (src/authz/); this file only carries
// the decision to Express and to tools.

/** Thrown by `requireScopes`, `requirePermission` and `requireRole` when the caller lacks something. */
class ForbiddenError extends Error {
  /**
   * @param {'scope' | 'permission' | 'role'} kind what was checked
   * @param {string[]} missing what the caller lacks (for `role`: the roles of which none is held)
   */
  constructor(kind, missing) {
    const list = missing.map((name) => `"${name}"`).join(', ')
    const what = kind === 'role' ? `one of the roles ${list}` : `the ${kind}${missing.length === 1 ? '' : 's'} ${list}`
    super(`[WorkOS] Forbidden: this needs ${what}.`)
    this.name = 'ForbiddenError'
    this.kind = kind
    this.missing = [...missing]
  }
}

/**
 * A failed `exchangeToken()`: `kind` is `not_configured` (no `connect` option), `invalid_argument`,
 * `refused` (AuthKit said no: `error` is its OAuth error, such as `invalid_grant` or
 * `invalid_target`, `errorDescription` its words) or `unreachable` (AuthKit could not be reached, or
 * failed, after retries).
 */
class TokenExchangeError extends Error {
  constructor({ kind, error, description, status }) {
    super(`[WorkOS] Token exchange ${kind === 'refused' ? `refused: ${error} (${description})` : `failed (${kind}): ${description}`}`)
    this.name = 'TokenExchangeError'
    this.kind = kind
    this.error = error
    this.errorDescription = description
    this.status = status
  }
}

/**
 * The `tools/call` requests of a parsed JSON-RPC body (one message or a batch): their positions in the
 * batch and their tool names (whatever type the client sent).
 */
function toolCallsOf(body) {
  const messages = Array.isArray(body) ? body : [body]
  const calls = []
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index]
    if (message !== null && typeof message === 'object' && message.method === 'tools/call') {
      const params = message.params
      calls.push({ index, name: params !== null && typeof params === 'object' ? params.name : undefined })
    }
  }
  return { messages, calls, batch: Array.isArray(body) }
}

const INVALID_NAME = { code: -32602, message: 'Invalid params: the tool name must be a string' }

/** The first MCP revision whose results carry `resultType` (the stateless protocol). */
const RESULT_TYPE_SINCE = '2026-07-28'

/**
 * Answers a whole message without running any of it: each refused call gets a tool result with
 * `isError: true` saying why (so the model can tell the user), a call with a name that is not a
 * string gets a JSON-RPC error, and every other request of the same batch gets a JSON-RPC error
 * saying it was not run. As SSE when the client accepts it (what the MCP server would send), else JSON.
 * @param {(string | null)[]} reasons per call: why it is refused, or null when it was allowed
 */
function answerMessage(req, res, { messages, calls, batch }, reasons) {
  const byIndex = new Map(calls.map((call, i) => [call.index, { call, reason: reasons[i] }]))
  const refused = reasons.filter(Boolean)
  // The revision the client speaks, as the MCP server reads it: results of 2026-07-28 and later say
  // `resultType: "complete"`; earlier ones have no such member.
  const modern = String(req.headers['mcp-protocol-version'] || '') >= RESULT_TYPE_SINCE
  const complete = modern ? { resultType: 'complete' } : {}
  const responses = []
  messages.forEach((message, index) => {
    if (message === null || typeof message !== 'object' || message.id === undefined || typeof message.method !== 'string') return
    const entry = byIndex.get(index)
    const base = { jsonrpc: '2.0', id: message.id }
    if (entry && typeof entry.call.name !== 'string') {
      responses.push({ ...base, error: INVALID_NAME })
    } else if (entry && entry.reason) {
      responses.push({ ...base, result: { ...complete, content: [{ type: 'text', text: entry.reason }], isError: true } })
    } else {
      const why = refused.length ? refused[0] : INVALID_NAME.message
      responses.push({
        ...base,
        error: { code: -32001, message: `Not run: another request in this batch was refused (${why}). Send it on its own.` },
      })
    }
  })
  const accept = String(req.headers.accept || '')
  if (/\btext\/event-stream\b/i.test(accept)) {
    const body = responses.map((r) => `event: message\ndata: ${JSON.stringify(r)}\n\n`).join('')
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' }).end(body)
  } else {
    const body = JSON.stringify(batch ? responses : responses[0])
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) }).end(body)
  }
}

/** Names given as arguments, or as one array. */
const namesOf = (names) => names.flat()

/**
 * The helpers for checks inside tools, over `current()`: the current request's session slot.
 * Scopes come from the token; roles and permissions from the token or, when it has none, from the
 * user's organization membership in WorkOS (cached). A failed WorkOS lookup rejects (it is never a
 * silent yes or no).
 */
function createHelpers(current) {
  const missingScopes = (names) => {
    const { scopes } = current().get()
    return namesOf(names).filter((name) => !scopes.includes(name))
  }
  const missingPermissions = async (names) => {
    const { permissions } = await current().grants()
    return namesOf(names).filter((name) => !permissions.includes(name))
  }
  const holdsRole = async (slugs) => {
    const { roles } = await current().grants()
    return namesOf(slugs).some((slug) => roles.includes(slug))
  }
  return {
    /** True when the token grants every scope named. */
    hasScopes: (...names) => missingScopes(names).length === 0,
    /** Throws `ForbiddenError` (`missing`: the scopes lacking) unless the token grants every scope named. */
    requireScopes(...names) {
      const missing = missingScopes(names)
      if (missing.length) throw new ForbiddenError('scope', missing)
    },
    /** True when the caller has every permission named. */
    hasPermission: async (...names) => (await missingPermissions(names)).length === 0,
    /** Rejects with `ForbiddenError` (`missing`: the permissions lacking) unless the caller has every permission named. */
    async requirePermission(...names) {
      const missing = await missingPermissions(names)
      if (missing.length) throw new ForbiddenError('permission', missing)
    },
    /** True when the caller has one of the roles named. */
    hasRole: (...slugs) => holdsRole(slugs),
    /** Rejects with `ForbiddenError` (`missing`: the roles named) unless the caller has one of the roles named. */
    async requireRole(...slugs) {
      if (!(await holdsRole(slugs))) throw new ForbiddenError('role', namesOf(slugs))
    },
  }
}

module.exports = { ForbiddenError, TokenExchangeError, toolCallsOf, answerMessage, createHelpers }
