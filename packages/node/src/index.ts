export { type InstrumentOptions, instrumentHtml } from './email/instrument'
export {
  type Claims,
  type ClickClaims,
  type EmailClaims,
  type EmailKey,
  type HandoffClaims,
  MAX_TOKEN_LENGTH,
  type OpenClaims,
  recipientHash,
  signToken,
  trackableTarget,
  type Verification,
  verifyToken,
} from './email/token'
export {
  createEmailTracker,
  type EmailMessage,
  type EmailSentEvent,
  type EmailTracker,
  type EmailTrackerOptions,
} from './email/tracker'
export { EMAIL_ROUTES, HANDOFF_PARAM, HONEYPOT_LINK_ID } from './email/urls'
