import { readFileSync } from 'node:fs'
import type { EmailKey } from '@touchpoint/node'
import type { CliConfig } from './config'

export interface ProjectEntry {
  id: string
  writeKey?: string
  secretKey?: string
  timezone?: string
  currency?: string
  /** a fixed rate, or rates by date (analytics' `exchange`) */
  exchangeRates?: Record<string, number | Record<string, number>>
  checkoutEvents?: string[]
  /** the project's tracking plan, as the projects file gives it */
  trackingPlan?: Record<string, unknown>
  email?: { keys: EmailKey[]; recipientSecret?: string }
}

function readProjects(config: CliConfig): ProjectEntry[] {
  try {
    return (
      (JSON.parse(readFileSync(config.projectsFile, 'utf8')) as { projects?: ProjectEntry[] }).projects ?? []
    )
  } catch (err) {
    throw new Error(`cannot read the projects file ${config.projectsFile}: ${(err as Error).message}`)
  }
}

/** One project of the collector's projects file (keys for `email instrument` and `import`). */
export function projectEntry(config: CliConfig, id: string): ProjectEntry {
  const project = readProjects(config).find((p) => p.id === id)
  if (!project) throw new Error(`no project ${id} in ${config.projectsFile}`)
  return project
}

/** The project, or undefined when there is no projects file or no such project in it. */
export function findProject(config: CliConfig, id: unknown): ProjectEntry | undefined {
  try {
    return readProjects(config).find((p) => p.id === id)
  } catch {
    return undefined
  }
}

/**
 * Refuses a project the projects file does not name, as the collector's API does (TP_ERR_UNKNOWN_PROJECT): read
 * or written straight in ClickHouse, a mistyped id gave a report of zeros, or stored ad spend nobody reads.
 * Nothing to check where there is no projects file (ClickHouse on a server, the file elsewhere).
 */
export function requireKnownProject(config: CliConfig, id: unknown): void {
  let projects: ProjectEntry[]
  try {
    projects = readProjects(config)
  } catch {
    return
  }
  if (typeof id !== 'string' || projects.some((p) => p.id === id)) return
  const named = projects.map((p) => p.id).join(', ')
  throw new Error(`project: no project ${id} in ${config.projectsFile} (its projects: ${named || 'none'})`)
}
