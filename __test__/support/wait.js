'use strict'
// Tests wait on facts (a counter, the emulator's request log), never on the clock alone.

/**
 * Polls `fact` until it returns a truthy value and returns that value; fails after `timeoutMs`.
 * @template T
 * @param {() => T | Promise<T>} fact
 * @param {{ timeoutMs?: number, everyMs?: number, what?: string }} [opts]
 * @returns {Promise<T>}
 */
async function waitFor(fact, { timeoutMs = 10_000, everyMs = 10, what = 'the expected state' } = {}) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await fact()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}

/** Resolves after the current macrotask and everything it queued (microtasks, unhandled-rejection checks). */
const settled = () => new Promise((resolve) => setImmediate(resolve))

module.exports = { waitFor, settled }
