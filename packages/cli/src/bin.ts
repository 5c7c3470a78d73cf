import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { didYouMean } from './closest'
import { loadCliConfig } from './config'
import { formatCsv, formatTable } from './table'
import { USAGE, usageOf } from './usage'

// each command is loaded when it runs: `import` or `email` need not load the collector and ClickHouse
const commands = {
  analytics: () => import('./commands/analytics'),
  backup: () => import('./commands/backup'),
  email: () => import('./commands/email'),
  import: () => import('./commands/import'),
  ingest: () => import('./commands/ingest'),
  keys: () => import('./commands/keys'),
  migrate: () => import('./commands/migrate'),
  person: () => import('./commands/person'),
  retry: () => import('./commands/retry-rejected'),
  sql: () => import('./commands/sql'),
  spend: () => import('./commands/ad-spend'),
  start: () => import('./commands/start'),
  status: () => import('./commands/status'),
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(usageOf(command))
    return 0
  }
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
          csv: { type: 'boolean', default: false },
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
      if (values.csv) process.stdout.write(formatCsv(rows))
      else process.stdout.write(`${values.json ? JSON.stringify(rows, null, 2) : formatTable(rows)}\n`)
      return 0
    }
    case 'funnel':
    case 'attribution':
    case 'profile':
    case 'report':
    case 'plan': {
      const out = await (await commands.analytics()).analyticsCommand(loadCliConfig(), command, rest)
      // CSV ends its last record itself; a table or JSON gets the line end here
      process.stdout.write(out.endsWith('\n') ? out : `${out}\n`)
      return 0
    }
    case 'backup':
      process.stdout.write(await (await commands.backup()).backupCommand(loadCliConfig(), rest))
      return 0
    case 'restore':
      process.stdout.write(await (await commands.backup()).restoreCommand(loadCliConfig(), rest))
      return 0
    case 'forget':
      process.stdout.write(await (await commands.person()).forgetCommand(loadCliConfig(), rest))
      return 0
    case 'export':
      process.stdout.write(
        await (await commands.person()).exportCommand(loadCliConfig(), rest, process.stdout),
      )
      return 0
    case 'import':
      process.stdout.write(await (await commands.import()).importCommand(loadCliConfig(), rest))
      return 0
    case 'status': {
      const { out, code } = await (await commands.status()).statusCommand(loadCliConfig(), rest)
      process.stdout.write(out)
      return code
    }
    case 'keys':
      process.stdout.write(await (await commands.keys()).keysCommand(loadCliConfig(), rest))
      return 0
    case 'retry-rejected':
      process.stdout.write(await (await commands.retry()).retryRejectedCommand(loadCliConfig(), rest))
      return 0
    case 'spend':
      process.stdout.write(await (await commands.spend()).spendCommand(loadCliConfig(), rest))
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
    case 'version':
    case '--version':
    case '-v': {
      const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
        version: string
      }
      process.stdout.write(`touchpoint ${pkg.version} (Node.js ${process.versions.node})\n`)
      return 0
    }
    default:
      process.stderr.write(`unknown command: ${command}\n\n${USAGE}`)
      return 2
  }
}

// a reader that stops early (`touchpoint export … | head`) closes the pipe: end quietly, as a Unix tool does,
// not with Node's stack trace for an unhandled EPIPE
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err
  process.exit(0)
})

/** How long a failed command has to end by itself before it is made to. */
const FAILED_EXIT_MS = 2000

/**
 * Node's words for an option a command does not take advise quoting it after `--`, which is never what was
 * meant: a typo of one of the command's options, most likely, which its usage names.
 */
function explained(err: Error, command: string | undefined): Error {
  if ((err as NodeJS.ErrnoException).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || !command) return err
  const option = /'(-[^']*)'/.exec(err.message)?.[1] ?? 'an option'
  const options = [...new Set(usageOf(command).match(/--[a-z][a-z-]*/g) ?? [])]
  return new Error(
    `${command} takes no option ${option}${didYouMean(option, options)}; touchpoint ${command} --help lists them`,
  )
}

main(process.argv.slice(2)).then(
  (code) => {
    // exit only once stdout is flushed: a large result written to a pipe would otherwise be cut off
    if (code >= 0) process.stdout.write('', () => process.exit(code))
  },
  (failed: Error) => {
    const err = explained(failed, process.argv[2])
    process.stderr.write(`touchpoint: ${err.message}\n`)
    // ended when nothing is left to run, not at once: exiting at once after a query the embedded engine refused
    // crashed the process (SIGSEGV in chDB's teardown, exit 139 where the error's was 1); a command that leaves
    // something running (a server that failed after it started) is stopped after a moment
    process.exitCode = 1
    setTimeout(() => process.exit(1), FAILED_EXIT_MS).unref()
  },
)
