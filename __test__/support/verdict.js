'use strict'
// The addon's verdicts (`NativeProvider#authenticateSync` / `#authenticate`: a session reply string or
// a rejection code) as the objects the tests compare: `{ status, reason, body, headers, session }`.

const answers = new WeakMap()

/** The answer table of `provider` (`routerInfo.rejections`), read once. */
function rejectionsOf(provider) {
  if (!answers.has(provider)) answers.set(provider, provider.routerInfo.rejections)
  return answers.get(provider)
}

/** Describes a verdict; `null` for PENDING (0), which only the sync call returns. */
function describe(provider, verdict) {
  if (typeof verdict === 'string') {
    const comma = verdict.indexOf(',')
    return { status: 200, cacheableUntilMs: Number(verdict.slice(0, comma)), session: JSON.parse(verdict.slice(comma + 1)) }
  }
  if (verdict === 0) return null
  // Codes from `retryAfterCodes` on are `key_pending` answers with `Retry-After: code - retryAfterCodes`.
  const { retryAfterCodes } = provider.routerInfo
  if (verdict >= retryAfterCodes) {
    const { status, reason, body, headers } = rejectionsOf(provider).find((r) => r.reason === 'key_pending')
    return { status, reason, body, headers: { ...headers, 'Retry-After': String(verdict - retryAfterCodes) } }
  }
  const { status, reason, body, headers } = rejectionsOf(provider)[verdict]
  return { status, reason, body, headers }
}

/** The sync verdict for `header`, described; `null` when the keys must be downloaded first. */
function outcomeSync(provider, header) {
  return describe(provider, provider.authenticateSync(header))
}

/** The async verdict for `header`, described. */
async function outcomeOf(provider, header) {
  return describe(provider, await provider.authenticate(header))
}

/** Judges `header` as the middleware does without its first-level cache: sync first, then async. */
async function judgeHeader(provider, header) {
  return outcomeSync(provider, header) ?? (await outcomeOf(provider, header))
}

module.exports = { describe, outcomeSync, outcomeOf, judgeHeader }
