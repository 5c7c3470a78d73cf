/**
 * A server for an email service's webhook (SendGrid's here): each delivery, bounce, spam report and unsubscribe is
 * recorded for its send with the dev project's secret key, so `touchpoint report email` gives the bounce, spam and
 * unsubscribe rates. After `pnpm start`:
 *
 *   pnpm tsx examples/email/webhook.ts      # listens on :8082 (WEBHOOK_PORT); point the service's webhook at /sendgrid
 *
 * The recipient is the address the service reports, hashed with the project's recipientSecret as the send's was.
 */
import { createServer } from 'node:http'
import { createEmailTracker } from '@touchpoint/node'
import { collectorUrl, devProject, webhookPort as port } from '../dev-project'
import { webhookClient } from '../webhook-client'
import { outcomesOf, type SendGridEvent } from './sendgrid-outcomes'

const project = devProject()
if (!project.email) throw new Error('the dev project has no email keys')
const tracker = createEmailTracker({
  baseUrl: collectorUrl,
  projectId: project.id,
  keys: project.email.keys,
  ...(project.email.recipientSecret && { recipientSecret: project.email.recipientSecret }),
})
const client = webhookClient()

createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/sendgrid') return res.writeHead(404).end()
  let body = ''
  req.on('data', (chunk) => (body += chunk))
  req.on('end', async () => {
    try {
      // answered once Touchpoint has them: a 503 makes the service send them again
      const dropped = await client.deliver((tp) => {
        const events = outcomesOf(tracker, JSON.parse(body) as SendGridEvent[])
        for (const event of events) tp.track(event)
        return events
      })
      if (dropped) res.writeHead(503).end(`not recorded, send it again: ${dropped}`)
      else res.writeHead(200).end()
    } catch (err) {
      res.writeHead(400).end(String(err))
    }
  })
}).listen(port, () => process.stdout.write(`SendGrid webhook on http://localhost:${port}/sendgrid\n`))
