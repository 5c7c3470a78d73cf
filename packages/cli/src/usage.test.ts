import { describe, expect, it } from 'vitest'
import { USAGE, usageOf } from './usage'

describe('usageOf', () => {
  it("gives a command's entry and the lines under it", () => {
    const funnel = usageOf('funnel')
    expect(funnel).toContain('funnel --step "Page Viewed[path=/pricing]"')
    expect(funnel).toContain('[--breakdown channel]')
    // an analytics command's common options, which USAGE writes once under report
    expect(funnel).toContain('analytics take --project')
    expect(funnel).toContain('--timezone Europe/Berlin, --json')
    expect(funnel).not.toContain('attribution')
  })

  it('gives every command of USAGE something of its own', () => {
    for (const command of [
      'start',
      'sql',
      'attribution',
      'profile',
      'report',
      'email',
      'forget',
      'export',
      'keys',
      'import',
      'spend',
      'status',
      'retry-rejected',
    ])
      expect(usageOf(command), command).not.toBe(USAGE)
    expect(usageOf('keys')).toContain('SIGHUP')
  })

  it('gives all of USAGE for a command it does not name', () => {
    expect(usageOf('nonsense')).toBe(USAGE)
  })
})
