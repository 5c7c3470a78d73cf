import { decompress as zstdDecompress } from 'fzstd'
// kafkajs is CommonJS, and Node's reading of its exports finds CompressionTypes but not CompressionCodecs
import kafkajs from 'kafkajs'
import { decompressBlock as lz4Block } from 'lz4js'
import { uncompress as snappyUncompress } from 'snappyjs'

/**
 * Reading record batches compressed with Snappy, LZ4 or ZSTD, which kafkajs reads only with codecs registered. A
 * broker recompresses what it stores when the topic's or its own `compression.type` names a codec (Confluent
 * Cloud, Amazon MSK and Redpanda all let an operator set one), and another producer on the topic may use any; an
 * ingester without them crashed its consumer on every fetch ("ZSTD compression not implemented") and loaded
 * nothing. Pure JavaScript decoders, so no native build. Touchpoint itself produces gzip or nothing
 * (KAFKA_COMPRESSION), so these codecs only decompress.
 */
export function registerCompressionCodecs(): void {
  const { CompressionCodecs, CompressionTypes } = kafkajs
  CompressionCodecs[CompressionTypes.ZSTD] = () => codec('ZSTD', (b) => zstdDecompress(b))
  CompressionCodecs[CompressionTypes.LZ4] = () => codec('LZ4', lz4Frames)
  CompressionCodecs[CompressionTypes.Snappy] = () => codec('Snappy', snappyXerial)
}

const codec = (name: string, decode: (data: Uint8Array) => Uint8Array) => ({
  compress: async (): Promise<Buffer> => {
    throw new Error(`${name}: Touchpoint produces gzip or nothing (KAFKA_COMPRESSION), and reads ${name}`)
  },
  decompress: async (buffer: Buffer): Promise<Buffer> => {
    const out = decode(buffer)
    return Buffer.from(out.buffer, out.byteOffset, out.length)
  },
})

const LZ4_MAGIC = 0x184d2204
/** The block maximum sizes an LZ4 frame's BD byte names (bits 4–6): 64 KiB to 4 MiB. */
const LZ4_BLOCK_MAX: Record<number, number> = { 4: 1 << 16, 5: 1 << 18, 6: 1 << 20, 7: 1 << 22 }

/**
 * LZ4 frames one after another (the LZ4 frame format, which Kafka's clients write since message format 1), each of
 * blocks, compressed or stored. A frame's blocks are decoded into one buffer, since a block may refer back into the
 * blocks before it (a frame whose BD byte does not set independence). The checksums are skipped: the record batch
 * has its own CRC, which kafkajs checks.
 */
export function lz4Frames(src: Uint8Array): Uint8Array {
  const view = new DataView(src.buffer, src.byteOffset, src.length)
  const frames: Uint8Array[] = []
  let pos = 0
  while (pos < src.length) {
    if (pos + 7 > src.length || view.getUint32(pos, true) !== LZ4_MAGIC)
      throw new Error('LZ4: not an LZ4 frame')
    const flags = src[pos + 4]!
    const blockMax = LZ4_BLOCK_MAX[(src[pos + 5]! >> 4) & 7]
    if (flags >> 6 !== 1 || blockMax === undefined)
      throw new Error('LZ4: a frame descriptor this reader does not know')
    const blockChecksum = (flags & 0x10) !== 0
    const contentChecksum = (flags & 0x04) !== 0
    pos += 4 + 2 + (flags & 0x08 ? 8 : 0) + 1 // magic, FLG and BD, the content size, the header checksum
    // the blocks first, for the most they can hold: a block's limit, or 255 bytes for each compressed byte
    const blocks: Array<{ at: number; size: number; stored: boolean }> = []
    let bound = 0
    for (;;) {
      if (pos + 4 > src.length) throw new Error('LZ4: a block runs past the end of the data')
      const word = view.getUint32(pos, true)
      pos += 4
      if (word === 0) break // the end mark
      const size = word & 0x7fffffff
      if (pos + size > src.length) throw new Error('LZ4: a block runs past the end of the data')
      const stored = word >>> 31 === 1
      blocks.push({ at: pos, size, stored })
      bound += stored ? size : Math.min(blockMax, size * 255 + 16)
      pos += size + (blockChecksum ? 4 : 0)
    }
    pos += contentChecksum ? 4 : 0
    const out = new Uint8Array(bound)
    let end = 0
    for (const b of blocks) {
      if (b.stored) {
        out.set(src.subarray(b.at, b.at + b.size), end)
        end += b.size
      } else end = lz4Block(src, out, b.at, b.size, end)
      // lz4js writes past a typed array's end without a word: a block that claimed more than it may hold
      if (end > bound) throw new Error('LZ4: a block decodes to more than its frame allows')
    }
    frames.push(out.subarray(0, end))
  }
  return concat(frames)
}

/** snappy-java's stream format (Xerial's framing), which Kafka's Java clients write: a header, then length-prefixed blocks. */
const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]
const XERIAL_HEADER = 16 // the magic, a version and a compatible version

/** A Snappy-compressed batch: in Xerial's framing (Java clients) or a bare Snappy block (librdkafka, kafkajs-snappy). */
export function snappyXerial(src: Uint8Array): Uint8Array {
  if (!XERIAL_MAGIC.every((b, i) => src[i] === b)) return snappyUncompress(src)
  const view = new DataView(src.buffer, src.byteOffset, src.length)
  const parts: Uint8Array[] = []
  for (let pos = XERIAL_HEADER; pos < src.length; ) {
    const size = view.getInt32(pos)
    pos += 4
    if (size < 0 || pos + size > src.length) throw new Error('Snappy: a block runs past the end of the data')
    parts.push(snappyUncompress(src.subarray(pos, pos + size)))
    pos += size
  }
  return concat(parts)
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!
  let length = 0
  for (const p of parts) length += p.length
  const out = new Uint8Array(length)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
