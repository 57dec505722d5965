// Compiled by `npm run typecheck`: a user's middleware.ts and tool code, written against the 1.x
// README, must type-check against our index.d.ts unchanged.
import { workosProvider, getSession, getUser, getClient, NotFoundException } from '@xmcp-dev/workos'
import type { config, Session, JWTClaims, OAuthProtectedResourceMetadata, OAuthAuthorizationServerMetadata } from '@xmcp-dev/workos'

const options: config = {
  apiKey: process.env.WORKOS_API_KEY || '',
  clientId: process.env.WORKOS_CLIENT_ID || '',
  baseURL: process.env.BASE_URL || 'http://127.0.0.1:3002',
  authkitDomain: process.env.WORKOS_AUTHKIT_DOMAIN || '',
  docsURL: 'https://yourserver.com/docs/mcp',
}
const provider = workosProvider(options)
provider.router.get('/x', (_req, res) => res.end())
const handler: typeof provider.middleware = provider.middleware
void handler

export async function myTool(): Promise<string> {
  const session: Session = getSession()
  const org: string | undefined = session.organizationId
  const perms: string[] | undefined = session.permissions
  const expires: number = session.expiresAt.getTime()
  const claims: JWTClaims = session.claims
  const user = await getUser()
  const name: string | null = user.firstName
  try {
    await getClient().userManagement.getUser(session.userId)
  } catch (err) {
    if (err instanceof NotFoundException) return err.message
  }
  return `Hello ${name}! ${session.userId} ${org} ${perms} ${expires} ${claims.sub}`
}

export const documents: [OAuthProtectedResourceMetadata, OAuthAuthorizationServerMetadata] | null = null
