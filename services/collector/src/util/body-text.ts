import { TpError } from '../errors'

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i
const UTF8 = /^utf-?8$/i
/** a decoder per charset label met, for the bodies that are not UTF-8 */
const decoders = new Map<string, TextDecoder>()

/**
 * A request body as text, in the charset its Content-Type names: UTF-8 unless it names another (JSON between
 * systems is UTF-8, but an ISO-8859-1 body labelled as such should not lose its accents to U+FFFD). Any label the
 * WHATWG Encoding Standard knows is read, as a browser reads it (`iso-8859-1` as windows-1252); another is refused
 * with 415, naming it. (A byte order mark, which .NET's UTF-8 writers put first, Fastify's JSON parser drops.)
 */
export function bodyText(raw: Buffer, contentType: string | undefined): string {
  const charset = contentType?.includes('charset') ? CHARSET.exec(contentType)?.[1] : undefined
  return charset === undefined || UTF8.test(charset) ? raw.toString('utf8') : decoderFor(charset).decode(raw)
}

function decoderFor(charset: string): TextDecoder {
  const label = charset.toLowerCase()
  let decoder = decoders.get(label)
  if (!decoder) {
    try {
      decoder = new TextDecoder(label)
    } catch {
      throw new TpError(
        'TP_ERR_UNSUPPORTED_MEDIA_TYPE',
        `charset ${charset}: send JSON in UTF-8 (or in a charset the WHATWG Encoding Standard names)`,
      )
    }
    decoders.set(label, decoder)
  }
  return decoder
}
