import {
  type Analytics,
  acquisitionRequest,
  attributionRequest,
  customersRequest,
  emailReportRequest,
  eventsRequest,
  exchangeOf,
  experimentRequest,
  experimentsRequest,
  funnelPeopleRequest,
  funnelRequest,
  linksRequest,
  liveRequest,
  npsRequest,
  ordersRequest,
  overviewRequest,
  pagesRequest,
  pathsRequest,
  planCheckRequest,
  planDraftRequest,
  planRequest,
  productsRequest,
  profileRequest,
  propertiesRequest,
  rejectedRequest,
  retentionRequest,
  storesRequest,
  subscriptionsRequest,
  supportRequest,
  surveyRequest,
  timeOfDayRequest,
  trafficRequest,
} from '@touchpoint/analytics'
import { recipientIdOf } from '@touchpoint/node'
import type { FastifyPluginAsync } from 'fastify'
import { ZodError, type z } from 'zod'
import type { ProjectConfig } from '../config'
import { invalidBody, parseBody, queryError, TpError } from '../errors'
import type { ProjectRegistry } from '../projects'
import { requireAdmin } from './admin-auth'

export interface AnalyticsOptions {
  analytics: Analytics | undefined
  registry: ProjectRegistry
}

interface Report<S extends z.ZodType> {
  summary: string
  schema: S
  /** Fills what the project's configuration supplies (its time zone, for one) before validation. */
  defaults?: (project: ProjectConfig, body: Record<string, unknown>) => Record<string, unknown>
  run: (analytics: Analytics, body: z.input<S>) => Promise<unknown>
}

const report = <S extends z.ZodType>(r: Report<S>) => r
/**
 * What a request takes from its project unless it gives its own: the range's time zone (where the business is),
 * and the currency revenue adds up in.
 */
const zone = (project: ProjectConfig) => {
  const exchange = exchangeOf(project)
  return { timezone: project.timezone, ...(exchange && { exchange }) }
}

/** The analytics HTTP API: JSON in and out, the same zod schemas as the TypeScript API. */
export const ANALYTICS_ROUTES = {
  '/api/funnel': report({
    summary: 'Funnel',
    schema: funnelRequest,
    defaults: zone,
    run: (a, b) => a.funnel(b),
  }),
  '/api/funnel/people': report({
    summary: 'The people behind a funnel step: who reached it, or who dropped out there',
    schema: funnelPeopleRequest,
    defaults: zone,
    run: (a, b) => a.funnelPeople(b),
  }),
  '/api/attribution': report({
    summary: 'Multi-touch attribution (one model, or "all")',
    schema: attributionRequest,
    defaults: zone,
    run: (a, b) => a.attribution(b),
  }),
  '/api/profile': report({
    summary: "One person's profile and timeline",
    schema: profileRequest,
    // a person named by their email address: the recipient id of their emails, when it is not a user id itself
    defaults: (project, body) => {
      const id =
        typeof body.person === 'string'
          ? recipientIdOf(body.person, project.email?.recipientSecret)
          : undefined
      const exchange = exchangeOf(project)
      return { ...(id && { alsoKnownAs: [id] }), ...(exchange && { exchange }) }
    },
    run: async (a, b) => {
      const p = await a.profile(b)
      if (!p) throw new TpError('TP_ERR_PERSON_NOT_FOUND', `No events for person ${b.person}`, 'person')
      return p
    },
  }),
  '/api/reports/time-of-day': report({
    summary: 'Conversions and revenue by hour and weekday',
    schema: timeOfDayRequest,
    defaults: zone,
    run: (a, b) => a.timeOfDay(b),
  }),
  '/api/reports/orders': report({
    summary: 'Orders, revenue, repeat purchases, cart abandonment',
    schema: ordersRequest,
    defaults: (project) => ({
      ...zone(project),
      ...(project.checkoutEvents && { checkout: project.checkoutEvents.map((event) => ({ event })) }),
    }),
    run: (a, b) => a.orders(b),
  }),
  '/api/reports/nps': report({
    summary: 'Net Promoter Score over time and by segment',
    schema: npsRequest,
    defaults: zone,
    run: (a, b) => a.nps(b),
  }),
  '/api/reports/overview': report({
    summary:
      'How the site did: visitors, sessions, page views, conversions, revenue, top channels, pages, countries',
    schema: overviewRequest,
    defaults: zone,
    run: (a, b) => a.overview(b),
  }),
  '/api/reports/traffic': report({
    summary: 'Sessions by channel, source, medium or campaign, with visitors, conversions and revenue',
    schema: trafficRequest,
    defaults: zone,
    run: (a, b) => a.traffic(b),
  }),
  '/api/reports/events': report({
    summary: 'Every event name: how often, how many people and what share of everyone, first and last seen',
    schema: eventsRequest,
    defaults: zone,
    run: (a, b) => a.events(b),
  }),
  '/api/reports/properties': report({
    summary: "An event name's properties: how many of its events carry each, their JSON types, a few values",
    schema: propertiesRequest,
    defaults: zone,
    run: (a, b) => a.properties(b),
  }),
  '/api/reports/rejected': report({
    summary: 'Refused calls by error code and field, with how many, the latest message and when last seen',
    schema: rejectedRequest,
    defaults: zone,
    run: (a, b) => a.rejected(b),
  }),
  '/api/reports/plan': report({
    summary:
      "How the events keep to the project's tracking plan: violations by event and field, stored and refused",
    schema: planRequest,
    defaults: zone,
    run: (a, b) => a.plan(b),
  }),
  '/api/reports/experiments': report({
    summary: 'The A/B tests of the range: each experiment with the people shown each variant',
    schema: experimentsRequest,
    defaults: zone,
    run: (a, b) => a.experiments(b),
  }),
  '/api/reports/experiment': report({
    summary:
      "An A/B test's outcome: each variant's conversion rate and revenue per person beside the control's, with 95% intervals and p-values",
    schema: experimentRequest,
    defaults: zone,
    run: (a, b) => a.experiment(b),
  }),
  '/api/plan/draft': report({
    summary: 'A tracking plan drawn from the events the project already sends, for its trackingPlan',
    schema: planDraftRequest,
    defaults: zone,
    run: (a, b) => a.planDraft(b),
  }),
  '/api/plan/check': report({
    summary:
      "A tracking plan (the project's own unless given) tried on the stored events: what of them would break it",
    schema: planCheckRequest,
    defaults: (project) => ({
      ...zone(project),
      ...(project.trackingPlan && { plan: project.trackingPlan }),
    }),
    run: (a, b) => a.planCheck(b),
  }),
  '/api/reports/live': report({
    summary: 'Who is on the site now: visitors, sessions, the page each is on, where they came from',
    schema: liveRequest,
    run: (a, b) => a.live(b),
  }),
  '/api/reports/links': report({
    summary: 'Outbound links and file downloads: clicks by URL or host, with who clicked and on which page',
    schema: linksRequest,
    defaults: zone,
    run: (a, b) => a.links(b),
  }),
  '/api/reports/retention': report({
    summary: 'Cohorts by first activity, and how many came back in each day, week or month after',
    schema: retentionRequest,
    defaults: zone,
    run: (a, b) => a.retention(b),
  }),
  '/api/reports/pages': report({
    summary: 'Pages by views, with visitors, entries, bounce rate, exits, visible time and scroll depth',
    schema: pagesRequest,
    defaults: zone,
    run: (a, b) => a.pages(b),
  }),
  '/api/reports/paths': report({
    summary: 'What people did after a point: the commonest paths of the events that followed it',
    schema: pathsRequest,
    defaults: zone,
    run: (a, b) => a.paths(b),
  }),
  '/api/reports/acquisition': report({
    summary:
      'What the people each channel first brought were worth: people, customers, revenue within a horizon',
    schema: acquisitionRequest,
    defaults: zone,
    run: (a, b) => a.acquisition(b),
  }),
  '/api/reports/subscriptions': report({
    summary:
      'Subscriptions: active, new, cancelled and churned, revenue a month, by plan, reasons for cancelling',
    schema: subscriptionsRequest,
    defaults: zone,
    run: (a, b) => a.subscriptions(b),
  }),
  '/api/reports/products': report({
    summary: 'What sold: the lines of the orders by product or category, with orders, quantity and revenue',
    schema: productsRequest,
    defaults: zone,
    run: (a, b) => a.products(b),
  }),
  '/api/reports/customers': report({
    summary:
      'Customers: who ordered in the range (first time or again) and who lapsed, counted; one group listed by value',
    schema: customersRequest,
    defaults: zone,
    run: (a, b) => a.customers(b),
  }),
  '/api/reports/stores': report({
    summary: 'The shops: visits by store (people, median length) beside the orders each store took',
    schema: storesRequest,
    defaults: zone,
    run: (a, b) => a.stores(b),
  }),
  '/api/reports/support': report({
    summary:
      'Support tickets: opened, resolved, time to resolution and still open, by channel, priority or category',
    schema: supportRequest,
    defaults: zone,
    run: (a, b) => a.support(b),
  }),
  '/api/reports/survey': report({
    summary: 'Survey answers: responses, spread, mean and CSAT of every question',
    schema: surveyRequest,
    defaults: zone,
    run: (a, b) => a.survey(b),
  }),
  '/api/reports/email': report({
    summary: 'Email campaign report',
    schema: emailReportRequest,
    defaults: zone,
    run: async (a, b) => ({ campaigns: await a.email(b) }),
  }),
} as const

export const analyticsRoutes: FastifyPluginAsync<AnalyticsOptions> = async (app, { analytics, registry }) => {
  app.addHook('onRequest', requireAdmin(registry))
  for (const [path, r] of Object.entries(ANALYTICS_ROUTES) as Array<[string, Report<z.ZodType>]>) {
    app.post(path, async (req) => {
      const body = (req.body ?? {}) as Record<string, unknown>
      const project = typeof body.project === 'string' ? registry.byId(body.project) : undefined
      if (typeof body.project === 'string' && !project)
        throw new TpError('TP_ERR_UNKNOWN_PROJECT', `No project ${body.project}`, 'project')
      const input = { ...(project && r.defaults ? r.defaults(project, body) : {}), ...body }
      parseBody(r.schema, input) // a 400 naming the field, before any query runs
      if (!analytics) throw new TpError('TP_ERR_NO_STORAGE')
      try {
        return await r.run(analytics, input)
      } catch (err) {
        // a request that holds for its range but not for the one it is compared with names compare (compare.ts)
        if (err instanceof ZodError) throw invalidBody(err)
        // a report past a bound on read-only queries (a range too wide for SQL_MAX_SECONDS, say) is the caller's
        // to narrow; any other refusal of a report's own SQL stays an internal error
        throw queryError(err) ?? err
      }
    })
  }
}
