/**
 * What an email service's webhook reports, as Touchpoint's email events: here SendGrid's Event Webhook, whose
 * events carry the send's custom args (set `campaignId` and `messageId` on each send, as the tracker's message).
 * A server that takes the webhook records each with the secret key, for the email report's bounce, spam and
 * unsubscribe rates; examples/email/webhook.ts is one. Other services differ only in their field names.
 */
import type { EmailOutcome, EmailOutcomeEvent, EmailTracker } from '@touchpoint/node'

/** The fields of a SendGrid webhook event that matter here (the rest are kept by SendGrid). */
export interface SendGridEvent {
  event: string
  email: string
  /** seconds since 1970 */
  timestamp: number
  /** a bounce's: `bounce` (the address takes no mail) or `blocked` (refused this time) */
  type?: string
  reason?: string
  /** the custom args of the send */
  campaignId?: string
  messageId?: string
}

const OUTCOMES: Record<string, EmailOutcome> = {
  delivered: 'delivered',
  bounce: 'bounced',
  spamreport: 'spam',
  unsubscribe: 'unsubscribed',
  group_unsubscribe: 'unsubscribed',
}

/**
 * The email events of a webhook's body, for the send each belongs to; the events Touchpoint records itself (opens,
 * clicks) or has no figure for (processed, deferred, dropped), and those of a send without its custom args, are
 * left out.
 */
export function outcomesOf(tracker: EmailTracker, events: readonly SendGridEvent[]): EmailOutcomeEvent[] {
  return events.flatMap((e) => {
    const outcome = OUTCOMES[e.event]
    if (!outcome || !e.campaignId || !e.messageId || !e.email) return []
    const message = { campaignId: e.campaignId, messageId: e.messageId, recipient: e.email }
    return [
      tracker.outcomeEvent(message, outcome, {
        at: new Date(e.timestamp * 1000),
        ...(outcome === 'bounced' && { bounceType: e.type === 'blocked' ? 'soft' : 'hard' }),
        ...(outcome === 'bounced' && e.reason && { reason: e.reason }),
      }),
    ]
  })
}
