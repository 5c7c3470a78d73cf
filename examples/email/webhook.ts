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
import { createEmailTracker, Touchpoint } from '@touchpoint/node'
import { collectorUrl, devProject, webhookPort as port } from '../dev-project'
import { outcomesOf, type SendGridEvent } from './sendgrid-outcomes'

const project = devProject()
if (!project.email || !project.secretKey) throw new Error('the dev project has no email keys or secret key')
const tracker = createEmailTracker({
  baseUrl: collectorUrl,
  projectId: project.id,
  keys: project.email.keys,
  ...(project.email.recipientSecret && { recipientSecret: project.email.recipientSecret }),
})
const tp = new Touchpoint({ secretKey: project.secretKey, host: collectorUrl })

createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/sendgrid') return res.writeHead(404).end()
  let body = ''
  req.on('data', (chunk) => (body += chunk))
  req.on('end', async () => {
    try {
      for (const event of outcomesOf(tracker, JSON.parse(body) as SendGridEvent[])) tp.track(event)
      await tp.flush() // answered once Touchpoint has them: a failure makes the service send them again
      res.writeHead(200).end()
    } catch (err) {
      res.writeHead(400).end(String(err))
    }
  })
}).listen(port, () => process.stdout.write(`SendGrid webhook on http://localhost:${port}/sendgrid\n`))
