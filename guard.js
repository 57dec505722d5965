'use strict'
// Which requests the middleware guards, decided in JavaScript so that unguarded requests (the
// discovery documents, /health, anything outside the endpoint) never cross into the native addon.
//
// This is the rule of src/guard.rs, applied to the data the addon computes once (`routerInfo.guard`:
// the lower-cased endpoint and document paths). The two are one rule set: __test__/guard.test.js runs
// a shared table of paths, and thousands of generated ones, through both and requires the same answer.
//
// - GET, HEAD and OPTIONS of a discovery document, spelt the way Express routes to the router (ASCII
//   case ignored, one optional trailing slash, no percent-decoding), are never guarded.
// - Every other request whose path, percent-decoded and with ASCII case ignored, starts with the
//   endpoint is guarded.

const PERCENT = 0x25

/** The value of one hex digit's char code, or -1. */
function hexValue(code) {
  if (code >= 0x30 && code <= 0x39) return code - 0x30
  if (code >= 0x61 && code <= 0x66) return code - 0x57
  if (code >= 0x41 && code <= 0x46) return code - 0x37
  return -1
}

/** ASCII lower case of one char code (other code units are left as they are). */
function lower(code) {
  return code >= 0x41 && code <= 0x5a ? code + 0x20 : code
}

/**
 * Whether `path`, percent-decoded, starts with `prefix` (lower-case ASCII) ignoring ASCII case. A
 * decoded byte of 0x80 or more can never equal an ASCII character, so only the prefix needs decoding.
 */
function startsWithDecoded(path, prefix) {
  let i = 0
  for (let j = 0; j < prefix.length; j++) {
    if (i >= path.length) return false
    let code = path.charCodeAt(i)
    if (code === PERCENT && i + 2 < path.length) {
      const high = hexValue(path.charCodeAt(i + 1))
      const low = hexValue(path.charCodeAt(i + 2))
      if (high >= 0 && low >= 0) {
        code = high * 16 + low
        i += 3
      } else {
        i += 1
      }
    } else {
      i += 1
    }
    if (lower(code) !== prefix.charCodeAt(j)) return false
  }
  return true
}

/** Whether `path` equals `document` (lower-case ASCII) ignoring ASCII case and one trailing slash. */
function isDocumentRoute(path, document) {
  let length = path.length
  if (length > 1 && path.charCodeAt(length - 1) === 0x2f) length -= 1
  if (length !== document.length) return false
  for (let i = 0; i < length; i++) {
    if (lower(path.charCodeAt(i)) !== document.charCodeAt(i)) return false
  }
  return true
}

/**
 * The guard of one provider.
 * @param {{ endpoint: string, documents: string[] }} rule `routerInfo.guard`
 * @returns {(method: string, path: string) => boolean}
 */
function createGuard({ endpoint, documents }) {
  return function guarded(method, path) {
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') {
      for (const document of documents) if (isDocumentRoute(path, document)) return false
    }
    return startsWithDecoded(path, endpoint)
  }
}

module.exports = { createGuard }
