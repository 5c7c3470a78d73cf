export {
  type Claims,
  type ClickClaims,
  type EmailClaims,
  type EmailKey,
  MAX_TOKEN_LENGTH,
  type OpenClaims,
  recipientHash,
  signToken,
  trackableTarget,
  type Verification,
  verifyToken,
} from './email/token'
