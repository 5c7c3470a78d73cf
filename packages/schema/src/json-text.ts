const wellFormed = (_key: string, value: unknown) =>
  typeof value === 'string' && !value.isWellFormed() ? value.toWellFormed() : value

/**
 * A value's JSON as a column keeps it (an event's properties, its traits): any lone UTF-16 surrogate in its strings
 * (half an emoji, which JSON.stringify writes as `\ud83d`) replaced by U+FFFD, so that ClickHouse's JSON functions
 * read the text. Only JSON with such an escape is written again.
 */
export function jsonText(value: unknown): string {
  const text = JSON.stringify(value)
  return text.includes('\\ud') ? JSON.stringify(value, wellFormed) : text
}
