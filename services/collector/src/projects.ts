import { createHash, timingSafeEqual } from 'node:crypto'
import { linearRegExp } from '@touchpoint/analytics'
import { compilePlan, type PlanChecker } from '@touchpoint/schema'
import type { KeyConfig, ProjectConfig } from './config'
import { hostOf } from './enrich/campaign'
import { DEFAULT_SECRETS, type SecretNames, secretNames } from './enrich/redact'
import { AddressRanges } from './util/address-ranges'

export interface Credential {
  project: ProjectConfig
  /** true for the secret key: server-side calls that may set IP, user id and historic timestamps */
  trusted: boolean
}

const MAX_KNOWN_HEADERS = 1024

const digest = (key: string) => createHash('sha256').update(key).digest()

interface RegistryState {
  projects: readonly ProjectConfig[]
  ids: Map<string, ProjectConfig>
  byDigest: Map<string, Credential>
  /**
   * Keys already found valid, so a busy sender's requests skip the SHA-256 (8% of a single-event request in a
   * profile). Only valid keys enter it, so it is bounded by the projects file; a guess still takes the digest
   * path, and a Map look-up compares a guess with a real key only when their string hashes collide. A reload
   * starts it afresh, so a retired key is not remembered.
   */
  valid: Map<string, Credential>
  /**
   * Authorization headers already found valid, so they skip the base64 decoding too. One key has many header
   * spellings (any password after the colon), so this one is capped: past MAX_KNOWN_HEADERS it starts afresh.
   */
  validHeaders: Map<string, Credential>
  adminDigests: Buffer[]
  /** The parameters each project's URLs have redacted, for the projects that add their own (`redactParams`). */
  secrets: Map<string, SecretNames>
  /** The tracking plans of the projects that have one, compiled once a load. */
  plans: Map<string, PlanChecker>
  /** The internal addresses of the projects that name some (`internalIps`). */
  internal: Map<string, AddressRanges>
  /** The hosts of the projects that name their sites (`allowedOrigins` other than "*"). */
  sites: Map<string, string[]>
}

/**
 * Looks keys up by their SHA-256 digest, so that the time a look-up takes depends on the digest and not on
 * how much of a real key the caller guessed.
 */
export class ProjectRegistry {
  private state!: RegistryState

  constructor(keys: KeyConfig) {
    this.replace(keys)
  }

  /**
   * Swaps in new projects and keys at once (a reload of the projects file): a request sees either the old set
   * or the new, and a retired key stops working with the next request.
   */
  replace({ projects, adminKeys }: KeyConfig): void {
    const byDigest = new Map<string, Credential>()
    const ids = new Map<string, ProjectConfig>()
    const secrets = new Map<string, SecretNames>()
    const plans = new Map<string, PlanChecker>()
    const internal = new Map<string, AddressRanges>()
    const sites = new Map<string, string[]>()
    for (const project of projects) {
      const hosts = project.allowedOrigins.flatMap((o) => (URL.canParse(o) ? [hostOf(new URL(o))] : []))
      if (hosts.length) sites.set(project.id, hosts)
      ids.set(project.id, project)
      if (project.redactParams?.length) secrets.set(project.id, secretNames(project.redactParams))
      if (project.trackingPlan) plans.set(project.id, compilePlan(project.trackingPlan, linearRegExp))
      if (project.internalIps?.length) internal.set(project.id, new AddressRanges(project.internalIps))
      for (const key of [project.writeKey, ...(project.previousWriteKeys ?? [])])
        byDigest.set(digest(key).toString('base64'), { project, trusted: false })
      for (const key of [project.secretKey, ...(project.previousSecretKeys ?? [])])
        if (key) byDigest.set(digest(key).toString('base64'), { project, trusted: true })
    }
    this.state = {
      projects,
      ids,
      byDigest,
      valid: new Map(),
      validHeaders: new Map(),
      adminDigests: adminKeys.map(digest),
      secrets,
      plans,
      internal,
      sites,
    }
  }

  /** The hosts of a project's own sites (`allowedOrigins`), when it names them. */
  sitesOf(projectId: string): string[] | undefined {
    return this.state.sites.get(projectId)
  }

  /** Whether a client address is one of the project's own (`internalIps`). */
  isInternal(projectId: string, ip: string): boolean {
    return this.state.internal.get(projectId)?.has(ip) ?? false
  }

  /** A project's tracking plan, ready to check events against; none for a project without one. */
  planOf(projectId: string): PlanChecker | undefined {
    return this.state.plans.get(projectId)
  }

  /** The parameters whose values a project's URLs have redacted: the built-in names and its `redactParams`. */
  secretsOf(projectId: string): SecretNames {
    return this.state.secrets.get(projectId) ?? DEFAULT_SECRETS
  }

  get projects(): readonly ProjectConfig[] {
    return this.state.projects
  }

  byId(id: string): ProjectConfig | undefined {
    return this.state.ids.get(id)
  }

  byKey(key: string | undefined): Credential | undefined {
    if (!key) return undefined
    const { valid, byDigest } = this.state
    const known = valid.get(key)
    if (known) return known
    const cred = byDigest.get(digest(key).toString('base64'))
    if (cred) valid.set(key, cred)
    return cred
  }

  /** The credential of an `Authorization: Basic` header (see basicAuthUser). */
  byBasicAuth(header: string | undefined): Credential | undefined {
    if (!header) return undefined
    const { validHeaders } = this.state
    const known = validHeaders.get(header)
    if (known) return known
    const cred = this.byKey(basicAuthUser(header))
    if (cred) {
      if (validHeaders.size >= MAX_KNOWN_HEADERS) validHeaders.clear()
      validHeaders.set(header, cred)
    }
    return cred
  }

  /** Every admin key is compared (in constant time), so the answer's timing does not say which one matched. */
  isAdminKey(key: string | undefined): boolean {
    if (key === undefined) return false
    const d = digest(key)
    let ok = false
    for (const admin of this.state.adminDigests) ok = timingSafeEqual(d, admin) || ok
    return ok
  }

  /** Origins allowed by at least one project (for CORS preflights, which carry no key). */
  anyProjectAllows(origin: string): boolean {
    return this.state.projects.some((p) => originAllowed(p, origin))
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
