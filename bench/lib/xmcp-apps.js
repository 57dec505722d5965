'use strict'
// The xmcp apps of the xmcp section (bench/xmcp.js): examples/demo's configuration with one tool that
// does not touch the package (`echo`), in one variant per way of protecting it:
//   none    no src/middleware.ts
//   als     diagnostic: a middleware that only enters an empty AsyncLocalStorage context (what a
//           second ALS instance costs xmcp's own per-request work, the package aside)
//   1x      the 1.x approach (bench/lib/original.js with jose 5, remote JWKS per request)
//   workos  this package, with the README's src/middleware.ts (examples/demo's, unchanged)
//   1x-ab, workos-ab, als-ab   the same two providers (and the `als` diagnostic) behind a switch: a request with `x-bench-auth: off`
//           skips the provider (router and middleware), any other goes through it. One process then
//           serves both sides of the comparison, so the overhead is measured without the
//           process-to-process spread of separate apps (bench/xmcp.js alternates the two).
// Each is written to <repo>/.bench-apps/<variant>/ (git-ignored; inside the repo so that modules resolve
// from its node_modules) and built with `xmcp build`, which bakes the HTTP port in.
const fs = require('node:fs')
const path = require('node:path')
const { DEMO, buildDir } = require('../../__test__/support/xmcp-app.js')
const { ROOT } = require('./common.js')

const { freePort } = require('../../__test__/support/processes.js')

const BENCH_APPS = path.join(ROOT, '.bench-apps')
const TOOL = 'echo'

const ECHO_TOOL = `import { z } from "zod";
import { type InferSchema, type ToolMetadata } from "xmcp";

export const schema = {
  text: z.string().max(100).describe("Text to return"),
};

export const metadata: ToolMetadata = {
  name: "${TOOL}",
  description: "Returns its argument (the benchmark's tool: it does not use @xmcp-dev/workos)",
  annotations: { readOnlyHint: true },
};

export default async function echo({ text }: InferSchema<typeof schema>) {
  return text;
}
`

const ALS_MIDDLEWARE = `import { AsyncLocalStorage } from "node:async_hooks";

// Diagnostic: only what entering a second AsyncLocalStorage per request costs (no verification).
const store = new AsyncLocalStorage<object>();

export default function middleware(req: unknown, res: unknown, next: () => void) {
  store.run({}, next);
}
`

/**
 * What a variant's provider is made of, for the middleware files below: its imports, the expression
 * that creates it, and (for the switch) the expression of the AsyncLocalStorage instances it uses.
 */

/** The 1.x provider, with jose 5 (the original's major) and the reimplementation bundled by xmcp. */
function originalProvider() {
  const { joseDir, joseVersion } = require('./jose.js')
  const joseEntry = require.resolve(path.join(ROOT, joseDir))
  const original = path.join(__dirname, 'original.js')
  return {
    imports: `// The 1.x approach: jose ${joseVersion}, remote JWKS created per request (bench/lib/original.js).
import * as jose from ${JSON.stringify(joseEntry)};
import express from "express";
import { originalProvider } from ${JSON.stringify(original)};
`,
    create: `originalProvider({
  jose,
  express,
  issuer: process.env.WORKOS_AUTHKIT_DOMAIN || "",
  audience: process.env.WORKOS_CLIENT_ID || "",
  perRequestJwks: true,
})`,
    stores: '[provider.context]',
  }
}

/**
 * The README's middleware (the first TypeScript block of its "Usage" section, what a user copies),
 * with its optional `docsURL`; the demo app's middleware adds tool policies, which this section leaves
 * out so that it measures what every user pays.
 */
function readmeMiddleware() {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')
  const usage = readme.slice(readme.indexOf('\n## Usage'))
  const block = /```typescript\n([\s\S]*?)```/.exec(usage)
  if (!block || !block[1].includes('workosProvider(')) throw new Error('README.md: no middleware block under "## Usage"')
  return block[1]
}

/** The README's middleware, split into its import and its `workosProvider({...})` expression. */
function readmeProvider() {
  const text = readmeMiddleware()
  const at = text.indexOf('export default ')
  if (at === -1) throw new Error('README.md: the Usage middleware has no `export default`')
  return {
    imports: `${text.slice(0, at).trim()}\nimport express from "express";\n`,
    create: text
      .slice(at + 'export default '.length)
      .trim()
      .replace(/;$/, ''),
    // The package keeps its sessions on a global symbol (index.js).
    stores: '[(globalThis as any)[Symbol.for("@xmcp-dev/workos/state")].sessions]',
  }
}

/** Diagnostic: a provider that only enters a second AsyncLocalStorage per request (as ours does). */
const alsProvider = () => ({
  imports: 'import { AsyncLocalStorage } from "node:async_hooks";\nimport express from "express";\n',
  create:
    '(() => {\n  const store = new AsyncLocalStorage<object>();\n  return { store, router: express.Router(), middleware: (req: any, res: any, next: any) => store.run({}, next) };\n})()',
  stores: '[provider.store]',
})

/** A middleware file exporting `provider` as is. */
const plain = ({ imports, create }) => `${imports}\nexport default ${create};\n`

/**
 * A middleware file exporting `provider` behind the `x-bench-auth: off` switch (router and
 * middleware). An "off" request skips the provider and turns its AsyncLocalStorage instances off (the
 * next "on" request's `run()` turns them back on): on Node 20 an enabled instance adds work to every
 * promise of the process, which an app without the provider would not do.
 *
 * A probe runs around both modes alike: each request's server CPU (process.cpuUsage, from the router
 * until the response has finished), kept by mode, its median read and reset at GET /__bench/stats.
 * Meaningful one request at a time (with several in flight their CPU mixes).
 */
const switched = ({ imports, create, stores }) => `${imports}
// Benchmark switch (bench/xmcp.js): a request with x-bench-auth: off skips the provider entirely.
const provider = ${create};
const stores = ${stores};
const off = (req: any) => {
  if (req.headers["x-bench-auth"] !== "off") return false;
  for (const store of stores) store.disable();
  return true;
};

// Benchmark probe: server CPU per request, by mode.
let samples: Record<string, number[]> = { on: [], off: [] };
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : null;
};

const router = express.Router();
router.get("/__bench/stats", (req: any, res: any) => {
  const out = Object.fromEntries(Object.entries(samples).map(([mode, xs]) => [mode, { n: xs.length, median: median(xs) }]));
  samples = { on: [], off: [] };
  res.json(out);
});
router.use((req: any, res: any, next: any) => {
  const mode = off(req) ? "off" : "on";
  const c0 = process.cpuUsage();
  res.once("finish", () => {
    const c = process.cpuUsage(c0);
    if (samples[mode].length < 100000) samples[mode].push(c.user + c.system);
  });
  next();
});
router.use((req: any, res: any, next: any) => (off(req) ? next() : provider.router(req, res, next)));

export default {
  router,
  middleware: (req: any, res: any, next: any) => (off(req) ? next() : provider.middleware(req, res, next)),
};
`

const VARIANTS = {
  none: { label: 'no auth', middleware: null },
  als: { label: 'diagnostic: no auth + an empty AsyncLocalStorage.run middleware', middleware: () => ALS_MIDDLEWARE, diagnostic: true },
  '1x': { label: 'the 1.x approach (jose 5, remote JWKS per request)', middleware: () => plain(originalProvider()) },
  workos: { label: 'this package (the README’s middleware)', middleware: readmeMiddleware },
  '1x-ab': { label: 'the 1.x approach behind the switch', middleware: () => switched(originalProvider()), ab: true },
  'workos-ab': { label: 'this package (the README’s provider) behind the switch', middleware: () => switched(readmeProvider()), ab: true },
  'als-ab': {
    label: 'diagnostic: an empty AsyncLocalStorage.run middleware behind the switch',
    middleware: () => switched(alsProvider()),
    ab: true,
  },
}

/** Writes the app of `variant` to .bench-apps/<variant>/ (replacing what was there). */
function writeApp(variant) {
  const spec = VARIANTS[variant]
  if (!spec) throw new Error(`unknown xmcp app variant ${variant}; one of ${Object.keys(VARIANTS).join(', ')}`)
  const dir = path.join(BENCH_APPS, variant)
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(path.join(dir, 'src', 'tools'), { recursive: true })
  for (const file of ['tsconfig.json', 'xmcp-env.d.ts', 'xmcp.config.ts']) fs.copyFileSync(path.join(DEMO, file), path.join(dir, file))
  const pkg = JSON.parse(fs.readFileSync(path.join(DEMO, 'package.json'), 'utf8'))
  pkg.name = `xmcp-workos-bench-${variant}`
  delete pkg.type // an explicit "commonjs" breaks xmcp build
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`)
  fs.writeFileSync(path.join(dir, 'src', 'tools', `${TOOL}.ts`), ECHO_TOOL)
  if (spec.middleware) fs.writeFileSync(path.join(dir, 'src', 'middleware.ts'), spec.middleware())
  return dir
}

/**
 * Writes and builds the apps, one after the other (each build uses both cores).
 * @returns {Promise<Record<string, { dir: string, port: number, buildMs: number }>>}
 */
async function buildApps(variants, { timeoutMs = 300_000 } = {}) {
  const out = {}
  for (const variant of variants) {
    const dir = writeApp(variant)
    const port = await freePort()
    const { buildMs } = await buildDir({ dir, port, timeoutMs })
    out[variant] = { dir, port, buildMs }
  }
  return out
}

module.exports = { VARIANTS, TOOL, BENCH_APPS, buildApps }
