import type { ClickHouse } from '@touchpoint/clickhouse'
import { type AttributionResult, attribution } from './attribution/attribution'
import { type Compared, compared } from './compare'
import { type FunnelResult, funnel } from './funnel'
import { type FunnelPeopleResult, funnelPeople } from './funnel-people'
import { Reader } from './reader'
import { type AcquisitionResult, acquisition } from './reports/acquisition'
import { type CustomersResult, customers } from './reports/customers'
import { type EmailCampaignReport, emailReport } from './reports/email'
import { type EventsResult, eventNames } from './reports/events'
import { type ExperimentResult, type ExperimentsResult, experiment, experiments } from './reports/experiments'
import { type LinksResult, links } from './reports/links'
import { type LiveResult, live } from './reports/live'
import { type NpsResult, nps } from './reports/nps'
import { type OrdersResult, orders } from './reports/orders'
import { type OverviewResult, overview } from './reports/overview'
import { type PagesResult, pages } from './reports/pages'
import { type PathsResult, paths } from './reports/paths'
import { type PlanResult, plan } from './reports/plan'
import { type PlanCheckResult, planCheck } from './reports/plan-check'
import { type PlanDraftResult, planDraft } from './reports/plan-draft'
import { type ProductsResult, products } from './reports/products'
import { type Profile, profile } from './reports/profile'
import { eventProperties, type PropertiesResult } from './reports/properties'
import { type RejectedResult, rejected } from './reports/rejected'
import { type RetentionResult, retention } from './reports/retention'
import { type StoresResult, stores } from './reports/stores'
import { type SubscriptionsResult, subscriptions } from './reports/subscriptions'
import { type SupportResult, support } from './reports/support'
import { type SurveyResult, survey } from './reports/survey'
import { type TimeOfDayResult, timeOfDay } from './reports/time-of-day'
import { type TrafficResult, traffic } from './reports/traffic'
import {
  type AcquisitionRequest,
  type AttributionRequest,
  acquisitionRequest,
  attributionRequest,
  type CustomersRequest,
  customersRequest,
  type EmailReportRequest,
  type EventsRequest,
  type ExperimentRequest,
  type ExperimentsRequest,
  eventsRequest,
  experimentsRequest,
  type FunnelPeopleRequest,
  type FunnelRequest,
  funnelRequest,
  type LinksRequest,
  type LiveRequest,
  linksRequest,
  type NpsRequest,
  npsRequest,
  type OrdersRequest,
  type OverviewRequest,
  ordersRequest,
  overviewRequest,
  type PagesRequest,
  type PathsRequest,
  type PlanCheckRequest,
  type PlanDraftRequest,
  type PlanRequest,
  type ProductsRequest,
  type ProfileRequest,
  type PropertiesRequest,
  pagesRequest,
  pathsRequest,
  planRequest,
  productsRequest,
  propertiesRequest,
  type RejectedRequest,
  type RetentionRequest,
  rejectedRequest,
  retentionRequest,
  type StoresRequest,
  type SubscriptionsRequest,
  type SupportRequest,
  type SurveyRequest,
  storesRequest,
  subscriptionsRequest,
  supportRequest,
  surveyRequest,
  type TimeOfDayRequest,
  type TrafficRequest,
  timeOfDayRequest,
  trafficRequest,
} from './requests'

/**
 * The TypeScript API. Each method validates its request with the same zod schema as the HTTP API (a ZodError
 * names the field) and runs read-only queries through @clickhouse/client, embedded or server alike. A report over
 * a range takes `compare` (`previous` or `year`) and answers with the same report over the range before beside it
 * (`previous`, `previousRange`).
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

  funnel(request: FunnelRequest): Promise<Compared<FunnelResult>> {
    return compared(funnelRequest, request, (r) => funnel(this.reader, r))
  }

  /** The people behind one of a funnel's numbers: who reached a step, or who dropped out there. */
  funnelPeople(request: FunnelPeopleRequest): Promise<FunnelPeopleResult> {
    return funnelPeople(this.reader, request)
  }

  attribution(request: AttributionRequest): Promise<Compared<AttributionResult>> {
    return compared(attributionRequest, request, (r) => attribution(this.reader, r))
  }

  profile(request: ProfileRequest): Promise<Profile | null> {
    return profile(this.reader, request)
  }

  timeOfDay(request: TimeOfDayRequest): Promise<Compared<TimeOfDayResult>> {
    return compared(timeOfDayRequest, request, (r) => timeOfDay(this.reader, r))
  }

  orders(request: OrdersRequest): Promise<Compared<OrdersResult>> {
    return compared(ordersRequest, request, (r) => orders(this.reader, r))
  }

  nps(request: NpsRequest): Promise<Compared<NpsResult>> {
    return compared(npsRequest, request, (r) => nps(this.reader, r))
  }

  /** How the site did, on one screen: visitors, sessions, page views, conversions, revenue, top channels and pages. */
  overview(request: OverviewRequest): Promise<Compared<OverviewResult>> {
    return compared(overviewRequest, request, (r) => overview(this.reader, r))
  }

  traffic(request: TrafficRequest): Promise<Compared<TrafficResult>> {
    return compared(trafficRequest, request, (r) => traffic(this.reader, r))
  }

  events(request: EventsRequest): Promise<Compared<EventsResult>> {
    return compared(eventsRequest, request, (r) => eventNames(this.reader, r))
  }

  properties(request: PropertiesRequest): Promise<Compared<PropertiesResult>> {
    return compared(propertiesRequest, request, (r) => eventProperties(this.reader, r))
  }

  rejected(request: RejectedRequest): Promise<Compared<RejectedResult>> {
    return compared(rejectedRequest, request, (r) => rejected(this.reader, r))
  }

  /** How the events keep to the project's tracking plan: violations by event and field, stored and refused. */
  plan(request: PlanRequest): Promise<Compared<PlanResult>> {
    return compared(planRequest, request, (r) => plan(this.reader, r))
  }

  /** The A/B tests of the range: each experiment with the people shown each variant. */
  experiments(request: ExperimentsRequest): Promise<Compared<ExperimentsResult>> {
    return compared(experimentsRequest, request, (r) => experiments(this.reader, r))
  }

  /** An A/B test's outcome: each variant's conversion and revenue beside the control's, with their significance. */
  experiment(request: ExperimentRequest): Promise<ExperimentResult> {
    return experiment(this.reader, request)
  }

  /** A tracking plan drawn from the events the project already sends, to edit into its `trackingPlan`. */
  planDraft(request: PlanDraftRequest): Promise<PlanDraftResult> {
    return planDraft(this.reader, request)
  }

  /** A tracking plan tried on the events already stored: what of them would break it. */
  planCheck(request: PlanCheckRequest): Promise<PlanCheckResult> {
    return planCheck(this.reader, request)
  }

  live(request: LiveRequest): Promise<LiveResult> {
    return live(this.reader, request)
  }

  /** The clicks tp.js records on links to other sites, or on files: by URL or host, with who clicked and where. */
  links(request: LinksRequest): Promise<Compared<LinksResult>> {
    return compared(linksRequest, request, (r) => links(this.reader, r))
  }

  retention(request: RetentionRequest): Promise<Compared<RetentionResult>> {
    return compared(retentionRequest, request, (r) => retention(this.reader, r))
  }

  pages(request: PagesRequest): Promise<Compared<PagesResult>> {
    return compared(pagesRequest, request, (r) => pages(this.reader, r))
  }

  survey(request: SurveyRequest): Promise<Compared<SurveyResult>> {
    return compared(surveyRequest, request, (r) => survey(this.reader, r))
  }

  /** What people did after a point: the commonest paths of the events that followed it. */
  paths(request: PathsRequest): Promise<Compared<PathsResult>> {
    return compared(pathsRequest, request, (r) => paths(this.reader, r))
  }

  /** What the people each channel first brought were worth: their conversions and revenue within a horizon. */
  acquisition(request: AcquisitionRequest): Promise<Compared<AcquisitionResult>> {
    return compared(acquisitionRequest, request, (r) => acquisition(this.reader, r))
  }

  /** Subscriptions: active, new, cancelled and churned, revenue a month, by plan, and why people cancelled. */
  subscriptions(request: SubscriptionsRequest): Promise<Compared<SubscriptionsResult>> {
    return compared(subscriptionsRequest, request, (r) => subscriptions(this.reader, r))
  }

  /** What sold: the lines of the orders, by product or category, with orders, customers, quantity and revenue. */
  products(request: ProductsRequest): Promise<Compared<ProductsResult>> {
    return compared(productsRequest, request, (r) => products(this.reader, r))
  }

  /**
   * The customers: who ordered in the range (for the first time or again) and who ordered before it and not in it,
   * counted, and one group listed the most valuable first, with their orders, revenue and latest order.
   */
  customers(request: CustomersRequest): Promise<Compared<CustomersResult>> {
    return compared(customersRequest, request, (r) => customers(this.reader, r))
  }

  /** The shops: visits by store beside the orders each store took, with their revenue. */
  stores(request: StoresRequest): Promise<Compared<StoresResult>> {
    return compared(storesRequest, request, (r) => stores(this.reader, r))
  }

  /** Support tickets: opened, resolved, time to resolution, still open, by channel, priority or category. */
  support(request: SupportRequest): Promise<Compared<SupportResult>> {
    return compared(supportRequest, request, (r) => support(this.reader, r))
  }

  email(request: EmailReportRequest): Promise<EmailCampaignReport[]> {
    return emailReport(this.reader, request)
  }
}
