import { HANDOFF_PARAM, signToken } from '@touchpoint/node'
import { describe, expect, it } from 'vitest'
import { basic, eventually, post } from '../../../test/helpers/http'
import { ADMIN, CHROME, GMAIL, NEW_KEY, SECRET, useEmailCollector } from './testing/email-collector'

/**
 * The campaign report of the email routes' events on a real collector over embedded chDB, and the hand-off that
 * links the browser a click lands in to the recipient.
 */
const mail = useEmailCollector()
const { q, get, msg, emailEvents } = mail

describe('hand-off and the campaign report', () => {
  /**
   * Campaign "report", four recipients, sent an hour ago:
   *   amy: opens twice in Chrome, clicks once → human open (2 events), human click; her browser lands with
   *        the hand-off and orders for 30
   *   ben: one Apple MPP open (machine)            cat: one Gmail proxy open (human), one HEAD click (scanner)
   *   dov: a security scanner clicks three links within a second (scanner user agent)
   * sent 4; unique human opens 2 (amy, cat), total 3; machine opens 1; unique human clicks 1 (amy);
   * scanner clicks 4 (cat's HEAD, dov's three); open rate 2/4, click rate 1/4, click-to-open 1/2;
   * conversions of clickers 1, revenue 30.
   */
  it('links the landing browser to the recipient and reports rates without machines and scanners', async () => {
    const sends = ['amy', 'ben', 'cat', 'dov'].map((r) => mail.tracker.sentEvent(msg(r, 'report')))
    expect(
      (await post(`${mail.url}/v1/batch`, { batch: sends }, { authorization: basic(SECRET) })).status,
    ).toBe(200)
    await get(mail.tracker.pixelUrl(msg('amy', 'report')), CHROME)
    await get(mail.tracker.pixelUrl(msg('amy', 'report')), CHROME)
    await get(mail.tracker.pixelUrl(msg('ben', 'report')), 'Mozilla/5.0')
    await get(mail.tracker.pixelUrl(msg('cat', 'report')), GMAIL)
    await get(mail.tracker.linkUrl('https://shop.example.com/', msg('cat', 'report')), CHROME, 'HEAD')
    for (const linkId of ['a', 'b', 'c'])
      await get(
        mail.tracker.linkUrl(`https://shop.example.com/${linkId}`, { ...msg('dov', 'report'), linkId }),
        'Mimecast URL Protect',
      )
    const click = await get(
      mail.tracker.linkUrl('https://shop.example.com/spring', msg('amy', 'report')),
      CHROME,
    )
    const landing = new URL(click.headers.get('location')!)
    const handoff = landing.searchParams.get(HANDOFF_PARAM)!
    // what the browser SDK sends from the landing page: the page view carrying the hand-off, then the order
    const browser = { anonymousId: 'amy-browser', context: { userAgent: CHROME } }
    const landed = await post(`${mail.url}/v1/batch`, {
      writeKey: 'wk_shop_123456',
      batch: [
        {
          ...browser,
          type: 'page',
          properties: { url: landing.href },
          context: { ...browser.context, emailHandoff: handoff },
        },
        { ...browser, type: 'track', event: 'Order Completed', properties: { revenue: 30, currency: 'EUR' } },
      ],
    })
    expect(landed.status).toBe(200)
    const links = await eventually(
      () => q(`SELECT user_id, link_source FROM identities WHERE anonymous_id = 'amy-browser'`),
      (r) => r.length === 1,
    )
    expect(links).toEqual([{ user_id: 'amy', link_source: 'email' }])
    await eventually(
      () => q(`SELECT 1 FROM events WHERE anonymous_id = 'amy-browser' AND event = 'Order Completed'`),
      (r) => r.length === 1,
    )
    await eventually(
      () => emailEvents('report'),
      (r) => r.length === 4 + 5, // opens and clicks (the sends come from the server)
    )
    const range = {
      project: 'shop',
      from: new Date(Date.now() - 7_200_000).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
    }
    const report = await post(
      `${mail.url}/api/reports/email`,
      { ...range, campaign: 'report' },
      { authorization: `Bearer ${ADMIN}` },
    )
    expect(report.status).toBe(200)
    expect(report.body.campaigns ?? report.body).toEqual([
      {
        campaign: 'report',
        sent: 4,
        uniqueOpens: 2,
        totalOpens: 3,
        uniqueMachineOpens: 1,
        machineOpens: 1,
        uniqueClicks: 1,
        totalClicks: 1,
        scannerClicks: 4,
        openRate: 0.5,
        clickRate: 0.25,
        clickToOpenRate: 0.5,
        // no email service reported anything of these sends
        delivered: 0,
        bounces: 0,
        hardBounces: 0,
        spamReports: 0,
        unsubscribes: 0,
        bounceRate: 0,
        spamRate: 0,
        unsubscribeRate: 0,
        conversions: 1,
        revenue: 30,
        currencies: ['EUR'],
        // signed without link ids, amy's and cat's links are told by their targets; dov's scanner clicked a, b, c
        links: [
          {
            link: '',
            target: 'https://shop.example.com/spring',
            uniqueClicks: 1,
            totalClicks: 1,
            scannerClicks: 0,
          },
          {
            link: '',
            target: 'https://shop.example.com/',
            uniqueClicks: 0,
            totalClicks: 0,
            scannerClicks: 1,
          },
          ...['a', 'b', 'c'].map((link) => ({
            link,
            target: `https://shop.example.com/${link}`,
            uniqueClicks: 0,
            totalClicks: 0,
            scannerClicks: 1,
          })),
        ],
      },
    ])
  })

  it('refuses a forged or expired hand-off but keeps the event, and records why', async () => {
    const expired = signToken(
      {
        kind: 'handoff',
        campaignId: 'c',
        emailId: 'e',
        recipient: 'zed',
        sentAt: Math.floor(Date.now() / 1000) - 3600,
      },
      NEW_KEY,
    )
    const res = await post(`${mail.url}/v1/batch`, {
      writeKey: 'wk_shop_123456',
      batch: [
        { type: 'page', anonymousId: 'zed-browser', messageId: 'zed-1', context: { emailHandoff: expired } },
        { type: 'page', anonymousId: 'zed-browser', messageId: 'zed-2', context: { emailHandoff: 'x.y' } },
      ],
    })
    expect(res.status).toBe(200)
    const rejected = await eventually(
      () =>
        q<{ reason: string }>(
          `SELECT reason FROM events_rejected WHERE error_code = 'TP_ERR_EMAIL_TOKEN' AND route = '/v1/batch' ORDER BY reason`,
        ),
      (r) => r.length === 2,
    )
    expect(rejected.map((r) => JSON.parse(r.reason)[0])).toEqual([
      { path: 'context.emailHandoff', message: 'expired' },
      { path: 'context.emailHandoff', message: 'token malformed' },
    ])
    await eventually(
      () => q(`SELECT 1 FROM events WHERE anonymous_id = 'zed-browser'`),
      (r) => r.length === 2,
    )
    // identity links load after events and refused calls, so a link sent later is the sign that any link of
    // the batch above would be in by now: only then does finding none mean none was written
    const marker = await post(`${mail.url}/v1/batch`, {
      writeKey: 'wk_shop_123456',
      batch: [{ type: 'identify', anonymousId: 'zed-marker', userId: 'zed-marker-user' }],
    })
    expect(marker.status).toBe(200)
    await eventually(
      () => q(`SELECT 1 FROM identities WHERE anonymous_id = 'zed-marker'`),
      (r) => r.length === 1,
    )
    expect(await q(`SELECT 1 FROM identities WHERE anonymous_id = 'zed-browser'`)).toEqual([])
  })
})
