export { Analytics } from './analytics'
export type { AttributionResult, AttributionRow, ModelResult } from './attribution/attribution'
export { markovCredits } from './attribution/markov'
export { type ConversionPath, creditRule, type Touch, weights } from './attribution/models'
export { COMPARISONS, type Compared, type Comparison, rangeBefore } from './compare'
export { exchangeOf } from './currencies'
export type { FunnelResult, FunnelStepResult } from './funnel'
export type { FunnelPeopleResult, FunnelPerson } from './funnel-people'
export { linearPatterns, linearRegExp } from './linear-regexp'
export type { AcquisitionResult, AcquisitionRow } from './reports/acquisition'
export type { CustomerRow, CustomersResult } from './reports/customers'
export type { EmailCampaignReport, EmailLinkClicks } from './reports/email'
export type { EventNameRow, EventsResult } from './reports/events'
export type {
  ExperimentListRow,
  ExperimentResult,
  ExperimentsResult,
  VariantFigures,
} from './reports/experiments'
export type { LinkRow, LinksResult } from './reports/links'
export type { LiveResult } from './reports/live'
export type { NpsResult, NpsScore } from './reports/nps'
export type { OrdersResult } from './reports/orders'
export type { OverviewResult } from './reports/overview'
export type { PageFigures, PageRow, PagesResult } from './reports/pages'
export type { PathsResult } from './reports/paths'
export type { PlanResult, PlanViolationRow } from './reports/plan'
export type { PlanCheckResult, PlanCheckRow } from './reports/plan-check'
export type { PlanDraftResult } from './reports/plan-draft'
export type { ProductFigures, ProductRow, ProductsResult } from './reports/products'
export type { Profile } from './reports/profile'
export type { PropertiesResult, PropertyRow } from './reports/properties'
export type { RejectedReasonRow, RejectedResult } from './reports/rejected'
export type { RetentionCohort, RetentionResult } from './reports/retention'
export type { StoreFigures, StoreRow, StoresResult } from './reports/stores'
export type { MrrMovements, SubscriptionFigures, SubscriptionsResult } from './reports/subscriptions'
export type { SubscriptionsPeriod } from './reports/subscriptions-series'
export type { SupportFigures, SupportResult } from './reports/support'
export type { SurveyQuestion, SurveyResult } from './reports/survey'
export type { TimeOfDayResult } from './reports/time-of-day'
export type { TrafficResult, TrafficRow } from './reports/traffic'
export {
  type AcquisitionRequest,
  ATTRIBUTION_MODELS,
  type AttributionModel,
  type AttributionRequest,
  acquisitionRequest,
  attributionRequest,
  CUSTOMER_GROUPS,
  CUSTOMER_SORTS,
  type CustomersRequest,
  customersRequest,
  type EmailReportRequest,
  type EventsRequest,
  type Exchange,
  type ExperimentRequest,
  type ExperimentsRequest,
  emailReportRequest,
  eventMatch,
  eventsRequest,
  exchange,
  experimentRequest,
  experimentsRequest,
  type FunnelPeopleRequest,
  type FunnelRequest,
  funnelPeopleRequest,
  funnelRequest,
  LINK_KINDS,
  type LinksRequest,
  type LiveRequest,
  linksRequest,
  liveRequest,
  matchLabel,
  type NpsRequest,
  npsRequest,
  OP_SIGNS,
  type OrdersRequest,
  type OverviewRequest,
  ordersRequest,
  overviewRequest,
  type PagesRequest,
  type PathsRequest,
  type PlanCheckRequest,
  type PlanDraftRequest,
  type PlanRequest,
  PRODUCT_KEYS,
  type ProductsRequest,
  type ProfileRequest,
  type PropertiesRequest,
  pagesRequest,
  pathsRequest,
  planCheckRequest,
  planDraftRequest,
  planRequest,
  productsRequest,
  profileRequest,
  propertiesRequest,
  type RejectedRequest,
  type RetentionRequest,
  type RetryRejectedRequest,
  rejectedRequest,
  retentionRequest,
  retryRejectedRequest,
  type StoresRequest,
  SUPPORT_KEYS,
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
export { compareMeans, compareRates, type Difference } from './significance'
export { generateSynthetic, type SyntheticOptions } from './synthetic'
