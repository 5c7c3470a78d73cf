// the pure JavaScript decoders compression.ts uses, which ship without types
declare module 'lz4js' {
  /** Decompresses the LZ4 block of `src` at [sIndex, sIndex + sLength) into `dst` from dIndex; returns where it ended. */
  export function decompressBlock(
    src: Uint8Array,
    dst: Uint8Array,
    sIndex: number,
    sLength: number,
    dIndex: number,
  ): number
}
declare module 'snappyjs' {
  export function uncompress<T extends Uint8Array>(compressed: T, maxLength?: number): T
  export function compress<T extends Uint8Array>(uncompressed: T): T
}
