/**
 * Instruments examples/email/welcome.html for one recipient with @touchpoint/node, as a sending job would for
 * each email. Keys come from the collector's projects file (the embedded dev project has them), so after
 * `pnpm start` this runs as is:
 *
 *   pnpm tsx examples/email/instrument.ts [recipient] > /tmp/welcome.out.html
 *
 * TOUCHPOINT_CONFIG names another projects file, TOUCHPOINT_URL the collector's public address.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createEmailTracker } from '@touchpoint/node'
import { collectorUrl, devProject, projectsFile } from '../dev-project'

const here = dirname(fileURLToPath(import.meta.url))
const project = devProject()
if (!project.email) throw new Error(`${projectsFile}: the dev project has no email keys`)

const tracker = createEmailTracker({
  baseUrl: collectorUrl,
  projectId: project.id,
  keys: project.email.keys,
  ...(project.email.recipientSecret && { recipientSecret: project.email.recipientSecret }),
})
const recipient = process.argv[2] ?? 'customer-1001'
const html = readFileSync(join(here, 'welcome.html'), 'utf8')
process.stdout.write(
  tracker.instrumentHtml(html, {
    campaignId: 'spring-sale',
    messageId: `spring-sale-${recipient}`,
    recipient,
  }),
)
