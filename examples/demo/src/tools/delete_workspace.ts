import { type ToolMetadata } from 'xmcp'

export const metadata: ToolMetadata = {
  name: 'delete_workspace',
  description: 'Deletes the workspace (needs the workspace:delete permission)',
  annotations: { destructiveHint: true },
}

export default async function deleteWorkspace() {
  return 'Workspace deleted'
}
