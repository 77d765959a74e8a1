// SQL literal and identifier quoting: the only way user-supplied text enters SQL that Hadron writes.

/** A ClickHouse single-quoted string literal (backslash escapes, safe for any text including NUL). */
export function quoteString(value: string): string {
  return `'${value.replace(/[\\'\0\n\r]/g, (c) => ({ '\\': '\\\\', "'": "\\'", '\0': '\\0', '\n': '\\n', '\r': '\\r' })[c] as string)}'`;
}

/** A backquoted identifier: always quoted, so any name is safe. */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/[\\`\0]/g, (c) => ({ '\\': '\\\\', '`': '\\`', '\0': '\\0' })[c] as string)}\``;
}

/** Format names reach SQL unquoted, so only plain identifiers are accepted. */
export function isFormatName(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_]*$/.test(name);
}
