import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { ROOT } from './helpers/collector'

/** `docker compose config` (Compose v2) or `docker-compose config` (v1, Debian's): both validate offline. */
function composeConfig(args: string[]): string {
  const run = (cmd: string, pre: string[]) =>
    execFileSync(cmd, [...pre, '-f', 'docker-compose.yml', 'config', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  try {
    return run('docker', ['compose'])
  } catch (err) {
    if (
      !/unknown command|not a docker command|unknown shorthand flag|ENOENT/.test(
        String((err as { stderr?: string }).stderr ?? err),
      )
    )
      throw err
    return run('docker-compose', [])
  }
}

describe('docker-compose.yml', () => {
  it('is accepted by docker compose config and wires Kafka, ClickHouse, the collector and the ingester', () => {
    const services = composeConfig(['--services']).trim().split('\n').sort()
    expect(services).toEqual(['clickhouse', 'collector', 'ingester', 'kafka'])
    const resolved = composeConfig([])
    expect(resolved).toMatch(/image: apache\/kafka:/)
    expect(resolved).toMatch(/image: clickhouse\/clickhouse-server:/)
    expect(resolved.match(/KAFKA_BROKERS: kafka:9092/g)).toHaveLength(2)
    expect(resolved.match(/CLICKHOUSE_URL: http:\/\/clickhouse:8123/g)).toHaveLength(2)
    expect(resolved.match(/healthcheck:/g)).toHaveLength(4)
    expect(resolved.match(/restart: unless-stopped/g)).toHaveLength(4)
  })
})
