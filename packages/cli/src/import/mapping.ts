import { isPlainObject } from '@touchpoint/schema'
import { type DecimalMark, notANumber, spreadsheetNumber } from './numbers'

/** How one CSV column becomes part of an event: where it goes, and as what type. */
export interface ColumnRule {
  column: string
  /** the column's position in the header */
  index: number
  path: string[]
  as: 'string' | 'number' | 'boolean' | 'json'
}

export interface Mapping {
  columns: ColumnRule[]
  /** fixed values every event gets: `--set event="Order Completed"` */
  constants: Array<{ path: string[]; value: string }>
  /** how `number` columns are read: 1,234.56 or 1.234,56 (see spreadsheetNumber) */
  decimal: DecimalMark
}

const TYPES = new Set(['string', 'number', 'boolean', 'json'])
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype'])

/** `properties.revenue:number` → path and type. */
function target(spec: string): { path: string[]; as: ColumnRule['as'] } {
  const colon = spec.lastIndexOf(':')
  const as = colon === -1 ? 'string' : spec.slice(colon + 1)
  if (!TYPES.has(as)) throw new Error(`${spec}: the type must be one of string, number, boolean, json`)
  const path = (colon === -1 ? spec : spec.slice(0, colon)).split('.')
  if (path.some((p) => p === '' || FORBIDDEN.has(p))) throw new Error(`${spec}: not a usable field path`)
  return { path, as: as as ColumnRule['as'] }
}

const pair = (spec: string, flag: string) => {
  const eq = spec.indexOf('=')
  if (eq < 1) throw new Error(`${flag} ${spec}: expected field=value`)
  return [spec.slice(0, eq), spec.slice(eq + 1)] as const
}

/**
 * The mapping of a CSV file: `--map field[:type]=column` for each mapped column (without any, every column
 * maps to the field its header names, e.g. a header `properties.revenue:number`), and `--set field=value` for
 * constants.
 */
export function buildMapping(
  header: string[],
  maps: string[],
  sets: string[],
  decimal: DecimalMark = '.',
): Mapping {
  const rules = maps.length
    ? maps.map((m) => {
        const [field, column] = pair(m, '--map')
        const index = header.indexOf(column)
        if (index === -1) throw new Error(`--map ${m}: the file has no column "${column}"`)
        return { column, index, ...target(field) }
      })
    : header.map((column, index) => ({ column, index, ...target(column) }))
  const constants = sets.map((s) => {
    const [field, value] = pair(s, '--set')
    return { path: target(field).path, value }
  })
  return { columns: rules, constants, decimal }
}

function convert(value: string, rule: ColumnRule, decimal: DecimalMark): unknown {
  switch (rule.as) {
    case 'string':
      return value
    case 'number': {
      const n = spreadsheetNumber(value, decimal)
      if (!Number.isFinite(n)) throw new Error(`column ${rule.column}: ${notANumber(value, decimal)}`)
      return n
    }
    case 'boolean': {
      const v = value.trim().toLowerCase()
      if (['true', '1', 'yes'].includes(v)) return true
      if (['false', '0', 'no'].includes(v)) return false
      throw new Error(`column ${rule.column}: "${value}" is not true or false`)
    }
    case 'json':
      try {
        return JSON.parse(value)
      } catch {
        throw new Error(`column ${rule.column}: not valid JSON`)
      }
  }
}

function place(into: Record<string, unknown>, path: string[], value: unknown) {
  let node = into
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {}
    node = node[key] as Record<string, unknown>
  }
  node[path[path.length - 1]!] = value
}

/** One CSV row as an event. Empty cells are left out; a value that does not convert throws with the reason. */
export function rowToEvent(header: string[], fields: string[], mapping: Mapping): Record<string, unknown> {
  if (fields.length !== header.length)
    throw new Error(`the row has ${fields.length} fields; the header has ${header.length}`)
  const event: Record<string, unknown> = {}
  for (const c of mapping.constants) place(event, c.path, c.value)
  for (const rule of mapping.columns) {
    const value = fields[rule.index]!
    if (value === '') continue
    let converted: unknown
    try {
      converted = convert(value, rule, mapping.decimal)
    } catch (err) {
      throw new FieldError(rule.path.join('.'), (err as Error).message)
    }
    place(event, rule.path, converted)
  }
  return event
}

/** A cell that does not convert to its field's type: the field it was for, as a rejected call names its field. */
export class FieldError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message)
  }
}
