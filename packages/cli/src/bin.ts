import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { loadCliConfig } from './config'
import { formatTable } from './table'

// each command is loaded when it runs: `import` or `email` need not load the collector and ClickHouse
const commands = {
  analytics: () => import('./commands/analytics'),
  email: () => import('./commands/email'),
  forget: () => import('./commands/forget'),
  import: () => import('./commands/import'),
  ingest: () => import('./commands/ingest'),
  keys: () => import('./commands/keys'),
  migrate: () => import('./commands/migrate'),
  sql: () => import('./commands/sql'),
  start: () => import('./commands/start'),
}

const USAGE = `touchpoint <command>

  start                     run the collector (embedded stack, or producing to Kafka with KAFKA_BROKERS)
  ingest                    run the Kafka → ClickHouse ingester (KAFKA_BROKERS required)
  migrate                   apply pending ClickHouse migrations
  sql "<query>" [--param name=value ...] [--json]
                            read-only SQL; values as {name:Type} parameters
  funnel --step "Page Viewed[path=/pricing]" --step "Signed Up" [--window 7d] [--mode ordered|strict|any]
         [--breakdown channel]
  attribution [--conversion "Order Completed"] [--model all|first_touch|…|markov] [--by channel|source|medium|campaign]
              [--lookback 30d] [--half-life 7d]
  profile <person> [--limit 20]
  report time-of-day|orders|nps|email [--timezone Europe/Berlin] [--interval week] [--segment properties.plan]
                            [--campaign C]
                            analytics take --project (default dev), --from and --to (default the last 30 days), --json
  email instrument --campaign C --message M --recipient R [--project dev] [--base-url URL] [--record] < in.html > out.html
                            sign every link of an email and add the open pixel; --record also records Email Sent
  forget --user ID [--project dev]
                            GDPR erasure: the person's events (and linked anonymous ids), identity links, refusals
  keys rotate|retire --kind write|secret|admin [--project dev]
                            rotate: a new key, the old one still accepted; retire: stop accepting old keys.
                            The running collector picks the change up by itself (or on SIGHUP)
  import FILE [--format ndjson|csv] [--map field[:type]=column ...] [--set field=value ...] [--restart]
                            load history (NDJSON calls, or CSV with a mapping) through the collector, resumable

Environment: PORT, TOUCHPOINT_DATA_DIR, TOUCHPOINT_CONFIG, TOUCHPOINT_URL, TOUCHPOINT_ADMIN_KEY, TOUCHPOINT_SECRET_KEY,
             CLICKHOUSE_URL
`

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'start':
      await (await commands.start()).start()
      return -1
    case 'ingest':
      await (await commands.ingest()).ingest()
      return -1
    case 'migrate':
      process.stdout.write(`${await (await commands.migrate()).migrate(loadCliConfig())}\n`)
      return 0
    case 'sql': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          json: { type: 'boolean', default: false },
          param: { type: 'string', multiple: true, default: [] },
        },
      })
      const query = positionals.join(' ')
      if (!query) throw new Error('usage: touchpoint sql "<query>"')
      const params = Object.fromEntries(
        values.param.map((p) => {
          const eq = p.indexOf('=')
          if (eq < 1) throw new Error(`--param ${p}: expected name=value`)
          return [p.slice(0, eq), p.slice(eq + 1)]
        }),
      )
      const rows = await (await commands.sql()).sql(loadCliConfig(), query, params)
      process.stdout.write(`${values.json ? JSON.stringify(rows, null, 2) : formatTable(rows)}\n`)
      return 0
    }
    case 'funnel':
    case 'attribution':
    case 'profile':
    case 'report':
      process.stdout.write(
        `${await (await commands.analytics()).analyticsCommand(loadCliConfig(), command, rest)}\n`,
      )
      return 0
    case 'forget':
      process.stdout.write(await (await commands.forget()).forgetCommand(loadCliConfig(), rest))
      return 0
    case 'import':
      process.stdout.write(await (await commands.import()).importCommand(loadCliConfig(), rest))
      return 0
    case 'keys':
      process.stdout.write(await (await commands.keys()).keysCommand(loadCliConfig(), rest))
      return 0
    case 'email':
      process.stdout.write(
        await (await commands.email()).emailCommand(loadCliConfig(), rest, readFileSync(0, 'utf8')),
      )
      return 0
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE)
      return 0
    default:
      process.stderr.write(`unknown command: ${command}\n\n${USAGE}`)
      return 2
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // exit only once stdout is flushed: a large result written to a pipe would otherwise be cut off
    if (code >= 0) process.stdout.write('', () => process.exit(code))
  },
  (err: Error) => {
    process.stderr.write(`touchpoint: ${err.message}\n`)
    process.exit(1)
  },
)
