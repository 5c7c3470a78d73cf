import type { ClickClaims, OpenClaims } from '@touchpoint/node'
import { EVENT_NAMES, type IncomingEvent, type JsonObject } from '@touchpoint/schema'
import type { EmailConfig } from '../config'
import type { RequestFacts } from '../enrich/event-row'
import { DEFAULT_SECRETS, redactUrl, type SecretNames } from '../enrich/redact'
import type { ClickVerdict, OpenVerdict } from './classify'

/**
 * Email opens and clicks as the track calls their rows are built from (enrich/event-row.ts). They belong to the
 * recipient (user_id), come from source `email`, and carry the campaign and email ids and the verdict in
 * properties (docs/analytics.md). Their rows are never flagged as bots: whether a machine opened or a scanner
 * clicked is the verdict's business, and the reports count those apart instead of hiding them.
 */
function emailCall(
  event: string,
  claims: OpenClaims | ClickClaims,
  facts: RequestFacts,
  properties: JsonObject,
  url: string,
  campaign: { name: string; source: string; medium: string } | undefined,
): IncomingEvent {
  return {
    type: 'track',
    event,
    userId: claims.recipient,
    properties: { campaignId: claims.campaignId, emailId: claims.emailId, ...properties },
    context: {
      ...(facts.userAgent !== undefined && { userAgent: facts.userAgent }),
      ...(url && { page: { url } }),
      ...(campaign && { campaign }),
    },
  }
}

export function openCall(claims: OpenClaims, verdict: OpenVerdict, facts: RequestFacts, email: EmailConfig) {
  return emailCall(
    EVENT_NAMES.emailOpened,
    claims,
    facts,
    { machine: verdict.machine, reason: verdict.reason, proxy: verdict.proxy },
    '',
    { name: claims.campaignId, source: email.utmSource, medium: 'email' },
  )
}

/** `landing` is the redirect's target with its campaign tags, so the click carries the campaign the visit does. */
export function clickCall(
  claims: ClickClaims,
  verdict: ClickVerdict,
  facts: RequestFacts,
  landing: string,
  secrets: SecretNames = DEFAULT_SECRETS,
) {
  return emailCall(
    EVENT_NAMES.emailClicked,
    claims,
    facts,
    {
      linkId: claims.linkId ?? '',
      // the redirect goes to the target as signed; what is kept of it is redacted as a page's URL is
      target: redactUrl(claims.target, secrets),
      scanner: verdict.scanner,
      reason: verdict.reason,
    },
    landing,
    undefined,
  )
}
