import { z } from 'zod'
import { context, isoDateTime } from './events'
import { jsonObject } from './json'
import { MAX_EVENTS_PER_BATCH, MAX_ID_LENGTH } from './limits'

/**
 * The envelope of POST /v1/batch. Items are validated one by one (see validateEvent) so that one bad event
 * does not sink the others; the envelope itself must be well formed. Batch-level context is merged under
 * each event's own context, as Segment does.
 */
export const batchEnvelope = z.looseObject({
  batch: z.array(z.unknown()),
  context: context.optional(),
  integrations: jsonObject.optional(),
  writeKey: z.string().max(MAX_ID_LENGTH).optional(),
  sentAt: isoDateTime.optional(),
})

export type BatchEnvelope = z.infer<typeof batchEnvelope>

export { MAX_EVENTS_PER_BATCH }
