/** Where the collector hands accepted records: append() resolves only once they are durable. */
export interface Sink {
  append(frames: Buffer[]): Promise<void>
  /** 'ok'; 'degraded' while storage is unreachable but events are still accepted; 'down' when they are not */
  status(): 'ok' | 'degraded' | 'down'
  close(): Promise<void>
}
