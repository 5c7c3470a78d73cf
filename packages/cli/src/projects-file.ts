import { readFileSync } from 'node:fs'
import type { EmailKey } from '@touchpoint/node'
import type { CliConfig } from './config'

export interface ProjectEntry {
  id: string
  writeKey?: string
  secretKey?: string
  email?: { keys: EmailKey[]; recipientSecret?: string }
}

/** One project of the collector's projects file (keys for `email instrument` and `import`). */
export function projectEntry(config: CliConfig, id: string): ProjectEntry {
  let file: { projects?: ProjectEntry[] }
  try {
    file = JSON.parse(readFileSync(config.projectsFile, 'utf8'))
  } catch (err) {
    throw new Error(`cannot read the projects file ${config.projectsFile}: ${(err as Error).message}`)
  }
  const project = file.projects?.find((p) => p.id === id)
  if (!project) throw new Error(`no project ${id} in ${config.projectsFile}`)
  return project
}
