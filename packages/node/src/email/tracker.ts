import { type InstrumentOptions, instrumentHtml } from './instrument'
import { type EmailKey, recipientHash, signToken, trackableTarget } from './token'
import { EMAIL_ROUTES } from './urls'

export interface EmailTrackerOptions {
  /** Where the collector is reachable from the inbox, e.g. https://collect.example.com */
  baseUrl: string
  projectId: string
  /** The project's email keys; the first signs, and the collector verifies with all it has configured. */
  keys: readonly EmailKey[]
  /**
   * A long-lived secret for hashing email addresses given as recipients. Without it, a recipient must be the
   * customer's own id: an email address is refused rather than put into a URL.
   */
  recipientSecret?: string
}

export interface EmailMessage {
  campaignId: string
  /** This email's id (one per recipient and send, so opens and clicks can be told apart per email). */
  messageId: string
  /** The customer's id, or their email address (hashed with recipientSecret before it goes anywhere). */
  recipient: string
  /** When the email is sent; defaults to now. Opens and clicks seconds after it are flagged as machines. */
  sentAt?: Date
}

export interface EmailTracker {
  /** The id the recipient has in Touchpoint: their customer id, or the keyed hash of their address. */
  recipientId(recipient: string): string
  pixelUrl(message: EmailMessage): string
  linkUrl(target: string, message: EmailMessage & { linkId?: string }): string
  /** The email's HTML with every http(s) link signed, the pixel and the honeypot link added (see instrument.ts). */
  instrumentHtml(html: string, message: InstrumentOptions): string
  /** The `Email Sent` event for this message, for the server SDK or POST /v1/track with the secret key. */
  sentEvent(message: EmailMessage): EmailSentEvent
  /**
   * What the email service reported of this message (its webhook's delivered, bounce, spam report or unsubscribe),
   * as the event to send with the secret key: the same recipient id as the send, and an id of the message and the
   * outcome, so that a webhook the service retries counts once. `at` is when it happened (default now).
   */
  outcomeEvent(message: EmailMessage, outcome: EmailOutcome, details?: EmailOutcomeDetails): EmailOutcomeEvent
}

export type EmailOutcome = 'delivered' | 'bounced' | 'spam' | 'unsubscribed'
export interface EmailOutcomeDetails {
  at?: Date
  /** a bounce's: hard (the address takes no mail) or soft, and the service's reason */
  bounceType?: 'hard' | 'soft'
  reason?: string
}
export interface EmailOutcomeEvent {
  type: 'track'
  event: 'Email Delivered' | 'Email Bounced' | 'Email Marked as Spam' | 'Email Unsubscribed'
  messageId: string
  userId: string
  timestamp: string
  properties: { campaignId: string; emailId: string; bounceType?: 'hard' | 'soft'; reason?: string }
}

const OUTCOME_EVENTS = {
  delivered: 'Email Delivered',
  bounced: 'Email Bounced',
  spam: 'Email Marked as Spam',
  unsubscribed: 'Email Unsubscribed',
} as const

export interface EmailSentEvent {
  type: 'track'
  event: 'Email Sent'
  messageId: string
  userId: string
  timestamp: string
  properties: { campaignId: string; emailId: string }
}

const EMAIL_ADDRESS = /^[^@\s]+@[^@\s]+\.[^@\s]+$/

export function createEmailTracker(options: EmailTrackerOptions): EmailTracker {
  const key = options.keys[0]
  if (!key) throw new Error('createEmailTracker: at least one key is needed')
  const base = trackableTarget(options.baseUrl).href.replace(/\/+$/, '')
  const project = encodeURIComponent(options.projectId)

  const recipientId = (recipient: string) => {
    if (!EMAIL_ADDRESS.test(recipient.trim())) return recipient
    if (!options.recipientSecret)
      throw new Error(
        'an email address was given as recipient: pass recipientSecret to hash it, or the customer id',
      )
    return recipientHash(recipient, options.recipientSecret)
  }
  const claims = (m: EmailMessage) => ({
    campaignId: m.campaignId,
    emailId: m.messageId,
    recipient: recipientId(m.recipient),
    sentAt: Math.floor((m.sentAt ?? new Date()).getTime() / 1000),
  })

  const tracker: EmailTracker = {
    recipientId,
    instrumentHtml: (html, m) => instrumentHtml(html, tracker, m),
    pixelUrl: (m) =>
      `${base}${EMAIL_ROUTES.open}/${project}/${signToken({ ...claims(m), kind: 'open' }, key)}.gif`,
    linkUrl: (target, m) =>
      `${base}${EMAIL_ROUTES.click}/${project}/${signToken({ ...claims(m), kind: 'click', target, linkId: m.linkId }, key)}`,
    sentEvent: (m) => {
      const c = claims(m)
      return {
        type: 'track',
        event: 'Email Sent',
        // one id per campaign, email and recipient: recording the same send twice counts once
        messageId: `email-sent:${c.campaignId}:${c.emailId}:${c.recipient}`.slice(0, 200),
        userId: c.recipient,
        timestamp: new Date(c.sentAt * 1000).toISOString(),
        properties: { campaignId: c.campaignId, emailId: c.emailId },
      }
    },
    outcomeEvent: (m, outcome, details = {}) => {
      const c = claims(m)
      const { bounceType, reason } = details
      return {
        type: 'track',
        event: OUTCOME_EVENTS[outcome],
        messageId: `email-${outcome}:${c.campaignId}:${c.emailId}:${c.recipient}`.slice(0, 200),
        userId: c.recipient,
        timestamp: (details.at ?? new Date()).toISOString(),
        properties: {
          campaignId: c.campaignId,
          emailId: c.emailId,
          ...(outcome === 'bounced' && bounceType && { bounceType }),
          ...(outcome === 'bounced' && reason && { reason: reason.slice(0, 200) }),
        },
      }
    },
  }
  return tracker
}
