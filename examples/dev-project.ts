import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * What the example scripts need from `pnpm start`: the dev project of the collector's projects file (keys) and
 * the collector's address. TOUCHPOINT_CONFIG names another projects file, TOUCHPOINT_URL another collector,
 * WEBHOOK_PORT another port for the email webhook example, SHOP_WEBHOOK_PORT for the shop's; the shop's webhook
 * example needs SHOPIFY_WEBHOOK_SECRET.
 */
export interface DevProject {
  id: string
  secretKey?: string
  email?: { keys: Array<{ id: string; secret: string }>; recipientSecret?: string }
}

const here = dirname(fileURLToPath(import.meta.url))
export const projectsFile = process.env.TOUCHPOINT_CONFIG ?? join(here, '../.touchpoint/touchpoint.json')
export const collectorUrl = process.env.TOUCHPOINT_URL ?? 'http://localhost:8080'
/** Where examples/email/webhook.ts listens for the email service's webhook. */
export const webhookPort = Number(process.env.WEBHOOK_PORT ?? 8082)
/** Where examples/commerce/webhook.ts listens for the shop's order webhooks, and the secret they are signed with. */
export const shopWebhookPort = Number(process.env.SHOP_WEBHOOK_PORT ?? 8083)
export const shopifyWebhookSecret = process.env.SHOPIFY_WEBHOOK_SECRET ?? ''

export function devProject(): DevProject {
  const project = (JSON.parse(readFileSync(projectsFile, 'utf8')).projects as DevProject[]).find(
    (p) => p.id === 'dev',
  )
  if (!project) throw new Error(`${projectsFile}: no dev project`)
  return project
}
