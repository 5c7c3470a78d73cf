export { MAX_RETRY_AFTER_MS, parseRetryAfter, retryDelay } from './client/backoff'
export { type ClientStats, TouchpointClient } from './client/client'
export {
  type AliasMessage,
  type Common,
  type CustomerMessage,
  type GroupMessage,
  type IdentifyMessage,
  type Identity,
  LIBRARY,
  type PageMessage,
  TouchpointValidationError,
  type TrackMessage,
} from './client/messages'
export type { TouchpointOptions } from './client/options'
export { Touchpoint } from './client/touchpoint'
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
  recipientIdOf,
  signToken,
  trackableTarget,
  type Verification,
  verifyToken,
} from './email/token'
export {
  createEmailTracker,
  type EmailMessage,
  type EmailOutcome,
  type EmailOutcomeDetails,
  type EmailOutcomeEvent,
  type EmailSentEvent,
  type EmailTracker,
  type EmailTrackerOptions,
} from './email/tracker'
export { EMAIL_ROUTES, HANDOFF_PARAM, HONEYPOT_LINK_ID } from './email/urls'
