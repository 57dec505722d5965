import { type ToolMetadata } from 'xmcp'
import { getSession } from '@xmcp-dev/workos'

export const metadata: ToolMetadata = {
  name: 'publish_note',
  description: 'Publishes a note (needs the notes:write scope)',
}

export default async function publishNote() {
  const session = getSession()
  return `Note published for ${session.userId} (token scopes: ${session.scopes.join(' ')})`
}
