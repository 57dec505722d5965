// Compiled by `npm run typecheck`: a user's middleware.ts and tool code, written against the 1.x
// README, must type-check against our index.d.ts unchanged.
import { WorkOS as SdkWorkOS, NotFoundException as SdkNotFoundException } from '@workos-inc/node'
import { workosProvider, getSession, getUser, getClient, NotFoundException, RateLimitExceededException, WorkOS } from '@xmcp-dev/workos'
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

// Tool code written against @workos-inc/node 7.x, through getClient() or a client of its own: the
// SDK's own types describe getClient(), and its exception classes are this package's.
export const sdkTyped: SdkWorkOS = getClient()
export const sameClass: typeof SdkNotFoundException = NotFoundException
export async function clientTool(userId: string, organizationId: string): Promise<string[]> {
  const client = getClient()
  const memberships = await client.userManagement.listOrganizationMemberships({ userId })
  const orgIds: string[] = memberships.data.map((m) => m.organizationId)
  const everyone = await (await client.userManagement.listOrganizationMemberships({ organizationId })).autoPagination()
  const updated = await client.userManagement.updateUser({ userId, firstName: 'Ada' })
  const org = await client.organizations.getOrganization(organizationId)
  const stripe: string | undefined = org.stripeCustomerId
  const orgs = await client.organizations.listOrganizations({ domains: ['acme.com'], limit: 5 })
  const created = await client.organizations.createOrganization({ name: 'Acme' }, { idempotencyKey: 'k' })
  const users = await client.directorySync.listUsers({ directory: 'directory_1' })
  const groups = await client.directorySync.listGroups({ directory: 'directory_1' })
  await client.auditLogs.createEvent(organizationId, {
    action: 'user.signed_in',
    occurredAt: new Date(),
    actor: { id: userId, type: 'user' },
    targets: [{ id: userId, type: 'user' }],
    context: { location: '127.0.0.1' },
  })
  const connections = await client.sso.listConnections({ organizationId })
  const url: string = client.sso.getAuthorizationUrl({ clientId: 'client_1', redirectUri: 'https://x/cb', organization: organizationId })
  const authkit: string = client.userManagement.getAuthorizationUrl({ clientId: 'c', redirectUri: 'r', provider: 'authkit' })
  const own = new WorkOS(process.env.WORKOS_API_KEY, { apiHostname: 'localhost', port: 8080, https: false, timeout: 5000 })
  const jwks: string = own.userManagement.getJwksUrl('client_1')
  try {
    await own.userManagement.getUser(userId)
  } catch (err) {
    if (err instanceof RateLimitExceededException) return [String(err.retryAfter)]
    if (err instanceof NotFoundException) return [err.message, err.requestID]
  }
  const event = await client.webhooks.constructEvent({ payload: {}, sigHeader: 't=1,v1=x', secret: 'whsec' })
  const sealed: string = await client.vault.encrypt('secret', { tenant: 'acme' })
  const plain: string = await client.vault.decrypt(sealed)
  const cookie = await client.userManagement.loadSealedSession({ sessionData: sealed, cookiePassword: 'p'.repeat(32) }).authenticate()
  const sessionId = cookie.authenticated ? cookie.sessionId : cookie.reason
  const allowed: boolean = (
    await client.fga.check({
      checks: [
        {
          resource: { resourceType: 'report', resourceId: 'r1' },
          relation: 'viewer',
          subject: { resourceType: 'user', resourceId: userId },
        },
      ],
    })
  ).isAuthorized()
  const token = await client.pipes.getAccessToken({ provider: 'github', userId })
  const { data } = await client.get<{ id: string }>(`/organizations/${organizationId}`)
  return [
    event?.event ?? '',
    plain,
    sessionId,
    String(allowed),
    token.active ? token.accessToken.accessToken : token.error,
    data.id,
    ...orgIds,
    ...everyone.map((m) => m.status),
    updated.email,
    stripe ?? '',
    String(orgs.listMetadata.after),
    created.id,
    ...users.data.map((u) => u.groups.map((g) => g.name).join()),
    ...groups.data.map((g) => g.name),
    ...connections.data.map((c) => c.type),
    url,
    authkit,
    jwks,
  ]
}

// Authorization (README "Authorization"): policies, the helpers and the session's new members.
import { requireScopes, hasScopes, requirePermission, hasPermission, requireRole, hasRole, ForbiddenError } from '@xmcp-dev/workos'
import type { ToolPolicy } from '@xmcp-dev/workos'

const deploy: ToolPolicy = { scopes: ['deploy'], permissions: ['deploy:run'], roles: ['admin'], organization: true }
export const authorizationConfig: config = {
  ...options,
  scopes: ['mcp', 'deploy'],
  tools: { '*': { scopes: ['mcp'] }, deploy },
  permissionCache: { maxAgeMs: 30_000, maxEntries: 1000 },
  tokenCache: false,
  jwks: { warmUp: false, cooldownMs: 30_000 },
}
export const cached: config = { ...options, tokenCache: { maxEntries: 100, maxAgeMs: 60_000 } }

export async function guardedTool(): Promise<string> {
  requireScopes('deploy')
  const canRead: boolean = hasScopes('files:read', ['files:list'])
  await requirePermission('deploy:run')
  await requireRole('admin', 'owner')
  const mayDelete: boolean = await hasPermission('workspace:delete')
  const isOwner: boolean = await hasRole('owner')
  const session = getSession()
  const scopes: string[] = session.scopes
  const client: string | undefined = session.clientId
  const flags: string[] | undefined = session.featureFlags
  const admin: string | undefined = session.impersonator?.sub
  try {
    requireScopes('x')
  } catch (err) {
    if (err instanceof ForbiddenError) return `${err.kind}: ${err.missing.join(' ')}`
  }
  return `${canRead} ${mayDelete} ${isOwner} ${scopes} ${client} ${flags} ${admin}`
}

// Agents and downstream APIs (README "Machine tokens", "Token exchange").
import { exchangeToken, TokenExchangeError } from '@xmcp-dev/workos'
import type { ExchangedToken } from '@xmcp-dev/workos'

export const agentConfig: config = {
  ...options,
  machineTokens: ['client_01M2M'],
  connect: { clientId: 'client_01MCP', clientSecret: process.env.WORKOS_CONNECT_SECRET || '' },
  tools: { sync: { machines: true, scopes: ['sync'] }, '*': { machines: false } },
}

export async function apiTool(): Promise<string> {
  const session = getSession()
  if (session.kind === 'machine') return `machine ${session.clientId}`
  try {
    const token: ExchangedToken = await exchangeToken({ resource: 'https://api.example.com', scope: ['files:read'] })
    const expires: number = token.expiresAt.getTime()
    return `${token.accessToken.length} ${expires} ${token.scope} ${session.actor?.sub}`
  } catch (err) {
    if (err instanceof TokenExchangeError && err.kind === 'refused') return `${err.error}: ${err.errorDescription}`
    throw err
  }
}
