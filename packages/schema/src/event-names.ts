/**
 * Names of the events that reports read. Browser, email and server SDKs write them; analytics reads them.
 * One map, so that a writer and a reader can never disagree on a spelling.
 */
export const EVENT_NAMES = {
  pageViewed: 'Page Viewed',
  /** tp.js, as a page is left: its visible time (`engagedMs`) and deepest scroll (`scrollDepth`, %) */
  pageLeft: 'Page Left',
  orderCompleted: 'Order Completed',
  /** an order given back, in whole or in part (Segment's name): the orders report's refunds and net revenue */
  orderRefunded: 'Order Refunded',
  checkoutStarted: 'Checkout Started',
  surveyAnswered: 'Survey Answered',
  subscriptionStarted: 'Subscription Started',
  subscriptionCancelled: 'Subscription Cancelled',
  supportTicketOpened: 'Support Ticket Opened',
  supportTicketResolved: 'Support Ticket Resolved',
  callLogged: 'Call Logged',
  storeVisited: 'Store Visited',
  leadCaptured: 'Lead Captured',
  emailSent: 'Email Sent',
  emailOpened: 'Email Opened',
  emailClicked: 'Email Clicked',
  /** what the email service reported of a send (Segment's names): delivered, bounced, reported as spam */
  emailDelivered: 'Email Delivered',
  emailBounced: 'Email Bounced',
  emailMarkedAsSpam: 'Email Marked as Spam',
  emailUnsubscribed: 'Email Unsubscribed',
  /** a person was shown a variant of an A/B test (Segment's name): `experimentId` and `variationId` */
  experimentViewed: 'Experiment Viewed',
} as const

/**
 * The email events: the collector's email routes record opens and clicks, and a server (with the secret key)
 * sends, deliveries, bounces, spam reports and unsubscribes. A write key is public in every page that carries
 * tp.js, so a call made with it may not name one: anybody could forge a campaign's figures. In this order: sent,
 * opened, clicked, delivered, bounced, marked as spam, unsubscribed.
 */
export const EMAIL_EVENTS = [
  EVENT_NAMES.emailSent,
  EVENT_NAMES.emailOpened,
  EVENT_NAMES.emailClicked,
  EVENT_NAMES.emailDelivered,
  EVENT_NAMES.emailBounced,
  EVENT_NAMES.emailMarkedAsSpam,
  EVENT_NAMES.emailUnsubscribed,
] as const
export const EMAIL_EVENT_NAMES: ReadonlySet<string> = new Set(EMAIL_EVENTS)
