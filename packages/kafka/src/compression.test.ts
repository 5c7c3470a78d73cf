import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { decompress as zstdDecompress } from 'fzstd'
import kafkajs from 'kafkajs'
import { compress as snappyCompress } from 'snappyjs'
import { describe, expect, it } from 'vitest'
import { lz4Frames, registerCompressionCodecs, snappyXerial } from './compression'

const sample = (name: string) => readFileSync(join(import.meta.dirname, 'compression-fixtures', name))

/** The text the samples were made from (compression-fixtures/README.md). */
const plain = () =>
  Buffer.from(
    Array.from({ length: 1000 }, (_, i) =>
      JSON.stringify({ event: 'Compressed', n: i, note: 'touchpoint '.repeat(i % 7) }),
    ).join('\n'),
  )

describe('decoders of the codecs a broker may store batches in', () => {
  it('reads LZ4 frames: checksums and content size in the frame, frames in a row, blocks stored uncompressed', () => {
    expect(Buffer.from(lz4Frames(sample('checksums.lz4')))).toEqual(plain())
    expect(Buffer.from(lz4Frames(sample('two-frames.lz4')))).toEqual(Buffer.concat([plain(), plain()]))
    expect(Buffer.from(lz4Frames(sample('random.lz4')))).toEqual(sample('random'))
    expect(() => lz4Frames(sample('plain.zst'))).toThrow(/not an LZ4 frame/)
    expect(() => lz4Frames(sample('checksums.lz4').subarray(0, 5000))).toThrow(/past the end/)
  })

  it("reads Snappy in Xerial's framing (Java clients) and as a bare block (librdkafka)", () => {
    expect(Buffer.from(snappyXerial(sample('xerial.snappy')))).toEqual(plain())
    expect(Buffer.from(snappyXerial(snappyCompress(plain())))).toEqual(plain())
  })

  it('registers the three with kafkajs, which decompresses each batch through them', async () => {
    registerCompressionCodecs()
    const { CompressionTypes } = kafkajs
    const codecs = kafkajs.CompressionCodecs as unknown as Record<
      number,
      () => { compress(encoder: unknown): Promise<Buffer>; decompress(data: Buffer): Promise<Buffer> }
    >
    const read = (type: number, data: Buffer) => codecs[type]!().decompress(data)
    expect(await read(CompressionTypes.ZSTD, sample('plain.zst'))).toEqual(plain())
    expect(await read(CompressionTypes.LZ4, sample('checksums.lz4'))).toEqual(plain())
    expect(await read(CompressionTypes.Snappy, sample('xerial.snappy'))).toEqual(plain())
    expect(Buffer.from(zstdDecompress(sample('plain.zst')))).toEqual(plain())
    // Touchpoint's producers use gzip or nothing; asked to compress with these, the codec says so
    await expect(codecs[CompressionTypes.ZSTD]!().compress({})).rejects.toThrow(/KAFKA_COMPRESSION/)
  })
})
