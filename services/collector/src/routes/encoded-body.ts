import { createGunzip, createInflate } from 'node:zlib'
import type { preParsingHookHandler } from 'fastify'
import { TpError } from '../errors'

/**
 * A request body sent compressed (`Content-Encoding: gzip` or `deflate`), as Segment's server and mobile libraries
 * may send a batch, read through a decompressing stream. Fastify's body limit counts what comes out of it, so a
 * small body that inflates past MAX_BODY_BYTES is refused with 413 (a zip bomb) and inflated no further, and the request's Content-Length
 * is held against the bytes that came in. Another encoding is refused with 415.
 */
export const decodeBody: preParsingHookHandler = (req, reply, payload, done) => {
  const encoding = req.headers['content-encoding']?.trim().toLowerCase()
  if (!encoding || encoding === 'identity') return done(null, payload)
  if (encoding !== 'gzip' && encoding !== 'x-gzip' && encoding !== 'deflate')
    return done(
      new TpError(
        'TP_ERR_UNSUPPORTED_MEDIA_TYPE',
        `Content-Encoding ${encoding}: send gzip, deflate or none`,
      ),
    )
  const inflate = Object.assign(encoding === 'deflate' ? createInflate() : createGunzip(), {
    receivedEncodedLength: 0,
  })
  payload.on('data', (chunk: Buffer) => {
    inflate.receivedEncodedLength += chunk.length
  })
  payload.on('error', (err) => inflate.destroy(err))
  // once answered (a 413 for a body that inflates too far), what is left of it is not inflated for nothing
  reply.raw.once('close', () => inflate.destroy())
  payload.pipe(inflate)
  done(null, inflate)
}

/** The bytes of a request's body as sent, when they are also the bytes of its JSON: not for a compressed body. */
export const plainBodyBytes = (headers: { 'content-length'?: string; 'content-encoding'?: string }) => {
  const encoding = headers['content-encoding']
  return encoding && encoding !== 'identity' ? undefined : headers['content-length']
}
