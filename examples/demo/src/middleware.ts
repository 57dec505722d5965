import { workosProvider } from '@xmcp-dev/workos'

export default workosProvider({
  apiKey: process.env.WORKOS_API_KEY || '',
  clientId: process.env.WORKOS_CLIENT_ID || '',
  baseURL: process.env.BASE_URL || 'http://127.0.0.1:3002',
  authkitDomain: process.env.WORKOS_AUTHKIT_DOMAIN || '',
  // Authorization, checked before a tool runs: a missing scope is answered with the MCP step-up
  // challenge (403 insufficient_scope); a missing permission with a tool error that names it.
  tools: {
    publish_note: { scopes: ['notes:write'] },
    delete_workspace: { permissions: ['workspace:delete'], organization: true },
  },
  // WorkOS Connect M2M applications (client-credentials grant) may call the tools that allow them.
  machineTokens: true,
})
