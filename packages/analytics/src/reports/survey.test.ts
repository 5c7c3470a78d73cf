import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, type FixtureEvent, openFixture, PROJECT } from '../testing/fixture'
import { survey } from './survey'

const T0 = Date.UTC(2026, 2, 2, 9)
const HOUR = 3_600_000
const range = { project: PROJECT, from: '2026-03-01', to: '2026-03-08' }

const answer = (
  user: string,
  hours: number,
  question: string,
  type: string,
  value: unknown,
  extra: { id?: string; survey?: string } = {},
): FixtureEvent => ({
  event: 'Survey Answered',
  user,
  at: T0 + hours * HOUR,
  properties: { survey: extra.survey ?? 'support', question, type, answer: value },
  ...(extra.id && { id: extra.id }),
})

let fx: Fixture
beforeAll(async () => {
  fx = await openFixture()
  await fx.events([
    // CSAT on 1–5: u1 answers 5, then 3 (her latest counts); u2 4, twice stored (a retry); u3 5
    answer('u1', 0, 'How satisfied were you?', 'csat', 5),
    answer('u1', 2, 'How satisfied were you?', 'csat', 3),
    answer('u2', 1, 'How satisfied were you?', 'csat', 4, { id: '00000000-0000-8000-8000-000000000042' }),
    answer('u2', 1, 'How satisfied were you?', 'csat', 4, { id: '00000000-0000-8000-8000-000000000042' }),
    answer('u3', 3, 'How satisfied were you?', 'csat', 5),
    // before the range: not counted
    answer('u4', -48, 'How satisfied were you?', 'csat', 1),
    // multiple choice: each option counts
    answer('u1', 0, 'How did you reach us?', 'choice', ['email', 'phone']),
    answer('u2', 1, 'How did you reach us?', 'choice', 'email'),
    answer('u3', 3, 'How did you reach us?', 'choice', ['chat']),
    // free text: listed, the latest first, and not spread
    answer('u1', 0, 'Anything else?', 'text', 'Quick and kind'),
    answer('u2', 5, 'Anything else?', 'text', 'The parcel came late'),
    // another survey, with a "csat" on a scale of its own: no share satisfied
    answer('u1', 0, 'Rate the store', 'csat', 7, { survey: 'store' }),
    answer('u2', 0, 'Rate the store', 'csat', 10, { survey: 'store' }),
    answer('u3', 0, 'Rate the store', 'csat', 7, { survey: 'store' }),
    // an NPS question, and a number of the respondent's own
    answer('u1', 0, 'Recommend us?', 'nps', 10, { survey: 'nps' }),
    answer('u2', 0, 'Recommend us?', 'nps', 6, { survey: 'nps' }),
    answer('u3', 0, 'Recommend us?', 'nps', 9, { survey: 'nps' }),
    answer('u4', 0, 'Recommend us?', 'nps', 10, { survey: 'nps' }),
    answer('u1', 0, 'How many in your team?', 'rating', 12, { survey: 'nps' }),
    answer('u2', 0, 'How many in your team?', 'rating', 3, { survey: 'nps' }),
  ])
})
afterAll(() => fx?.close())

describe('survey report', () => {
  it('gives each question its responses, spread, mean and, for CSAT on 1–5, the share satisfied', async () => {
    const r = await survey(fx.reader, { ...range, survey: 'support' })
    expect(r.questions).toEqual([
      {
        survey: 'support',
        question: 'Anything else?',
        type: 'text',
        responses: 2,
        average: null,
        satisfied: null,
        answers: [],
        latestText: [
          { timestamp: '2026-03-02 14:00:00.000', answer: 'The parcel came late' },
          { timestamp: '2026-03-02 09:00:00.000', answer: 'Quick and kind' },
        ],
      },
      {
        survey: 'support',
        question: 'How did you reach us?',
        type: 'choice',
        responses: 3,
        average: null,
        satisfied: null,
        answers: [
          { answer: 'email', count: 2 },
          { answer: 'chat', count: 1 },
          { answer: 'phone', count: 1 },
        ],
      },
      {
        survey: 'support',
        question: 'How satisfied were you?',
        type: 'csat',
        responses: 3,
        average: 4,
        satisfied: 2 / 3,
        // the whole 1–5 scale, lowest first, nobody's points 0
        answers: [
          { answer: '1', count: 0 },
          { answer: '2', count: 0 },
          { answer: '3', count: 1 },
          { answer: '4', count: 1 },
          { answer: '5', count: 1 },
        ],
      },
    ])
  })

  it('reads every survey without a filter, and leaves the share out for a scale it does not know', async () => {
    const r = await survey(fx.reader, range)
    expect(r.questions.map((q) => `${q.survey}: ${q.question}`)).toEqual([
      'nps: How many in your team?',
      'nps: Recommend us?',
      'store: Rate the store',
      'support: Anything else?',
      'support: How did you reach us?',
      'support: How satisfied were you?',
    ])
    // a scale the report does not know: its numbers lowest first, with no points filled in
    expect(r.questions[2]).toMatchObject({
      type: 'csat',
      responses: 3,
      average: 8,
      satisfied: null,
      answers: [
        { answer: '7', count: 2 },
        { answer: '10', count: 1 },
      ],
    })
  })

  it('lists an NPS question on its whole scale, 0 to 10, and other numbers in their order', async () => {
    const [team, nps] = (await survey(fx.reader, { ...range, survey: 'nps' })).questions
    const given: Record<string, number> = { '6': 1, '9': 1, '10': 2 }
    expect(nps!.answers).toEqual(
      Array.from({ length: 11 }, (_, i) => ({ answer: String(i), count: given[String(i)] ?? 0 })),
    )
    expect(team!.answers).toEqual([
      { answer: '3', count: 1 },
      { answer: '12', count: 1 },
    ])
  })
})
