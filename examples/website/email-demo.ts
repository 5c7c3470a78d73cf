import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createEmailTracker } from '@touchpoint/node'

export interface EmailDemoProject {
  id: string
  secretKey?: string
  email?: { keys: Array<{ id: string; secret: string }>; recipientSecret?: string }
}

export interface EmailDemoOptions {
  /** The collector's public origin: the pixel and the links' redirects. */
  collector: string
  /** The project, as the projects file has it when the page is shown (its keys may have rotated since the start). */
  project: () => EmailDemoProject
}

const TEMPLATE = join(import.meta.dirname, '../email/welcome.html')
/** The recipient of the demo email (examples/server/offline.ts records the same customer's orders and visits). */
export const DEMO_RECIPIENT = 'customer-1001'

/** Sent an hour before the shop started: a click seconds after a send would be taken for a scanner's. */
const MESSAGE = {
  campaignId: 'spring-sale',
  messageId: `spring-sale-${DEMO_RECIPIENT}`,
  recipient: DEMO_RECIPIENT,
  sentAt: new Date(Date.now() - 3_600_000),
}

/**
 * The example shop's /email page: the spring-sale email (examples/email/welcome.html) as its recipient's mail app
 * shows it, each link signed for the dev project and leading to this shop (`shop`, its address), with the
 * collector's open pixel. It was sent an hour ago (a click seconds after a send would be taken for a security
 * scanner's), and the send is recorded with the secret key (once, however often the page is shown: its id comes
 * from the message), so that `touchpoint report email` has its rates. Undefined for a project without email keys.
 */
export function emailDemo(options: EmailDemoOptions): ((shop: string) => Promise<string>) | undefined {
  if (!hasEmail(options.project())) return undefined
  const template = readFileSync(TEMPLATE, 'utf8')
  return async (shop) => {
    const project = options.project()
    if (!hasEmail(project)) return NO_EMAIL
    const tracker = createEmailTracker({
      baseUrl: options.collector,
      projectId: project.id,
      keys: project.email.keys,
      ...(project.email.recipientSecret && { recipientSecret: project.email.recipientSecret }),
    })
    await fetch(`${options.collector}/v1/track`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${project.secretKey}:`).toString('base64')}`,
      },
      body: JSON.stringify(tracker.sentEvent(MESSAGE)),
    }).catch(() => {}) // the page shows all the same; its rates wait for the send
    return tracker.instrumentHtml(template.replaceAll('https://shop.example.com', shop), MESSAGE)
  }
}

const hasEmail = (
  p: EmailDemoProject,
): p is EmailDemoProject & { secretKey: string; email: NonNullable<EmailDemoProject['email']> } =>
  Boolean(p.email?.keys.length && p.secretKey)

const NO_EMAIL = '<!doctype html><p>The project has no email keys or no secret key any more.</p>'
