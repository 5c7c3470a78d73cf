import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createEmailTracker } from '@touchpoint/node'

export interface EmailDemoOptions {
  /** The collector's public origin: the pixel and the links' redirects. */
  collector: string
  project: {
    id: string
    secretKey?: string
    email?: { keys: Array<{ id: string; secret: string }>; recipientSecret?: string }
  }
}

const TEMPLATE = join(import.meta.dirname, '../email/welcome.html')
/** The recipient of the demo email (examples/server/offline.ts records the same customer's orders and visits). */
export const DEMO_RECIPIENT = 'customer-1001'

/**
 * The example shop's /email page: the spring-sale email (examples/email/welcome.html) as its recipient's mail app
 * shows it, each link signed for the dev project and leading to this shop (`shop`, its address), with the
 * collector's open pixel. It was sent an hour ago (a click seconds after a send would be taken for a security
 * scanner's), and the send is recorded with the secret key (once, however often the page is shown: its id comes
 * from the message), so that `touchpoint report email` has its rates. Undefined for a project without email keys.
 */
export function emailDemo(options: EmailDemoOptions): ((shop: string) => Promise<string>) | undefined {
  const { project } = options
  if (!project.email?.keys.length || !project.secretKey) return undefined
  const tracker = createEmailTracker({
    baseUrl: options.collector,
    projectId: project.id,
    keys: project.email.keys,
    ...(project.email.recipientSecret && { recipientSecret: project.email.recipientSecret }),
  })
  const message = {
    campaignId: 'spring-sale',
    messageId: `spring-sale-${DEMO_RECIPIENT}`,
    recipient: DEMO_RECIPIENT,
    sentAt: new Date(Date.now() - 3_600_000),
  }
  const template = readFileSync(TEMPLATE, 'utf8')
  const auth = `Basic ${Buffer.from(`${project.secretKey}:`).toString('base64')}`
  return async (shop) => {
    await fetch(`${options.collector}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify(tracker.sentEvent(message)),
    }).catch(() => {}) // the page shows all the same; its rates wait for the send
    return tracker.instrumentHtml(template.replaceAll('https://shop.example.com', shop), message)
  }
}
