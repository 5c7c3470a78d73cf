import type {
  Compared,
  EventsResult,
  LiveResult,
  MrrMovements,
  PageFigures,
  PagesResult,
  PathsResult,
  Profile,
  RejectedResult,
  RetentionResult,
  SubscriptionFigures,
  SubscriptionsResult,
  SupportFigures,
  SupportResult,
  SurveyResult,
} from '@touchpoint/analytics'
import { counted, formatTable, NOT_SET, formatPercent as pct, formatSeconds as secs } from '../table'
import { change, comparedHead, rowsBefore, was } from './compare-text'

/* How the reports of one table or a few print in a terminal; `touchpoint report` (analytics.ts) picks one by kind. */

/** The event names, the most people first, and a row of them all; a line says how many a --limit left out. */
export function eventsText(r: Compared<EventsResult>): string {
  if (!r.rows.length) return `${comparedHead(r)}no events in the range`
  const day = (iso: string) => iso.slice(0, 16).replace('T', ' ')
  const before = rowsBefore(r.previous?.rows, (x) => x.event)
  const row = (
    event: string,
    x: { events: number; people: number },
    b: Partial<{ events: number; people: number }> | undefined,
    share: string,
    first: string,
    last: string,
  ) => ({
    event,
    events: x.events,
    ...(b && { 'Δ events': change(x.events, was(b, 'events')) }),
    people: x.people,
    ...(b && { 'Δ people': change(x.people, was(b, 'people')) }),
    share,
    'first seen (UTC)': first,
    'last seen (UTC)': last,
  })
  const table = formatTable([
    ...r.rows.map((x) => row(x.event, x, before(x.event), pct(x.share), day(x.firstSeen), day(x.lastSeen))),
    row('(all)', r.total, r.previous?.total, '', '', ''),
  ])
  const more = r.total.names - r.rows.length
  return `${comparedHead(r)}${table}${more > 0 ? `\n\n${counted(more, 'more event name')}; --limit N lists more` : ''}`
}

/** The counts on one line, then what the sessions are on and where they came from. */
export function liveText(r: LiveResult): string {
  const minutes = Math.round((Date.parse(r.to) - Date.parse(r.from)) / 60_000)
  const head = `${counted(r.visitors, 'visitor')} in the last ${counted(minutes, 'minute')}: ${counted(r.sessions, 'session')}, ${counted(r.pageViews, 'page view')}, ${counted(r.orders, 'order')}`
  if (!r.sessions) return head
  const countries = r.countries.map((c) => ({ country: c.country || '(unknown)', sessions: c.sessions }))
  return `${head}\n\nOn now\n${formatTable(r.pages)}\n\nCame from\n${formatTable(r.channels)}\n\nWhere they are\n${formatTable(countries)}`
}

/** A row a cohort: its people, then the share of them active in each period since; a last row of the averages. */
export function retentionText(r: RetentionResult, breakdown?: string): string {
  if (!r.cohorts.length) return 'nobody was active for the first time in the range'
  const line = (cohort: string, people: number | string, rates: number[], first = 'cohort') => ({
    [first]: cohort,
    people,
    ...Object.fromEntries(
      r.average.map((_, k) => [`${r.interval} ${k}`, k < rates.length ? pct(rates[k]!) : '']),
    ),
  })
  const table = formatTable([
    ...r.cohorts.map((c) => line(c.start, c.people, c.rates)),
    line('(average)', '', r.average),
  ])
  const segments = r.segments
    ? `\n\nBy ${breakdown ?? 'value'} of their first activity (the average over their cohorts)\n${formatTable(
        r.segments.map((s) => line(s.value || NOT_SET, s.people, s.average, breakdown ?? 'value')),
      )}`
    : ''
  return `${table}${segments}\n\nA cohort is the people first active in that ${r.interval} (${r.timezone}); its last ${r.interval} counts up to --to.`
}

/** The paths, the most viewed first, and a row of them all; a line says how many were left out. */
export function pagesText(r: Compared<PagesResult>, host?: string): string {
  const before = rowsBefore(r.previous?.rows, (x) => x.path)
  const line = (path: string, f: PageFigures, b: Partial<PageFigures> | undefined) => ({
    path,
    views: f.views,
    ...(b && { 'Δ views': change(f.views, was(b, 'views')) }),
    visitors: f.visitors,
    ...(b && { 'Δ visitors': change(f.visitors, was(b, 'visitors')) }),
    entries: f.entries,
    'bounce rate': pct(f.bounceRate),
    exits: f.exits,
    'exit rate': pct(f.exitRate),
    'visible (median)': secs(f.medianEngagedSeconds),
    'scrolled (mean)': f.meanScrollDepth === null ? '' : `${f.meanScrollDepth.toFixed(0)}%`,
  })
  // a project that several sites send to: say which, and how to see one of them
  const hosts =
    host === undefined && r.hosts.length > 1
      ? `\n\nPage views by host: ${r.hosts.map((h) => `${h.host || '(no URL)'} ${h.views}`).join(', ')}. Their paths add up here; --host NAME shows one site's pages.`
      : ''
  if (!r.rows.length)
    return `${comparedHead(r)}no page views${host ? ` on ${host}` : ''} in the range${hosts}`
  const more = r.total.paths - r.rows.length
  const table = formatTable([
    ...r.rows.map((x) => line(x.path, x, before(x.path))),
    line('(all)', r.total, r.previous?.total),
  ])
  return `${comparedHead(r)}${table}${more > 0 ? `\n\n${counted(more, 'more path')}; --limit N lists more` : ''}${hosts}`
}

/** Each question: a line of its figures, then how many gave each answer, or a text question's latest answers. */
export function surveyText(r: SurveyResult): string {
  if (!r.questions.length) return 'no survey answers in the range'
  return r.questions
    .map((q) => {
      const figures = [
        counted(q.responses, 'response'),
        ...(q.average === null ? [] : [`average ${q.average.toFixed(2)}`]),
        ...(q.satisfied === null ? [] : [`satisfied ${pct(q.satisfied)}`]),
      ].join(', ')
      const head = `${q.survey || NOT_SET}: ${q.question || NOT_SET}${q.type ? ` (${q.type})` : ''}: ${figures}`
      const body = q.latestText ? formatTable(q.latestText) : formatTable(q.answers)
      return `${head}\n${body}`
    })
    .join('\n\n')
}

/**
 * An amount with the currency it is in. A sum over several (no exchange asked for, or a currency it had no rate
 * for) is marked as mixed, and `mixedNote` tells how to see one at a time.
 */
export const money = (x: number, currencies: string[] = []) =>
  currencies.length === 0
    ? x.toFixed(2)
    : currencies.length === 1
      ? `${x.toFixed(2)} ${currencies[0]}`
      : `${x.toFixed(2)} (${currencies.join('+')})`
export const mixedNote = (currencies: string[], how: string) =>
  currencies.length > 1
    ? `\nRevenue adds up amounts in ${currencies.join(', ')}, which are not converted; ${how}.`
    : ''
/** A person's facts, then their latest events. */
export function profileText(p: Profile): string {
  const facts = formatTable([
    { fact: 'user ids', value: p.userIds.join(', ') },
    { fact: 'anonymous ids', value: p.anonymousIds.join(', ') },
    { fact: 'traits', value: JSON.stringify(p.traits) },
    { fact: 'first / last seen', value: `${p.firstSeen} / ${p.lastSeen}` },
    { fact: 'events / sessions', value: `${p.events} / ${p.sessions}` },
    { fact: 'channels', value: p.channels.map((c) => `${c.channel} ${c.sessions}`).join(', ') },
    {
      fact: 'where',
      value: [p.location.country, p.location.timezone, p.location.locale].filter((x) => x).join(', '),
    },
    {
      fact: 'devices',
      value: p.devices.map((d) => `${d.deviceType} ${d.os} ${d.browser}`).join(', '),
    },
    {
      fact: 'orders',
      value: `${p.orders.count}, revenue ${money(p.orders.revenue, p.orders.currencies)}, AOV ${money(p.orders.averageOrderValue, p.orders.currencies)}`,
    },
    // a row of their own (a cell holds 60 characters), for a person who has any
    ...(p.orders.refunds
      ? [
          {
            fact: 'refunds',
            value: `${p.orders.refunds}, gave back ${money(p.orders.refunded, p.orders.currencies)}, net revenue ${money(p.orders.netRevenue, p.orders.currencies)}`,
          },
        ]
      : []),
    { fact: 'email', value: `sent ${p.email.sent}, opens ${p.email.opens}, clicks ${p.email.clicks}` },
    { fact: 'latest NPS', value: p.nps ? `${p.nps.score} at ${p.nps.at}` : '' },
    {
      fact: 'subscriptions',
      value: p.subscriptions
        .map(
          (x) =>
            `${x.plan || x.subscriptionId} ${x.active ? `${money(x.monthlyRevenue, x.currency ? [x.currency] : [])}/month` : 'cancelled'}`,
        )
        .join(', '),
    },
    {
      fact: 'support tickets',
      value: p.support.tickets ? `${p.support.tickets}, ${p.support.open} open` : '',
    },
  ])
  return `${facts}\n\nRecent events\n${formatTable(p.timeline)}`
}

/**
 * The commonest first steps after the start, then the commonest paths, each with its people and share; without
 * `start` (--start), the paths begin at each person's first page view.
 */
export function pathsText(r: PathsResult, start: string | undefined): string {
  const from = start ?? 'Page Viewed'
  const hint = start
    ? ''
    : '\n\nFrom each person\'s first page view; --start "Page Viewed[path=/pricing]" starts elsewhere'
  if (!r.people) return `nobody did ${from} in the range${hint}`
  const next = formatTable(
    r.next.map((x) => ({ 'next step': x.step, people: x.people, share: pct(x.share) })),
  )
  const paths = formatTable(
    r.paths.map((x) => ({ path: x.steps.join(' → '), people: x.people, share: pct(x.share) })),
  )
  return `${counted(r.people, 'person', 'people')} did ${from} in the range; what they did next:\n${next}\n\nThe commonest paths\n${paths}${hint}`
}

/** Subscriptions by plan and all of them, then why they were cancelled. */
export function subscriptionsText(r: SubscriptionsResult, interval?: string): string {
  const line = (plan: string, f: SubscriptionFigures) => ({
    plan,
    'active at start': f.activeAtStart,
    new: f.started,
    cancelled: f.cancelled,
    churned: f.churned,
    'churn rate': pct(f.churnRate),
    'active at end': f.activeAtEnd,
    'MRR at start': money(f.mrrAtStart, r.currencies),
    'MRR at end': money(f.mrrAtEnd, r.currencies),
  })
  const table = formatTable([...r.plans.map((x) => line(x.plan || NOT_SET, x)), line('(all)', r)])
  const reasons = r.reasons.length
    ? `\n\nWhy they cancelled\n${formatTable(r.reasons.map((x) => ({ reason: x.reason || NOT_SET, cancelled: x.cancelled })))}`
    : ''
  const mixed = mixedNote(r.currencies, "set the project's currency and exchangeRates to add them up in one")
  const who = r.customers === 1 ? 'customer' : 'customers'
  const series = r.series
    ? `\n\nBy ${interval ?? 'period'}\n${formatTable(
        r.series.map((x) => ({
          [periodColumn(interval)]: x.start,
          new: x.started,
          cancelled: x.cancelled,
          'active at end': x.activeAtEnd,
          'MRR at end': money(x.mrrAtEnd, r.currencies),
          ...movementColumns(x, r.currencies),
        })),
      )}`
    : ''
  const moved = (movement: string, mrr: string) => ({ movement, MRR: mrr })
  // a movement's sign, where it moved the MRR by a cent or more
  const signed = (x: number, sign: '+' | '-') => `${Math.abs(x) < 0.005 ? '' : sign}${money(x, r.currencies)}`
  const movements = `\n\nHow the MRR moved\n${formatTable([
    moved('at start', money(r.mrrAtStart, r.currencies)),
    moved(`new (${r.startedActive})`, signed(r.mrrNew, '+')),
    moved(`reactivation (${r.reactivated})`, signed(r.mrrReactivated, '+')),
    moved(`expansion (${r.expanded})`, signed(r.mrrExpansion, '+')),
    moved(`contraction (${r.contracted})`, signed(r.mrrContraction, '-')),
    moved(`churn (${r.churned})`, signed(r.mrrChurned, '-')),
    moved('at end', money(r.mrrAtEnd, r.currencies)),
  ])}`
  return `${r.customers} ${who} with an active subscription at the end\n${table}${movements}${series}${reasons}${mixed}`
}

/** A period's MRR movements as columns of the subscriptions report's series. */
const movementColumns = (x: MrrMovements, currencies: string[]) => ({
  'new MRR': money(x.mrrNew, currencies),
  reactivation: money(x.mrrReactivated, currencies),
  expansion: money(x.mrrExpansion, currencies),
  contraction: money(x.mrrContraction, currencies),
  churn: money(x.mrrChurned, currencies),
})

/** The column of a period's first day: `day`, or `week of`, `month of`. */
export const periodColumn = (interval: string | undefined) =>
  interval === 'day' ? 'day' : `${interval ?? 'period'} of`

/** Support tickets: a row for each value of `by` and one for them all, then tickets by period when asked for. */
export function supportText(r: Compared<SupportResult>, interval?: string): string {
  const before = rowsBefore(r.previous?.rows, (x) => x.value)
  const line = (value: string, f: SupportFigures, b: Partial<SupportFigures> | undefined) => ({
    [r.by]: value,
    opened: f.opened,
    ...(b && { 'Δ opened': change(f.opened, was(b, 'opened')) }),
    resolved: f.resolved,
    ...(b && { 'Δ resolved': change(f.resolved, was(b, 'resolved')) }),
    'resolved of opened': pct(f.resolutionRate),
    'open at end': f.openAtEnd,
    'time to resolve (median)': secs(f.medianResolutionSeconds),
    p90: secs(f.p90ResolutionSeconds),
    customers: f.customers,
  })
  const head = `${counted(r.customers, 'customer')} opened tickets, ${r.repeatCustomers} of them two or more`
  const table = formatTable([
    ...r.rows.map((x) => line(x.value || NOT_SET, x, before(x.value))),
    line('(all)', r, r.previous),
  ])
  const series = r.series
    ? `\n\nBy ${interval ?? 'period'}\n${formatTable(
        r.series.map((x) => ({
          [periodColumn(interval)]: x.start,
          opened: x.opened,
          resolved: x.resolved,
          'time to resolve (median)': secs(x.medianResolutionSeconds),
        })),
      )}`
    : ''
  return `${comparedHead(r)}${head}\n${table}${series}`
}

/** An ISO time to the second, for a table. */
export const second = (iso: string) => iso.slice(0, 19).replace('T', ' ')

/** An id as a shell argument: as it is when it is safe there, else in single quotes. */
export const quoted = (id: string) => (/^[\w@.:+-]+$/.test(id) ? id : `'${id.replace(/'/g, `'\\''`)}'`)

/** A person's traits as columns named as Touchpoint names the fields (`traits.email`), apart from the list's own. */
export const traitColumns = (traits: Record<string, string | null> | undefined) =>
  Object.fromEntries(Object.entries(traits ?? {}).map(([name, value]) => [`traits.${name}`, value]))

/** Why calls were refused: the code and field of each kind of issue, the most first, and where to read the calls. */
export function rejectedText(r: RejectedResult): string {
  if (!r.rows.length) return 'no refused calls in the range'
  const table = formatTable(
    r.rows.map((x) => ({
      code: x.code,
      field: x.field || '(body)',
      refused: x.refused,
      'last seen (UTC)': second(x.lastSeen),
      from: x.sources.join(', '),
      'latest message': x.message,
    })),
  )
  const more = r.total.rows - r.rows.length
  const calls = `${counted(r.total.refused, 'call')} refused in the range`
  const read = `touchpoint sql "SELECT received_at, route, reason, raw FROM events_rejected ORDER BY received_at DESC LIMIT 20" reads the calls themselves`
  return `${calls}\n\n${table}\n\n${more > 0 ? `${more} more; --limit N lists more.\n` : ''}${read}`
}
