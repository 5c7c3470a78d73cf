/**
 * Names of the events that reports read. Browser, email and server SDKs write them; analytics reads them.
 * One map, so that a writer and a reader can never disagree on a spelling.
 */
export const EVENT_NAMES = {
  pageViewed: 'Page Viewed',
  /** tp.js, as a page is left: its visible time (`engagedMs`) and deepest scroll (`scrollDepth`, %) */
  pageLeft: 'Page Left',
  orderCompleted: 'Order Completed',
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
} as const
