import { type XmcpConfig } from 'xmcp'

// xmcp evaluates this file at build time: the port is baked into dist/http.js.
const config: XmcpConfig = {
  http: {
    port: Number(process.env.PORT ?? 3002),
    host: '127.0.0.1',
  },
  paths: {
    tools: 'src/tools',
    prompts: false,
    resources: false,
  },
}

export default config
