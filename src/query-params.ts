// Query parameter values for `{name:Type}` placeholders: from the text a client sends (`param_<name>`
// on HTTP) to the unescaped text form the store takes (history/backend.ts StoreContext.params).
//
// ClickHouse reads a parameter with its type's escaped-text reader. A scalar (String, numbers, dates,
// ...) has its TSV escapes undone first: `a\tb` is a, tab, b. An Array, Tuple or Map is read as its
// text literal instead, where backslashes belong to the quoted strings inside: `['it\'s']`. Undoing
// escapes over a whole composite value would corrupt it, so composite values are re-spelled: each
// quoted string is decoded and written back with its quotes doubled (`['it''s']`), a spelling that
// needs no backslash, so re-escaping it for transport (as every store does) cannot change it.

const escapes: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', '0': '\0', a: '\x07', v: '\v', e: '\x1b' };

/** One escape at `value[i]` (just after the backslash): the character and the index after it. */
function unescapeAt(value: string, i: number): [string, number] {
  const c = value[i] as string;
  if (c === 'x' && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 1, i + 3))) return [String.fromCharCode(parseInt(value.slice(i + 1, i + 3), 16)), i + 3];
  return [escapes[c] ?? c, i + 1];
}

/** TSV unescaping as ClickHouse's escaped-string reader does it (`\x41`, `\t`, and `\c` is c); `\N` (NULL) stays. */
export function unescapeText(value: string): string {
  if (value === '\\N' || !value.includes('\\')) return value;
  let out = '';
  for (let i = 0; i < value.length; ) {
    const ch = value[i] as string;
    if (ch === '\\' && i + 1 < value.length) {
      const [decoded, next] = unescapeAt(value, i + 1);
      out += decoded;
      i = next;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** A composite literal with every single-quoted string decoded and re-quoted by doubling. */
export function respellComposite(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; ) {
    if (value[i] !== "'") {
      out += value[i];
      i++;
      continue;
    }
    let text = '';
    let j = i + 1;
    for (; j < value.length; ) {
      const ch = value[j] as string;
      if (ch === '\\' && j + 1 < value.length) {
        const [decoded, next] = unescapeAt(value, j + 1);
        text += decoded;
        j = next;
      } else if (ch === "'" && value[j + 1] === "'") {
        text += "'";
        j += 2;
      } else if (ch === "'") {
        break;
      } else {
        text += ch;
        j++;
      }
    }
    if (j >= value.length) return value; // unterminated: leave it for the store to reject
    out += `'${text.replaceAll("'", "''")}'`;
    i = j + 1;
  }
  return out;
}

/** Array, Tuple, Map and Nested values (also inside Nullable or LowCardinality) are literals. */
export function isCompositeType(type: string): boolean {
  const inner = type.trim().replace(/^(?:(?:Nullable|LowCardinality|low_cardinality)\s*\(\s*)+/i, '');
  return /^(?:Array|Tuple|Map|Nested)\s*\(/i.test(inner);
}

/** The store's values for `raw` (as the client sent them), given each placeholder's declared type. */
export function storeParams(raw: ReadonlyMap<string, string>, types: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of raw) {
    const type = types.get(name);
    out.set(name, type !== undefined && isCompositeType(type) ? respellComposite(value) : unescapeText(value));
  }
  return out;
}
