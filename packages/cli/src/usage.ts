/** What `touchpoint`, `touchpoint help` and `touchpoint <command> --help` print. */
export const USAGE = `touchpoint <command>

  start                     run the collector (embedded stack, or producing to Kafka with KAFKA_BROKERS)
  ingest                    run the Kafka → ClickHouse ingester (KAFKA_BROKERS required); with TOUCHPOINT_CONFIG
                            (the collector's projects file), also the admin API over what it loads
  migrate                   apply pending ClickHouse migrations
  status [--json]           what the running collector (or an ingester, at TOUCHPOINT_URL) says of itself: ready or
                            not, why, and its figures since it started; exit code 0 ok, 1 degraded, 2 not ready or
                            not answering
  backup [--name NAME]      a copy of the embedded engine's tables in <data dir>/backups/NAME (default: the time),
                            made by the running collector, or by this command when none runs
  restore DIR               load a backup into the data directory, which must hold no events (no collector on it)
  sql "<query>" [--param name=value ...] [--json | --csv]
                            read-only SQL; values as {name:Type} parameters
  funnel --step "Page Viewed[path=/pricing]" --step "Signed Up" [--window 7d] [--mode ordered|strict|any]
         [--breakdown channel] [--interval day|week|month]
         [--people reached:N|dropped:N [--value V] [--period 2026-11-02] [--traits email,name]
          [--limit 100 [--offset 0] | --all] [--csv]]
                            --interval adds the counts by the day, week or month people entered; --people lists who
                            reached step N, or dropped out there, instead of the counts, with the latest value of
                            each trait asked for; --all lists every one of them
  attribution [--conversion "Order Completed"] [--model all|first_touch|…|markov] [--by channel|source|medium|campaign]
              [--lookback 30d] [--half-life 7d] [--net-of-refunds] [--csv]
                            --net-of-refunds credits each order with what it kept after the refunds made since
  profile <person> [--limit 20]
  report overview|live|events|properties|rejected|plan|traffic|pages|links|paths|retention|time-of-day|orders|
         products|stores|customers|nps|survey|acquisition|subscriptions|support|email|experiments [--minutes 5]
         [--by channel|source|medium|campaign|device|browser|os|landing|host|country|language (traffic; the first
         four for acquisition), channel|priority|category (support), product|category (products), url|host
         (links)] [--kind outbound|download (links)]
         [--horizon 90d (acquisition)] [--net-of-refunds (acquisition, customers, an experiment: revenue kept after
          refunds)]
         [--who active|new|returning|lapsed [--sort revenue|orders|lifetimeRevenue|lastOrder] [--offset 0 | --all]
          [--traits email,name] (customers)]
         [--start "Page Viewed[path=/pricing]" (paths: default each person's first page view) [--steps 3]
          [--window 30m]]
         [--experiment ID [--conversion "Order Completed"] [--window 14d] [--control V] [--uplift 0.1]
          (experiments: one test's variants side by side, with 95% intervals and p-values, and the people a
          variant needs to tell that uplift from chance)]
         [--limit 50] [--interval day|week|month] [--breakdown channel (retention)]
         [--event "Order Completed" (which event's properties: required)] [--segment properties.plan] [--survey S] [--campaign C] [--host shop.example]
         [--csv: a report's list for a spreadsheet (not live or orders)]
                            analytics take --project (default dev), --from and --to (default the last 30 days; a date
                            is that day's start in --timezone, default the project's, so --to is the day after the
                            last: --from 2026-11-01 --to 2026-12-01 is November), --timezone Europe/Berlin, --json,
                            --compare previous|year (the change from the range before, or the same range a year
                            before, beside each main figure)
  plan draft [--project dev] [--from D] [--to D] [--timezone Z] [--limit 200]
                            a tracking plan drawn from the events already sent (each event's properties, their
                            types, which every one carried), as JSON for the project's trackingPlan to edit
  plan check [--file plan.json] [--project dev] [--from D] [--to D] [--limit 100000] [--json]
                            a plan (the project's trackingPlan without --file) tried on the stored events: how many
                            of the latest track and identify calls break it, by event and field
  email instrument --campaign C --message M --recipient R [--project dev] [--base-url URL] [--record] < in.html > out.html
                            sign every link of an email and add the open pixel; --record also records Email Sent
  retry-rejected [--project dev] [--from D] [--to D] [--timezone Z] [--dry-run] [--json]
                            the calls refused in a range (received then; default the last 30 days), by their
                            fields or the project's tracking plan, checked again by the running collector, and
                            those it now accepts stored as received (after an upgrade, or a plan put right);
                            --dry-run only counts them
  forget --user ID [--project dev]
                            GDPR erasure: the person's events (and linked anonymous ids), identity links, refusals
  export --user ID [--project dev] [--out FILE]
                            GDPR access: the person's events, identity links and refusals as NDJSON, to stdout or
                            to a file only you can read
  keys rotate|retire --kind write|secret|admin [--project dev]
                            rotate: a new key, the old one still accepted; retire: stop accepting old keys.
                            The running collector picks the change up by itself (or on SIGHUP)
  spend FILE.csv [--project dev] [--map field=column ...] [--set field=value ...] [--decimal .|,]
                            what ads cost (columns day, source, medium, campaign, cost, currency, clicks,
                            impressions; an export's own with --map, its title and Total rows left out), for
                            attribution and the acquisition report to set beside the revenue; a day sent again
                            replaces it
  import FILE [--format ndjson|csv] [--map field[:type]=column ...] [--set field=value ...] [--restart]
                            load history (NDJSON calls, or CSV with a mapping) through the collector, resumable;
                            CSV split by comma, semicolon or tab as its header is (--delimiter to say which),
                            numbers by the decimal mark of its locale (--decimal to say which)
  --version                 the version of touchpoint (and of Node.js it runs on)

Environment: PORT, TOUCHPOINT_DATA_DIR, TOUCHPOINT_CONFIG, TOUCHPOINT_URL, TOUCHPOINT_ADMIN_KEY, TOUCHPOINT_SECRET_KEY,
             CLICKHOUSE_URL
`

const PROGRAM = 'touchpoint '
const ENTRY = /^ {2}\S/
const CONTINUED = /^ {3,}\S/
const ANALYTICS = new Set(['funnel', 'attribution', 'profile', 'report'])

/**
 * The usage of one command: its entry in USAGE and the lines indented under it, with the options every analytics
 * command takes; all of USAGE for a command it does not name.
 */
export function usageOf(command: string): string {
  const lines = USAGE.split('\n')
  const start = lines.findIndex((line) => ENTRY.test(line) && line.trim().split(' ')[0] === command)
  if (start < 0) return USAGE
  let end = start + 1
  while (end < lines.length && CONTINUED.test(lines[end]!)) end++
  const entry = lines.slice(start, end)
  // the options every analytics command takes: the lines from "analytics take" to the next command
  const from = lines.findIndex((line) => line.includes('analytics take'))
  let to = from + 1
  while (to < lines.length && CONTINUED.test(lines[to]!)) to++
  const common = from < 0 ? [] : lines.slice(from, to)
  if (ANALYTICS.has(command) && common[0] && !entry.includes(common[0])) entry.push(...common)
  // `  funnel …` becomes `touchpoint funnel …`, and the lines under it move right as far
  const shift = ' '.repeat(PROGRAM.length - 2)
  return `${[PROGRAM + entry[0]!.slice(2), ...entry.slice(1).map((line) => shift + line)].join('\n')}\n`
}
