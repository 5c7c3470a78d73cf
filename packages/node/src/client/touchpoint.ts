import {
  type CallLogged,
  callLogged,
  type EmailBounced,
  type EmailSent,
  EVENT_NAMES,
  type ExperimentViewed,
  emailBounced,
  emailDelivered,
  emailMarkedAsSpam,
  emailSent,
  emailUnsubscribed,
  experimentViewed,
  issuesOf,
  type LeadCaptured,
  leadCaptured,
  type OrderCompleted,
  type OrderRefunded,
  orderCompleted,
  orderRefunded,
  type StoreVisited,
  type SubscriptionCancelled,
  type SubscriptionStarted,
  type SupportTicketOpened,
  type SupportTicketResolved,
  type SurveyAnswered,
  storeVisited,
  subscriptionCancelled,
  subscriptionStarted,
  supportTicketOpened,
  supportTicketResolved,
  surveyAnswered,
} from '@touchpoint/schema'
import type { z } from 'zod'
import { TouchpointClient } from './client'
import { type CustomerMessage, TouchpointValidationError } from './messages'

/**
 * The tracking client with a typed helper per customer-data event (docs/events.md). Each helper checks its
 * properties against the event's schema and throws TouchpointValidationError naming the field, so a mistake
 * shows up where it is made rather than as a refused event later.
 */
export class Touchpoint extends TouchpointClient {
  orderCompleted(m: CustomerMessage<OrderCompleted>) {
    this.customer(EVENT_NAMES.orderCompleted, orderCompleted, m)
  }
  /** A refund: `revenue` and `currency` for what was given back, or neither for the whole order. */
  orderRefunded(m: CustomerMessage<OrderRefunded>) {
    this.customer(EVENT_NAMES.orderRefunded, orderRefunded, m)
  }
  subscriptionStarted(m: CustomerMessage<SubscriptionStarted>) {
    this.customer(EVENT_NAMES.subscriptionStarted, subscriptionStarted, m)
  }
  subscriptionCancelled(m: CustomerMessage<SubscriptionCancelled>) {
    this.customer(EVENT_NAMES.subscriptionCancelled, subscriptionCancelled, m)
  }
  /** NPS: `{ survey, question, type: 'nps', answer: 0–10 }`; the NPS report reads exactly this. */
  surveyAnswered(m: CustomerMessage<SurveyAnswered>) {
    this.customer(EVENT_NAMES.surveyAnswered, surveyAnswered, m)
  }
  supportTicketOpened(m: CustomerMessage<SupportTicketOpened>) {
    this.customer(EVENT_NAMES.supportTicketOpened, supportTicketOpened, m)
  }
  supportTicketResolved(m: CustomerMessage<SupportTicketResolved>) {
    this.customer(EVENT_NAMES.supportTicketResolved, supportTicketResolved, m)
  }
  callLogged(m: CustomerMessage<CallLogged>) {
    this.customer(EVENT_NAMES.callLogged, callLogged, m)
  }
  storeVisited(m: CustomerMessage<StoreVisited>) {
    this.customer(EVENT_NAMES.storeVisited, storeVisited, m)
  }
  /** Which form only: the schema refuses any other field, so nothing typed into the form is sent. */
  leadCaptured(m: CustomerMessage<LeadCaptured>) {
    this.customer(EVENT_NAMES.leadCaptured, leadCaptured, m)
  }
  /** For sends recorded outside createEmailTracker (whose sentEvent() already builds this call). */
  emailSent(m: CustomerMessage<EmailSent>) {
    this.customer(EVENT_NAMES.emailSent, emailSent, m)
  }
  /**
   * What the email service reported of a send (its webhook's delivered, bounce, spam report and unsubscribe), for
   * the email report's bounce, spam and unsubscribe rates. createEmailTracker's outcomeEvent() builds the same call
   * with the send's recipient id and an id that makes a retried webhook count once.
   */
  emailDelivered(m: CustomerMessage<EmailSent>) {
    this.customer(EVENT_NAMES.emailDelivered, emailDelivered, m)
  }
  emailBounced(m: CustomerMessage<EmailBounced>) {
    this.customer(EVENT_NAMES.emailBounced, emailBounced, m)
  }
  emailMarkedAsSpam(m: CustomerMessage<EmailSent>) {
    this.customer(EVENT_NAMES.emailMarkedAsSpam, emailMarkedAsSpam, m)
  }
  emailUnsubscribed(m: CustomerMessage<EmailSent>) {
    this.customer(EVENT_NAMES.emailUnsubscribed, emailUnsubscribed, m)
  }
  /** A server-side A/B test showed the person a variant: the experiments report sets the variants side by side. */
  experimentViewed(m: CustomerMessage<ExperimentViewed>) {
    this.customer(EVENT_NAMES.experimentViewed, experimentViewed, m)
  }

  private customer<P>(event: string, schema: z.ZodType<unknown, P>, m: CustomerMessage<P>) {
    const parsed = schema.safeParse(m.properties)
    if (!parsed.success) {
      const issues = issuesOf(parsed.error).map((i) => ({ ...i, path: `properties.${i.path}` }))
      throw new TouchpointValidationError(
        `${event}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        issues,
      )
    }
    this.track({ ...m, event, properties: parsed.data as Record<string, unknown> })
  }
}
