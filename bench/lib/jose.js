'use strict'
// jose as the original 1.x package used it: major 5. The repository's own devDependency may move on
// (it is jose 6 since 13:09 on 2026-11-26), so take the first jose 5 that is installed: the top-level
// one, or the copy @workos-inc/node ships with. `BENCH_JOSE=top` forces the top-level jose, whatever
// its major. The version in use is printed with the results.
const path = require('node:path')
const { ROOT } = require('./common.js')

const CANDIDATES = [path.join(ROOT, 'node_modules', 'jose'), path.join(ROOT, 'node_modules', '@workos-inc', 'node', 'node_modules', 'jose')]

function locate() {
  const found = []
  for (const dir of CANDIDATES) {
    try {
      found.push({ dir, version: require(path.join(dir, 'package.json')).version })
    } catch {}
  }
  if (!found.length) throw new Error('jose is not installed')
  if (process.env.BENCH_JOSE === 'top') return found[0]
  return found.find((f) => f.version.startsWith('5.')) || found[0]
}

const where = locate()
const jose = require(where.dir)

module.exports = { jose, joseVersion: where.version, joseDir: path.relative(ROOT, where.dir) }
