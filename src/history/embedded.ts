// The embedded store: chDB in-process. A bounded pool of Sessions (query lanes, lanes.ts) on one data directory;
// async calls only (sync ones block the event loop); results streamed with queryStream; inserts go
// through a staged file and `INSERT ... FROM INFILE`, which serves every input format exactly as
// ClickHouse parses it (chDB's insert() truncates binary formats, dependencies.md §2).
import { mkdirSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Session } from 'chdb';
import { Code, GatewayError, toGatewayError } from '../errors.ts';
import { isFormatName, quoteString } from '../sql-literal.ts';
import { removeStaleSpoolFiles, spoolPath } from '../spool.ts';
import type { Backend, InsertData, InsertSelectTarget, InsertTarget, ResultChunk, StoreCapabilities, StoreContext, StoreInfo, Summary } from './backend.ts';
import { emptySummary } from './backend.ts';
import { chunkJoiner } from './chunk-join.ts';
import { LanePool, type Lane } from './lanes.ts';
import { Sequences } from './sequence.ts';

export type EmbeddedOptions = { path: string; poolSize: number; spoolDir: string };

/** A lane leased for one statement (see EmbeddedBackend.lease). */
type Lease = { lane: Lane; statement: string; fail(err: unknown): Promise<GatewayError>; release(): void };

let runCounter = 0;

export class EmbeddedBackend implements Backend {
  readonly kind = 'embedded' as const;
  info: StoreInfo = { version: '', timezone: 'UTC' };
  /** chDB is a current ClickHouse: parameters are bound by its binder, inserts count their rows. */
  readonly capabilities: StoreCapabilities = { queryParameters: true, writtenRows: true, sequencedInserts: true };
  /** `_tp_sn` numbering of every stream written through this store. */
  readonly sequences = new Sequences((key) => this.readNext(key));
  private pool!: LanePool;
  /** Runs KILL QUERY for cancellations; never leased to statements. */
  private control!: Session;
  private readonly options: EmbeddedOptions;
  private readonly spoolDir: string;

  private constructor(options: EmbeddedOptions) {
    this.options = options;
    this.spoolDir = resolve(options.spoolDir);
  }

  static async open(options: EmbeddedOptions): Promise<EmbeddedBackend> {
    const backend = new EmbeddedBackend(options);
    await backend.start();
    return backend;
  }

  private async start(): Promise<void> {
    const path = resolve(this.options.path);
    mkdirSync(path, { recursive: true });
    mkdirSync(this.spoolDir, { recursive: true });
    removeStaleSpoolFiles(this.spoolDir);
    try {
      this.control = new Session(path);
    } catch (err) {
      throw new GatewayError(Code.STD_EXCEPTION, `cannot open the embedded store at ${path} (is another process using it?): ${(err as Error).message}`);
    }
    this.pool = await LanePool.open(path, this.options.poolSize);
    const r = await this.control.queryAsync('SELECT version(), timezone()', { format: 'TabSeparated' });
    const [version = '', timezone = 'UTC'] = r.text().trim().split('\t');
    this.info = { version, timezone };
  }

  /**
   * Leases a lane for `sql`, prepared for `ctx`, with the statement tagged so KILL QUERY can find it;
   * aborting `ctx.signal` kills it. The caller must call `release`, after `fail` on an error.
   */
  private async lease(ctx: StoreContext, sql: string): Promise<Lease> {
    if (ctx.signal.aborted) throw cancelled();
    let lane: Lane;
    try {
      lane = await this.pool.take(ctx.settings, ctx.database);
    } catch (err) {
      throw ctx.signal.aborted ? cancelled() : toGatewayError(err);
    }
    if (ctx.signal.aborted) {
      this.pool.release(lane);
      throw cancelled();
    }
    const tag = `/* hadron:${++runCounter} */`;
    const onAbort = (): void => void this.kill(tag);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const lease: Lease = {
      lane,
      statement: tagged(sql, tag),
      fail: async (err) => {
        await discardLeftover(lane);
        return ctx.signal.aborted ? cancelled() : storeError(err, sql, tag);
      },
      release: () => {
        ctx.signal.removeEventListener('abort', onAbort);
        this.pool.release(lane);
      },
    };
    return lease;
  }

  private async withLane<T>(ctx: StoreContext, sql: string, run: (lane: Lane, tagged: string) => Promise<T>): Promise<T> {
    const lease = await this.lease(ctx, sql);
    try {
      return await run(lease.lane, lease.statement);
    } catch (err) {
      throw await lease.fail(err);
    } finally {
      lease.release();
    }
  }

  /** Interrupts a running statement by its tag: single-shot calls cannot be stopped any other way. */
  private async kill(tag: string): Promise<void> {
    const sql = `KILL QUERY WHERE startsWith(query, ${quoteString(tag)}) OR endsWith(query, ${quoteString(tag)}) ASYNC FORMAT Null`;
    await this.control.queryAsync(sql, { format: 'TabSeparated' }).catch(() => undefined);
  }

  async *query(sql: string, format: string, ctx: StoreContext, streamable: boolean): AsyncIterable<ResultChunk> {
    const lease = await this.lease(ctx, sql);
    const { lane, statement } = lease;
    const params = bindable(ctx.params);
    try {
      const joiner = streamable ? chunkJoiner(format) : null;
      if (joiner !== null) {
        const stream = ctx.params.size > 0
          ? lane.session.queryStreamBind(statement, params, { format, signal: ctx.signal })
          : lane.session.queryStream(statement, { format, signal: ctx.signal });
        let first = true;
        let streamed = false;
        try {
          for await (const chunk of stream) {
            first = false;
            const bytes = joiner.push(chunk.raw());
            if (bytes.length > 0) yield { bytes, rows: chunk.numRows };
          }
          streamed = true;
        } catch (err) {
          // chDB refuses to stream some statements (e.g. SELECT ... INTO OUTFILE): run those whole.
          if (!(first && isNotStreamable(err))) throw err;
        }
        const closing = streamed ? joiner.end() : null;
        if (closing !== null) {
          if (closing.length > 0) yield { bytes: closing, rows: 0 };
          return;
        }
        // Not streamable, or an empty result in a document format: the whole result says it right.
      }
      const result = ctx.params.size > 0
        ? await lane.session.queryBindAsync(statement, params, { format })
        : await lane.session.queryAsync(statement, { format });
      const bytes = result.bytes();
      if (bytes.length > 0) yield { bytes, rows: result.rowsRead };
    } catch (err) {
      throw await lease.fail(err);
    } finally {
      lease.release();
    }
  }

  command(sql: string, ctx: StoreContext): Promise<{ bytes: Uint8Array; summary: Summary }> {
    return this.withLane(ctx, sql, async (lane, statement) => {
      const result = ctx.params.size > 0
        ? await lane.session.queryBindAsync(statement, bindable(ctx.params), { format: 'TabSeparated' })
        : await lane.session.queryAsync(statement, { format: 'TabSeparated' });
      return { bytes: result.bytes(), summary: { ...emptySummary, readRows: result.rowsRead, readBytes: result.bytesRead } };
    });
  }

  async insert(target: InsertTarget, data: InsertData, ctx: StoreContext): Promise<Summary> {
    if (!isFormatName(target.format)) throw new GatewayError(Code.UNKNOWN_FORMAT, `Unknown format ${target.format}`);
    const staged = data.kind === 'file' ? data.path : await this.stage(data.parts);
    try {
      if (target.sequence) return await this.insertSequenced(target, target.sequence, staged, data, ctx);
      const columns = target.columns === '' ? '' : ` ${target.columns}`;
      const settings = data.kind === 'parts' ? smallInsertSettings(ctx.settings) : '';
      const sql = `INSERT INTO ${target.target}${columns} FROM INFILE ${quoteString(staged)}${settings} FORMAT ${target.format}`;
      return await this.withLane(ctx, sql, async (lane, statement) => {
        const result = await lane.session.queryAsync(statement, { format: 'TabSeparated' });
        const bytes = data.kind === 'file' ? data.bytes : data.parts.reduce((n, p) => n + p.length, 0);
        return { ...emptySummary, writtenRows: result.rowsRead, writtenBytes: bytes, readRows: result.rowsRead, readBytes: bytes };
      });
    } finally {
      if (data.kind === 'parts') await unlink(staged).catch(() => undefined);
    }
  }

  /**
   * The staged rows numbered in `_tp_sn`: `file()` without a structure takes it from the insert's
   * column list, so ClickHouse parses every format itself and fills the DEFAULTs of omitted fields.
   * chDB reports no row count for an INSERT ... SELECT, so the rows are counted from the staged file
   * (which does not change) with the same settings, on another lane while the write waits for and
   * holds the stream's turn: the turn needs the count only once the rows are stored, to number the
   * next write. A count that fails after a stored insert leaves the size unknown (the next turn
   * reads the store); a failed insert discards the count.
   */
  private async insertSequenced(target: InsertTarget, sequence: NonNullable<InsertTarget['sequence']>, staged: string, data: InsertData, ctx: StoreContext): Promise<Summary> {
    const counting = this.countStaged(staged, target.format, sequence.structure, ctx).then((n): bigint | Error => n, (err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    const bytes = data.kind === 'file' ? data.bytes : data.parts.reduce((n, p) => n + p.length, 0);
    const own = data.kind === 'parts' ? smallInsert.filter(([name]) => !ctx.settings.has(name)) : [];
    const settings = [...own, ...sequencedSettings].map(([n, v]) => `${n} = ${v}`).join(', ');
    const columns = [...sequence.columns, '`_tp_sn`'].join(', ');
    try {
      return await this.sequences.run(sequence.key, async (base) => {
        const sql = `INSERT INTO ${target.target} (${columns}) SELECT *, ${base} + rowNumberInAllBlocks() FROM file(${quoteString(staged)}, ${target.format}) SETTINGS ${settings}`;
        await this.withLane(ctx, sql, (lane, statement) => lane.session.queryAsync(statement, { format: 'TabSeparated' }));
        const rows = await counting;
        if (rows instanceof Error) return { value: { ...emptySummary, writtenBytes: bytes, readBytes: bytes }, rows: null };
        const n = Number(rows);
        return { value: { ...emptySummary, writtenRows: n, writtenBytes: bytes, readRows: n, readBytes: bytes }, rows };
      });
    } finally {
      // The staged file is removed by the caller: the count must be done reading it.
      await counting;
    }
  }

  /**
   * Rows in a staged body as the insert will read them. ClickHouse's fast count skips rows without
   * parsing their values, so it also counts rows a tolerant parse would drop: with errors allowed the
   * rows are parsed in full.
   */
  private async countStaged(staged: string, format: string, structure: string, ctx: StoreContext): Promise<bigint> {
    const full = tolerantParse.some((name) => (ctx.settings.get(name) ?? '0') !== '0');
    const sql = `SELECT count() FROM file(${quoteString(staged)}, ${format}, ${quoteString(structure)})${full ? ' SETTINGS optimize_count_from_files = 0' : ''}`;
    const counted = await this.withLane(ctx, sql, (lane, statement) => lane.session.queryAsync(statement, { format: 'TabSeparated' }));
    return BigInt(counted.text().trim());
  }

  /**
   * `INSERT ... SELECT` numbered in `_tp_sn`. The store does not say how many rows it wrote, so they
   * are counted after it (in the stream's turn: the rows numbered from `base` are this write's) —
   * which is also what a pipeline's LIMIT counts.
   */
  insertSelect(target: InsertSelectTarget, select: string, ctx: StoreContext): Promise<Summary> {
    const columns = [...target.columns, '`_tp_sn`'].join(', ');
    const settings = sequencedSettings.map(([n, v]) => `${n} = ${v}`).join(', ');
    return this.sequences.run(target.key, async (base) => {
      const sql = `INSERT INTO ${target.table} (${columns}) SELECT *, ${base} + rowNumberInAllBlocks() FROM (${select}) SETTINGS ${settings}`;
      const { summary } = await this.command(sql, ctx);
      const { bytes } = await this.command(`SELECT count() FROM ${target.table} WHERE _tp_sn >= ${base}`, { ...ctx, params: new Map() });
      const rows = BigInt(new TextDecoder().decode(bytes).trim());
      return { value: { ...summary, writtenRows: Number(rows) }, rows };
    });
  }

  forgetSequence(key: string): void {
    this.sequences.forget(key);
  }

  /** The number the stream's next row gets, from what the store holds. */
  private async readNext(key: string): Promise<bigint> {
    const ctx: StoreContext = { queryId: '', database: 'default', settings: new Map(), params: new Map(), signal: new AbortController().signal };
    const { bytes } = await this.command(`SELECT if(count() = 0, 0, max(_tp_sn) + 1) FROM ${key}`, ctx);
    return BigInt(new TextDecoder().decode(bytes).trim());
  }

  /** Writes in-memory parts to one spool file (the name has no extension: no compression is guessed). */
  private async stage(parts: readonly Uint8Array[]): Promise<string> {
    const path = spoolPath(this.spoolDir, 'insert');
    const handle = await open(path, 'w');
    try {
      // One writev for all parts (a coalesced batch holds one part per client body); a short write
      // is finished from where it stopped.
      const total = parts.reduce((n, p) => n + p.length, 0);
      const { bytesWritten } = parts.length > 0 ? await handle.writev(parts) : { bytesWritten: 0 };
      if (bytesWritten < total) await handle.write(Buffer.concat(parts).subarray(bytesWritten), 0, total - bytesWritten, bytesWritten);
    } finally {
      await handle.close();
    }
    return path;
  }

  async ping(): Promise<void> {
    await this.control.queryAsync('SELECT 1', { format: 'TabSeparated' });
  }

  async close(): Promise<void> {
    this.pool.shut();
    for (let i = 0; i < 500 && this.pool.busy > 0; i++) await new Promise((r) => setTimeout(r, 20));
    this.pool.close();
    this.control.close();
  }
}

/**
 * In-memory bodies are small (bounded by the coalescing limits): parsing and writing them on one
 * thread is faster than fanning out, and leaves the other cores to concurrent writes (measured on
 * chDB 3.4: 1.4 k JSONEachRow rows 3.4 ms vs 3.8–4.7 ms). A client's own values win.
 */
const smallInsert: ReadonlyArray<[string, string]> = [['max_threads', '1'], ['max_insert_threads', '1'], ['input_format_parallel_parsing', '0']];

/**
 * What a sequenced insert needs: `_tp_sn` is MATERIALIZED (hidden from `SELECT *`), yet written by
 * us; a keyed stream's versions of one batch are all kept (`optimize_on_insert = 0`: no collapse at
 * insert, FINAL still reads the latest) so that a streaming read as of a position inside the batch,
 * and ASOF joins with keep_versions, see them.
 */
const sequencedSettings: ReadonlyArray<[string, string]> = [['insert_allow_materialized_columns', '1'], ['optimize_on_insert', '0']];

/** Settings under which a parse drops bad rows instead of failing. */
const tolerantParse: readonly string[] = ['input_format_allow_errors_num', 'input_format_allow_errors_ratio'];

function smallInsertSettings(clientSettings: ReadonlyMap<string, string>): string {
  const own = smallInsert.filter(([name]) => !clientSettings.has(name));
  return own.length === 0 ? '' : ` SETTINGS ${own.map(([n, v]) => `${n} = ${v}`).join(', ')}`;
}

/** The statement with its tag as a trailing comment (a leading one would shift error positions). */
function tagged(sql: string, tag: string): string {
  return leadsWithTag(sql) ? `${tag} ${sql}` : `${sql.replace(/;\s*$/, '')}\n${tag}`;
}

/** An INSERT may end in inline data (VALUES, FORMAT), where a trailing comment would be read as data. */
function leadsWithTag(sql: string): boolean {
  return /^\s*INSERT\b/i.test(sql);
}

/**
 * chDB keeps the output a failed single-shot call had produced (a JSON prefix, the rows before the
 * error) and prepends it to the session's next result, which would hand one client's rows to
 * another. A throwaway statement takes it.
 */
async function discardLeftover(lane: Lane): Promise<void> {
  await lane.session.queryAsync('SELECT 1 FORMAT Null', { format: 'TabSeparated' }).catch(() => undefined);
}

/** Values for chDB's binder, which TSV-escapes strings: the NULL marker `\N` must travel as null. */
function bindable(params: ReadonlyMap<string, string>): Record<string, string | null> {
  return Object.fromEntries([...params].map(([name, value]) => [name, value === '\\N' ? null : value]));
}

/** A store error as the client should see it: chDB quotes the statement back, tag included. */
function storeError(err: unknown, sql: string, tag: string): GatewayError {
  const error = toGatewayError(err);
  if (error.code !== Code.SYNTAX_ERROR && !error.message.includes(tag)) return error;
  if (leadsWithTag(sql)) {
    const shift = tag.length + 1;
    const message = error.message.replaceAll(`${tag} `, '').replace(/position (\d+)/g, (_, p: string) => `position ${Math.max(1, Number(p) - shift)}`);
    return new GatewayError(error.code, message, { cause: err });
  }
  const end = Buffer.byteLength(sql.replace(/;\s*$/, '')) + 1;
  let message = error.message.replaceAll(`\n${tag}`, '');
  // "End of query" lies past the tag; and the tag's line break made a one-line statement multi-line,
  // so the parser added a line and column.
  message = message.replace(/position (\d+) \(end of query\)/g, (m, p: string) => (Number(p) > end ? `position ${end} (end of query)` : m));
  if (!sql.includes('\n')) message = message.replace(/ \(line \d+, col \d+\)/g, '');
  return new GatewayError(error.code, message, { cause: err });
}

function cancelled(): GatewayError {
  return new GatewayError(Code.QUERY_WAS_CANCELLED, 'Query was cancelled');
}

function isNotStreamable(err: unknown): boolean {
  return err instanceof Error && err.message.includes('Streaming query is not supported');
}
