import { randomUUID } from 'node:crypto'
import { BODY_KEY_PATTERN, REDACTED_BODY_KEY } from '@touchpoint/clickhouse'
import { RECORD_KIND } from '@touchpoint/loader'
import {
  EMAIL_EVENT_NAMES,
  type EventRow,
  type EventType,
  type FieldIssue,
  type IdentityRow,
  type IncomingEvent,
  limits,
  PLAN_CODES,
  type PlanChecker,
  parseTimestamp,
  type RejectedRow,
  validateEvent,
} from '@touchpoint/schema'
import type { HandoffVerifier } from '../email/handoff'
import { chDateTime, outOfRange } from '../enrich/clock'
import {
  type EventInput,
  identityOf,
  type PersonFields,
  personFields,
  type RequestFacts,
  toEventRow,
} from '../enrich/event-row'
import { eventIdFor, violationIdFor } from '../enrich/ids'
import { anonymizeIp } from '../enrich/ip'
import { DEFAULT_SECRETS, redactCall, type SecretNames } from '../enrich/redact'
import type { ErrorCode } from '../errors'
import type { OutboundRecord } from '../pipeline/sink'
import { Lru } from '../util/lru'

/** Identity links recently written, so an identified visitor's every event does not write the link again. */
const IDENTITY_CACHE_SIZE = 100_000
/**
 * How long a link written stays taken for written. A person erased and back on the same device is linked again by
 * then, on a collector that did not see the erasure (forgetLinks); an active visitor costs a link record an hour.
 */
export const LINK_RESEND_MS = 60 * 60 * 1000

export interface RejectedEvent {
  index: number
  messageId?: string
  /** for a refusal by the project's tracking plan; any other failed validation (TP_ERR_VALIDATION) */
  code?: typeof PLAN_CODES.refused
  issues: FieldIssue[]
}

export interface Processed {
  records: OutboundRecord[]
  accepted: number
  rejected: RejectedEvent[]
}

/** Validates and enriches the events of one request into outbound records (events, identity links, rejects). */
export class EventProcessor {
  /** each link written lately, with when */
  private readonly linked = new Lru<string, number>(IDENTITY_CACHE_SIZE)

  /**
   * With `deferRows`, an accepted event goes out as an event input (its call, facts and id) and its row is built
   * after the acknowledgement; the embedded pipeline does that off the request path (pipeline/row-builder.ts).
   * Building and serialising rows was the largest piece of the request path measured (docs/performance.md).
   */
  constructor(
    private readonly handoffs?: HandoffVerifier,
    private readonly options: {
      deferRows?: boolean
      /** the parameters a project's URLs have redacted (ProjectRegistry.secretsOf); the built-in ones without */
      secretsOf?: (projectId: string) => SecretNames
      /** a project's tracking plan (ProjectRegistry.planOf), if it has one */
      planOf?: (projectId: string) => PlanChecker | undefined
      /** the countries of IP addresses (GEOIP_COUNTRY_CSV), looked up before the address is anonymised */
      ipCountries?: { lookup(ip: string): string }
    } = {},
  ) {}

  process(
    items: readonly unknown[],
    impliedType: EventType | undefined,
    facts: RequestFacts,
    route: string,
    /** size of the whole body; when under the per-event limit, no event needs measuring on its own */
    bodyBytes: number,
  ): Processed {
    const records: OutboundRecord[] = []
    const rejected: RejectedEvent[] = []
    let accepted = 0
    // the event inputs of a batch carry the same facts: serialised once, not once an event (a lone event is
    // serialised in one go, which is cheaper for one)
    let factsJson: string | undefined
    const secrets = this.options.secretsOf?.(facts.projectId) ?? DEFAULT_SECRETS
    const plan = this.options.planOf?.(facts.projectId)
    // the request's country, looked up once for all its events (a server's own address places nobody)
    const geo = this.options.ipCountries
    let requestCountry: string | undefined
    items.forEach((raw, index) => {
      const bytes = bodyBytes <= limits.MAX_EVENT_BYTES ? bodyBytes : undefined
      const validated = validateEvent(raw, impliedType, bytes)
      const result = facts.trusted
        ? withTimeAServerCouldGive(validated, facts.receivedAt)
        : withoutEmailEvents(validated)
      if (!result.ok) {
        const messageId = (raw as { messageId?: unknown } | null)?.messageId
        rejected.push({ index, ...(typeof messageId === 'string' && { messageId }), issues: result.issues })
        records.push(rejectedRecord(facts, route, 'TP_ERR_VALIDATION', result.issues, raw))
        return
      }
      const offPlan = plan?.issues(result.event)
      if (offPlan?.length) {
        // a retried call's violation is loaded once (violationIdFor)
        const id = violationIdFor(facts.projectId, result.event.messageId)
        if (plan?.plan.violations === 'refuse') {
          records.push(rejectedRecord(facts, route, PLAN_CODES.refused, offPlan, raw, id))
          const { messageId } = result.event
          rejected.push({ index, ...(messageId && { messageId }), code: PLAN_CODES.refused, issues: offPlan })
          return
        }
        // the violation is kept beside the stored event as that event reaches the disk: URLs redacted, IP anonymised
        const call = spooledCall(redactCall(result.event, secrets))
        records.push(rejectedRecord(facts, route, PLAN_CODES.stored, offPlan, call, id))
      }
      if (this.options.deferRows && items.length > 1) factsJson ??= spooledFacts(facts)
      // a server's call for a customer names the customer's address
      const customerIp = geo && facts.trusted ? result.event.context?.ip : undefined
      if (geo && !customerIp && requestCountry === undefined)
        requestCountry = facts.trusted ? '' : geo.lookup(facts.ip)
      const country = geo && customerIp ? geo.lookup(customerIp) : (requestCountry ?? '')
      const { record, person: row } = acceptedRecord(
        result.event,
        facts,
        this.options.deferRows === true,
        factsJson,
        secrets,
        country,
      )
      records.push(record)
      accepted++
      this.addLink(records, identityOf(row), facts)
      const handoff = result.event.context?.emailHandoff
      if (handoff !== undefined && this.handoffs) {
        const h = this.handoffs.verify(
          facts.projectId,
          handoff,
          row.anonymous_id,
          row.timestamp,
          facts.receivedAt,
        )
        // the event stands either way; a hand-off that does not verify is kept with its reason
        if (h.ok) this.addLink(records, h.link, facts)
        else
          records.push(
            rejectedRecord(
              facts,
              route,
              'TP_ERR_EMAIL_TOKEN',
              [{ path: 'context.emailHandoff', message: h.reason }],
              handoff,
            ),
          )
      }
    })
    return { records, accepted, rejected }
  }

  /**
   * The link's record, unless this processor sent the same link within LINK_RESEND_MS. Its line carries
   * `received_at` beside the columns (ClickHouse skips a field it has no column for): the loaders' erasure ledger
   * judges a link by when it was received, where `linked_at` is the time the call names, which a server may
   * back-date. An import's carries none: it is history, judged by the time it names.
   */
  private addLink(records: OutboundRecord[], link: IdentityRow | null, facts: RequestFacts) {
    if (!link) return
    const { receivedAt } = facts
    const key = `${link.project_id}\0${link.anonymous_id}\0${link.user_id}`
    const sentAt = this.linked.get(key)
    if (sentAt !== undefined && receivedAt - sentAt < LINK_RESEND_MS) return
    this.linked.set(key, receivedAt)
    const payload = JSON.stringify(
      facts.source === 'import' ? link : { ...link, received_at: chDateTime(receivedAt) },
    )
    records.push({ kind: RECORD_KIND.identity, id: '', key, payload })
  }

  /**
   * Forgets the links it sent: after an erasure removed some of them, a person who comes back on the same device
   * is linked again rather than taken for sent.
   */
  forgetLinks(): void {
    this.linked.clear()
  }
}

/**
 * A server's or an import's call is stored at the time it names, uncorrected (eventTime), so a time no clock
 * could have given it is refused, naming why, where a browser's is replaced by the receive time: an import
 * whose epoch seconds were read as milliseconds (1970) would otherwise be stored all at once, at today's date.
 */
function withTimeAServerCouldGive(
  v: ReturnType<typeof validateEvent>,
  receivedAt: number,
): ReturnType<typeof validateEvent> {
  if (!v.ok) return v
  const path = v.event.timestamp !== undefined ? 'timestamp' : 'originalTimestamp'
  const text = v.event.timestamp ?? v.event.originalTimestamp
  if (text === undefined) return v
  const why = outOfRange(parseTimestamp(text), receivedAt, true)
  if (why === undefined) return v
  const message =
    why === 'early'
      ? `is before ${EARLIEST}, the earliest a server's call may carry`
      : `is more than ${limits.MAX_FUTURE_SKEW_MS / 60_000} minutes ahead of the collector's clock`
  return { ok: false, issues: [{ path, message }] }
}
const EARLIEST = new Date(limits.MIN_TRUSTED_TIMESTAMP_MS).toISOString().slice(0, 10)

/** An email event is the email routes' or a server's to record: one from a write key is refused, naming why. */
function withoutEmailEvents(v: ReturnType<typeof validateEvent>): ReturnType<typeof validateEvent> {
  if (!v.ok || v.event.type !== 'track' || !EMAIL_EVENT_NAMES.has(v.event.event)) return v
  const message = `${v.event.event} is recorded by the email routes or a server with the secret key; a write key is public and cannot send it`
  return { ok: false, issues: [{ path: 'event', message }] }
}

/** The key that keeps one person's records in order (Kafka partitions by it). */
const personKey = (row: Pick<EventRow, 'project_id' | 'anonymous_id' | 'user_id'>) =>
  `${row.project_id}:${row.anonymous_id || row.user_id}`

/**
 * The record of an accepted call, with the fields of its row that its identity link needs: its row, built now,
 * or with `deferRows` its event input, whose row the pipeline builds after the acknowledgement. The call is kept
 * with the email addresses and secrets in its URLs redacted (enrich/redact.ts), before it reaches the spool or
 * Kafka.
 */
export function acceptedRecord(
  event: IncomingEvent,
  facts: RequestFacts,
  deferRows: boolean,
  /** spooledFacts(facts), for the events of a batch, which share it */
  factsJson?: string,
  /** the parameters the project's URLs have redacted */
  secrets: SecretNames = DEFAULT_SECRETS,
  /** the country of the call's address (GEOIP_COUNTRY_CSV), '' for none */
  country = '',
): { record: OutboundRecord; person: PersonFields } {
  event = redactCall(event, secrets)
  if (deferRows) {
    const person = personFields(event, facts)
    return { record: eventInputRecord(event, facts, factsJson, person, country), person }
  }
  const row = toEventRow(event, facts, undefined, country)
  return { record: eventRecord(row), person: row }
}

/** The outbound record of an accepted event, keyed by person so one person's events stay in order in Kafka. */
function eventRecord(row: EventRow): OutboundRecord {
  return { kind: RECORD_KIND.event, id: row.event_id, key: personKey(row), payload: rowJson(row) }
}

/**
 * A request's facts as an event input spools them. The client's address is anonymised before it is spooled, as
 * the row would store it (anonymising twice gives the same address), so no full IP address reaches the disk.
 */
const spooledFactsOf = (facts: RequestFacts): RequestFacts => ({ ...facts, ip: anonymizeIp(facts.ip) })
const spooledFacts = (facts: RequestFacts) => JSON.stringify(spooledFactsOf(facts))

/**
 * The outbound record of an accepted event whose row is built later (see EventInput), with its id fixed now: the
 * JSON of `{ id, event, facts, country }`, its facts' JSON given when a batch's events share it, the country (two
 * capital letters: IpCountries) only when there is one. A server call's `context.ip` is anonymised as the
 * request's address is.
 */
function eventInputRecord(
  event: IncomingEvent,
  facts: RequestFacts,
  factsJson: string | undefined,
  person: PersonFields,
  country: string,
): OutboundRecord {
  const id = eventIdFor(facts.projectId, event.messageId)
  const spooled = spooledCall(event)
  const payload =
    factsJson === undefined
      ? JSON.stringify({
          id,
          event: spooled,
          facts: spooledFactsOf(facts),
          ...(country && { country }),
        } satisfies EventInput)
      : `{"id":${JSON.stringify(id)},"event":${JSON.stringify(spooled)},"facts":${factsJson}${country ? `,"country":"${country}"` : ''}}`
  return { kind: RECORD_KIND.eventInput, id, key: personKey(person), payload }
}

/**
 * A redacted call as it may reach the disk: a key sent in the body (Segment's way) authenticated the call and is
 * not part of it, and a server call's `context.ip` is anonymised as the request's address is.
 */
function spooledCall(event: IncomingEvent): IncomingEvent {
  const ctxIp = event.context?.ip
  if (!ctxIp && event.writeKey === undefined) return event
  return {
    ...event,
    writeKey: undefined,
    context: ctxIp ? { ...event.context, ip: anonymizeIp(ctxIp) } : event.context,
  }
}

/** The `events` row of a spooled event input, as the line the loader inserts. */
export function buildEventRow(payload: string): string {
  const { id, event, facts, country } = JSON.parse(payload) as EventInput
  return rowJson(toEventRow(event, facts, id, country))
}

/** Leaves a row's empty strings and nulls out of its JSON (the root, key '', is the row itself). */
const withoutEmpty = (key: string, value: unknown) =>
  key !== '' && (value === '' || value === null) ? undefined : value

/**
 * A row as one JSONEachRow line without its empty strings and nulls: ClickHouse gives an omitted column its
 * default, which is that same value (no column of `events` has a default of its own). A track call's row
 * shrinks from 989 to 571 bytes, so the spool, Kafka and ClickHouse each handle little more than half the
 * bytes; chDB inserts 5,000 such rows in 83 ms of CPU instead of 110 ms (docs/performance.md, "Loading").
 * Every column is a string, a number or null, so a replacer that drops the empty ones writes the same text as
 * stringifying a copy without them, and it takes the row builder's thread about 10% less time a row.
 */
export const rowJson = (row: EventRow): string => JSON.stringify(row, withoutEmpty)

const BODY_KEY = new RegExp(BODY_KEY_PATTERN, 'g')

/** A refused body as events_rejected keeps it: any `writeKey` in it redacted (BODY_KEY_PATTERN says why). */
const withoutBodyKeys = (text: string): string =>
  text.includes('writeKey') ? text.replace(BODY_KEY, REDACTED_BODY_KEY) : text

/** The code of an accepted event that ClickHouse refused to store for what it holds (pipeline/refused.ts). */
export const STORAGE_REFUSED = 'TP_STORAGE_REFUSED'

/** A record of a refused call, keeping the reasons and (up to MAX_REJECTED_RAW_BYTES of) the raw payload. */
export function rejectedRecord(
  facts: Pick<RequestFacts, 'projectId' | 'source' | 'receivedAt' | 'ip' | 'userAgent'>,
  route: string,
  /** the error's code, or PLAN_CODES.stored for an event stored with its violation of the tracking plan noted */
  code: ErrorCode | typeof PLAN_CODES.stored | typeof STORAGE_REFUSED,
  issues: FieldIssue[],
  raw: unknown,
  /** the record's id; a random one when the call gives nothing to derive one from */
  id: string = randomUUID(),
): OutboundRecord {
  let text: string
  try {
    text = typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? String(raw))
  } catch {
    text = String(raw)
  }
  text = withoutBodyKeys(text)
  const row: RejectedRow = {
    rejected_id: id,
    project_id: facts.projectId,
    received_at: chDateTime(facts.receivedAt),
    source: facts.source,
    route,
    error_code: code,
    reason: JSON.stringify(issues),
    raw: text.length > limits.MAX_REJECTED_RAW_BYTES ? text.slice(0, limits.MAX_REJECTED_RAW_BYTES) : text,
    ip: anonymizeIp(facts.ip),
    user_agent: (facts.userAgent ?? '').slice(0, limits.MAX_USER_AGENT_LENGTH),
  }
  return {
    kind: RECORD_KIND.rejected,
    id: row.rejected_id,
    key: row.project_id,
    payload: JSON.stringify(row),
  }
}
