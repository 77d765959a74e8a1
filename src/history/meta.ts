// The catalog persisted in the store itself (DESIGN §3): one row per entry version in
// `_hadron.catalog`, so a restart or a second process over the same store sees the same catalog.
// Rows are only ever appended; the latest version of each (kind, database, name) wins, and a removal
// is a newer version marked deleted. Reads pick the latest by argMax, which is right whether or not
// the ReplacingMergeTree has merged yet, on every store from ClickHouse 18.16 on.
import type { CatalogEntry, EntryKind } from '../catalog.ts';
import { META_DATABASE } from '../catalog.ts';
import { Code, GatewayError, toGatewayError } from '../errors.ts';
import { quoteIdentifier, quoteString } from '../sql-literal.ts';
import type { Backend, StoreContext } from './backend.ts';

const table = `${quoteIdentifier(META_DATABASE)}.${quoteIdentifier('catalog')}`;

const createDatabase = `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(META_DATABASE)}`;

/** `definition` is the entry as JSON; `version` orders an entry's rows (microseconds, see nextVersion). */
const createTable = `CREATE TABLE IF NOT EXISTS ${table} (
  kind String, database String, name String, definition String, version UInt64, deleted UInt8
) ENGINE = ReplacingMergeTree(version) ORDER BY (kind, database, name)`;

/**
 * Codes a lost CREATE race answers with (another process created the object between its IF NOT
 * EXISTS check and its own create): not errors. 82 is the store's DATABASE_ALREADY_EXISTS.
 */
const alreadyExists: ReadonlySet<number> = new Set([Code.TABLE_ALREADY_EXISTS, 82]);

/** Latest row per entry; hex keeps the definition's bytes exact through any output escaping. */
const latest = `SELECT hex(argMax(definition, version)), argMax(deleted, version) AS gone, max(version)
FROM ${table} GROUP BY kind, database, name`;

export class MetaStore {
  private readonly backend: Backend;
  /** The highest version this store has seen or written: every write goes past it. */
  private lastVersion = 0n;

  constructor(backend: Backend) {
    this.backend = backend;
  }

  /** Creates `_hadron` and its table if missing (idempotent; safe when two processes race). */
  async open(): Promise<void> {
    for (const sql of [createDatabase, createTable]) {
      try {
        await this.backend.command(sql, context());
      } catch (err) {
        if (!alreadyExists.has(toGatewayError(err).code)) throw err;
      }
    }
  }

  /**
   * Drops the streams of queries that ran in stages (`_hadron.stage_…`, `_hadron.join_…`) and were
   * left behind by a process that died mid-query. Only for a store this process owns (embedded): on a
   * shared store another process's running queries may own them.
   */
  async dropLeftoverStages(): Promise<number> {
    const { bytes } = await this.backend.command("SELECT name FROM system.tables WHERE database = '_hadron' AND (name LIKE 'stage\\_%' OR name LIKE 'join\\_%') FORMAT TabSeparated", context());
    const names = new TextDecoder().decode(bytes).split('\n').filter((n) => /^(stage|join)_[0-9a-f]+$/.test(n));
    for (const name of names) await this.backend.command(`DROP TABLE IF EXISTS _hadron.${name}`, context());
    return names.length;
  }

  /** Every live entry (latest version of each). */
  async load(): Promise<CatalogEntry[]> {
    const { bytes } = await this.backend.command(`${latest} FORMAT TabSeparated`, context());
    const entries: CatalogEntry[] = [];
    for (const line of new TextDecoder().decode(bytes).split('\n')) {
      if (line === '') continue;
      const [hex = '', gone = '0', version = '0'] = line.split('\t');
      this.seen(BigInt(version));
      if (gone === '0') entries.push(JSON.parse(Buffer.from(hex, 'hex').toString('utf8')) as CatalogEntry);
    }
    return entries;
  }

  /** Writes (or replaces) one entry. Resolves once the store has it. */
  async save(entry: CatalogEntry): Promise<void> {
    await this.write(entry.kind, entry.database, entry.name, JSON.stringify(entry), false);
  }

  /** Marks the entry removed. */
  async remove(kind: EntryKind, database: string, name: string): Promise<void> {
    await this.write(kind, database, name, '', true);
  }

  private async write(kind: EntryKind, database: string, name: string, definition: string, deleted: boolean): Promise<void> {
    const version = await this.nextVersion();
    const row = [kind, database, name, definition].map(quoteString).join(', ');
    await this.backend.command(`INSERT INTO ${table} (kind, database, name, definition, version, deleted) VALUES (${row}, ${version}, ${deleted ? 1 : 0})`, context());
  }

  /**
   * A version past every one written so far, by this process or (as far as the store shows) by any
   * other: the clock in microseconds, bumped past the store's highest. Another process writing the
   * same entry at the same moment is concurrent DDL; one of the two wins whole.
   */
  private async nextVersion(): Promise<bigint> {
    const { bytes } = await this.backend.command(`SELECT max(version) FROM ${table} FORMAT TabSeparated`, context());
    const stored = new TextDecoder().decode(bytes).trim();
    if (!/^\d+$/.test(stored)) throw new GatewayError(Code.LOGICAL_ERROR, `unexpected max(version) from the catalog table: ${stored.slice(0, 100)}`);
    this.seen(BigInt(stored));
    const now = BigInt(Date.now()) * 1000n;
    this.lastVersion = now > this.lastVersion ? now : this.lastVersion + 1n;
    return this.lastVersion;
  }

  private seen(version: bigint): void {
    if (version > this.lastVersion) this.lastVersion = version;
  }
}

/** The catalog's statements run with no client settings and name their database in full. */
function context(): StoreContext {
  return { queryId: '', database: 'default', settings: new Map(), params: new Map(), signal: new AbortController().signal };
}
