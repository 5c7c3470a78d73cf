/**
 * What a Shopify store's webhooks say of its orders, as Touchpoint's order events: `orders/create` as `Order
 * Completed`, `refunds/create` as `Order Refunded`, each with the shop's order id as `orderId`, so the orders
 * report, the attribution and customer reports net of refunds and a customer's profile see both. A server that
 * takes the webhooks verifies each body's signature, then records these with the secret key;
 * examples/commerce/webhook.ts is one.
 *
 * Who: the shop's customer id as the user id. For the order to meet the visits that led to it, the storefront
 * puts the anonymous id tp.js gives (`tp.ready((t) => …t.anonymousId())`) in a cart attribute named
 * `tp_anonymous_id`; the order then links that browser to the customer. A refund's webhook names
 * no customer: it is recorded for `shopify-order-<id>`, an id each order links to its customer, so the refund
 * lands in the right profile. No email address or name leaves the webhook.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Touchpoint } from '@touchpoint/node'

type OrderMessage = Parameters<Touchpoint['orderCompleted']>[0]
type RefundMessage = Parameters<Touchpoint['orderRefunded']>[0]
type IdentifyMessage = Parameters<Touchpoint['identify']>[0]

/** The fields of an `orders/create` body that matter here (Shopify's REST order; the rest stay in Shopify). */
export interface ShopifyOrder {
  id: number
  created_at: string
  currency: string
  /** text, as Shopify sends amounts: "120.00" */
  total_price: string
  /** where it was placed: web, pos, iphone, android, shopify_draft_order… */
  source_name?: string
  location_id?: number | null
  customer?: { id: number } | null
  note_attributes?: Array<{ name: string; value: string }>
  discount_codes?: Array<{ code: string }>
  line_items?: Array<{
    product_id: number | null
    variant_id?: number | null
    sku?: string | null
    title: string
    quantity: number
    price: string
  }>
}

type ShopifyLine = NonNullable<ShopifyOrder['line_items']>[number]

/** The fields of a `refunds/create` body that matter here. */
export interface ShopifyRefund {
  id: number
  order_id: number
  created_at: string
  transactions?: Array<{ kind: string; status: string; amount: string; currency?: string }>
  /** the lines that came back: how many of which of the order's lines */
  refund_line_items?: Array<{ quantity: number; line_item: ShopifyLine }>
}

/** Whether `hmac` (the X-Shopify-Hmac-Sha256 header) signs `body`, the raw bytes, with the app's secret. */
export function verifyShopify(body: Buffer | string, hmac: string | undefined, secret: string): boolean {
  if (!hmac) return false
  const expected = createHmac('sha256', secret).update(body).digest()
  const given = Buffer.from(hmac, 'base64')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

const orderPerson = (orderId: number | string) => `shopify-order-${orderId}`

const CHANNELS: Record<string, OrderMessage['properties']['channel']> = {
  web: 'web',
  pos: 'store',
  iphone: 'app',
  android: 'app',
}

/** An order's line as a product of Touchpoint's order events, `quantity` of it. */
const product = (line: ShopifyLine, quantity: number) => ({
  productId: String(line.product_id ?? line.variant_id ?? line.sku ?? line.title),
  ...(line.sku ? { sku: line.sku } : {}),
  name: line.title,
  price: Number(line.price),
  quantity,
})

/**
 * The calls an order's webhook makes: the order, and an identify that links the order's id to its customer (none
 * for a guest). Its messageId is the order's, so a webhook delivered twice counts once.
 */
export function orderCalls(order: ShopifyOrder): { order: OrderMessage; link?: IdentifyMessage } {
  const browser = order.note_attributes?.find((a) => a.name === 'tp_anonymous_id')?.value
  const userId = order.customer ? String(order.customer.id) : undefined
  const channel = CHANNELS[order.source_name ?? 'web'] ?? 'other'
  const identity = userId
    ? { userId, ...(browser && { anonymousId: browser }) }
    : { anonymousId: browser ?? orderPerson(order.id) }
  return {
    order: {
      ...identity,
      messageId: `shopify-order-${order.id}`,
      timestamp: order.created_at,
      properties: {
        orderId: String(order.id),
        revenue: Number(order.total_price),
        currency: order.currency,
        channel,
        ...(channel === 'store' && order.location_id ? { storeId: String(order.location_id) } : {}),
        ...(order.discount_codes?.[0] ? { coupon: order.discount_codes[0].code } : {}),
        products: (order.line_items ?? []).map((line) => product(line, line.quantity)),
      },
    },
    ...(userId && {
      link: { userId, anonymousId: orderPerson(order.id), messageId: `shopify-order-link-${order.id}` },
    }),
  }
}

/**
 * A refund's webhook as `Order Refunded`: what its successful refund transactions gave back, and the lines that
 * came back as its products (the products report's returns). Null for a refund that gave no money back (items
 * restocked only, or its transaction not through yet): nothing was refunded.
 */
export function refundCall(refund: ShopifyRefund): RefundMessage | null {
  const paid = (refund.transactions ?? []).filter((t) => t.kind === 'refund' && t.status === 'success')
  const amount = paid.reduce((sum, t) => sum + Number(t.amount), 0)
  if (!(amount > 0)) return null
  const currency = paid.find((t) => t.currency)?.currency
  return {
    anonymousId: orderPerson(refund.order_id),
    messageId: `shopify-refund-${refund.id}`,
    timestamp: refund.created_at,
    properties: {
      orderId: String(refund.order_id),
      revenue: amount,
      ...(currency && { currency }),
      ...(refund.refund_line_items?.length && {
        products: refund.refund_line_items.map((r) => product(r.line_item, r.quantity)),
      }),
    },
  }
}
