// Bundlers (xmcp's rspack) take this entry: `new URL(..., import.meta.url)` makes the bundler copy the
// binary into the output as an asset, so the built app keeps working when moved elsewhere.
import { fileURLToPath } from 'node:url'

const binary = new URL('./workos.linux-x64-gnu.node', import.meta.url)
const loaded = { exports: {} }
process.dlopen(loaded, fileURLToPath(binary))

export default loaded.exports
