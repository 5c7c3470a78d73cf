import { createHash, randomUUID } from 'node:crypto'

/**
 * The stored event id: a UUID (version 8, name-based on SHA-256) of project and messageId, so that a retried
 * call gets the same id in any collector, and the same messageId in two projects does not collide. Calls
 * without a messageId get a random id (they cannot be deduplicated).
 */
export function eventIdFor(projectId: string, messageId: string | undefined): string {
  if (!messageId) return randomUUID()
  const h = createHash('sha256').update(projectId).update('\0').update(messageId).digest('hex')
  const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`
}
