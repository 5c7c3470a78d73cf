import { describe, expect, it } from 'vitest'
import { retryText } from './retry-rejected'

const range = { from: '2026-12-01', to: '2026-12-08' }
const answer = {
  project: 'dev',
  dryRun: false,
  examined: 1,
  accepted: 1,
  stillRefused: 0,
  reasons: [],
  unreadable: 0,
}

describe('retryText', () => {
  it('says what was retried, in the singular for one', () => {
    expect(retryText(answer, range)).toBe(
      '1 refused call of dev received from 2026-12-01 to 2026-12-08: 1 accepted and stored, 0 still refused\n',
    )
  })

  it('says a dry run stored nothing, and lists why the rest are still refused', () => {
    const text = retryText(
      {
        ...answer,
        dryRun: true,
        examined: 5,
        accepted: 2,
        stillRefused: 2,
        unreadable: 1,
        reasons: [
          { path: '', message: 'must be a JSON object', calls: 1 },
          { path: 'event', message: 'is required (string)', calls: 1 },
        ],
      },
      range,
    )
    expect(text).toBe(
      '5 refused calls of dev received from 2026-12-01 to 2026-12-08: 2 would be accepted (a dry run: nothing stored), 2 still refused, 1 cut short when kept (no longer JSON)\n' +
        'Still refused, the commonest reasons first:\n  1  (the call): must be a JSON object\n  1  event: is required (string)\n',
    )
  })
})
