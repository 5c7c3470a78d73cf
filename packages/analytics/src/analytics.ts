import type { ClickHouse } from '@touchpoint/clickhouse'
import { type AttributionResult, attribution } from './attribution/attribution'
import { type FunnelResult, funnel } from './funnel'
import { type FunnelPeopleResult, funnelPeople } from './funnel-people'
import { Reader } from './reader'
import { type AcquisitionResult, acquisition } from './reports/acquisition'
import { type EmailCampaignReport, emailReport } from './reports/email'
import { type EventsResult, eventNames } from './reports/events'
import { type LiveResult, live } from './reports/live'
import { type NpsResult, nps } from './reports/nps'
import { type OrdersResult, orders } from './reports/orders'
import { type PagesResult, pages } from './reports/pages'
import { type PathsResult, paths } from './reports/paths'
import { type Profile, profile } from './reports/profile'
import { eventProperties, type PropertiesResult } from './reports/properties'
import { type RejectedResult, rejected } from './reports/rejected'
import { type RetentionResult, retention } from './reports/retention'
import { type SubscriptionsResult, subscriptions } from './reports/subscriptions'
import { type SupportResult, support } from './reports/support'
import { type SurveyResult, survey } from './reports/survey'
import { type TimeOfDayResult, timeOfDay } from './reports/time-of-day'
import { type TrafficResult, traffic } from './reports/traffic'
import type {
  AcquisitionRequest,
  AttributionRequest,
  EmailReportRequest,
  EventsRequest,
  FunnelPeopleRequest,
  FunnelRequest,
  LiveRequest,
  NpsRequest,
  OrdersRequest,
  PagesRequest,
  PathsRequest,
  ProfileRequest,
  PropertiesRequest,
  RejectedRequest,
  RetentionRequest,
  SubscriptionsRequest,
  SupportRequest,
  SurveyRequest,
  TimeOfDayRequest,
  TrafficRequest,
} from './requests'

/**
 * The TypeScript API. Each method validates its request with the same zod schema as the HTTP API (a ZodError
 * names the field) and runs read-only queries through @clickhouse/client, embedded or server alike.
 *
 * ```ts
 * const analytics = new Analytics(await createClickHouse({ url: 'http://clickhouse:8123' }))
 * const f = await analytics.funnel({ project: 'shop', from: '2026-11-01', to: '2026-11-08',
 *   steps: [{ event: 'Page Viewed', filters: [{ property: 'path', op: 'eq', value: '/pricing' }] },
 *           { event: 'Signed Up' }] })
 * ```
 */
export class Analytics {
  private readonly reader: Reader

  constructor(ch: ClickHouse) {
    this.reader = new Reader(ch)
  }

  funnel(request: FunnelRequest): Promise<FunnelResult> {
    return funnel(this.reader, request)
  }

  /** The people behind one of a funnel's numbers: who reached a step, or who dropped out there. */
  funnelPeople(request: FunnelPeopleRequest): Promise<FunnelPeopleResult> {
    return funnelPeople(this.reader, request)
  }

  attribution(request: AttributionRequest): Promise<AttributionResult> {
    return attribution(this.reader, request)
  }

  profile(request: ProfileRequest): Promise<Profile | null> {
    return profile(this.reader, request)
  }

  timeOfDay(request: TimeOfDayRequest): Promise<TimeOfDayResult> {
    return timeOfDay(this.reader, request)
  }

  orders(request: OrdersRequest): Promise<OrdersResult> {
    return orders(this.reader, request)
  }

  nps(request: NpsRequest): Promise<NpsResult> {
    return nps(this.reader, request)
  }

  traffic(request: TrafficRequest): Promise<TrafficResult> {
    return traffic(this.reader, request)
  }

  events(request: EventsRequest): Promise<EventsResult> {
    return eventNames(this.reader, request)
  }

  properties(request: PropertiesRequest): Promise<PropertiesResult> {
    return eventProperties(this.reader, request)
  }

  rejected(request: RejectedRequest): Promise<RejectedResult> {
    return rejected(this.reader, request)
  }

  live(request: LiveRequest): Promise<LiveResult> {
    return live(this.reader, request)
  }

  retention(request: RetentionRequest): Promise<RetentionResult> {
    return retention(this.reader, request)
  }

  pages(request: PagesRequest): Promise<PagesResult> {
    return pages(this.reader, request)
  }

  survey(request: SurveyRequest): Promise<SurveyResult> {
    return survey(this.reader, request)
  }

  /** What people did after a point: the commonest paths of the events that followed it. */
  paths(request: PathsRequest): Promise<PathsResult> {
    return paths(this.reader, request)
  }

  /** What the people each channel first brought were worth: their conversions and revenue within a horizon. */
  acquisition(request: AcquisitionRequest): Promise<AcquisitionResult> {
    return acquisition(this.reader, request)
  }

  /** Subscriptions: active, new, cancelled and churned, revenue a month, by plan, and why people cancelled. */
  subscriptions(request: SubscriptionsRequest): Promise<SubscriptionsResult> {
    return subscriptions(this.reader, request)
  }

  /** Support tickets: opened, resolved, time to resolution, still open, by channel, priority or category. */
  support(request: SupportRequest): Promise<SupportResult> {
    return support(this.reader, request)
  }

  email(request: EmailReportRequest): Promise<EmailCampaignReport[]> {
    return emailReport(this.reader, request)
  }
}
