import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { generateKey } from '@touchpoint/collector'
import type { CliConfig } from '../config'

const USAGE = 'usage: touchpoint keys rotate|retire --kind write|secret|admin [--project dev] [--json]'

type Kind = 'write' | 'secret' | 'admin'
const KINDS: readonly Kind[] = ['write', 'secret', 'admin']

interface Holder {
  [field: string]: unknown
}

/** The object that holds a kind's key, and its two field names. */
function slot(file: Holder, kind: Kind, projectId: string) {
  if (kind === 'admin') return { holder: file, current: 'adminKey', previous: 'previousAdminKeys' }
  const projects = (file.projects ?? []) as Holder[]
  const holder = projects.find((p) => p.id === projectId)
  if (!holder) throw new Error(`no project ${projectId} in the projects file`)
  const name = kind === 'write' ? 'WriteKey' : 'SecretKey'
  return { holder, current: kind === 'write' ? 'writeKey' : 'secretKey', previous: `previous${name}s` }
}

/** Written beside the original and renamed over it, so the collector never reads half a file. */
function writeAtomically(path: string, file: Holder): void {
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 })
  chmodSync(tmp, 0o600)
  renameSync(tmp, path)
}

/**
 * `touchpoint keys rotate --kind write`: a new key becomes the project's key and the old one stays accepted;
 * `touchpoint keys retire --kind write` then stops accepting the old ones. The running collector reloads the
 * projects file by itself (or on SIGHUP), so neither step needs a restart.
 */
export async function keysCommand(config: CliConfig, args: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      kind: { type: 'string' },
      project: { type: 'string', default: 'dev' },
      json: { type: 'boolean', default: false },
    },
  })
  const action = positionals[0]
  const kind = values.kind as Kind
  if ((action !== 'rotate' && action !== 'retire') || !KINDS.includes(kind)) throw new Error(USAGE)
  const project = kind === 'admin' ? undefined : values.project
  const path = config.projectsFile
  const file = JSON.parse(readFileSync(path, 'utf8')) as Holder
  const { holder, current, previous } = slot(file, kind, values.project)
  const before = (holder[previous] as string[] | undefined) ?? []
  let result: Record<string, unknown>
  if (action === 'rotate') {
    const old = holder[current] as string | undefined
    const key = generateKey(kind)
    holder[current] = key
    if (old) holder[previous] = [old, ...before]
    result = { kind, project, key, stillAccepted: (old ? 1 : 0) + before.length }
  } else {
    delete holder[previous]
    result = { kind, project, retired: before.length }
  }
  writeAtomically(path, file)
  if (values.json) return `${JSON.stringify(result, null, 2)}\n`
  const whose = project ? `${kind} key of project ${project}` : 'admin key'
  const keys = (n: number) =>
    `${n || 'no'} previous ${kind} key${n === 1 ? '' : 's'}${project ? ` of project ${project}` : ''}`
  const retire = `touchpoint keys retire --kind ${kind}${project ? ` --project ${project}` : ''}`
  return action === 'rotate'
    ? `new ${whose}: ${result.key}\nthe previous key stays accepted until \`${retire}\`\n`
    : `retired ${keys(before.length)}\n`
}
