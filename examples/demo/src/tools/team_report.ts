import { type ToolMetadata } from 'xmcp'
import { getSession, hasPermission, requireRole } from '@xmcp-dev/workos'

export const metadata: ToolMetadata = {
  name: 'team_report',
  description: 'Reports on the team (admins only; checked inside the tool)',
  annotations: { readOnlyHint: true },
}

export default async function teamReport() {
  // Throws ForbiddenError, which the client sees as a tool error, unless the caller is an admin.
  await requireRole('admin')
  const canDelete = await hasPermission('workspace:delete')
  return `Team report for ${getSession().organizationId}: you may ${canDelete ? '' : 'not '}delete the workspace.`
}
