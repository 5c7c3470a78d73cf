import { describe, expect, it } from 'vitest'
import {
  change,
  changeNote,
  comparedHead,
  pointsChange,
  rowsBefore,
  scoreChange,
  share,
  was,
} from './compare-text'

describe('the change from the range before', () => {
  it('is relative for counts and amounts, new for what was none, nothing where nothing was compared', () => {
    expect(change(150, 120)).toBe('+25.0%')
    expect(change(90, 120)).toBe('−25.0%')
    expect(change(0, 4)).toBe('−100.0%')
    expect(change(7, 7)).toBe('0.0%')
    expect(change(3, 0)).toBe('new')
    expect(change(0, 0)).toBe('')
    expect(change(3, undefined)).toBe('')
    expect(changeNote(150, 120)).toBe(' (Δ +25.0%)')
    expect(changeNote(0, 0)).toBe('')
  })

  it('gives a figure per something none now when there was none of it, and new when there was none before', () => {
    // 2.5 views a session against none: no sessions before
    expect(change(2.5, 0, [4, 0])).toBe('new')
    // no sessions now: no views a session, rather than −100.0%
    expect(change(0, 2, [0, 3])).toBe('')
    expect(change(3, 2, [6, 3])).toBe('+50.0%')
  })

  it('is in percentage points for rates, and in points for a score', () => {
    expect(pointsChange(0.125, 0.1)).toBe('+2.5 pp')
    expect(pointsChange(0.1, 0.125)).toBe('−2.5 pp')
    expect(pointsChange(0.1, undefined)).toBe('')
    expect(scoreChange(32, 25)).toBe('+7.0')
  })

  it('gives a rate of none no figure, and its change from none is new', () => {
    // 1 of 4 sessions against none: there was no rate before to change from
    expect(pointsChange(0.25, 0, [4, 0])).toBe('new')
    // none now against 1 of 2 before: there is no rate now
    expect(pointsChange(0, 0.5, [0, 2])).toBe('')
    expect(pointsChange(0.25, 0.5, [4, 2])).toBe('−25.0 pp')
    expect(pointsChange(0.25, undefined, [4, 0])).toBe('')
    expect(share(0, 0)).toBe('')
    expect(share(0, 3)).toBe('0.0%')
    expect(share(0.25, 4)).toBe('25.0%')
  })

  it("reads the range before's row by key: its figures, none for a key it lacked, nothing without it", () => {
    const before = rowsBefore([{ key: 'Email', sessions: 4 }], (r) => r.key)
    expect(was(before('Email'), 'sessions')).toBe(4)
    expect(was(before('Direct'), 'sessions')).toBe(0)
    const none = rowsBefore<{ key: string; sessions: number }>(undefined, (r) => r.key)
    expect(was(none('Email'), 'sessions')).toBeUndefined()
  })

  it('names the range compared with', () => {
    const range = { from: '2025-11-01', to: '2025-12-01', compare: 'year' as const }
    expect(comparedHead({ previousRange: range })).toBe(
      'Δ: the change from 2025-11-01 – 2025-12-01, the same range a year before\n',
    )
    expect(comparedHead({})).toBe('')
  })
})
