/**
 * What happens off the website, recorded with @touchpoint/node: an order taken by phone, a store visit, a
 * subscription, a support ticket and an NPS answer, for customer-1001 (who also shops on the example site). The
 * secret key comes from the collector's projects file, so after `pnpm start` this runs as is:
 *
 *   pnpm tsx examples/server/offline.ts
 *   pnpm touchpoint profile customer-1001          # the journey, web and offline together
 *   pnpm touchpoint report nps                     # and the NPS this answer counts in
 *   pnpm touchpoint report subscriptions           # active subscriptions and revenue a month, by plan
 *   pnpm touchpoint report support                 # tickets opened, resolved and how long it took
 *
 * TOUCHPOINT_CONFIG names another projects file, TOUCHPOINT_URL the collector.
 */
import { Touchpoint } from '@touchpoint/node'
import { collectorUrl, devProject, projectsFile } from '../dev-project'

const project = devProject()
if (!project.secretKey) throw new Error(`${projectsFile}: the dev project has no secret key`)

const tp = new Touchpoint({
  secretKey: project.secretKey,
  host: collectorUrl,
  onDrop: (messages, reason) => console.error(`not delivered (${messages.length}): ${reason}`),
})
const userId = 'customer-1001'
const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000)

tp.storeVisited({
  userId,
  timestamp: daysAgo(6),
  properties: { storeId: 'berlin-mitte', durationMinutes: 20 },
})
tp.orderCompleted({
  userId,
  timestamp: daysAgo(5),
  properties: {
    orderId: 'PHONE-1001',
    revenue: 89,
    currency: 'EUR',
    channel: 'phone',
    products: [
      { productId: 'trail-runner', name: 'Trail runner', category: 'shoes', price: 89, quantity: 1 },
    ],
  },
})
tp.subscriptionStarted({
  userId,
  timestamp: daysAgo(5),
  properties: {
    subscriptionId: 'SUB-1001',
    plan: 'runners-club',
    revenue: 9.9,
    currency: 'EUR',
    interval: 'month',
  },
})
tp.supportTicketOpened({
  userId,
  timestamp: daysAgo(3),
  properties: { ticketId: 'T-1001', channel: 'email', category: 'sizing' },
})
tp.supportTicketResolved({
  userId,
  timestamp: daysAgo(2),
  properties: { ticketId: 'T-1001', durationSeconds: 86_400 },
})
tp.surveyAnswered({
  userId,
  timestamp: daysAgo(1),
  properties: {
    survey: 'post-purchase-nps',
    question: 'How likely are you to recommend us?',
    type: 'nps',
    answer: 9,
  },
})

const stats = await tp.close()
console.log(`delivered ${stats.delivered}, rejected ${stats.rejected}, dropped ${stats.dropped}`)
