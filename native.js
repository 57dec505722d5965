'use strict'
// Loads the native addon from its per-platform package (@xmcp-dev/workos-<platform>).
//
// Written by hand instead of using napi-rs's generated loader because that loader breaks under
// bundlers such as xmcp's rspack: it `require()`s `.node` files by computed paths, which the bundler
// tries to parse. Here every candidate is a static package name inside try/catch (a missing optional
// package is only a bundler warning), and each platform package exposes its binary through a
// `webpack` export condition (an ESM file that the bundler copies, binary included, into dist/) and a
// `default` condition for plain Node. Do not use __dirname/__filename here: bundled ESM apps lack them.

function isMusl() {
  try {
    const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null
    if (report && report.header) return !report.header.glibcVersionRuntime
  } catch {}
  return false
}

function candidates() {
  const { platform, arch } = process
  const loaders = []
  const add = (name, load) => loaders.push({ name, load })
  if (platform === 'linux' && arch === 'x64') {
    if (isMusl()) add('@xmcp-dev/workos-linux-x64-musl', () => require('@xmcp-dev/workos-linux-x64-musl'))
    else add('@xmcp-dev/workos-linux-x64-gnu', () => require('@xmcp-dev/workos-linux-x64-gnu'))
  } else if (platform === 'linux' && arch === 'arm64') {
    if (isMusl()) add('@xmcp-dev/workos-linux-arm64-musl', () => require('@xmcp-dev/workos-linux-arm64-musl'))
    else add('@xmcp-dev/workos-linux-arm64-gnu', () => require('@xmcp-dev/workos-linux-arm64-gnu'))
  } else if (platform === 'darwin' && arch === 'arm64') {
    add('@xmcp-dev/workos-darwin-arm64', () => require('@xmcp-dev/workos-darwin-arm64'))
  } else if (platform === 'darwin' && arch === 'x64') {
    add('@xmcp-dev/workos-darwin-x64', () => require('@xmcp-dev/workos-darwin-x64'))
  } else if (platform === 'win32' && arch === 'x64') {
    add('@xmcp-dev/workos-win32-x64-msvc', () => require('@xmcp-dev/workos-win32-x64-msvc'))
  }
  return loaders
}

function loadNative() {
  const failures = []
  for (const { name, load } of candidates()) {
    try {
      const loaded = load()
      // A bundler hands the ESM `webpack` entry back as a namespace object.
      const binding = loaded && loaded.default && loaded.default.NativeProvider ? loaded.default : loaded
      if (binding && typeof binding.NativeProvider === 'function') return binding
      failures.push(`${name}: does not export the expected bindings`)
    } catch (err) {
      failures.push(`${name}: ${err && err.message}`)
    }
  }
  const where = `${process.platform}-${process.arch}`
  const detail = failures.length ? `\n  ${failures.join('\n  ')}` : ' (no prebuilt binary exists for this platform)'
  throw new Error(
    `[WorkOS] Could not load the native addon of @xmcp-dev/workos for ${where}.${detail}\n` +
      'Reinstall the package without --no-optional / --omit=optional so npm installs the platform package.',
  )
}

module.exports = loadNative()
