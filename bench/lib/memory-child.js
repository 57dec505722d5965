'use strict'
// The verifying process of the memory benchmark: the package as used, `workosProvider(config)` with
// its default caches, each token going through the real middleware as one request (bench/lib/glue.js:
// the guard, the first-level cache, the native call, the session context). Fed batches of distinct
// tokens over IPC by bench/memory.js. Nothing else lives here, so its RSS is the package, its caches,
// and the harness's own traffic (the control mode measures that alone).
//   { cmd: 'start', config, probe, control } -> { started, attempts, ...memoryUsage } (keys cached, full GC)
//   { cmd: 'batch', tokens }  -> { ack, ok, failed, rss, peakRss, verifyUs (CPU µs) }
//   { cmd: 'snapshot' }       -> { snapshot: memoryUsage after a full GC, tokenCacheSize }
// `control: true` does the same work without the package: each token becomes the same request object
// and goes through a middleware that only calls next().
const v8 = require('node:v8')
const vm = require('node:vm')
const { fakeRequest, readyProvider, recorder } = require('./glue.js')

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc')

let glue
let peakRss = 0

process.on('message', async (msg) => {
  if (msg.cmd === 'start') {
    if (msg.control) {
      const rec = recorder()
      glue = { middleware: (req, res, next) => next(), rec, native: null, attempts: 0 }
    } else {
      glue = await readyProvider(msg.config, msg.probe)
    }
    gc()
    const usage = process.memoryUsage()
    peakRss = usage.rss
    process.send({ started: true, attempts: glue.attempts, tokenCacheSize: glue.native ? glue.native.tokenCacheSize : 0, ...usage })
  } else if (msg.cmd === 'batch') {
    const tokens = msg.tokens.split(' ')
    const { middleware, rec } = glue
    let ok = 0
    let failed = 0
    let firstFailure
    // CPU time, not wall time: the minting threads compete with this process for the cores.
    const cpu0 = process.cpuUsage()
    for (const token of tokens) {
      const before = rec.admitted
      middleware(fakeRequest(`Bearer ${token}`), rec.res, rec.next)
      if (rec.admitted === before + 1) ok++
      else {
        failed++
        firstFailure ??= rec.refused ? `refused with ${rec.status}` : 'not answered at once (keys not cached)'
      }
    }
    const cpu = process.cpuUsage(cpu0)
    const verifyUs = cpu.user + cpu.system
    const rss = process.memoryUsage.rss()
    if (rss > peakRss) peakRss = rss
    process.send({ ack: true, ok, failed, firstFailure, rss, peakRss, verifyUs })
  } else if (msg.cmd === 'snapshot') {
    gc()
    const usage = process.memoryUsage()
    if (usage.rss > peakRss) peakRss = usage.rss
    process.send({ snapshot: usage, peakRss, tokenCacheSize: glue.native ? glue.native.tokenCacheSize : 0 })
  }
})
process.on('disconnect', () => process.exit(0))
process.send({ ready: true })
