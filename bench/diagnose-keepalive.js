'use strict'
// Diagnostic, not a benchmark: a JWKS download that lands on a pooled keep-alive connection the
// server is closing at that moment fails. Before src/http.rs retried it (once, within the same
// deadline), `await provider.warmUp()` then left no keys. Found because the verify benchmark saw
// "authenticateSync returned PENDING right after warmUp()" (its emulator shares the event loop with
// synchronous timing loops). With the retry it should print "0 of 10" (as on 2026-11-29).
//
// Setup: Node's http server (the emulator) closes idle keep-alive sockets after 5 s. The event loop
// is kept busy past that, so the server's close is delayed until the addon's next request is on the
// wire, as happens when a JWKS server's idle timeout and the client's reuse coincide.
//
//   node bench/diagnose-keepalive.js        (about a minute; prints how many warm-ups left no keys and
//                                           what a request gets right after)
const { createEmulator } = require('../__test__/support/emulator.js')
const { NativeProvider } = require('../native.js')
const { outcomeOf } = require('../__test__/support/verdict.js')

async function main() {
  const emu = await createEmulator({ accessTokenTtl: 3600 })
  const token = `Bearer ${emu.mintToken()}`
  const busy = (ms) => {
    const end = Date.now() + ms
    while (Date.now() < end);
  }
  const blocks = [5200, 5500, 6000, 7000, 5200, 5500, 6000, 7000, 3000]
  let failures = 0
  try {
    for (let i = 0; i <= blocks.length; i++) {
      const provider = new NativeProvider({
        apiKey: emu.apiKey,
        clientId: emu.clientId,
        baseURL: 'http://127.0.0.1:3002',
        authkitDomain: emu.url,
        jwks: { warmUp: false },
      })
      await provider.warmUp()
      const ok = typeof provider.authenticateSync(token) === 'string'
      let consequence = ''
      if (!ok) {
        failures++
        // What the middleware does next: the async path, at once and after the 2 s cold retry.
        const now = await outcomeOf(provider, token)
        await new Promise((resolve) => setTimeout(resolve, 2100))
        const later = await outcomeOf(provider, token)
        consequence = `; a request now gets ${now.status} (${now.reason ?? 'verified'}), 2.1 s later ${later.status}`
      }
      console.log(
        `provider ${i}: event loop busy ${i ? blocks[i - 1] : 0} ms before it -> ${ok ? 'keys cached' : 'NO KEYS after await warmUp()'}${consequence}`,
      )
      if (i < blocks.length) busy(blocks[i])
    }
    console.log(`${failures} of ${blocks.length + 1} warm-ups left no keys; the emulator logged ${emu.count('/oauth2/jwks')} JWKS requests`)
  } finally {
    await emu.close()
  }
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
