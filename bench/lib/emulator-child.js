'use strict'
// The AuthKit emulator in its own process (so serving JWKS downloads does not share an event loop
// with the server under test or the load generator). Driven over IPC by bench/middleware.js:
//   { id, cmd: 'mint', n } -> { id, tokens }      { id, cmd: 'count', path } -> { id, count }
//   { id, cmd: 'reset' }   -> { id }
const { createEmulator } = require('../../__test__/support/emulator.js')

async function main() {
  const emu = await createEmulator({ accessTokenTtl: 3600 })
  process.on('message', (msg) => {
    let reply
    switch (msg.cmd) {
      case 'mint':
        reply = { tokens: Array.from({ length: msg.n }, () => emu.mintToken()) }
        break
      case 'count':
        reply = { count: emu.count(msg.path) }
        break
      case 'reset':
        emu.resetLog()
        reply = {}
        break
      default:
        reply = { error: `unknown command ${msg.cmd}` }
    }
    process.send({ id: msg.id, ...reply })
  })
  process.on('disconnect', () => emu.close().then(() => process.exit(0)))
  process.send({ ready: true, url: emu.url, clientId: emu.clientId, apiKey: emu.apiKey })
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
