import { z } from 'zod'
import { type InferSchema, type ToolMetadata } from 'xmcp'
import { setTimeout as sleep } from 'node:timers/promises'
import { getSession } from '@xmcp-dev/workos'

export const schema = {
  delayMs: z.number().min(0).max(100).describe('Milliseconds to wait before reading the session'),
}

export const metadata: ToolMetadata = {
  name: 'delayed-whoami',
  description: 'Waits delayMs milliseconds, then returns the user id of the current session',
  annotations: { readOnlyHint: true },
}

export default async function delayedWhoami({ delayMs }: InferSchema<typeof schema>) {
  await sleep(delayMs)
  return getSession().userId
}
