'use strict'
// The package as a request meets it, for in-process measurements: the real `middleware` of
// `workosProvider()` called the way Express calls it, with the smallest request and response objects
// it reads (method, path, headers; the response's state flags and `writeHead().end()`), and a count
// of the calls that reach the addon.
const { NativeProvider } = require('../../native.js')

/**
 * Calls into the addon by name (every method and getter of `NativeProvider.prototype`), counted from
 * the first `countNativeCalls()` on. The wrapper costs a few tens of ns per native call: use it where
 * calls are counted, not where they are timed.
 */
const nativeCalls = {}
/** The prototype's own descriptors before wrapping (`null`: not wrapped). */
let originals = null

function countNativeCalls() {
  if (originals) return nativeCalls
  const proto = NativeProvider.prototype
  originals = {}
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (name === 'constructor') continue
    const d = Object.getOwnPropertyDescriptor(proto, name)
    originals[name] = { ...d }
    nativeCalls[name] = 0
    if (typeof d.value === 'function') {
      const original = d.value
      d.value = function (...args) {
        nativeCalls[name]++
        return original.apply(this, args)
      }
    } else if (d.get) {
      const original = d.get
      d.get = function () {
        nativeCalls[name]++
        return original.call(this)
      }
    }
    Object.defineProperty(proto, name, d)
  }
  return nativeCalls
}

/** Puts the prototype back as it was before `countNativeCalls()`. */
function stopCountingNativeCalls() {
  if (!originals) return
  for (const [name, d] of Object.entries(originals)) Object.defineProperty(NativeProvider.prototype, name, d)
  originals = null
}

/**
 * Turns the package's AsyncLocalStorage off again (the next `run()` turns it back on). Once an ALS has
 * run, Node 20 keeps async hooks on for every promise of the process; peers measured in the same
 * process after the middleware would pay for our store.
 */
function quiesceSessionStore() {
  const state = globalThis[Symbol.for('@xmcp-dev/workos/state')]
  if (state && state.sessions) state.sessions.disable()
}

/** The total of `counts` (a `nativeCalls` snapshot), or of the difference `counts - since`. */
function totalCalls(counts, since = {}) {
  return Object.keys(counts).reduce((sum, k) => sum + counts[k] - (since[k] || 0), 0)
}

/** What Express hands the middleware, reduced to what it reads. */
function fakeRequest(authorization, { method = 'POST', path = '/mcp' } = {}) {
  return { method, path, headers: authorization === undefined ? {} : { authorization } }
}

/**
 * A `next` and a response that count what the middleware did: requests let through (`admitted`),
 * answered (`refused`, with the last status) or handed to Express as errors. The response never
 * ends, so one object serves a whole loop.
 */
function recorder() {
  const r = {
    admitted: 0,
    refused: 0,
    errors: 0,
    status: 0,
    next: (err) => (err ? r.errors++ : r.admitted++),
    res: {
      headersSent: false,
      writableEnded: false,
      destroyed: false,
      writeHead(status) {
        r.refused++
        r.status = status
        return this
      },
      end() {
        return this
      },
    },
  }
  return r
}

/**
 * `workosProvider(config)`, and the NativeProvider it made (seen once through the `routerInfo` getter,
 * which the glue reads right after construction), for diagnostics such as `tokenCacheSize`.
 */
function providerWithNative(config) {
  const { workosProvider } = require('../../index.js')
  const proto = NativeProvider.prototype
  const own = Object.getOwnPropertyDescriptor(proto, 'routerInfo')
  let native
  Object.defineProperty(proto, 'routerInfo', {
    ...own,
    get() {
      native ??= this
      return own.get.call(this)
    },
  })
  try {
    return { ...workosProvider(config), native }
  } finally {
    Object.defineProperty(proto, 'routerInfo', own)
  }
}

/**
 * `workosProvider(config)` whose keys are cached: a probe request must be let through at once (no
 * JWKS download on the way); while the keys are still coming, the probe is repeated (bounded).
 * @returns {Promise<{ middleware: Function, router: Function, native: NativeProvider, rec: ReturnType<typeof recorder>, attempts: number }>}
 */
async function readyProvider(config, probeHeader) {
  const { middleware, router, native } = providerWithNative(config)
  const rec = recorder()
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = rec.admitted + rec.refused + rec.errors
    middleware(fakeRequest(probeHeader), rec.res, rec.next)
    if (rec.admitted > 0) return { middleware, router, native, rec, attempts: attempt + 1 }
    // PENDING: the glue awaits the async path; wait for its answer (bounded), then probe again.
    for (let i = 0; i < 100 && rec.admitted + rec.refused + rec.errors === before; i++) await new Promise((r) => setTimeout(r, 50))
    if (rec.errors || (rec.refused && rec.status !== 503)) throw new Error(`readyProvider: the probe token was refused (${rec.status})`)
  }
  throw new Error('readyProvider: the keys were still not cached after 5 attempts')
}

module.exports = {
  countNativeCalls,
  stopCountingNativeCalls,
  quiesceSessionStore,
  nativeCalls,
  totalCalls,
  fakeRequest,
  recorder,
  readyProvider,
}
