import type { FastifyInstance } from 'fastify'

/**
 * `app.listen`, or an error that says which address could not be had and what to set instead: Node's own
 * (`listen EADDRINUSE: address already in use 0.0.0.0:8080`) names neither the cause nor the variable.
 */
export async function listenOn(app: FastifyInstance, port: number, host: string): Promise<string> {
  try {
    return await app.listen({ port, host })
  } catch (err) {
    const where = `${host}:${port}`
    switch ((err as NodeJS.ErrnoException).code) {
      case 'EADDRINUSE':
        throw new Error(
          `port ${port} is in use (${where}): another program, or another Touchpoint, listens there; stop it, or set PORT to another`,
        )
      case 'EACCES':
        throw new Error(
          `may not listen on ${where}: a port below 1024 needs privileges; set PORT to one above 1023`,
        )
      case 'EADDRNOTAVAIL':
        throw new Error(
          `may not listen on ${where}: ${host} is no address of this machine; set HOST to one (0.0.0.0: all)`,
        )
      default:
        throw err
    }
  }
}
