import type { FastifyRequest } from 'fastify'
import { TpError } from '../errors'
import { bearerToken, type ProjectRegistry } from '../projects'

/** An onRequest hook that lets only the admin key through (compared in constant time by the registry). */
export function requireAdmin(registry: ProjectRegistry) {
  return async (req: FastifyRequest) => {
    if (!registry.isAdminKey(bearerToken(req.headers.authorization)))
      throw new TpError('TP_ERR_ADMIN_UNAUTHORIZED')
  }
}
