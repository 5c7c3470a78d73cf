import { statSync } from 'node:fs'
import { stat } from 'node:fs/promises'

/** What tells one version of a file from the next: its inode (a rename over it), size and modification time. */
const versionOf = (s: { ino: number; size: number; mtimeMs: number }) => `${s.ino}:${s.size}:${s.mtimeMs}`

/** The version of a file now ('missing' for none). Taken before the file is read, a change while it is read shows. */
export function fileVersion(path: string): string {
  try {
    return versionOf(statSync(path))
  } catch {
    return 'missing'
  }
}

/**
 * Calls `onChange` once the file is no longer the version `since` (fileVersion, taken when it was read) and has
 * stayed the same for `settleMs` since it last changed: polled every `pollMs`, so an atomic rename, an editor's save
 * or a mounted ConfigMap's update are all seen, and so is a change made before watching began. A file being
 * written in place is read once it has been still for `settleMs`. Returns the function that stops watching.
 */
export function watchVersions(
  path: string,
  since: string,
  options: { pollMs: number; settleMs: number },
  onChange: () => unknown,
): () => void {
  let seen = since
  /** when the file was last seen to change, 0 once that change is handed on */
  let changedAt = 0
  let polling = false
  const poll = async () => {
    if (polling) return
    polling = true
    try {
      const now = await stat(path).then(versionOf, () => 'missing')
      if (now !== seen) {
        seen = now
        changedAt = Date.now()
      }
      if (changedAt && Date.now() - changedAt >= options.settleMs) {
        changedAt = 0
        await onChange()
      }
    } finally {
      polling = false
    }
  }
  const timer = setInterval(() => void poll(), options.pollMs)
  timer.unref()
  return () => clearInterval(timer)
}
