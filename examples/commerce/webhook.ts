/**
 * A server for a Shopify store's order webhooks (examples/commerce/shopify.ts maps them): each order and refund is
 * recorded with the dev project's secret key once its signature checks out, so `touchpoint report orders` counts
 * the refunds and `--net-of-refunds` credits what each order kept. After `pnpm start`:
 *
 *   SHOPIFY_WEBHOOK_SECRET=… pnpm tsx examples/commerce/webhook.ts   # :8083 (SHOP_WEBHOOK_PORT)
 *
 * and point the store's `orders/create` and `refunds/create` webhooks (JSON) at /shopify. A body whose
 * X-Shopify-Hmac-Sha256 does not sign it gets 401 and is recorded nowhere; one whose calls could not be
 * recorded (the collector away, the key retired) gets 503, and Shopify sends it again.
 */
import { createServer } from 'node:http'
import { shopWebhookPort as port, shopifyWebhookSecret as secret } from '../dev-project'
import { webhookClient } from '../webhook-client'
import { orderCalls, refundCall, type ShopifyOrder, type ShopifyRefund, verifyShopify } from './shopify'

if (!secret) throw new Error('SHOPIFY_WEBHOOK_SECRET: the secret Shopify signs the webhooks with')
const client = webhookClient()

createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/shopify') return res.writeHead(404).end()
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', async () => {
    const body = Buffer.concat(chunks)
    if (!verifyShopify(body, req.headers['x-shopify-hmac-sha256'] as string | undefined, secret))
      return res.writeHead(401).end('signature does not match')
    try {
      const topic = req.headers['x-shopify-topic']
      // answered once Touchpoint has them: a 503 makes Shopify send them again
      const dropped = await client.deliver((tp) => {
        if (topic === 'orders/create') {
          const { order, link } = orderCalls(JSON.parse(body.toString('utf8')) as ShopifyOrder)
          if (link) tp.identify(link)
          tp.orderCompleted(order)
          return link ? [link, order] : [order]
        }
        if (topic === 'refunds/create') {
          const refund = refundCall(JSON.parse(body.toString('utf8')) as ShopifyRefund)
          if (refund) tp.orderRefunded(refund)
          return refund ? [refund] : []
        }
        return []
      })
      if (dropped) res.writeHead(503).end(`not recorded, send it again: ${dropped}`)
      else res.writeHead(200).end()
    } catch (err) {
      res.writeHead(400).end(String(err))
    }
  })
}).listen(port, () => process.stdout.write(`Shopify webhooks on http://localhost:${port}/shopify\n`))
