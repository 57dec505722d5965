'use strict'
// Preloaded (NODE_OPTIONS=--require) into every Node.js process of an emulated run, see test.js.
//
// A Node.js that runs under qemu-aarch64, or through musl's dynamic loader started as a command, has a
// process.execPath the host kernel cannot exec: the arm64 executable itself (there is no binfmt_misc
// registration here), or the loader. Child processes started from process.execPath (node:test's
// per-file workers, the suites' own `execFileSync(process.execPath, ...)`) would then fail to start.
// XMCP_PLATFORM_NODE names a small script that starts that same Node.js the same way.
if (process.env.XMCP_PLATFORM_NODE) process.execPath = process.env.XMCP_PLATFORM_NODE
