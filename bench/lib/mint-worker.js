'use strict'
// worker_threads body of Minter: signs RS256 access tokens shaped like the emulator's `mintToken`.
const { parentPort, workerData } = require('node:worker_threads')
const crypto = require('node:crypto')

const { pem, kid, iss, aud, ttl, prefix } = workerData
const key = crypto.createPrivateKey(pem)
const b64url = (s) => Buffer.from(s).toString('base64url')
const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }))

parentPort.on('message', ({ id, start, count, extraClaims }) => {
  const iat = Math.floor(Date.now() / 1000)
  const tokens = Array.from({ length: count })
  for (let i = 0; i < count; i++) {
    const n = start + i
    // Distinct by construction: `jti` (and `sid`) carry a per-run prefix and a sequence number.
    const payload = {
      iss,
      sub: `user_${(n % 1000).toString().padStart(4, '0')}`,
      sid: `session_${prefix}_${n}`,
      aud,
      iat,
      exp: iat + ttl,
      jti: `jti_${prefix}_${n}`,
      ...extraClaims,
    }
    const input = `${header}.${b64url(JSON.stringify(payload))}`
    tokens[i] = `${input}.${crypto.sign('sha256', Buffer.from(input), key).toString('base64url')}`
  }
  parentPort.postMessage({ id, tokens })
})
