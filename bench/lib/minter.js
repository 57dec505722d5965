'use strict'
// Mints distinct, valid RS256 access tokens for an emulator key on worker threads (RSA signing costs
// about 0.8 ms a token here, so a million tokens need every core and must be streamed).
const path = require('node:path')
const crypto = require('node:crypto')
const { Worker } = require('node:worker_threads')

/** What a Minter needs from an in-process emulator (its current key, issuer and audience). */
function keyMaterialOf(emu, ttl = 3600) {
  const { privateKey } = emu._key(emu.currentKid)
  return {
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    kid: emu.currentKid,
    iss: emu.url,
    aud: emu.clientId,
    ttl,
  }
}

class Minter {
  /** @param {{pem: string, kid: string, iss: string, aud: string, ttl: number}} material */
  constructor(material, threads) {
    const prefix = crypto.randomBytes(4).toString('hex')
    this.workers = Array.from({ length: threads }, () => {
      const worker = new Worker(path.join(__dirname, 'mint-worker.js'), { workerData: { ...material, prefix } })
      worker.unref()
      worker.on('message', ({ id, tokens }) => {
        const pending = this.pending.get(id)
        this.pending.delete(id)
        if (pending) pending.resolve(tokens)
      })
      worker.on('error', (err) => {
        for (const p of this.pending.values()) p.reject(err)
        this.pending.clear()
      })
      return worker
    })
    this.pending = new Map()
    this.nextId = 0
    this.nextSeq = 0
    this.rr = 0
  }

  _request(count, extraClaims) {
    const id = this.nextId++
    const start = this.nextSeq
    this.nextSeq += count
    const worker = this.workers[this.rr++ % this.workers.length]
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      worker.postMessage({ id, start, count, extraClaims })
    })
  }

  /**
   * Yields `total` distinct tokens in batches of `size`, in order, with at most two batches per
   * thread minted ahead (so memory stays bounded whatever `total` is).
   */
  async *batches(total, size = 500, extraClaims = undefined) {
    const queue = []
    let issued = 0
    const ahead = this.workers.length * 2
    const issue = () => {
      const n = Math.min(size, total - issued)
      issued += n
      queue.push(this._request(n, extraClaims))
    }
    while (issued < total && queue.length < ahead) issue()
    while (queue.length) {
      const batch = await queue.shift()
      if (issued < total) issue()
      yield batch
    }
  }

  /** `count` distinct tokens in one array (for pools small enough to hold). */
  async mint(count, extraClaims) {
    const out = []
    for await (const batch of this.batches(count, 250, extraClaims)) out.push(...batch)
    return out
  }

  async close() {
    await Promise.all(this.workers.map((w) => w.terminate()))
  }
}

module.exports = { Minter, keyMaterialOf }
