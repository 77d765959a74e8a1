// The catalog: what Hadron knows about databases, streams, views, external definitions and
// functions. Definitions are plain data (expressions kept as Proton SQL text) so they serialise to
// the store's metadata table (history/meta.ts) unchanged and any process reading it sees the same.
// Names are case-sensitive, as in Proton and ClickHouse.

/** Stream modes (proton-semantics §1.2). */
export const streamModes = ['append', 'versioned_kv', 'changelog_kv', 'changelog'] as const;
export type StreamMode = (typeof streamModes)[number];

export type ColumnDefault = 'DEFAULT' | 'MATERIALIZED' | 'ALIAS' | 'EPHEMERAL';

/** A column as the user declared it, plus the reserved columns Hadron adds. */
export type ColumnEntry = {
  readonly name: string;
  /** Proton spelling (`int32`, `datetime64(3, 'UTC')`). */
  readonly type: string;
  readonly defaultKind: ColumnDefault | null;
  /** Proton SQL text of the default expression, or ''. */
  readonly default: string;
  /** Proton SQL text of the codec list (`ZSTD(1), LZ4`), or ''. */
  readonly codec: string;
  readonly comment: string;
  /** Columns Hadron adds (`_tp_time`, `_tp_delta`, `_tp_sn`, `_is_deleted`). */
  readonly reserved: boolean;
};

export type StreamEntry = {
  readonly kind: 'stream';
  readonly database: string;
  readonly name: string;
  readonly mode: StreamMode;
  /** `stream`, `random` (generated on read), `mutable` (accepted, stored as versioned). */
  readonly variant: 'stream' | 'random';
  /** Every column, user columns first, then the reserved ones in storage order. */
  readonly columns: readonly ColumnEntry[];
  /** Proton SQL text of the keys as the user wrote them (or the defaults Hadron chose). */
  readonly orderBy: string;
  readonly partitionBy: string;
  readonly primaryKey: string;
  readonly ttl: string;
  /** Stream settings as written (`mode`, `event_time_column`, `shards`, ...), values as SQL literals. */
  readonly settings: Readonly<Record<string, string>>;
  /** The version column of keyed modes (default `_tp_time`). */
  readonly versionColumn: string;
  readonly comment: string;
  /** The CREATE statement in Proton SQL, for SHOW CREATE. */
  readonly createSql: string;
};

export type ViewEntry = {
  readonly kind: 'view';
  readonly database: string;
  readonly name: string;
  readonly materialized: boolean;
  /** `db.name` of the INTO target, or '' (implicit inner stream). */
  readonly into: string;
  /** The view's query in Proton SQL. */
  readonly query: string;
  readonly columns: readonly ColumnEntry[];
  readonly createSql: string;
};

/** External streams and tables: definitions are kept for the external module. */
export type ExternalEntry = {
  readonly kind: 'external';
  readonly database: string;
  readonly name: string;
  readonly object: 'stream' | 'table';
  readonly columns: readonly ColumnEntry[];
  readonly settings: Readonly<Record<string, string>>;
  readonly createSql: string;
};

export type FunctionEntry = {
  readonly kind: 'function';
  /** UDFs are global (proton-semantics §1.5): database is always ''. */
  readonly database: '';
  readonly name: string;
  readonly language: 'sql' | 'javascript' | 'remote';
  readonly aggregate: boolean;
  readonly createSql: string;
};

export type FormatSchemaEntry = {
  readonly kind: 'format_schema';
  readonly database: '';
  readonly name: string;
  readonly type: string;
  readonly body: string;
  readonly createSql: string;
};

export type DatabaseEntry = { readonly kind: 'database'; readonly database: string; readonly name: ''; readonly createSql: string };

export type CatalogEntry = StreamEntry | ViewEntry | ExternalEntry | FunctionEntry | FormatSchemaEntry | DatabaseEntry;
export type EntryKind = CatalogEntry['kind'];

/** The store database that holds Hadron's own metadata; hidden from SHOW DATABASES. */
export const META_DATABASE = '_hadron';

/** Databases the store has that Proton users never see. */
export const hiddenDatabases: ReadonlySet<string> = new Set([META_DATABASE, 'INFORMATION_SCHEMA', 'information_schema']);

const keyOf = (database: string, name: string): string => `${database}\u0000${name}`;

/** Objects that share one namespace per database (a stream and a view cannot have the same name). */
export type Relation = StreamEntry | ViewEntry | ExternalEntry;

/** In-memory view of the catalog. Mutations come from DDL after the store has accepted it. */
export class Catalog {
  private readonly relations = new Map<string, Relation>();
  private readonly functions = new Map<string, FunctionEntry>();
  private readonly schemas = new Map<string, FormatSchemaEntry>();
  private readonly databases = new Map<string, DatabaseEntry>();
  /** Bumped on every change, so caches keyed by catalog state can tell. */
  version = 0;

  constructor(entries: readonly CatalogEntry[] = []) {
    for (const e of entries) this.put(e);
  }

  /** Replaces everything with `entries` (a reload from the store). */
  reset(entries: readonly CatalogEntry[]): void {
    this.relations.clear();
    this.functions.clear();
    this.schemas.clear();
    this.databases.clear();
    for (const e of entries) this.put(e);
  }

  put(entry: CatalogEntry): void {
    this.version++;
    switch (entry.kind) {
      case 'function': this.functions.set(entry.name, entry); return;
      case 'format_schema': this.schemas.set(entry.name, entry); return;
      case 'database': this.databases.set(entry.database, entry); return;
      default: this.relations.set(keyOf(entry.database, entry.name), entry);
    }
  }

  remove(kind: EntryKind, database: string, name: string): void {
    this.version++;
    switch (kind) {
      case 'function': this.functions.delete(name); return;
      case 'format_schema': this.schemas.delete(name); return;
      case 'database': {
        this.databases.delete(database);
        for (const [k, r] of this.relations) if (r.database === database) this.relations.delete(k);
        return;
      }
      default: this.relations.delete(keyOf(database, name));
    }
  }

  /** A copy with `extra` entries added (a query's own relations, e.g. a streaming join's output stream), for planning only. */
  overlay(extra: readonly CatalogEntry[]): Catalog {
    const c = new Catalog();
    for (const m of [this.relations, this.functions, this.schemas, this.databases] as Map<string, CatalogEntry>[]) for (const e of m.values()) c.put(e);
    for (const e of extra) c.put(e);
    return c;
  }

  relation(database: string, name: string): Relation | undefined {
    return this.relations.get(keyOf(database, name));
  }

  stream(database: string, name: string): StreamEntry | undefined {
    const r = this.relation(database, name);
    return r?.kind === 'stream' ? r : undefined;
  }

  relationsIn(database: string): Relation[] {
    return [...this.relations.values()].filter((r) => r.database === database);
  }

  allRelations(): Relation[] {
    return [...this.relations.values()];
  }

  function(name: string): FunctionEntry | undefined {
    return this.functions.get(name);
  }

  allFunctions(): FunctionEntry[] {
    return [...this.functions.values()];
  }

  formatSchema(name: string): FormatSchemaEntry | undefined {
    return this.schemas.get(name);
  }

  allFormatSchemas(): FormatSchemaEntry[] {
    return [...this.schemas.values()];
  }

  database(name: string): DatabaseEntry | undefined {
    return this.databases.get(name);
  }

  allDatabases(): DatabaseEntry[] {
    return [...this.databases.values()];
  }
}

/** The columns `SELECT *` returns for a stream: user columns, `_tp_time`, and `_tp_delta` for changelog modes. */
export function visibleColumns(entry: StreamEntry | ViewEntry | ExternalEntry): ColumnEntry[] {
  return entry.columns.filter((c) => c.defaultKind !== 'ALIAS' && c.defaultKind !== 'EPHEMERAL' && !bookkeeping.has(c.name));
}

/** Physical columns Hadron maintains that `SELECT *` and DESCRIBE never show (§1.3). */
export const bookkeeping: ReadonlySet<string> = new Set(['_tp_sn', '_is_deleted']);
