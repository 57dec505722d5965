'use strict'
// The public types against the README and against the addon.
//
// - Every TypeScript block of the README is compiled, unchanged, against index.d.ts (as a user's
//   file importing '@xmcp-dev/workos'); a line `// ...` that opens an object passed to a call stands
//   for the required options, as the README means it.
// - The option paths declared for `workosProvider()` (read with the TypeScript compiler API from
//   index.d.ts, which re-exports the structs generated from src/options.rs) are the option paths the
//   native reader reads (`optionPaths`), both ways; a config built from the declared types is read
//   without a complaint, each alternative of every union included; and every option the README's
//   options table names is declared, and every declared option is in that table.
const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { run } = require('./support/processes')
const native = require('../native.js')
const pkg = require('@xmcp-dev/workos')

const ROOT = path.resolve(__dirname, '..')
const WORK = path.join(ROOT, '.test-apps', 'types')
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
const COMPILER_OPTIONS = {
  strict: true,
  noEmit: true,
  module: 'nodenext',
  moduleResolution: 'nodenext',
  target: 'es2022',
  types: ['node'],
  skipLibCheck: false,
}

/** The README's ```typescript blocks, with the line each starts on. */
function readmeBlocks() {
  const lines = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n')
  const blocks = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(typescript|ts)\s*$/.test(lines[i])) continue
    const start = i + 1
    while (i + 1 < lines.length && !/^```\s*$/.test(lines[++i]));
    blocks.push({ line: start + 1, code: lines.slice(start, i).join('\n') })
  }
  return blocks
}

/** The declared option paths, and a sample config per union alternative, via the TS compiler API. */
async function declaredOptions() {
  fs.mkdirSync(WORK, { recursive: true })
  fs.writeFileSync(path.join(WORK, 'surface.ts'), "import type { config } from '@xmcp-dev/workos'\nexport declare const options: config\n")
  fs.writeFileSync(path.join(WORK, 'tsconfig.surface.json'), JSON.stringify({ compilerOptions: COMPILER_OPTIONS, files: ['surface.ts'] }))
  const { API } = await import('typescript/unstable/sync')
  const api = new API({ cwd: WORK })
  try {
    const [project] = api.updateSnapshot({ openProject: path.join(WORK, 'tsconfig.surface.json') }).getProjects()
    const { checker, program } = project
    const file = program.getSourceFile(path.join(WORK, 'surface.ts'))
    const declaration = file.statements[1].declarationList.declarations[0]
    const root = checker.getTypeOfSymbol(checker.getSymbolAtLocation(declaration.name))
    assert.equal(checker.typeToString(root), 'ProviderOptions', 'config is the generated ProviderOptions')

    const paths = []
    const alternatives = []
    // The values a sample may give a type: objects get the first value of each member (and their
    // member paths recorded); a union gives each alternative, an object first so that the main
    // sample reaches nested options.
    const valuesOf = (type, at, keys) => {
      if (type.isUnionType()) {
        const values = type.getTypes().flatMap((t) => valuesOf(t, at, keys))
        const isObject = (v) => typeof v === 'object' && !Array.isArray(v)
        return values.filter(isObject).concat(values.filter((v) => !isObject(v)))
      }
      const text = checker.typeToString(type)
      if (text === 'string') return ['x']
      if (text === 'number') return [1]
      if (text === 'true' || text === 'false') return [text === 'true']
      if (text === 'boolean') return [true, false]
      if (checker.isArrayType(type)) return [['x']]
      const [index] = checker.getIndexInfosOfType(type)
      if (index) {
        // A record: one entry `t`, whose value is sampled like any other (an object's members are
        // recorded under `<path>.*`).
        return [{ t: valuesOf(index.valueType ?? index.type, `${at}.*`, [...keys, 't'])[0] }]
      }
      return [objectOf(type, at, keys)]
    }
    const objectOf = (type, at, keys) => {
      const object = {}
      for (const member of checker.getPropertiesOfType(type)) {
        const memberAt = at ? `${at}.${member.name}` : member.name
        paths.push(memberAt)
        const values = valuesOf(checker.getNonNullableType(checker.getTypeOfSymbol(member)), memberAt, [...keys, member.name])
        object[member.name] = values[0]
        for (const value of values.slice(1)) alternatives.push({ keys: [...keys, member.name], value })
      }
      return object
    }
    const main = objectOf(root, '', [])
    const samples = [main]
    for (const { keys, value } of alternatives) {
      const variant = structuredClone(main)
      keys.slice(0, -1).reduce((at, key) => at[key], variant)[keys.at(-1)] = value
      samples.push(variant)
    }
    return { paths, samples }
  } finally {
    api.close()
  }
}

/** The option paths the README's options table names, with the text of each row. */
function readmeOptionRows() {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')
  const table = readme.slice(readme.indexOf('| option | required | meaning |'))
  const rows = []
  for (const line of table.split('\n').slice(2)) {
    if (!line.startsWith('|')) break
    const [, names, , meaning] = line.split('|')
    for (const [, name] of names.matchAll(/`([^`]+)`/g)) rows.push({ name, meaning })
  }
  return rows
}

describe('the public types', () => {
  let declared
  before(async () => {
    declared = await declaredOptions()
  })
  after(() => fs.rmSync(WORK, { recursive: true, force: true }))

  test('every TypeScript block of the README compiles against index.d.ts', async () => {
    const exported = Object.keys(pkg)
    const blocks = readmeBlocks()
    assert.ok(blocks.length >= 6, `found ${blocks.length} blocks`)
    const files = []
    for (const { line, code } of blocks) {
      const names = exported.filter((name) => new RegExp(`\\b${name}\\b`).test(code))
      assert.ok(names.length > 0, `README line ${line}: a TypeScript block that does not use the package`)
      const imported = new Set(
        // Names the block imports from any module (a block may take a name from @workos-inc/node itself).
        [...code.matchAll(/import\s*\{([^}]*)\}\s*from\s*["'][^"']+["']/g)].flatMap((m) => m[1].split(',').map((s) => s.trim())),
      )
      const missing = names.filter((name) => !imported.has(name))
      const lines = code.split('\n').map((text, i, all) =>
        // `// ...` opening an object passed to a call: the required options the README leaves out.
        /^\s*\/\/ \.\.\./.test(text) && /\(\{\s*$/.test(all[i - 1] ?? '') ? `${text.match(/^\s*/)[0]}...required, ${text.trim()}` : text,
      )
      const prelude = [
        "import type { config } from '@xmcp-dev/workos'",
        ...(missing.length ? [`import { ${missing.join(', ')} } from '@xmcp-dev/workos'`] : []),
        "declare const required: Pick<config, 'apiKey' | 'clientId' | 'baseURL' | 'authkitDomain'>",
      ]
      const file = `readme-line-${line}.ts`
      fs.mkdirSync(WORK, { recursive: true })
      fs.writeFileSync(path.join(WORK, file), `${prelude.join('; ')}\n${lines.join('\n')}\n`)
      files.push(file)
    }
    fs.writeFileSync(path.join(WORK, 'tsconfig.readme.json'), JSON.stringify({ compilerOptions: COMPILER_OPTIONS, files }))
    const { code, output } = await run(process.execPath, [TSC, '-p', path.join(WORK, 'tsconfig.readme.json')], {
      cwd: WORK,
      env: process.env,
      timeoutMs: 120_000,
    })
    // Diagnostics name readme-line-<N>.ts(<line>,<col>): line 1 is the prelude, so README line N + line - 2.
    assert.equal(
      code,
      0,
      output.replace(/readme-line-(\d+)\.ts\((\d+),/g, (_, start, at) => `README.md(${Number(start) + Number(at) - 2},`),
    )
  })

  test('the declared options are the options the addon reads, both ways', () => {
    const runtime = native.optionPaths(declared.samples[0])
    const declaredPaths = [...new Set(declared.paths)].sort()
    assert.deepEqual(
      {
        declaredNotRead: declaredPaths.filter((p) => !runtime.includes(p)),
        readNotDeclared: runtime.filter((p) => !declaredPaths.includes(p)),
      },
      { declaredNotRead: [], readNotDeclared: [] },
    )
    assert.ok(runtime.includes('tools.*.machines') && runtime.includes('jwks.warmUp') && runtime.includes('tokenCache.maxAgeMs'))
  })

  test('a config of the declared types is read without a complaint, every union alternative included', () => {
    assert.ok(declared.samples.length > 4, `${declared.samples.length} samples`)
    for (const sample of declared.samples) assert.doesNotThrow(() => native.optionPaths(sample), JSON.stringify(sample))
  })

  test("the README's options table names every declared option, and only those", () => {
    const rows = readmeOptionRows()
    const named = rows.map((row) => row.name)
    const paths = new Set(declared.paths)
    assert.deepEqual(
      named.filter((name) => !paths.has(name)),
      [],
      'in the table, not declared',
    )
    const undocumented = [...paths].filter((p) => {
      if (named.includes(p) || named.some((name) => name.startsWith(`${p}.`)) || p.includes('*')) return false
      const parent = rows.find((row) => p.startsWith(`${row.name}.`))
      // A member of an option documented in one row: the row's text names it.
      return !(parent && new RegExp(`\\b${p.slice(parent.name.length + 1)}\\b`).test(parent.meaning))
    })
    assert.deepEqual(undocumented, [], 'declared, not in the table')
  })
})
