// The dispatcher: one classified statement → its owner (session state, process list, the store).
// Protocols call `classify` on the query text and `run` with a sink for result bytes.
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import { once } from 'node:events';
import type { Admission } from './admission.ts';
import { Code, GatewayError, toGatewayError } from './errors.ts';
import type { ProcessList } from './processes.ts';
import { storeParams } from './query-params.ts';
import { quoteString } from './sql-literal.ts';
import { spoolPath } from './spool.ts';
import type { SessionState } from './session.ts';
import { storeSettings } from './settings.ts';
import type { Backend, InsertTarget, StoreContext, Summary } from './history/backend.ts';
import { emptySummary } from './history/backend.ts';
import type { InsertCoalescer } from './history/coalescer.ts';
import { classify as classifyStatement, parameterTypes, type Classified, type Statement } from './rewrite/statement.ts';

export type { Classified, Statement, Summary };

export type ExecContext = {
  queryId: string;
  user: string;
  /** 0 = full access, 1 = no writes and no SET, 2 = no writes. */
  readonly: number;
  session: SessionState;
  /** Settings given with this request (URL parameters), over the session's. */
  settings: ReadonlyMap<string, string>;
  /** `{name:Type}` values as the client sent them (`param_<name>`: TSV-escaped text). */
  params: ReadonlyMap<string, string>;
  defaultFormat: string;
  address: string;
  interface: 'http' | 'tcp';
  /** Aborted when the client goes away. */
  signal: AbortSignal;
};

/** Where result bytes go. `start` is called once, before the first chunk, with the output format. */
export interface ResultSink {
  start(format: string): void;
  /** Resolves when the chunk may be followed by another (backpressure). */
  write(chunk: Uint8Array): Promise<void> | void;
}

export type ExecutorOptions = { maxBodyBytes: number; maxCoalescedBodyBytes: number; spoolDir: string };

export class Executor {
  readonly backend: Backend;
  readonly processes: ProcessList;
  private readonly admission: Admission;
  private readonly coalescer: InsertCoalescer;
  private readonly options: ExecutorOptions;

  constructor(backend: Backend, processes: ProcessList, admission: Admission, coalescer: InsertCoalescer, options: ExecutorOptions) {
    this.backend = backend;
    this.processes = processes;
    this.admission = admission;
    this.coalescer = coalescer;
    this.options = { ...options, spoolDir: resolve(options.spoolDir) };
  }

  /** Classifies query text given as latin1 (one char per byte); `complete` = no more bytes will come. */
  classify(text: string, complete: boolean): Classified {
    return classifyStatement(text, complete);
  }

  /**
   * Runs one statement. `query` holds the statement bytes (for an INSERT with inline data, at least up
   * to its data offset, then whatever data bytes followed); `rest` yields the remaining data bytes.
   */
  async run(statement: Statement, query: Buffer, rest: AsyncIterable<Uint8Array> | null, ctx: ExecContext, sink: ResultSink): Promise<Summary> {
    checkAccess(statement, ctx);
    const headEnd = statement.kind === 'insert' && statement.dataOffset !== null ? statement.dataOffset : query.length;
    const text = query.subarray(0, headEnd).toString('utf8');
    const { entry, done } = this.processes.register({ queryId: ctx.queryId, user: ctx.user, query: text.slice(0, 4096), address: ctx.address, interface: ctx.interface });
    const forward = (): void => entry.controller.abort();
    ctx.signal.addEventListener('abort', forward, { once: true });
    if (ctx.signal.aborted) forward();
    const timeout = executionTimeout(ctx, entry.controller);
    let release: (() => void) | null = null;
    try {
      release = await this.admission.acquire(entry.controller.signal);
      const params = ctx.params.size === 0 ? ctx.params : storeParams(ctx.params, parameterTypes(text));
      const store = this.storeContext(ctx, params, entry.controller.signal);
      const summary = await this.dispatch(statement, query, rest, ctx, store, sink);
      entry.writtenRows = summary.writtenRows;
      return summary;
    } catch (err) {
      if (timeout.fired) throw new GatewayError(Code.TIMEOUT_EXCEEDED, `Timeout exceeded: elapsed ${((Date.now() - entry.startedAt) / 1000).toFixed(3)} seconds, maximum: ${timeout.seconds}`);
      throw toGatewayError(err);
    } finally {
      clearTimeout(timeout.timer);
      ctx.signal.removeEventListener('abort', forward);
      release?.();
      done();
    }
  }

  private storeContext(ctx: ExecContext, params: ReadonlyMap<string, string>, signal: AbortSignal): StoreContext {
    const merged = new Map(ctx.session.settings);
    for (const [k, v] of ctx.settings) merged.set(k, v);
    return { queryId: ctx.queryId, database: ctx.session.database, settings: storeSettings(merged), params, signal };
  }

  private async dispatch(statement: Statement, query: Buffer, rest: AsyncIterable<Uint8Array> | null, ctx: ExecContext, store: StoreContext, sink: ResultSink): Promise<Summary> {
    switch (statement.kind) {
      case 'select': {
        const sql = statement.processes.length > 0 ? substitute(query, statement.processes, this.processesSql()) : query.toString('utf8');
        return this.stream(sql, statement.format ?? ctx.defaultFormat, statement.streamable, store, sink);
      }
      case 'show_processlist':
        return this.stream(`SELECT * FROM ${this.processesSql()}`, statement.format ?? ctx.defaultFormat, true, store, sink);
      case 'kill_query':
        return this.kill(statement, ctx, store, sink);
      case 'set':
        return this.set(statement.settings, ctx, store);
      case 'use':
        await this.backend.command(`SELECT 1 FORMAT Null`, { ...store, database: statement.database });
        ctx.session.database = statement.database;
        return emptySummary;
      case 'insert':
        return this.insert(statement, query, rest, store);
      case 'command': {
        const { bytes, summary } = await this.backend.command(query.toString('utf8'), store);
        if (bytes.length > 0) {
          sink.start('TabSeparated');
          await sink.write(bytes);
        }
        return summary;
      }
    }
  }

  private async stream(sql: string, format: string, streamable: boolean, store: StoreContext, sink: ResultSink): Promise<Summary> {
    let started = false;
    let rows = 0;
    let bytes = 0;
    for await (const chunk of this.backend.query(sql, format, store, streamable)) {
      if (!started) {
        sink.start(format);
        started = true;
      }
      rows += chunk.rows;
      bytes += chunk.bytes.length;
      await sink.write(chunk.bytes);
    }
    if (!started) sink.start(format);
    return { ...emptySummary, resultRows: rows, resultBytes: bytes };
  }

  /** SET: validated by the store with the new values, then kept in the session (or this request only). */
  private async set(settings: Array<[string, string]>, ctx: ExecContext, store: StoreContext): Promise<Summary> {
    const next = new Map(store.settings);
    for (const [k, v] of settings) next.set(k, v);
    await this.backend.command('SELECT 1 FORMAT Null', { ...store, settings: storeSettings(next) });
    for (const [k, v] of settings) ctx.session.settings.set(k, v);
    return emptySummary;
  }

  private async insert(statement: Extract<Statement, { kind: 'insert' }>, query: Buffer, rest: AsyncIterable<Uint8Array> | null, store: StoreContext): Promise<Summary> {
    const insertStore = statement.settings.length === 0 ? store : { ...store, settings: new Map([...store.settings, ...statement.settings]) };
    if (statement.format === null || statement.dataOffset === null) {
      const { summary } = await this.backend.command(query.toString('utf8'), insertStore);
      return summary;
    }
    const target: InsertTarget = { target: statement.target, columns: statement.columns, format: statement.format };
    const head = query.subarray(statement.dataOffset);
    const parts: Uint8Array[] = head.length > 0 ? [head] : [];
    let size = head.length;
    const iterator = rest?.[Symbol.asyncIterator]();
    while (iterator && size <= this.options.maxCoalescedBodyBytes) {
      const next = await iterator.next();
      if (next.done) return this.coalescer.submit(target, parts, insertStore);
      parts.push(next.value);
      size += next.value.length;
    }
    if (!iterator) return this.coalescer.submit(target, parts, insertStore);
    return this.insertLarge(target, parts, size, iterator, insertStore);
  }

  /** A body too large to coalesce: spooled to a file as it arrives, then inserted on its own. */
  private async insertLarge(target: InsertTarget, parts: Uint8Array[], size: number, iterator: AsyncIterator<Uint8Array>, store: StoreContext): Promise<Summary> {
    const path = spoolPath(this.options.spoolDir, 'body');
    const file = createWriteStream(path);
    try {
      let total = size;
      for (const p of parts) if (!file.write(p)) await once(file, 'drain');
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        total += next.value.length;
        if (total > this.options.maxBodyBytes) throw new GatewayError(Code.TOO_MANY_BYTES, `Request body exceeds the limit of ${this.options.maxBodyBytes} bytes`);
        if (!file.write(next.value)) await once(file, 'drain');
      }
      file.end();
      await once(file, 'close');
      return await this.backend.insert(target, { kind: 'file', path, bytes: total }, store);
    } finally {
      file.destroy();
      await unlink(path).catch(() => undefined);
    }
  }

  /** KILL QUERY WHERE …: the condition is evaluated by the store over Hadron's process list. */
  private async kill(statement: Extract<Statement, { kind: 'kill_query' }>, ctx: ExecContext, store: StoreContext, sink: ResultSink): Promise<Summary> {
    const snapshot = this.processesSql();
    const { bytes } = await this.backend.command(`SELECT query_id FROM ${snapshot} WHERE ${statement.where} FORMAT JSONEachRow`, store);
    const ids = new Set(bytes.length === 0 ? [] : Buffer.from(bytes).toString('utf8').trim().split('\n').map((l) => (JSON.parse(l) as { query_id: string }).query_id));
    const targets = this.processes.list().filter((p) => ids.has(p.queryId) && p.queryId !== ctx.queryId);
    if (statement.mode !== 'TEST') for (const t of targets) t.controller.abort();
    if (statement.mode === 'SYNC') await Promise.race([Promise.all(targets.map((t) => t.finished)), new Promise((r) => setTimeout(r, 10_000).unref())]);
    const status = statement.mode === 'SYNC' ? 'finished' : statement.mode === 'TEST' ? 'pending' : 'waiting';
    const sql = `SELECT ${quoteString(status)} AS kill_status, query_id, user, query FROM ${snapshot} WHERE ${statement.where} AND query_id != ${quoteString(ctx.queryId)}`;
    return this.stream(sql, statement.format ?? ctx.defaultFormat, true, store, sink);
  }

  /** Hadron's running statements as a table expression, in system.processes' column names. */
  processesSql(): string {
    const now = Date.now();
    const rows = this.processes.list().map((p) => JSON.stringify({
      is_initial_query: 1, user: p.user, query_id: p.queryId, address: p.address, elapsed: (now - p.startedAt) / 1000,
      read_rows: p.readRows, written_rows: p.writtenRows, result_rows: p.resultRows, query: p.query, interface: p.interface === 'tcp' ? 1 : 2,
    }));
    const structure = 'is_initial_query UInt8, user String, query_id String, address String, elapsed Float64, read_rows UInt64, written_rows UInt64, result_rows UInt64, query String, interface UInt8';
    return `(SELECT * FROM format(JSONEachRow, ${quoteString(structure)}, ${quoteString(rows.join('\n'))}))`;
  }

  async drain(): Promise<void> {
    await this.coalescer.drain();
  }
}

function checkAccess(statement: Statement, ctx: ExecContext): void {
  const writes = statement.kind === 'insert' || (statement.kind === 'command' && statement.write);
  if (writes && ctx.readonly > 0) throw new GatewayError(Code.READONLY, 'Cannot execute query in readonly mode');
  if (statement.kind === 'set' && ctx.readonly === 1) {
    const [name] = statement.settings[0] ?? ['?'];
    throw new GatewayError(Code.READONLY, `Cannot modify '${name}' setting in readonly mode`);
  }
}

/** max_execution_time, enforced by the gateway too (queue wait and remote stores included). */
function executionTimeout(ctx: ExecContext, controller: AbortController): { timer: NodeJS.Timeout | undefined; fired: boolean; seconds: number } {
  const raw = ctx.settings.get('max_execution_time') ?? ctx.session.settings.get('max_execution_time');
  const seconds = raw === undefined ? 0 : Number(raw);
  const state = { timer: undefined as NodeJS.Timeout | undefined, fired: false, seconds };
  if (Number.isFinite(seconds) && seconds > 0) {
    state.timer = setTimeout(() => {
      state.fired = true;
      controller.abort();
    }, seconds * 1000 + 250);
  }
  return state;
}

/** Replaces byte ranges of the query with a table expression (system.processes → Hadron's list). */
function substitute(query: Buffer, ranges: ReadonlyArray<{ start: number; end: number }>, replacement: string): string {
  const pieces: Buffer[] = [];
  let at = 0;
  for (const r of ranges) {
    pieces.push(query.subarray(at, r.start), Buffer.from(replacement, 'utf8'));
    at = r.end;
  }
  pieces.push(query.subarray(at));
  return Buffer.concat(pieces).toString('utf8');
}
