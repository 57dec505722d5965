#!/usr/bin/env node
// The WorkOS client's tests against the lowest and the highest @workos-inc/node the dependency range
// claims: the lowest is the range's own (`^7.79.3`), the highest the lock's (the newest 7.x, 7.82.0).
// Each is installed without saving, the tests run with WORKOS_SDK_VERSION set (client.test.js checks
// that the SDK under test is that version), and the lock's version is put back at the end.
//
//   node scripts/sdk-range.js            (npm run test:sdk-range; .ci/run runs it after npm test)
'use strict'
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const root = path.resolve(__dirname, '..')
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const TESTS = ['__test__/client.test.js', '__test__/express.test.js']

const range = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).dependencies['@workos-inc/node']
const lowest = /^\^(7\.\d+\.\d+)$/.exec(range)?.[1]
if (!lowest) throw new Error(`sdk-range: expected a ^7.x.y range for @workos-inc/node, got ${range}`)
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'))
const highest = lock.packages['node_modules/@workos-inc/node'].version

const run = (command, args, env = process.env) => execFileSync(command, args, { cwd: root, env, stdio: 'inherit', timeout: 600_000 })
const install = (version) => {
  run(NPM, ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `@workos-inc/node@${version}`])
  // npm install drops the links of the addon and its platform package: put them back.
  run(process.execPath, ['scripts/link-platform.js'])
}

try {
  for (const version of [lowest, highest]) {
    console.log(`sdk-range: @workos-inc/node ${version}`)
    install(version)
    run(process.execPath, ['--test', '--test-concurrency=1', ...TESTS], { ...process.env, WORKOS_SDK_VERSION: version })
  }
} finally {
  install(highest)
}
