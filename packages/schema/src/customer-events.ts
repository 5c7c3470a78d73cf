import { z } from 'zod'
import { EVENT_NAMES } from './event-names'
import { isPlainObject, type JsonObject } from './json'
import { MAX_ID_LENGTH, MAX_NAME_LENGTH } from './limits'
import { decimalAsNumber, MAX_REVENUE, NOT_AN_AMOUNT } from './revenue'

/**
 * The customer-data events that happen off the website: orders, subscriptions, surveys, support, calls, store
 * visits, leads and sends. Each is a `track` call with a documented name and these properties (docs/events.md).
 *
 * The server SDK's helpers check the whole schema before sending. The collector checks the type of every
 * field that is present (a string NPS answer or a negative revenue is refused, naming the field), but does
 * not require fields, so events sent by Segment-spec libraries under other property names still land. A field
 * that is null is one not given (a database's NULL, Python's None), either way.
 */

const ref = z.string().min(1, { error: 'must not be empty' }).max(MAX_ID_LENGTH)
const label = z.string().max(MAX_NAME_LENGTH)
/** An amount of money, at most what the revenue column holds; `error` says what a value of another type is. */
const amountOf = (error?: z.core.$ZodErrorMap) => z.number({ error }).finite().min(0).max(MAX_REVENUE)
const amount = amountOf()
const currency = z.string().regex(/^[A-Za-z]{3}$/, { error: 'must be a 3-letter ISO 4217 code' })
const seconds = z.number().finite().min(0).max(1e9)

/** Where an order was taken (the orders report breaks revenue down by it). */
export const SALES_CHANNELS = ['web', 'store', 'phone', 'app', 'marketplace', 'other'] as const

export const product = z.looseObject({
  productId: ref,
  sku: ref.nullish(),
  name: label.nullish(),
  category: label.nullish(),
  price: amount.nullish(),
  quantity: z.number().int().min(1).max(1e6).nullish(),
})

export const orderCompleted = z.looseObject({
  orderId: ref,
  revenue: amount,
  currency,
  products: z.array(product).max(500).nullish(),
  channel: z.enum(SALES_CHANNELS),
  /** the store that took the order, for channel "store" */
  storeId: ref.nullish(),
  coupon: label.nullish(),
})

/**
 * An order given back: `revenue` is what was refunded, in `currency` (a partial refund), and without it the whole
 * order was. The order is the `Order Completed` with the same `orderId`; `products`, the lines that came back.
 */
export const orderRefunded = z.looseObject({
  orderId: ref,
  revenue: amount.nullish(),
  currency: currency.nullish(),
  products: z.array(product).max(500).nullish(),
  /** a short reason code ("damaged"), not a customer's words */
  reason: label.nullish(),
})

export const subscriptionStarted = z.looseObject({
  subscriptionId: ref,
  plan: label,
  /** what one billing period costs */
  revenue: amount.nullish(),
  currency: currency.nullish(),
  interval: z.enum(['day', 'week', 'month', 'year']).nullish(),
})

export const subscriptionCancelled = z.looseObject({
  subscriptionId: ref,
  plan: label.nullish(),
  /** a short reason code ("too-expensive"), not a customer's words */
  reason: label.nullish(),
})

/** The kinds of question a survey asks; `nps` answers are a whole number from 0 to 10. */
export const SURVEY_TYPES = ['nps', 'csat', 'rating', 'choice', 'text'] as const

const surveyFields = z.looseObject({
  survey: ref,
  question: label,
  type: z.enum(SURVEY_TYPES).nullish(),
  answer: z.union([
    z.number().finite(),
    z.string().max(4096),
    z.boolean(),
    z.array(z.string().max(MAX_NAME_LENGTH)).max(100),
  ]),
})

const isNpsAnswer = (s: { type?: string | null | undefined; answer?: unknown }) =>
  s.type !== 'nps' ||
  (typeof s.answer === 'number' && Number.isInteger(s.answer) && s.answer >= 0 && s.answer <= 10)
const npsMessage = () => ({ error: 'an NPS answer must be a whole number from 0 to 10', path: ['answer'] })

export const surveyAnswered = surveyFields.refine(isNpsAnswer, npsMessage())

export const TICKET_CHANNELS = ['email', 'chat', 'phone', 'web', 'social', 'store', 'other'] as const

export const supportTicketOpened = z.looseObject({
  ticketId: ref,
  channel: z.enum(TICKET_CHANNELS).nullish(),
  priority: z.enum(['low', 'normal', 'high', 'urgent']).nullish(),
  category: label.nullish(),
})

export const supportTicketResolved = z.looseObject({
  ticketId: ref,
  resolution: label.nullish(),
  /** from opening to resolution */
  durationSeconds: seconds.nullish(),
})

export const callLogged = z.looseObject({
  callId: ref,
  direction: z.enum(['inbound', 'outbound']),
  durationSeconds: seconds,
  outcome: label.nullish(),
  agentId: ref.nullish(),
})

export const storeVisited = z.looseObject({
  storeId: ref,
  durationMinutes: z.number().finite().min(0).max(1440).nullish(),
})

/** Only which form: never what was typed into it, so a lead event carries no free-text personal data. */
export const leadCaptured = z.strictObject({
  formName: z.string().max(MAX_NAME_LENGTH),
  formId: z.string().max(MAX_ID_LENGTH).nullish(),
})

export const emailSent = z.looseObject({
  campaignId: ref,
  emailId: ref,
})

/** What became of a send, as the email service reports it: the same campaign and email as its `Email Sent`. */
export const emailDelivered = emailSent
export const EMAIL_BOUNCE_TYPES = ['hard', 'soft'] as const
export const emailBounced = z.looseObject({
  campaignId: ref,
  emailId: ref,
  /** hard: the address does not take mail (stop sending to it); soft: a full inbox, say, that may clear */
  bounceType: z.enum(EMAIL_BOUNCE_TYPES).nullish(),
  reason: label.nullish(),
})
export const emailMarkedAsSpam = emailSent
export const emailUnsubscribed = emailSent

/**
 * A person was shown a variant of an A/B test (Segment's event; the experiments report reads it). The report also
 * takes Segment's spec's `experiment_id` and `variation_id`, and a `variant`; a variation may be its index, as
 * GrowthBook sends it.
 */
export const experimentViewed = z.looseObject({
  experimentId: ref,
  variationId: z.union([ref, z.number().int().min(0)]),
  experimentName: label.nullish(),
  variationName: label.nullish(),
})

/** Event name → the schema of its properties. */
export const customerEvents = {
  [EVENT_NAMES.orderCompleted]: orderCompleted,
  [EVENT_NAMES.orderRefunded]: orderRefunded,
  [EVENT_NAMES.subscriptionStarted]: subscriptionStarted,
  [EVENT_NAMES.subscriptionCancelled]: subscriptionCancelled,
  [EVENT_NAMES.surveyAnswered]: surveyAnswered,
  [EVENT_NAMES.supportTicketOpened]: supportTicketOpened,
  [EVENT_NAMES.supportTicketResolved]: supportTicketResolved,
  [EVENT_NAMES.callLogged]: callLogged,
  [EVENT_NAMES.storeVisited]: storeVisited,
  [EVENT_NAMES.leadCaptured]: leadCaptured,
  [EVENT_NAMES.emailSent]: emailSent,
  [EVENT_NAMES.emailDelivered]: emailDelivered,
  [EVENT_NAMES.emailBounced]: emailBounced,
  [EVENT_NAMES.emailMarkedAsSpam]: emailMarkedAsSpam,
  [EVENT_NAMES.emailUnsubscribed]: emailUnsubscribed,
  [EVENT_NAMES.experimentViewed]: experimentViewed,
} as const

export type CustomerEventName = keyof typeof customerEvents
export type OrderCompleted = z.input<typeof orderCompleted>
export type OrderRefunded = z.input<typeof orderRefunded>
export type Product = z.input<typeof product>
export type SubscriptionStarted = z.input<typeof subscriptionStarted>
export type SubscriptionCancelled = z.input<typeof subscriptionCancelled>
export type SurveyAnswered = z.input<typeof surveyAnswered>
export type SupportTicketOpened = z.input<typeof supportTicketOpened>
export type SupportTicketResolved = z.input<typeof supportTicketResolved>
export type CallLogged = z.input<typeof callLogged>
export type StoreVisited = z.input<typeof storeVisited>
export type LeadCaptured = z.input<typeof leadCaptured>
export type EmailSent = z.input<typeof emailSent>
export type EmailBounced = z.input<typeof emailBounced>
export type ExperimentViewed = z.input<typeof experimentViewed>

/** Each field of an object schema also taken when absent or null, its strictness kept. */
const nullable = (schema: z.ZodObject) =>
  schema.extend(
    Object.fromEntries(Object.entries(schema.shape).map(([k, f]) => [k, (f as z.ZodType).nullish()])),
  )

/**
 * An amount as the collector takes it: a number, or a decimal string of one ("12.50", as a shop's backend or a
 * spreadsheet writes prices), as the revenue column takes it (revenue.ts). The SDK's helpers ask for numbers.
 */
const writtenAmount = z.preprocess(
  decimalAsNumber,
  amountOf((issue) => (issue.code === 'invalid_type' ? NOT_AN_AMOUNT : undefined)),
)
const orderAmounts = {
  revenue: writtenAmount.nullish(),
  products: z
    .array(product.extend({ price: writtenAmount.nullish() }))
    .max(500)
    .nullish(),
}

/**
 * The collector's variant of each schema: every field optional (absent or null), but a present field must have
 * its documented type (and an NPS answer must still be 0–10).
 */
const lenient: Record<string, z.ZodType> = {
  ...Object.fromEntries(
    Object.entries(customerEvents)
      .filter(([name]) => name !== EVENT_NAMES.surveyAnswered)
      .map(([name, schema]) => [name, nullable(schema as z.ZodObject)]),
  ),
  [EVENT_NAMES.orderCompleted]: nullable(orderCompleted).extend(orderAmounts),
  [EVENT_NAMES.orderRefunded]: nullable(orderRefunded).extend(orderAmounts),
  [EVENT_NAMES.subscriptionStarted]: nullable(subscriptionStarted).extend({
    revenue: writtenAmount.nullish(),
  }),
  // refined, so the fields must be made optional before the refinement
  [EVENT_NAMES.surveyAnswered]: nullable(surveyFields).refine(isNpsAnswer, npsMessage()),
}

const ORDER_EVENTS: ReadonlySet<string> = new Set([EVENT_NAMES.orderCompleted, EVENT_NAMES.orderRefunded])
/** An order's or a line's id: Touchpoint's name, else the spec's (null is none), a number as its digits. */
const idOf = (own: unknown, spec: unknown) => {
  const id = own ?? spec
  return typeof id === 'number' && Number.isFinite(id) ? String(id) : id
}
const taken = (id: unknown, own: unknown) => id != null && id !== own

/**
 * An order event's properties with the names of Segment's e-commerce spec taken as Touchpoint's, where Touchpoint's
 * are missing: `order_id` as `orderId` and each line's `product_id` (or `id`) as `productId`, and an id sent as a number
 * (a shop's database's) as its digits, so a Segment library's orders and their lines count in the reports that
 * read those (the revenue column already takes `total`). The names sent are kept beside them. The same object when
 * nothing is to be taken.
 */
export function withSpecNames(name: string, properties: Record<string, unknown> | undefined) {
  if (!properties || !ORDER_EVENTS.has(name)) return properties
  const orderId = idOf(properties.orderId, properties.order_id)
  const lines = Array.isArray(properties.products) ? properties.products : undefined
  // a line's id by the spec's first version, `id`, as Segment's Go library's Product writes it, after product_id
  const sent = (p: JsonObject) => idOf(p.productId, p.product_id ?? p.id)
  const line = (p: unknown): p is JsonObject => isPlainObject(p) && taken(sent(p), p.productId)
  const orderIdTaken = taken(orderId, properties.orderId)
  if (!orderIdTaken && !lines?.some(line)) return properties
  return {
    ...properties,
    ...(orderIdTaken && { orderId }),
    ...(lines && {
      products: lines.map((p) => (line(p) ? { ...p, productId: sent(p) } : p)),
    }),
  }
}

/** Issues with the properties of a customer-data event (none for other event names). */
export function customerEventIssues(name: string, properties: unknown): z.core.$ZodIssue[] {
  const schema = Object.hasOwn(lenient, name) ? lenient[name] : undefined
  if (!schema) return []
  const result = schema.safeParse(properties ?? {})
  return result.success ? [] : result.error.issues
}
