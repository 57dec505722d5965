'use strict'
// The verifying process of the memory benchmark: a NativeProvider with the default token cache,
// fed batches of distinct tokens over IPC by bench/memory.js. Nothing else lives here, so its RSS is
// the addon, its caches and the strings it was sent.
//   { cmd: 'start', config, probe } -> { started, warmUpRetries, ...memoryUsage } (keys cached, full GC)
//   { cmd: 'batch', tokens }  -> { ack, ok, failed, rss, peakRss, verifyUs (CPU µs) }
//   { cmd: 'snapshot' }       -> { snapshot: memoryUsage after a full GC, tokenCacheSize }
const v8 = require('node:v8')
const vm = require('node:vm')
const { NativeProvider } = require('../../native.js')

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc')

let provider
let peakRss = 0

process.on('message', async (msg) => {
  if (msg.cmd === 'start') {
    provider = new NativeProvider(msg.config)
    // Keys must be cached before the stream starts: a warm-up that left none is retried (bounded).
    let retries = 0
    for (;;) {
      await provider.warmUp()
      if (provider.authenticateSync(msg.probe)) break
      if (++retries > 3) throw new Error('the JWKS warm-up left no keys, 4 times in a row')
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    gc()
    const usage = process.memoryUsage()
    peakRss = usage.rss
    process.send({ started: true, warmUpRetries: retries, tokenCacheSize: provider.tokenCacheSize, ...usage })
  } else if (msg.cmd === 'batch') {
    const tokens = msg.tokens.split(' ')
    let ok = 0
    let failed = 0
    let firstFailure
    // CPU time, not wall time: the minting threads compete with this process for the cores.
    const cpu0 = process.cpuUsage()
    for (const token of tokens) {
      const outcome = provider.authenticateSync(`Bearer ${token}`)
      if (outcome && outcome.status === 200) ok++
      else {
        failed++
        firstFailure ??= outcome ? outcome.reason : 'null (keys not cached)'
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
    process.send({ snapshot: usage, peakRss, tokenCacheSize: provider.tokenCacheSize })
  }
})
process.on('disconnect', () => process.exit(0))
process.send({ ready: true })
