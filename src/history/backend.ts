// The only seam to the store. Two implementations: embedded.ts (chDB in-process, the default) and
// remote.ts (a ClickHouse server over HTTP). Both pass the contract suite in test/unit/history/.
import type { Sequences } from './sequence.ts';

/** Per-statement context. Settings and the database travel with every call: a pooled store
 * connection never carries one client's SET or USE into another client's statement. */
export type StoreContext = {
  /** The client-visible query id (for logs and the store's own process list where it has one). */
  queryId: string;
  database: string;
  /** ClickHouse settings for this statement only (protocol-only settings already removed). */
  settings: ReadonlyMap<string, string>;
  /** `{name:Type}` parameter values in their text form (already unescaped). */
  params: ReadonlyMap<string, string>;
  /** Aborting cancels the statement in the store. */
  signal: AbortSignal;
};

export type Summary = {
  readRows: number;
  readBytes: number;
  writtenRows: number;
  writtenBytes: number;
  resultRows: number;
  resultBytes: number;
};

export const emptySummary: Summary = { readRows: 0, readBytes: 0, writtenRows: 0, writtenBytes: 0, resultRows: 0, resultBytes: 0 };

/** One piece of a result, in the requested format, exactly as the store produced it. */
export type ResultChunk = { bytes: Uint8Array; rows: number };

/** Insert data: in-memory parts (concatenated in order) or a staged file, in `format`. */
export type InsertData = { kind: 'parts'; parts: readonly Uint8Array[] } | { kind: 'file'; path: string; bytes: number };

export type InsertTarget = {
  /** Target text as the client wrote it: `db.t`, `` `t` ``, `FUNCTION f(...)`. */
  target: string;
  /** Column list text including brackets, or ''. */
  columns: string;
  format: string;
  /**
   * Set for a stream table: the rows get `_tp_sn` numbers from the stream's sequence (DESIGN §4.1),
   * one write per stream at a time. `key` is the stream's fully qualified table as SQL
   * (`` `db`.`s` ``): it names the sequence and is read for its last number (`max(_tp_sn)`).
   * `columns` are the insert's column names, each already quoted for SQL, without `_tp_sn` (always
   * an explicit list: the body's fields in order, for positional formats); `structure` is
   * `name Type, …` of those columns in ClickHouse types (stores that cannot take it from the table).
   */
  sequence?: { key: string; columns: readonly string[]; structure: string };
};

/** An `INSERT ... SELECT` into a stream table: `_tp_sn` numbered as for InsertTarget.sequence. */
export type InsertSelectTarget = {
  /** The table as SQL (`` `db`.`s` ``). */
  table: string;
  /** Column names already quoted for SQL, without `_tp_sn`: one per column of the SELECT, in order. */
  columns: readonly string[];
  /** The stream's sequence key (InsertTarget.sequence.key). */
  key: string;
};

export type StoreInfo = { version: string; timezone: string };

/**
 * What the store can do beyond what every supported store (ClickHouse 18.16 on) does. Fixed once the
 * store is open; callers check these instead of comparing versions themselves.
 */
export type StoreCapabilities = {
  /**
   * `{name:Type}` query parameters: StoreContext.params are bound server-side. Without it (ClickHouse
   * before 19.11, e.g. 18.16) the store has no parameter syntax at all: it cannot parse `{x:UInt8}`
   * and `param_x` is an unknown setting there, so a statement with parameters must not be sent to it.
   */
  readonly queryParameters: boolean;
  /**
   * The store reports the rows an insert wrote (Summary.writtenRows, writtenBytes). Without it
   * (ClickHouse before 19.8, e.g. 18.16, sends no X-ClickHouse-Summary) those counts are always 0
   * and mean "unknown", not "nothing written".
   */
  readonly writtenRows: boolean;
  /**
   * Inserts with `_tp_sn` numbering (InsertTarget.sequence) of a body in any format: the store has
   * `input()` (ClickHouse 19.15 on) and `insert_allow_materialized_columns`. Without it a sequenced
   * insert is refused with NOT_IMPLEMENTED. `insertSelect` needs neither and works on every store.
   */
  readonly sequencedInserts: boolean;
};

export interface Backend {
  readonly kind: 'embedded' | 'remote';
  readonly info: StoreInfo;
  readonly capabilities: StoreCapabilities;
  /**
   * Runs a row-returning statement. `format` applies when the SQL has no FORMAT clause. Chunks are
   * yielded as the store produces them (never the whole result buffered), `streamable` = the store
   * may stream it (a plain SELECT); others are run whole and yielded as one chunk.
   * Errors surface from the iterator; the first chunk arrives only once the store has started.
   */
  query(sql: string, format: string, ctx: StoreContext, streamable: boolean): AsyncIterable<ResultChunk>;
  /** Runs a statement without a result (DDL, INSERT ... SELECT, OPTIMIZE, ...); returns any output bytes. */
  command(sql: string, ctx: StoreContext): Promise<{ bytes: Uint8Array; summary: Summary }>;
  /**
   * Inserts `data` (in target.format) into the target; resolves once the rows are stored. With
   * `target.sequence` the rows are numbered in `_tp_sn` (each insert's rows contiguous, the stream's
   * numbers dense across inserts and restarts) and omitted columns get their DEFAULTs.
   */
  insert(target: InsertTarget, data: InsertData, ctx: StoreContext): Promise<Summary>;
  /**
   * `INSERT INTO table (columns, _tp_sn) SELECT *, <base> + rowNumberInAllBlocks() FROM (<select>)`
   * through the stream's sequence: `select` is store SQL whose columns match `target.columns`.
   */
  insertSelect(target: InsertSelectTarget, select: string, ctx: StoreContext): Promise<Summary>;
  /** Drops what is known of a stream's sequence (call after the table was dropped, truncated or recreated). */
  forgetSequence(key: string): void;
  /** The `_tp_sn` numbering: positions read in a stream's turn, and a listener told of every stored range. */
  readonly sequences: Pick<Sequences, 'listen' | 'position'>;
  ping(): Promise<void>;
  /** Waits for running statements to finish (or be cancelled by their signals), then releases the store. */
  close(): Promise<void>;
}
