/**
 * Progress on stderr: a bar redrawn in place on a terminal, a plain line every few seconds otherwise (logs, CI).
 */
export class Progress {
  private lastDraw = 0
  private readonly startedAt = Date.now()

  constructor(
    private readonly totalBytes: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly everyMs = out.isTTY ? 200 : 5_000,
  ) {}

  private lastRows = -1

  update(offset: number, rows: number, force = false): void {
    const now = Date.now()
    if (force ? rows === this.lastRows : now - this.lastDraw < this.everyMs) return
    this.lastRows = rows
    this.lastDraw = now
    const share = this.totalBytes > 0 ? Math.min(1, offset / this.totalBytes) : 1
    const rate = Math.round(rows / Math.max(0.001, (now - this.startedAt) / 1000))
    const text = `${(share * 100).toFixed(1).padStart(5)}%  ${rows.toLocaleString('en')} rows  ${rate.toLocaleString('en')} rows/s`
    if (this.out.isTTY) {
      const width = 30
      const filled = Math.round(share * width)
      this.out.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}`)
    } else this.out.write(`import: ${text}\n`)
  }

  finish(): void {
    if (this.out.isTTY) this.out.write('\n')
  }
}
