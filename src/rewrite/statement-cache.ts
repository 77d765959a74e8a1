// Parsed statements by (parse options, text), so a client that repeats its queries (dashboards,
// drivers' introspection, INSERT heads of batched ingest) parses each text once. Trees are immutable
// (STYLE §3), so one cached tree is shared by every caller that asks for the same text.
import { LRUCache } from 'lru-cache';
import type { Statement } from './ast-statement.ts';
import { parseSql, type ParseOptions } from './parse-statement.ts';

/** Texts longer than this (UTF-16 code units) are parsed every time: big generated SQL rarely repeats. */
export const maxCachedTextLength = 64 * 1024;

/**
 * How each parse option enters the key. Typed over every option, so a new one fails compilation
 * until it is part of the key (two option sets that parse differently must never share an entry).
 */
const optionKey: { readonly [K in keyof Required<ParseOptions>]: (value: ParseOptions[K]) => string } = {
  implicitAliases: (value) => (value === true ? 'a' : '-'),
};

function keyPrefix(options: ParseOptions): string {
  let prefix = '';
  for (const name of Object.keys(optionKey) as Array<keyof ParseOptions>) prefix += optionKey[name](options[name]);
  return `${prefix}\n`;
}

export type StatementCacheOptions = {
  /** Most statements kept (default 10 000). */
  readonly maxEntries?: number;
  /**
   * Most text kept, summed over the cached texts in UTF-16 code units (default 4 Mi). The trees cost
   * more than their text (see bench/RESULTS.md, A4), so this also bounds their memory.
   */
  readonly maxBytes?: number;
};

/**
 * An LRU of parsed statements in front of `parseSql`, bounded by entries and by total text size.
 *
 * - `parse(sql, options)` returns exactly what `parseSql(sql, options)` returns or throws; on a hit it
 *   is the same Statement object as before.
 * - Errors are not cached: a text that fails (GatewayError 62, UnknownStatement) is parsed again on
 *   each call and a fresh error is thrown, so no caller ever sees an error object another caller may
 *   have wrapped or changed, and hostile text does not occupy the cache.
 * - A text that carries INSERT inline data (anything after the byte offset where the data starts) is
 *   never cached: pass only the statement head (`query.subarray(0, dataOffset)`), which is cached.
 * - Texts longer than `maxCachedTextLength` are neither looked up nor cached.
 */
export class StatementCache {
  readonly stats = { hits: 0, misses: 0 };
  private readonly entries: LRUCache<string, Statement>;

  constructor(options: StatementCacheOptions = {}) {
    this.entries = new LRUCache<string, Statement>({
      max: options.maxEntries ?? 10_000,
      maxSize: options.maxBytes ?? 4 * 1024 * 1024,
      sizeCalculation: (_statement, key) => Math.max(1, key.length),
    });
  }

  /** Statements held now. */
  get size(): number {
    return this.entries.size;
  }

  /** Total key text held now (UTF-16 code units), at most `maxBytes`. */
  get textSize(): number {
    return this.entries.calculatedSize;
  }

  parse(sql: string, options: ParseOptions = {}): Statement {
    if (sql.length > maxCachedTextLength) {
      this.stats.misses++;
      return parseSql(sql, options);
    }
    const key = keyPrefix(options) + sql;
    const cached = this.entries.get(key);
    if (cached !== undefined) {
      this.stats.hits++;
      return cached;
    }
    this.stats.misses++;
    const statement = parseSql(sql, options);
    if (!carriesData(statement, sql)) this.entries.set(key, statement);
    return statement;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** True when an INSERT's inline data starts before the end of `sql` (the text is more than a head). */
function carriesData(statement: Statement, sql: string): boolean {
  if (statement.kind !== 'insert' || statement.source.kind === 'select') return false;
  return statement.source.dataOffset < Buffer.byteLength(sql, 'utf8');
}
