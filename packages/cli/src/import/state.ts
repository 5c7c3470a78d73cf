import { createHash } from 'node:crypto'
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs'

/**
 * Where an import stands, written after every acknowledged chunk (to a temporary file, then renamed, so a kill
 * leaves the old state or the new one, never half of one). A re-run starts after `offset`; the rejects file is
 * cut back to `rejectsBytes`, so rows of a chunk that was cut short are not listed twice.
 */
export interface ImportState {
  version: 1
  /** SHA-256 of the file's first 64 KiB: a different file under the same name is not resumed */
  fingerprint: string
  offset: number
  /** the next line to read */
  line: number
  rejectsBytes: number
  imported: number
  rejected: number
  done: boolean
}

export function fingerprint(path: string): string {
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.alloc(64 * 1024)
    const n = readSync(fd, buf, 0, buf.length, 0)
    return createHash('sha256').update(buf.subarray(0, n)).digest('hex')
  } finally {
    closeSync(fd)
  }
}

export function loadState(path: string): ImportState | undefined {
  if (!existsSync(path)) return undefined
  const state = JSON.parse(readFileSync(path, 'utf8')) as ImportState
  if (state.version !== 1) throw new Error(`${path}: not an import state this version understands`)
  return state
}

export function saveState(path: string, state: ImportState): void {
  const tmp = `${path}.tmp`
  const fd = openSync(tmp, 'w')
  try {
    writeSync(fd, JSON.stringify(state))
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
}
