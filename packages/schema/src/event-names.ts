/**
 * Names of the events that reports read. Browser, email and server SDKs write them; analytics reads them.
 * One map, so that a writer and a reader can never disagree on a spelling.
 */
export const EVENT_NAMES = {
  pageViewed: 'Page Viewed',
  orderCompleted: 'Order Completed',
  checkoutStarted: 'Checkout Started',
  surveyAnswered: 'Survey Answered',
  emailSent: 'Email Sent',
  emailOpened: 'Email Opened',
  emailClicked: 'Email Clicked',
} as const
