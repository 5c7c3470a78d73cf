import type { EmailCampaignReport } from '@touchpoint/analytics'
import { expect, it } from 'vitest'
import { emailText } from './email-text'

const campaign = (name: string, sent: number, opened: number, clicked: number): EmailCampaignReport => ({
  campaign: name,
  sent,
  uniqueOpens: opened,
  totalOpens: opened,
  uniqueMachineOpens: 0,
  machineOpens: 0,
  uniqueClicks: clicked,
  totalClicks: clicked,
  scannerClicks: 0,
  openRate: sent ? opened / sent : null,
  clickRate: sent ? clicked / sent : null,
  clickToOpenRate: opened ? clicked / opened : null,
  delivered: 0,
  bounces: 0,
  hardBounces: 0,
  spamReports: 0,
  unsubscribes: 0,
  bounceRate: sent ? 0 : null,
  spamRate: sent ? 0 : null,
  unsubscribeRate: sent ? 0 : null,
  conversions: 0,
  revenue: 0,
  currencies: [],
  links: [],
})

it("gives each campaign's people who opened and clicked beside the rates on sent", () => {
  const text = emailText([campaign('spring', 4, 2, 1)])
  expect(text).toMatch(/^campaign\s+sent\s+opened\s+clicked\s+open rate\s+click rate\s+click-to-open\s/)
  expect(text).toMatch(/\nspring\s+4\s+2\s+1\s+50\.0%\s+25\.0%\s+50\.0%\s/)
  expect(text).not.toContain('No Email Sent')
})

it('leaves the rates on sent empty where no send was recorded, and says why', () => {
  const text = emailText([campaign('spring', 4, 2, 1), campaign('welcome', 0, 1, 1)])
  // opened and clicked, no open or click rate, and click-to-open still
  expect(text).toMatch(/\nwelcome\s+0\s+1\s+1\s+100\.0%\s+0\s+0\s+0\s/)
  expect(text).toContain('No Email Sent recorded for welcome: its rates on sent are left empty.')
  expect(text).toContain('touchpoint email instrument --record')
})
