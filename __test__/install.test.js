'use strict'
// Installs like a user's: `npm pack` of the package and of the platform package built here (what the release
// job publishes, made by scripts/pack.js), installed with npm into fresh xmcp apps outside the repo, CommonJS
// and `"type": "module"`. For each app: `xmcp build`, `node dist/http.js` serving an authenticated tool call,
// the same from a copy of dist/ in another folder, and `xmcp dev` serving a call (started, called, stopped by
// PID). The CommonJS app also imports @workos-inc/node itself: getClient() and the SDK's errors are instances of
// that import's classes, in plain Node and in the xmcp bundle, and its `WorkOS` type accepts getClient(). Also
// checks that the per-platform packages, native.js and the CI workflow agree with napi.targets.
//
//   node --test --test-concurrency=1 __test__/install.test.js     (npm run test:install)
//
// Needs the binary of this machine (`npm run build`) and the npm registry for xmcp, @xmcp-dev/compiler, zod,
// @types/node and express (the npm cache is preferred). Set KEEP_TEST_APPS=1 to keep the apps.
const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync, execFile } = require('node:child_process')
const { promisify } = require('node:util')

const execFileAsync = promisify(execFile)

const { createEmulator } = require('./support/emulator.js')
const { appEnv } = require('./support/xmcp-app.js')
const { freePort, serverTracker, assertStopped } = require('./support/processes.js')
const { callToolRaw, toolText } = require('./support/mcp-client.js')
const { cleanEnv, packTarballs, createApp, npmInstall, xmcpBuild, startBuilt, startDev } = require('./support/packed-app.js')
const { check, platforms, readRootPackage } = require('../scripts/npm-dirs.js')

const REPO = path.resolve(__dirname, '..')
const ROOT_PKG = readRootPackage()
const LOGIN_USER = { id: 'user_01PACKED', email: 'katherine@example.com', firstName: 'Katherine', lastName: 'Johnson' }
const TYPES = ['commonjs', 'module']

/** The platform package of this machine (CI runs this file on every platform it can test). */
const HOST = (() => {
  const musl = process.platform === 'linux' && !process.report.getReport().header.glibcVersionRuntime
  const host = platforms().find(
    (p) => p.os === process.platform && p.cpu === process.arch && (p.os !== 'linux' || (p.libc === 'musl') === musl),
  )
  if (!host) throw new Error(`no platform package for ${process.platform}-${process.arch}${musl ? '-musl' : ''}`)
  return host
})()

let emu
let work
const { track, stopAll } = serverTracker()

/** The tarballs, packed once for the whole file. */
let packing
const getPacked = () => (packing ??= packTarballs(path.join(work, 'tarballs')))

/**
 * The CommonJS app is a user's project that imports @workos-inc/node itself (7.82.0, as TypeScript users do
 * for types and error classes), next to this package: a tool and a type check written against the SDK's
 * own `WorkOS` and `NotFoundException`.
 */
const USER_SDK = '7.82.0'
const SDK_CHECKS_TOOL = `import { type ToolMetadata } from 'xmcp'
import { WorkOS, NotFoundException } from '@workos-inc/node'
import { getClient } from '@xmcp-dev/workos'

export const metadata: ToolMetadata = { name: 'sdk_checks', description: "getClient() against this project's own @workos-inc/node" }

export default async function sdkChecks() {
  const client: WorkOS = getClient()
  const missing = await client.userManagement.getUser('user_missing').catch((e: unknown) => e)
  const checks = { isWorkOS: client instanceof WorkOS, isNotFound: missing instanceof NotFoundException }
  return { content: [{ type: 'text' as const, text: JSON.stringify(checks) }] }
}
`
const TYPE_CHECK = `import { WorkOS } from '@workos-inc/node'
import { getClient } from '@xmcp-dev/workos'
export const workos: WorkOS = getClient()
`

/** Each app is created, installed and built once; later tests reuse the promise (and its failure). */
const apps = {}
function getApp(type) {
  apps[type] ??= (async () => {
    const tarballs = await getPacked()
    const userSdk = type === 'commonjs' ? { '@workos-inc/node': USER_SDK } : {}
    const dir = createApp({ dir: path.join(work, `app-${type}`), type, tarballs, dependencies: userSdk })
    if (type === 'commonjs') {
      fs.writeFileSync(path.join(dir, 'src', 'tools', 'sdk_checks.ts'), SDK_CHECKS_TOOL)
      fs.writeFileSync(path.join(dir, 'type-check.ts'), TYPE_CHECK)
    }
    const install = await npmInstall(dir)
    const port = await freePort()
    const build = await xmcpBuild(dir, { port })
    return { dir, port, installMs: install.ms, build }
  })()
  return apps[type]
}

/** An authenticated whoami through the server, and the unauthenticated 401 next to it. */
async function assertServesWhoami(server, sessionId) {
  const token = emu.mintToken({ sub: LOGIN_USER.id, sid: sessionId })
  const r = await callToolRaw(`${server.url}/mcp`, token, 'whoami', {})
  assert.equal(r.status, 200, `${r.text}\n${server.output()}`)
  assert.ok(r.result && !r.result.isError, `tool error: ${r.text}\n${server.output()}`)
  const data = JSON.parse(toolText(r.result))
  assert.equal(data.session.userId, LOGIN_USER.id)
  assert.equal(data.session.sessionId, sessionId)
  assert.equal(data.user.email, LOGIN_USER.email)

  const anonymous = await callToolRaw(`${server.url}/mcp`, undefined, 'whoami', {})
  assert.equal(anonymous.status, 401)
  assert.equal(
    anonymous.headers.get('www-authenticate'),
    `Bearer resource_metadata="${server.url}/.well-known/oauth-protected-resource/mcp"`,
  )
}

/** Fails when a node_modules folder sits in `dir` or any folder above it. */
function assertNoNodeModulesAbove(dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    assert.ok(!fs.existsSync(path.join(d, 'node_modules')), `${d}/node_modules exists: modules could resolve from there`)
    if (path.dirname(d) === d) break
  }
}

/** The provider config of the apps' middleware, as appEnv() gives it to them. */
function appConfig() {
  const env = appEnv(emu, 1)
  return {
    apiKey: env.WORKOS_API_KEY,
    clientId: env.WORKOS_CLIENT_ID,
    baseURL: env.BASE_URL,
    authkitDomain: env.WORKOS_AUTHKIT_DOMAIN,
    apiHostname: env.WORKOS_API_HOSTNAME,
    apiPort: Number(env.WORKOS_API_PORT),
    apiHttps: false,
  }
}

const unpackJson = (tarball, file) => JSON.parse(execFileSync('tar', ['-xzOf', tarball, `package/${file}`], { encoding: 'utf8' }))
const tarList = (tarball) => execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean)

before(async () => {
  // Outside the repo, so nothing resolves from its node_modules (realpath: os.tmpdir() may be a symlink).
  work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'xmcp-workos-install-')))
  emu = await createEmulator()
  emu.addUser(LOGIN_USER)
})

after(async () => {
  await stopAll()
  if (emu) await emu.close()
  if (work && !process.env.KEEP_TEST_APPS) fs.rmSync(work, { recursive: true, force: true })
})

describe('distribution', () => {
  it('npm/ (generated), native.js and the CI workflow agree with napi.targets', () => {
    assert.deepEqual(check(), [])
    assert.deepEqual(
      platforms()
        .map((p) => p.platform)
        .sort(),
      ['darwin-arm64', 'darwin-x64', 'linux-arm64-gnu', 'linux-arm64-musl', 'linux-x64-gnu', 'linux-x64-musl', 'win32-x64-msvc'],
    )
  })

  it('the packed package names every platform package as an optional dependency at its own version', async (t) => {
    const { main, version, ms } = await getPacked()
    t.diagnostic(`npm pack (main + ${HOST.platform}): ${ms} ms`)
    const manifest = unpackJson(main, 'package.json')
    assert.equal(version, ROOT_PKG.version)
    assert.deepEqual(manifest.optionalDependencies, Object.fromEntries(platforms().map((p) => [p.packageName, ROOT_PKG.version])))
    // Installing runs nothing: no Rust toolchain, no download.
    for (const script of ['preinstall', 'install', 'postinstall']) assert.equal(manifest.scripts?.[script], undefined, script)
    const expected = [...ROOT_PKG.files, 'README.md', 'package.json', ...(fs.existsSync(path.join(REPO, 'LICENSE')) ? ['LICENSE'] : [])]
    assert.deepEqual(tarList(main).sort(), expected.map((f) => `package/${f}`).sort())
  })

  it(`the platform package of this machine (${HOST.platform}) carries the binary and both loader entries`, async () => {
    const { platforms: tarballs } = await getPacked()
    const tarball = tarballs[HOST.platform]
    assert.ok(tarball, `${HOST.platform} was not packed: build its binary first (npm run build)`)
    const files = tarList(tarball)
    for (const f of ['package.json', 'index.js', 'webpack.mjs', HOST.binary])
      assert.ok(files.includes(`package/${f}`), `${f} missing: ${files}`)
    const manifest = unpackJson(tarball, 'package.json')
    assert.equal(manifest.name, HOST.packageName)
    assert.deepEqual(manifest.exports, { '.': { webpack: './webpack.mjs', default: './index.js' } })
    assert.deepEqual([manifest.os, manifest.cpu, manifest.libc], [[HOST.os], [HOST.cpu], HOST.libc ? [HOST.libc] : undefined])
  })
})

for (const type of TYPES) {
  describe(`installed from the tarballs: ${type} xmcp app`, { timeout: 600_000 }, () => {
    it('installs with npm, outside the repo, the platform package as an optional dependency', async (t) => {
      const app = await getApp(type)
      t.diagnostic(`npm install: ${app.installMs} ms`)
      assertNoNodeModulesAbove(path.dirname(app.dir))
      const relative = path.relative(REPO, app.dir)
      assert.ok(relative.startsWith('..') || path.isAbsolute(relative), `the app is inside the repo: ${app.dir}`)
      const lock = JSON.parse(fs.readFileSync(path.join(app.dir, 'package-lock.json'), 'utf8'))
      const platformEntry = lock.packages[`node_modules/${HOST.packageName}`]
      assert.ok(platformEntry, 'the platform package was not installed')
      assert.equal(platformEntry.optional, true, 'the platform package was not installed as an optional dependency')
      assert.ok(lock.packages['node_modules/@xmcp-dev/workos'].optionalDependencies)
      assert.ok(!JSON.parse(fs.readFileSync(path.join(app.dir, 'package.json'), 'utf8')).dependencies[HOST.packageName])
      // Plain Node in the app loads the installed copies (real files, not links back to the repo).
      const resolved = execFileSync(
        process.execPath,
        [
          '-p',
          `[require.resolve('@xmcp-dev/workos'), require.resolve('${HOST.packageName}'), typeof require('@xmcp-dev/workos').workosProvider].join('\\n')`,
        ],
        { cwd: app.dir, env: cleanEnv(), encoding: 'utf8' },
      )
        .trim()
        .split('\n')
      assert.equal(resolved[2], 'function')
      for (const file of resolved.slice(0, 2)) {
        assert.ok(fs.realpathSync(file).startsWith(path.join(app.dir, 'node_modules') + path.sep), `${file} resolves outside the app`)
      }
    })

    it('xmcp build writes dist/http.js, with the binary beside it', async (t) => {
      const app = await getApp(type)
      t.diagnostic(`xmcp build: ${app.build.ms} ms`)
      const dist = path.join(app.dir, 'dist')
      assert.ok(fs.existsSync(path.join(dist, 'http.js')), `no dist/http.js (exit ${app.build.code}):\n${app.build.output}`)
      assert.doesNotMatch(app.build.output, /^ERROR in /m, app.build.output)
      assert.ok(
        fs.readdirSync(dist).some((f) => f.endsWith('.node')),
        'no .node asset in dist/',
      )
      const bundle = fs.readFileSync(path.join(dist, 'http.js'), 'utf8')
      assert.ok(!bundle.includes(REPO), 'dist/http.js names the repo path')
      assert.ok(!bundle.includes(app.dir), 'dist/http.js bakes in the absolute app path')
    })

    it('node dist/http.js serves an authenticated tool call', async () => {
      const app = await getApp(type)
      const server = await track(startBuilt({ dir: app.dir, port: app.port, env: appEnv(emu, app.port) }))
      try {
        await assertServesWhoami(server, `session_built_${type}`)
      } finally {
        await server.stop()
      }
    })

    it('a copy of dist/ in another folder serves the same', async () => {
      const app = await getApp(type)
      const elsewhere = path.join(work, `moved-${type}`)
      fs.cpSync(path.join(app.dir, 'dist'), elsewhere, { recursive: true })
      assertNoNodeModulesAbove(elsewhere)
      const server = await track(startBuilt({ dir: elsewhere, entry: 'http.js', port: app.port, env: appEnv(emu, app.port) }))
      try {
        await assertServesWhoami(server, `session_moved_${type}`)
      } finally {
        await server.stop()
      }
    })

    if (type === 'commonjs') {
      describe(`a project that imports @workos-inc/node ${USER_SDK} itself`, () => {
        it('gets one copy of the SDK, shared with the package', async () => {
          const app = await getApp(type)
          const lock = JSON.parse(fs.readFileSync(path.join(app.dir, 'package-lock.json'), 'utf8'))
          assert.equal(lock.packages['node_modules/@workos-inc/node']?.version, USER_SDK)
          const copies = Object.keys(lock.packages).filter((p) => p.endsWith('node_modules/@workos-inc/node'))
          assert.deepEqual(copies, ['node_modules/@workos-inc/node'])
        })

        it("plain Node: getClient() is an instance of the project's WorkOS, a 404 of its NotFoundException", async () => {
          const app = await getApp(type)
          const config = { ...appConfig(), jwks: { warmUp: false } }
          const script = `const { WorkOS, NotFoundException } = require('@workos-inc/node')
            const { workosProvider, getClient } = require('@xmcp-dev/workos')
            workosProvider(${JSON.stringify(config)})
            getClient().userManagement.getUser('user_missing').catch((e) => e).then((e) =>
              console.log(JSON.stringify([getClient() instanceof WorkOS, e instanceof NotFoundException, e.status])))`
          // Asynchronously: the emulator that answers runs in this process.
          const { stdout } = await execFileAsync(process.execPath, ['-e', script], {
            cwd: app.dir,
            env: cleanEnv(),
            encoding: 'utf8',
            timeout: 30_000,
          })
          assert.deepEqual(JSON.parse(stdout), [true, true, 404])
        })

        it("the SDK's WorkOS type accepts getClient() (tsc against the installed packages)", async () => {
          const app = await getApp(type)
          // The repo's own typecheck options (`npm run typecheck`), on the app's installed packages.
          const tsconfig = {
            compilerOptions: require('./tsconfig.json').compilerOptions,
            files: ['type-check.ts'],
          }
          fs.writeFileSync(path.join(app.dir, 'tsconfig.check.json'), JSON.stringify(tsconfig))
          const tsc = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc')
          execFileSync(process.execPath, [tsc, '-p', 'tsconfig.check.json'], { cwd: app.dir, env: cleanEnv(), encoding: 'utf8' })
        })

        it('the xmcp bundle: the tool sees the same classes', async () => {
          const app = await getApp(type)
          const server = await track(startBuilt({ dir: app.dir, port: app.port, env: appEnv(emu, app.port) }))
          try {
            const r = await callToolRaw(`${server.url}/mcp`, emu.mintToken({ sub: LOGIN_USER.id }), 'sdk_checks', {})
            assert.equal(r.status, 200, `${r.text}\n${server.output()}`)
            assert.deepEqual(JSON.parse(toolText(r.result)), { isWorkOS: true, isNotFound: true })
          } finally {
            await server.stop()
          }
        })
      })
    }

    it('xmcp dev serves an authenticated tool call and stops by PID', async () => {
      const app = await getApp(type)
      const port = await freePort()
      const server = await track(startDev({ dir: app.dir, port, env: appEnv(emu, port) }))
      let exit
      try {
        await assertServesWhoami(server, `session_dev_${type}`)
      } finally {
        exit = await server.stop()
      }
      await assertStopped(server, exit)
    })
  })
}
