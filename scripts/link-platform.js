#!/usr/bin/env node
// After `napi build --platform`: puts the fresh binary into its per-platform package (npm/<triple>/)
// and links that package, and this package itself, into node_modules/@xmcp-dev/, so that the repo's
// tests and examples load the addon exactly as an installed app does (through the platform package).
'use strict'
const fs = require('node:fs')
const path = require('node:path')

const root = path.resolve(__dirname, '..')
const binaries = fs.readdirSync(root).filter((f) => /^workos\..+\.node$/.test(f))
if (binaries.length === 0) {
  console.error('link-platform: no workos.<triple>.node in the repo root; run `npm run build` first')
  process.exit(1)
}

const scope = path.join(root, 'node_modules', '@xmcp-dev')
fs.mkdirSync(scope, { recursive: true })

function link(target, name) {
  const where = path.join(scope, name)
  fs.rmSync(where, { recursive: true, force: true })
  // On Windows a junction (absolute target) needs no privileges, unlike a directory symlink (CI).
  if (process.platform === 'win32') fs.symlinkSync(target, where, 'junction')
  else fs.symlinkSync(path.relative(scope, target), where, 'dir')
}

for (const binary of binaries) {
  const triple = binary.slice('workos.'.length, -'.node'.length)
  const pkgDir = path.join(root, 'npm', triple)
  if (!fs.existsSync(path.join(pkgDir, 'package.json'))) {
    console.error(`link-platform: npm/${triple}/package.json is missing`)
    process.exit(1)
  }
  // Copy then rename: a new inode, so processes that already loaded the old binary keep a valid
  // mapping instead of crashing when it is overwritten in place.
  const staged = path.join(pkgDir, `.${binary}.${process.pid}.tmp`)
  fs.copyFileSync(path.join(root, binary), staged)
  fs.renameSync(staged, path.join(pkgDir, binary))
  link(pkgDir, `workos-${triple}`)
  console.log(`link-platform: ${binary} -> npm/${triple}/ (linked as @xmcp-dev/workos-${triple})`)
}
link(root, 'workos')
