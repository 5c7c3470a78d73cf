import { z } from 'zod'
import { jsonObject } from './json'
import {
  MAX_ID_LENGTH,
  MAX_NAME_LENGTH,
  MAX_TEXT_LENGTH,
  MAX_URL_LENGTH,
  MAX_USER_AGENT_LENGTH,
} from './limits'
import { parseTimestamp } from './time'

/**
 * The Segment HTTP tracking API, as Touchpoint accepts it: track, page, screen, identify, alias, group.
 * Unknown top-level and context keys are allowed (Segment libraries send several), known ones are checked.
 */

export const id = z.string().min(1, { error: 'must not be empty' }).max(MAX_ID_LENGTH)
const name = z.string().min(1, { error: 'must not be empty' }).max(MAX_NAME_LENGTH)
const text = z.string().max(MAX_TEXT_LENGTH)
const url = z.string().max(MAX_URL_LENGTH)
export const isoDateTime = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(parseTimestamp(s)), {
    error: 'must be an ISO-8601 date-time, such as 2026-11-03T18:40:00Z (one without a zone is UTC)',
  })

export const pageContext = z.looseObject({
  path: url.optional(),
  referrer: url.optional(),
  search: url.optional(),
  title: text.optional(),
  url: url.optional(),
})

export const campaignContext = z.looseObject({
  name: text.optional(),
  source: text.optional(),
  medium: text.optional(),
  term: text.optional(),
  content: text.optional(),
})

export const context = z.looseObject({
  ip: z.string().max(64).optional(),
  userAgent: z.string().max(MAX_USER_AGENT_LENGTH).optional(),
  locale: text.optional(),
  timezone: text.optional(),
  page: pageContext.optional(),
  campaign: campaignContext.optional(),
  referrer: z.looseObject({ url: url.optional() }).optional(),
  screen: z
    .looseObject({
      width: z.number().int().min(0).max(100_000).optional(),
      height: z.number().int().min(0).max(100_000).optional(),
      density: z.number().min(0).max(100).optional(),
    })
    .optional(),
  library: z.looseObject({ name: text.optional(), version: text.optional() }).optional(),
  traits: jsonObject.optional(),
  /** Touchpoint extension: the SDK's session id. */
  sessionId: id.optional(),
  /** Touchpoint extension: the signed email hand-off from a tracked link's landing URL (links this browser). */
  emailHandoff: z.string().max(4096).optional(),
})

const common = {
  messageId: id.optional(),
  // Segment's browser library sends `"userId": null` until a visitor is identified: null is no id, as absent is
  anonymousId: id.nullish(),
  userId: id.nullish(),
  timestamp: isoDateTime.optional(),
  originalTimestamp: isoDateTime.optional(),
  sentAt: isoDateTime.optional(),
  context: context.optional(),
  integrations: jsonObject.optional(),
  writeKey: z.string().max(MAX_ID_LENGTH).optional(),
}

const hasPerson = (e: { userId?: string | null | undefined; anonymousId?: string | null | undefined }) =>
  e.userId != null || e.anonymousId != null
const personRequired = { error: 'userId or anonymousId is required', path: ['userId'] }

export const trackEvent = z
  .looseObject({ ...common, type: z.literal('track'), event: name, properties: jsonObject.optional() })
  .refine(hasPerson, personRequired)

export const pageEvent = z
  .looseObject({
    ...common,
    type: z.literal('page'),
    name: name.optional(),
    category: name.optional(),
    properties: jsonObject.optional(),
  })
  .refine(hasPerson, personRequired)

export const screenEvent = z
  .looseObject({
    ...common,
    type: z.literal('screen'),
    name: name.optional(),
    category: name.optional(),
    properties: jsonObject.optional(),
  })
  .refine(hasPerson, personRequired)

export const identifyEvent = z
  .looseObject({ ...common, type: z.literal('identify'), traits: jsonObject.optional() })
  .refine(hasPerson, personRequired)

export const aliasEvent = z.looseObject({ ...common, type: z.literal('alias'), previousId: id, userId: id })

export const groupEvent = z
  .looseObject({ ...common, type: z.literal('group'), groupId: id, traits: jsonObject.optional() })
  .refine(hasPerson, personRequired)

export const EVENT_TYPES = ['track', 'page', 'screen', 'identify', 'alias', 'group'] as const
export type EventType = (typeof EVENT_TYPES)[number]

export const eventSchemas = {
  track: trackEvent,
  page: pageEvent,
  screen: screenEvent,
  identify: identifyEvent,
  alias: aliasEvent,
  group: groupEvent,
} as const

export const incomingEvent = z.union([
  trackEvent,
  pageEvent,
  screenEvent,
  identifyEvent,
  aliasEvent,
  groupEvent,
])

export type TrackEvent = z.infer<typeof trackEvent>
export type PageEvent = z.infer<typeof pageEvent>
export type ScreenEvent = z.infer<typeof screenEvent>
export type IdentifyEvent = z.infer<typeof identifyEvent>
export type AliasEvent = z.infer<typeof aliasEvent>
export type GroupEvent = z.infer<typeof groupEvent>
export type IncomingEvent = z.infer<typeof incomingEvent>
export type EventContext = z.infer<typeof context>
