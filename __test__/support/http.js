'use strict'
// Test support: one HTTP exchange with a bounded wait, the body read as JSON when it is JSON.

/**
 * @param {string} url
 * @param {{ method?: string, headers?: Record<string, string>, body?: string, timeoutMs?: number }} [init]
 * @returns {Promise<{ status: number, headers: Headers, body: any, text: string }>}
 */
async function request(url, { method = 'GET', headers = {}, body, timeoutMs = 30_000 } = {}) {
  const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) })
  const text = await res.text()
  let parsed = text
  try {
    parsed = JSON.parse(text)
  } catch {}
  return { status: res.status, headers: res.headers, body: parsed, text }
}

/** POSTs `body` (JSON unless already a string) as a JSON-RPC client does, asking for JSON. */
function post(url, body, headers = {}) {
  return request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

/** The `Authorization` header of a bearer token. */
const bearer = (token) => ({ authorization: `Bearer ${token}` })

module.exports = { request, post, bearer }
