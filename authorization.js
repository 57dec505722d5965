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
 * The URI prefixes under which xmcp serves a tool's interface (its MCP App or widget) as a resource
 * whose `resources/read` runs the tool's own handler: `ui://app/<tool name>.html` since xmcp 0.5,
 * `ui://widget/<tool name>.html` (the OpenAI Apps SDK's template) in 0.3 to 0.5.
 */
const TOOL_RESOURCE_PREFIXES = ['ui://app/', 'ui://widget/']
const TOOL_RESOURCE_SUFFIX = '.html'

/**
 * What a `resources/read` of `uri` reads: `{ href, tool }`, where `href` is the URI as the MCP server
 * looks it up (`new URL(uri).toString()`) and `tool` the tool whose handler the read runs, if it is a
 * tool's interface; undefined when the URI does not parse (the server answers an error and runs
 * nothing). xmcp registers a tool's interface under the literal `ui://app/${name}.html`, so the read
 * reaches the tool `name` exactly when the normalised form is the prefix, the name and `.html`,
 * whatever spelling the client sent (`UI://app/…`, dot segments, tabs: the same WHATWG parser decides
 * here and there).
 */
function resourceOf(uri) {
  let href
  try {
    href = new URL(uri).href
  } catch {
    return undefined
  }
  const prefix = href.endsWith(TOOL_RESOURCE_SUFFIX)
    ? TOOL_RESOURCE_PREFIXES.find((p) => href.startsWith(p) && href.length >= p.length + TOOL_RESOURCE_SUFFIX.length)
    : undefined
  return { href, tool: prefix === undefined ? undefined : href.slice(prefix.length, -TOOL_RESOURCE_SUFFIX.length) }
}

/** The tool whose handler a `resources/read` of `uri` runs, or undefined (see `resourceOf`). */
const toolOfResource = (uri) => resourceOf(uri)?.tool

/** Marks a request whose target the policies cannot tell because a parameter is not a string. */
const NOT_A_STRING = Symbol('not a string')

/** A string parameter as its target, or NOT_A_STRING. */
const named = (kind, value) => (typeof value === 'string' ? `${kind}${value}` : NOT_A_STRING)

/**
 * Every JSON-RPC method by which xmcp runs the app's code for a request (a tool's handler, a prompt,
 * a resource's read callback, a completer), and what a request of it runs, as the target the
 * policies decide (src/authz/mod.rs, `Target`): `t<tool>`, `p<prompt>`, `r<resource URI>`, or
 * `u<tool>\0<URI>` for a tool's interface (the tool's policy and the resource's both apply).
 * undefined: nothing a policy covers; NOT_A_STRING: the parameter that names it is not a string.
 * `__test__/side-doors.test.js` compares the methods xmcp's server answers with this table and
 * `UNPOLICED`, so a new xmcp release with another way in fails a test.
 */
const POLICED = {
  'tools/call': (params) => named('t', params?.name),
  'prompts/get': (params) => named('p', params?.name),
  'resources/read': (params) => {
    if (typeof params?.uri !== 'string') return NOT_A_STRING
    const resource = resourceOf(params.uri)
    if (resource === undefined) return undefined
    return resource.tool === undefined ? `r${resource.href}` : `u${resource.tool}\0${resource.href}`
  },
  // A completion runs the prompt's or the resource template's completer: the same policy decides.
  'completion/complete': (params) => {
    const ref = params?.ref
    if (ref === null || typeof ref !== 'object') return undefined
    if (ref.type === 'ref/prompt') return named('p', ref.name)
    if (ref.type === 'ref/resource') return named('r', ref.uri)
    return undefined
  },
}

/** The other methods xmcp's server answers: none of them runs the app's code for the request. */
const UNPOLICED = [
  'initialize',
  'ping',
  'logging/setLevel',
  'server/discover',
  'tools/list',
  'prompts/list',
  'resources/list',
  'resources/templates/list',
]

/**
 * The requests of a parsed JSON-RPC body (one message or a batch) that a policy decides: their
 * positions in the batch, their methods and their targets (NOT_A_STRING when a request names what
 * it runs with something other than a string).
 */
function targetsOf(body) {
  const messages = Array.isArray(body) ? body : [body]
  const calls = []
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index]
    if (message === null || typeof message !== 'object') continue
    // The MCP server dispatches on the method string exactly; anything else is no request it runs.
    const targetOf = typeof message.method === 'string' && Object.hasOwn(POLICED, message.method) ? POLICED[message.method] : undefined
    if (targetOf === undefined) continue
    const params = message.params !== null && typeof message.params === 'object' ? message.params : undefined
    const target = targetOf(params)
    if (target !== undefined) calls.push({ index, method: message.method, target })
  }
  return { messages, calls, batch: Array.isArray(body) }
}

/** Whether every request of the message names what it runs with a string. */
const namesAreStrings = ({ calls }) => calls.every((call) => call.target !== NOT_A_STRING)

const INVALID_PARAMS = -32602
const INVALID = {
  'tools/call': 'Invalid params: the tool name must be a string',
  'prompts/get': 'Invalid params: the prompt name must be a string',
  'resources/read': 'Invalid params: the resource URI must be a string',
  'completion/complete': "Invalid params: the reference's name or URI must be a string",
}
/**
 * A request other than a `tools/call` that a policy refuses (a prompt, a resource or a completion).
 * MCP defines no JSON-RPC code for a refusal (their results have no `isError`), so this one is ours,
 * in JSON-RPC's server-defined range; the message says what is missing, `data` what was refused.
 */
const FORBIDDEN = -32003
/** Requests of a batch left unrun because another was refused. */
const NOT_RUN = -32001

/** The first MCP revision whose results carry `resultType` (the stateless protocol). */
const RESULT_TYPE_SINCE = '2026-07-28'

/** What a refusal's `data` says was refused, from the target (see POLICED). */
function refusedWhat(call, message) {
  const name = call.target.slice(1)
  switch (call.target[0]) {
    case 'p':
      return { prompt: name }
    case 'u':
      return { uri: message.params.uri, tool: name.slice(0, name.indexOf('\0')) }
    default:
      return { uri: call.method === 'resources/read' ? message.params.uri : name }
  }
}

/** The answer to a request a policy refused, as its method answers refusals. */
function refusal(call, message, reason, complete) {
  if (call.method === 'tools/call') return { result: { ...complete, content: [{ type: 'text', text: reason }], isError: true } }
  return { error: { code: FORBIDDEN, message: reason, data: refusedWhat(call, message) } }
}

/**
 * Answers a whole message without running any of it: each refused request gets its method's
 * refusal saying why (a tool result with `isError: true` for a `tools/call`, so the model can tell
 * the user; a JSON-RPC error for a prompt, a resource or a completion), a request that names what it
 * runs with something other than a string gets an invalid-params error, and every other request of the same batch gets a
 * JSON-RPC error saying it was not run. Notifications get no answer; a message of notifications
 * only is answered `202 Accepted` with no body, as the Streamable HTTP transport does. As SSE when
 * the client accepts it (what the MCP server would send), else JSON.
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
    if (entry && entry.call.target === NOT_A_STRING) {
      responses.push({ ...base, error: { code: INVALID_PARAMS, message: INVALID[entry.call.method] } })
    } else if (entry && entry.reason) {
      responses.push({ ...base, ...refusal(entry.call, message, entry.reason, complete) })
    } else {
      const why = refused.length ? refused[0] : 'a request named its tool with something other than a string'
      responses.push({
        ...base,
        error: { code: NOT_RUN, message: `Not run: another request in this batch was refused (${why}). Send it on its own.` },
      })
    }
  })
  if (responses.length === 0) {
    res.writeHead(202, { 'Content-Length': '0' }).end()
    return
  }
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
  // The token's scopes with those they grant (`scopeHierarchy`), as the tool policies count them.
  const missingScopes = (names) => {
    const scopes = current().grantedScopes()
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

module.exports = {
  ForbiddenError,
  TokenExchangeError,
  targetsOf,
  toolOfResource,
  namesAreStrings,
  answerMessage,
  createHelpers,
  POLICED,
  UNPOLICED,
  TOOL_RESOURCE_PREFIXES,
}
