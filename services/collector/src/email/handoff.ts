import { verifyToken } from '@touchpoint/node'
import type { IdentityRow } from '@touchpoint/schema'
import type { ProjectRegistry } from '../projects'

/** A hand-off from the future by more than this is refused (clock differences between collectors are smaller). */
const FUTURE_SKEW_MS = 60_000

export type HandoffResult = { ok: true; link: IdentityRow } | { ok: false; reason: string }

/**
 * Checks the email hand-off a browser event carries (context.emailHandoff, taken by the browser SDK from the
 * click's landing URL) and turns it into the link between that browser's anonymous id and the recipient.
 */
export class HandoffVerifier {
  constructor(private readonly registry: ProjectRegistry) {}

  verify(
    projectId: string,
    token: string,
    anonymousId: string,
    linkedAt: string,
    now: number,
  ): HandoffResult {
    const email = this.registry.byId(projectId)?.email
    if (!email) return { ok: false, reason: 'email tracking is not configured for this project' }
    if (!anonymousId) return { ok: false, reason: 'a hand-off needs the anonymousId it links' }
    const v = verifyToken(token, email.keys)
    if (!v.ok) return { ok: false, reason: `token ${v.reason}` }
    if (v.claims.kind !== 'handoff')
      return { ok: false, reason: `a ${v.claims.kind} token is not a hand-off` }
    const age = now - v.claims.sentAt * 1000
    if (age > email.handoffSeconds * 1000) return { ok: false, reason: 'expired' }
    if (age < -FUTURE_SKEW_MS) return { ok: false, reason: 'issued in the future' }
    return {
      ok: true,
      link: {
        project_id: projectId,
        anonymous_id: anonymousId,
        user_id: v.claims.recipient,
        linked_at: linkedAt,
        link_source: 'email',
      },
    }
  }
}
