import type { QueryParams } from '../params'
import type { RuleModel } from './models'
import { DIRECT_KEY, firstOfEachSession, type TouchQuery, touchCtes } from './touches'

/** The `model` column of a credit row: a rule model's index, or one of these. */
export const MARKOV_ROW = 6
export const TOTALS_ROW = 7
export const RULE_ROW: Record<RuleModel, number> = {
  first_touch: 0,
  last_touch: 1,
  last_non_direct: 2,
  linear: 3,
  time_decay: 4,
  position_based: 5,
}

/** The kinds of a Markov state in a transition row (`from_kind`, `to_kind`). */
export const STATE = { start: 0, key: 1, conversion: 2, null: 3 } as const

export interface CreditQuery extends TouchQuery {
  rules: readonly RuleModel[]
  markov: boolean
  halfLifeMs: number
}

/**
 * Every model's credit in one pass over the touches, summed in ClickHouse (all seven models on 10M events: 11.8 s
 * as paths sent to JavaScript, 4.2 s so). People's touches and conversions are grouped once, and each session
 * keeps its first touch (touches.ts); each conversion keeps the touches in its lookback (`path`), each person
 * with no conversion in range the touches from `from` on (a Markov null path). Paths with the same keys (and
 * the same last non-Direct touch) are then grouped (`sequences`): a rule's share depends on nothing else, so it
 * is computed once per sequence and multiplied by the sequence's conversions and revenue. Time decay depends
 * on times, so its shares are summed per position while grouping. Each sequence unrolls into rows of (model,
 * from_kind, from_key, to_kind, to_key, conversions, revenue), summed at the end:
 * - a rule model's credit for a key: (model, start, '', key, key, …);
 * - a Markov transition: (MARKOV_ROW, from state, from key, to state, to key, paths, 0);
 * - the conversions themselves: (TOTALS_ROW, …, count, revenue), so that the totals come from the same rows.
 * The answer is a few rows per model and key, whatever the number of conversions. The weights are the
 * definitions in models.ts and markov.ts, and attribution.crosscheck.test.ts holds the two together.
 */
export function creditsSql(p: QueryParams, q: CreditQuery): string {
  const lookback = p.add(q.lookbackMs, 'Int64')
  const from = p.add(q.from.getTime(), 'Int64')
  const direct = p.add(DIRECT_KEY[q.by], 'String')
  const half = p.add(q.halfLifeMs, 'Float64')
  // (model, start, '', key, key, conversions, revenue): for a rule, the key's share of one conversion times the
  // conversions that follow this sequence and their revenue. `seq` is a conversion's keys, or the direct key
  // when it has no touch, so no rule needs a case of its own for that.
  const sums = (model: number, key: string, conversions: string, revenue: string) =>
    `(toUInt8(${model}), toUInt8(${STATE.start}), '', toUInt8(${STATE.key}), ${key}, toFloat64(${conversions}), toFloat64(${revenue}))`
  const row = (model: number, key: string, share: string) =>
    sums(model, key, `(${share}) * paths`, `(${share}) * revenue`)
  const ruleRows: Record<Exclude<RuleModel, 'time_decay'>, string> = {
    first_touch: `[${row(RULE_ROW.first_touch, 'seq[1]', '1')}]`,
    last_touch: `[${row(RULE_ROW.last_touch, 'seq[n]', '1')}]`,
    last_non_direct: `[${row(RULE_ROW.last_non_direct, 'seq[if(non_direct = 0, n, non_direct)]', '1')}]`,
    linear: `arrayMap(k -> ${row(RULE_ROW.linear, 'k', '1 / n')}, seq)`,
    position_based: `arrayMap((k, i) -> ${row(
      RULE_ROW.position_based,
      'k',
      'multiIf(n = 1, 1, n = 2, 0.5, i = 1 OR i = n, 0.4, 0.2 / (n - 2))',
    )}, seq, arrayEnumerate(seq))`,
  }
  // Time decay depends on the touches' times: each conversion's shares are summed position by position while
  // grouping (every path of a sequence has its keys in the same places), and the positions' rows are summed by
  // key at the end, as every rule's are. Summed by key while grouping (sumMap), the whole query took 4.0 s
  // against 3.7 s (the bench's 10M events, medians of 5 runs, alternating).
  const decayRows = `arrayMap((dk, dw, dr) -> ${sums(RULE_ROW.time_decay, 'dk', 'dw', 'dr')}, seq, decay, decay_revenue)`
  const parts = q.rules.map((m) => (m === 'time_decay' ? decayRows : ruleRows[m]))
  const rules = parts.length ? `if(converted, arrayConcat(${parts.join(', ')}), [])` : '[]'
  const decay = q.rules.includes('time_decay')
    ? `sumForEachIf(decay_shares, converted) AS decay,
        sumForEachIf(arrayMap(w -> w * path_revenue, decay_shares), converted) AS decay_revenue,`
    : ''
  // A path's states: start, its keys (`seq`), then conversion or null.
  const markov = q.markov
    ? `arrayMap((a, b, i) -> (toUInt8(${MARKOV_ROW}), toUInt8(if(i = 1, ${STATE.start}, ${STATE.key})), a,
          toUInt8(if(i = length(seq) + 1, end_state, ${STATE.key})), b, toFloat64(paths), toFloat64(0)),
        arrayPushFront(seq, ''), arrayPushBack(seq, ''), range(1, length(seq) + 2))`
    : '[]'
  const totals = `if(converted, [(toUInt8(${TOTALS_ROW}), toUInt8(0), '', toUInt8(0), '', toFloat64(paths), revenue)], [])`
  // A person's touches (time, direct, key, session) in time order, of those at the same time a Direct one last: of
  // a session's parts that began in the same millisecond (an ad's page view and the identify sent with it, the
  // identified part a Direct one), the session is the ad's, as the traffic report and session_parts' own first
  // event take it.
  return `WITH ${touchCtes(p, q)},
    people AS (
      SELECT person, ${firstOfEachSession('all_touches')} AS touches, conversions
      FROM (
        SELECT person,
          arraySort(groupArrayIf((t, direct, key, session), is_touch)) AS all_touches,
          groupArrayIf((t, revenue), NOT is_touch) AS conversions
        FROM (
          SELECT person, toUnixTimestamp64Milli(start_at) AS t, CAST(key AS String) AS key, toUInt8(direct) AS direct,
            session, toFloat64(0) AS revenue, true AS is_touch
          FROM touches
          UNION ALL
          SELECT person, toUnixTimestamp64Milli(at), '', toUInt8(0), toUInt64(0), revenue, false
          FROM conv
        )
        GROUP BY person
      )
    ),
    paths AS (
      SELECT c.1 AS at, c.2 AS revenue, c.1 >= 0 AS converted,
        arrayFilter(x -> if(converted, x.1 >= at - ${lookback} AND x.1 <= at, x.1 >= ${from}), touches) AS path
      FROM people
      ARRAY JOIN if(empty(conversions), [(toInt64(-1), toFloat64(0))], conversions) AS c
    ),
    sequences AS (
      SELECT seq, non_direct, converted, ${decay} count() AS paths, sum(path_revenue) AS revenue
      FROM (
        SELECT converted, revenue AS path_revenue, arrayLastIndex(x -> x.2 = 0, path) AS non_direct,
          -- a conversion with no touch is credited to the direct key, under every model
          if(converted AND empty(path), [${direct}], arrayMap(x -> x.3, path)) AS seq,
          arrayMap(x -> pow(2, -(at - x.1) / ${half}), path) AS decay_weights,
          if(empty(path), arrayMap(k -> toFloat64(1), seq), arrayMap(w -> w / arraySum(decay_weights), decay_weights)) AS decay_shares
        FROM paths
      )
      GROUP BY seq, non_direct, converted
    )
    SELECT r.1 AS model, r.2 AS from_kind, r.3 AS from_key, r.4 AS to_kind, r.5 AS to_key,
      sum(r.6) AS credit, sum(r.7) AS credit_revenue
    FROM (
      SELECT *, length(seq) AS n, if(converted, ${STATE.conversion}, ${STATE.null}) AS end_state
      FROM sequences
    )
    ARRAY JOIN arrayConcat(${rules}, if(empty(seq), [], ${markov}), ${totals}) AS r
    GROUP BY model, from_kind, from_key, to_kind, to_key`
}
