'use strict'
// Run by test.js under each target's Node.js, in a staged copy of the package with only that target's
// platform package linked: loads the addon through native.js (the loader an installed app uses) and
// prints, as JSON, what it registered (every export; for functions and classes their own static
// properties and prototype methods) and where it was loaded from, so test.js can compare the targets.
const path = require('node:path')

const binding = require(path.resolve(process.argv[2] || '.', 'native.js'))
const own = (o, skip) =>
  Object.getOwnPropertyNames(o)
    .filter((n) => !skip.includes(n))
    .sort()
const surface = {}
for (const name of Object.keys(binding).sort()) {
  const value = binding[name]
  if (typeof value === 'function') {
    surface[name] = {
      kind: 'function',
      static: own(value, ['length', 'name', 'prototype', 'arguments', 'caller']),
      prototype: value.prototype ? own(value.prototype, ['constructor']) : [],
    }
  } else if (value && typeof value === 'object') {
    surface[name] = { kind: 'object', keys: Object.keys(value).sort() }
  } else {
    surface[name] = { kind: typeof value }
  }
}
const header = process.report.getReport().header
console.log(
  JSON.stringify({
    node: process.version,
    arch: process.arch,
    glibc: header.glibcVersionRuntime ?? null,
    napi: process.versions.napi,
    loaded: Object.keys(require.cache).filter((f) => f.endsWith('.node')),
    surface,
  }),
)
