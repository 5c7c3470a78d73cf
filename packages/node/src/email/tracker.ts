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
}

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
  }
  return tracker
}
