import { join } from 'node:path'
import {
  type AcquisitionRequest,
  Analytics,
  type AttributionRequest,
  type CustomersRequest,
  type EmailReportRequest,
  type EventsRequest,
  type ExperimentRequest,
  type ExperimentsRequest,
  exchangeOf,
  type FunnelPeopleRequest,
  type FunnelRequest,
  type LinksRequest,
  type LiveRequest,
  type NpsRequest,
  type OrdersRequest,
  type OverviewRequest,
  type PagesRequest,
  type PathsRequest,
  type PlanCheckRequest,
  type PlanDraftRequest,
  type PlanRequest,
  type ProductsRequest,
  type ProfileRequest,
  type PropertiesRequest,
  type RejectedRequest,
  type RetentionRequest,
  type StoresRequest,
  type SubscriptionsRequest,
  type SupportRequest,
  type SurveyRequest,
  type TimeOfDayRequest,
  type TrafficRequest,
} from '@touchpoint/analytics'
import { createClickHouse } from '@touchpoint/clickhouse'
import { recipientIdOf } from '@touchpoint/node'
import type { CliConfig } from '../config'
import { findProject, requireKnownProject } from '../projects-file'
import { postToCollector } from './collector-api'

/** The analytics HTTP paths, and the Analytics method that answers the same request directly. */
export const ENDPOINTS = {
  funnel: { path: '/api/funnel', run: (a: Analytics, b: FunnelRequest) => a.funnel(b) },
  'funnel-people': {
    path: '/api/funnel/people',
    run: (a: Analytics, b: FunnelPeopleRequest) => a.funnelPeople(b),
  },
  attribution: { path: '/api/attribution', run: (a: Analytics, b: AttributionRequest) => a.attribution(b) },
  profile: { path: '/api/profile', run: (a: Analytics, b: ProfileRequest) => a.profile(b) },
  'time-of-day': {
    path: '/api/reports/time-of-day',
    run: (a: Analytics, b: TimeOfDayRequest) => a.timeOfDay(b),
  },
  orders: { path: '/api/reports/orders', run: (a: Analytics, b: OrdersRequest) => a.orders(b) },
  nps: { path: '/api/reports/nps', run: (a: Analytics, b: NpsRequest) => a.nps(b) },
  overview: { path: '/api/reports/overview', run: (a: Analytics, b: OverviewRequest) => a.overview(b) },
  traffic: { path: '/api/reports/traffic', run: (a: Analytics, b: TrafficRequest) => a.traffic(b) },
  events: { path: '/api/reports/events', run: (a: Analytics, b: EventsRequest) => a.events(b) },
  properties: {
    path: '/api/reports/properties',
    run: (a: Analytics, b: PropertiesRequest) => a.properties(b),
  },
  rejected: { path: '/api/reports/rejected', run: (a: Analytics, b: RejectedRequest) => a.rejected(b) },
  plan: { path: '/api/reports/plan', run: (a: Analytics, b: PlanRequest) => a.plan(b) },
  experiments: {
    path: '/api/reports/experiments',
    run: (a: Analytics, b: ExperimentsRequest) => a.experiments(b),
  },
  experiment: {
    path: '/api/reports/experiment',
    run: (a: Analytics, b: ExperimentRequest) => a.experiment(b),
  },
  'plan-check': { path: '/api/plan/check', run: (a: Analytics, b: PlanCheckRequest) => a.planCheck(b) },
  'plan-draft': { path: '/api/plan/draft', run: (a: Analytics, b: PlanDraftRequest) => a.planDraft(b) },
  links: { path: '/api/reports/links', run: (a: Analytics, b: LinksRequest) => a.links(b) },
  live: { path: '/api/reports/live', run: (a: Analytics, b: LiveRequest) => a.live(b) },
  retention: { path: '/api/reports/retention', run: (a: Analytics, b: RetentionRequest) => a.retention(b) },
  pages: { path: '/api/reports/pages', run: (a: Analytics, b: PagesRequest) => a.pages(b) },
  survey: { path: '/api/reports/survey', run: (a: Analytics, b: SurveyRequest) => a.survey(b) },
  support: { path: '/api/reports/support', run: (a: Analytics, b: SupportRequest) => a.support(b) },
  paths: { path: '/api/reports/paths', run: (a: Analytics, b: PathsRequest) => a.paths(b) },
  acquisition: {
    path: '/api/reports/acquisition',
    run: (a: Analytics, b: AcquisitionRequest) => a.acquisition(b),
  },
  products: {
    path: '/api/reports/products',
    run: (a: Analytics, b: ProductsRequest) => a.products(b),
  },
  customers: {
    path: '/api/reports/customers',
    run: (a: Analytics, b: CustomersRequest) => a.customers(b),
  },
  stores: { path: '/api/reports/stores', run: (a: Analytics, b: StoresRequest) => a.stores(b) },
  subscriptions: {
    path: '/api/reports/subscriptions',
    run: (a: Analytics, b: SubscriptionsRequest) => a.subscriptions(b),
  },
  email: {
    path: '/api/reports/email',
    run: async (a: Analytics, b: EmailReportRequest) => ({ campaigns: await a.email(b) }),
  },
} as const

export type Endpoint = keyof typeof ENDPOINTS

/**
 * Asks for an analytics answer the way `touchpoint sql` does: with CLICKHOUSE_URL, straight from ClickHouse;
 * otherwise from the running collector's HTTP API (which owns the embedded engine), and when no collector
 * answers, from the embedded data directory itself.
 */
export async function ask<T>(
  config: CliConfig,
  endpoint: Endpoint,
  request: Record<string, unknown>,
): Promise<T> {
  if (!config.clickhouse.url) {
    const viaCollector = await postToCollector<T>(config, ENDPOINTS[endpoint].path, request)
    if (viaCollector !== undefined) return viaCollector
  }
  requireKnownProject(config, request.project)
  const ch = await createClickHouse({ ...config.clickhouse, dataDir: join(config.dataDir, 'clickhouse') })
  try {
    // the request is validated by the method's own zod schema; a ZodError below names the field
    const input = { ...projectDefaults(config, endpoint, request), ...request }
    const answer = await ENDPOINTS[endpoint].run(new Analytics(ch), input as never)
    if (answer === null) throw new Error(`no events for person ${String(request.person)}`)
    return answer as T
  } catch (err) {
    const issues = (err as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues
    if (issues?.[0]) throw new Error(`${issues[0].path.join('.') || 'request'}: ${issues[0].message}`)
    if (noTables(err)) {
      const where = config.clickhouse.url ?? join(config.dataDir, 'clickhouse')
      throw new Error(
        `no Touchpoint tables in ${where}: start the collector there once (touchpoint start), or run touchpoint migrate`,
      )
    }
    throw err
  } finally {
    await ch.close()
  }
}

/** A query's error for a table that is not there: ClickHouse's UNKNOWN_TABLE (60), or its analyzer's message. */
const noTables = (err: unknown) =>
  (err as { code?: unknown }).code === '60' ||
  /Unknown table expression identifier/.test(String((err as Error).message))

/**
 * What the collector's HTTP API fills in from the project's configuration (routes/analytics.ts), so that an
 * answer read straight from ClickHouse is the one the collector gives: the project's time zone and currency, the orders
 * report's checkout steps, and for a profile asked by email address, the recipient id of its emails. Nothing
 * when the projects file cannot be read (ClickHouse on a server, elsewhere).
 */
function projectDefaults(config: CliConfig, endpoint: Endpoint, request: Record<string, unknown>) {
  const project = findProject(config, request.project)
  const exchange = project && exchangeOf(project)
  if (endpoint === 'profile') {
    const id = recipientIdOf(String(request.person ?? ''), project?.email?.recipientSecret)
    return { ...(id && { alsoKnownAs: [id] }), ...(exchange && { exchange }) }
  }
  return {
    ...(exchange && { exchange }),
    ...(project?.timezone && { timezone: project.timezone }),
    ...(endpoint === 'orders' &&
      project?.checkoutEvents && { checkout: project.checkoutEvents.map((event) => ({ event })) }),
    ...(endpoint === 'plan-check' && project?.trackingPlan && { plan: project.trackingPlan }),
  }
}
