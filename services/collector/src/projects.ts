import { createHash, timingSafeEqual } from 'node:crypto'
import type { ProjectConfig } from './config'

export interface Credential {
  project: ProjectConfig
  /** true for the secret key: server-side calls that may set IP, user id and historic timestamps */
  trusted: boolean
}

const digest = (key: string) => createHash('sha256').update(key).digest()

/**
 * Looks keys up by their SHA-256 digest, so that the time a look-up takes depends on the digest and not on
 * how much of a real key the caller guessed.
 */
export class ProjectRegistry {
  private readonly byDigest = new Map<string, Credential>()
  /**
   * Keys already found valid, so a busy sender's requests skip the SHA-256 (8% of a single-event request in a
   * profile). Only valid keys enter it, so it is bounded by the projects file; a guess still takes the digest
   * path, and a Map look-up compares a guess with a real key only when their string hashes collide.
   */
  private readonly valid = new Map<string, Credential>()
  private readonly adminDigest: Buffer
  private readonly ids = new Map<string, ProjectConfig>()
  readonly projects: readonly ProjectConfig[]

  constructor(projects: readonly ProjectConfig[], adminKey: string) {
    this.projects = projects
    for (const project of projects) {
      this.ids.set(project.id, project)
      this.byDigest.set(digest(project.writeKey).toString('base64'), { project, trusted: false })
      if (project.secretKey)
        this.byDigest.set(digest(project.secretKey).toString('base64'), { project, trusted: true })
    }
    this.adminDigest = digest(adminKey)
  }

  byId(id: string): ProjectConfig | undefined {
    return this.ids.get(id)
  }

  byKey(key: string | undefined): Credential | undefined {
    if (!key) return undefined
    const known = this.valid.get(key)
    if (known) return known
    const cred = this.byDigest.get(digest(key).toString('base64'))
    if (cred) this.valid.set(key, cred)
    return cred
  }

  isAdminKey(key: string | undefined): boolean {
    return key !== undefined && timingSafeEqual(digest(key), this.adminDigest)
  }

  /** Origins allowed by at least one project (for CORS preflights, which carry no key). */
  anyProjectAllows(origin: string): boolean {
    return this.projects.some((p) => originAllowed(p, origin))
  }
}

export function originAllowed(project: ProjectConfig, origin: string): boolean {
  return project.allowedOrigins.includes('*') || project.allowedOrigins.includes(origin)
}

/** The write key from `Authorization: Basic base64(key:)`, as Segment's libraries send it. */
export function basicAuthUser(header: string | undefined): string | undefined {
  if (!header?.startsWith('Basic ')) return undefined
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon === -1 ? decoded : decoded.slice(0, colon)
}

/** The token from `Authorization: Bearer <token>`. */
export function bearerToken(header: string | undefined): string | undefined {
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined
}
