/** A ClickHouse string literal of any text: quoted, its backslashes and quotes escaped. */
export const sqlString = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
