import { type ToolMetadata } from 'xmcp'
import { getSession, getUser } from '@xmcp-dev/workos'

export const metadata: ToolMetadata = {
  name: 'whoami',
  description: 'Returns the authenticated WorkOS session and user',
  annotations: { readOnlyHint: true },
}

export default async function whoami() {
  const session = getSession()
  const user = await getUser()
  return {
    content: [
      {
        type: 'text' as const,
        text: JSON.stringify({
          session: {
            userId: session.userId,
            sessionId: session.sessionId,
            organizationId: session.organizationId ?? null,
            expiresAt: session.expiresAt.toISOString(),
            claims: { sub: session.claims.sub },
          },
          user,
        }),
      },
    ],
  }
}
