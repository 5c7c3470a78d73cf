/** Prometheus text exposition of the collector's counters, gauges and the load-latency histogram. */

type Labels = Record<string, string>

const labelText = (labels: Labels) => {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`,
  )
  return parts.length ? `{${parts.join(',')}}` : ''
}

class Counter {
  private readonly values = new Map<string, number>()
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels)
    this.values.set(key, (this.values.get(key) ?? 0) + by)
  }
  total(): number {
    let sum = 0
    for (const v of this.values.values()) sum += v
    return sum
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`]
    if (this.values.size === 0) lines.push(`${this.name} 0`)
    for (const [k, v] of this.values) lines.push(`${this.name}${k} ${v}`)
    return lines.join('\n')
  }
}

class Histogram {
  private readonly counts: number[]
  private sum = 0
  private count = 0
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: number[],
  ) {
    this.counts = buckets.map(() => 0)
  }
  observe(value: number): void {
    this.sum += value
    this.count++
    this.buckets.forEach((b, i) => {
      if (value <= b) this.counts[i]!++
    })
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`]
    this.buckets.forEach((b, i) => {
      lines.push(`${this.name}_bucket{le="${b}"} ${this.counts[i]}`)
    })
    lines.push(
      `${this.name}_bucket{le="+Inf"} ${this.count}`,
      `${this.name}_sum ${this.sum}`,
      `${this.name}_count ${this.count}`,
    )
    return lines.join('\n')
  }
}

export class Metrics {
  readonly accepted = new Counter('touchpoint_events_accepted_total', 'Events accepted and durably queued.')
  readonly rejected = new Counter('touchpoint_events_rejected_total', 'Events refused, by error code.')
  readonly loaded = new Counter('touchpoint_events_loaded_total', 'Events inserted into ClickHouse.')
  readonly duplicates = new Counter(
    'touchpoint_events_duplicates_total',
    'Retried events dropped by the dedupe window.',
  )
  readonly loadErrors = new Counter('touchpoint_load_errors_total', 'Failed inserts (each is retried).')
  readonly loadLatency = new Histogram(
    'touchpoint_load_latency_seconds',
    'Time of one batch insert into ClickHouse.',
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  )
  private readonly gauges: Array<{ name: string; help: string; read: () => number }> = []

  gauge(name: string, help: string, read: () => number): void {
    this.gauges.push({ name, help, read })
  }

  render(): string {
    const parts = [
      this.accepted,
      this.rejected,
      this.loaded,
      this.duplicates,
      this.loadErrors,
      this.loadLatency,
    ].map((m) => m.render())
    for (const g of this.gauges)
      parts.push(`# HELP ${g.name} ${g.help}\n# TYPE ${g.name} gauge\n${g.name} ${g.read()}`)
    return `${parts.join('\n')}\n`
  }
}
