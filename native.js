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

// A bundler hands the ESM `webpack` entry back as a namespace object.
function bindingOf(name, loaded) {
  const binding = loaded && loaded.default && loaded.default.NativeProvider ? loaded.default : loaded
  if (!binding || typeof binding.NativeProvider !== 'function') {
    throw new Error(`${name} does not export the expected bindings`)
  }
  return binding
}

// Each require() sits directly inside its own try: only that form makes rspack treat a platform
// package that is not installed as a warning instead of a build error.
function loadNative() {
  const { platform, arch } = process
  const musl = platform === 'linux' && isMusl()
  const failures = []
  const fail = (name, err) => failures.push(`${name}: ${err && err.message}`)
  if (platform === 'linux' && arch === 'x64' && !musl) {
    try {
      return bindingOf('linux-x64-gnu', require('@xmcp-dev/workos-linux-x64-gnu'))
    } catch (err) {
      fail('@xmcp-dev/workos-linux-x64-gnu', err)
    }
  }
  if (platform === 'linux' && arch === 'x64' && musl) {
    try {
      return bindingOf('linux-x64-musl', require('@xmcp-dev/workos-linux-x64-musl'))
    } catch (err) {
      fail('@xmcp-dev/workos-linux-x64-musl', err)
    }
  }
  if (platform === 'linux' && arch === 'arm64' && !musl) {
    try {
      return bindingOf('linux-arm64-gnu', require('@xmcp-dev/workos-linux-arm64-gnu'))
    } catch (err) {
      fail('@xmcp-dev/workos-linux-arm64-gnu', err)
    }
  }
  if (platform === 'linux' && arch === 'arm64' && musl) {
    try {
      return bindingOf('linux-arm64-musl', require('@xmcp-dev/workos-linux-arm64-musl'))
    } catch (err) {
      fail('@xmcp-dev/workos-linux-arm64-musl', err)
    }
  }
  if (platform === 'darwin' && arch === 'arm64') {
    try {
      return bindingOf('darwin-arm64', require('@xmcp-dev/workos-darwin-arm64'))
    } catch (err) {
      fail('@xmcp-dev/workos-darwin-arm64', err)
    }
  }
  if (platform === 'darwin' && arch === 'x64') {
    try {
      return bindingOf('darwin-x64', require('@xmcp-dev/workos-darwin-x64'))
    } catch (err) {
      fail('@xmcp-dev/workos-darwin-x64', err)
    }
  }
  if (platform === 'win32' && arch === 'x64') {
    try {
      return bindingOf('win32-x64-msvc', require('@xmcp-dev/workos-win32-x64-msvc'))
    } catch (err) {
      fail('@xmcp-dev/workos-win32-x64-msvc', err)
    }
  }
  const where = `${platform}-${arch}${musl ? '-musl' : ''}`
  const detail = failures.length ? `\n  ${failures.join('\n  ')}` : ' (no prebuilt binary exists for this platform)'
  throw new Error(
    `[WorkOS] Could not load the native addon of @xmcp-dev/workos for ${where}.${detail}\n` +
      'Reinstall the package without --no-optional / --omit=optional so npm installs the platform package.',
  )
}

module.exports = loadNative()
