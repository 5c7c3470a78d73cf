import { parseArgs } from 'node:util'
import { createEmailTracker } from '@touchpoint/node'
import { parseTimestamp } from '@touchpoint/schema'
import type { CliConfig } from '../config'
import { type ProjectEntry, projectEntry } from '../projects-file'

const USAGE =
  'usage: touchpoint email instrument --campaign C --message M --recipient R [--project dev] [--base-url URL] [--sent-at ISO] [--no-honeypot] [--record] < in.html > out.html'

function projectOf(config: CliConfig, id: string): ProjectEntry {
  const project = projectEntry(config, id)
  if (!project.email?.keys?.length)
    throw new Error(`project ${id} has no email keys (projects file: email.keys)`)
  return project
}

/**
 * `touchpoint email instrument`: the HTML of one email from stdin to stdout, every http(s) link signed and the
 * open pixel added, with the keys of the project in the collector's projects file. With --record it also
 * records the `Email Sent` event (once, however often it runs) through the collector with the secret key.
 */
export async function emailCommand(config: CliConfig, args: string[], html: string): Promise<string> {
  const [sub, ...rest] = args
  if (sub !== 'instrument') throw new Error(USAGE)
  const { values } = parseArgs({
    args: rest,
    options: {
      campaign: { type: 'string' },
      message: { type: 'string' },
      recipient: { type: 'string' },
      project: { type: 'string', default: 'dev' },
      'base-url': { type: 'string' },
      'sent-at': { type: 'string' },
      'no-honeypot': { type: 'boolean', default: false },
      record: { type: 'boolean', default: false },
    },
  })
  if (!values.campaign || !values.message || !values.recipient) throw new Error(USAGE)
  const project = projectOf(config, values.project)
  const sentAt = new Date(values['sent-at'] ? parseTimestamp(values['sent-at']) : Date.now())
  if (Number.isNaN(sentAt.getTime()))
    throw new Error(`--sent-at ${values['sent-at']}: not an ISO-8601 date-time, such as 2026-11-03T18:40:00Z`)
  const tracker = createEmailTracker({
    baseUrl: values['base-url'] ?? config.collectorUrl,
    projectId: project.id,
    keys: project.email!.keys,
    ...(project.email!.recipientSecret && { recipientSecret: project.email!.recipientSecret }),
  })
  const message = {
    campaignId: values.campaign,
    messageId: values.message,
    recipient: values.recipient,
    sentAt,
  }
  const out = tracker.instrumentHtml(html, { ...message, honeypot: !values['no-honeypot'] })
  if (values.record) await recordSend(config, project, tracker.sentEvent(message))
  return out
}

async function recordSend(config: CliConfig, project: ProjectEntry, event: unknown) {
  if (!project.secretKey) throw new Error(`--record needs project ${project.id}'s secretKey`)
  const res = await fetch(`${config.collectorUrl}/v1/track`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${project.secretKey}:`).toString('base64')}`,
    },
    body: JSON.stringify(event),
  }).catch((err: Error) => {
    throw new Error(`--record: no collector at ${config.collectorUrl} (${err.message})`)
  })
  if (!res.ok) throw new Error(`--record: the collector answered ${res.status}: ${await res.text()}`)
}
