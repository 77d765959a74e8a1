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
import type { Catalog } from './catalog.ts';
import type { Dialect } from './errors.ts';
import type { Backend, InsertTarget, StoreContext, Summary } from './history/backend.ts';
import { emptySummary } from './history/backend.ts';
import type { InsertCoalescer } from './history/coalescer.ts';
import type { MetaStore } from './history/meta.ts';
import type { Statement as ParsedStatement } from './rewrite/ast-statement.ts';
import type { Expr, Query } from './rewrite/ast.ts';
import { suggestFunctions } from './rewrite/function-lookup.ts';
import { identifier, print } from './rewrite/printer.ts';
import { UnknownStatement } from './rewrite/parse-statement.ts';
import { StatementCache } from './rewrite/statement-cache.ts';
import { insertTarget, plan, structureOf, type CatalogChange, type Plan, type PlanContext } from './rewrite/plan.ts';
import { MemoryStreamLog, type StreamLog } from './streaming/log.ts';
import { runJoinQuery, runPipeline, type JoinDeps } from './execute-join.ts';
import { runUnionQuery } from './execute-union.ts';
import { rowsQuery, systemColumnsQuery, systemTablesQuery } from './rewrite/introspect.ts';
import { jsonRows, StreamingRuns } from './execute-stream.ts';
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
  /** Proton clients: Proton type and error names, `AS` required for aliases. */
  dialect: Dialect;
  /** The listener's default: 'table' (snapshot ports) or 'streaming'. */
  queryMode: 'table' | 'streaming';
  /** Results always in this format, whatever the statement says (the native protocol: Native). */
  outputFormat?: string;
  /**
   * Old clients: the type a result column must be CAST to before its bytes reach the client
   * (DateTime64 → DateTime for clickhouse-client 18.16), or null to keep it.
   */
  convertType?: (clickhouseType: string) => string | null;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
};

/** Where result bytes go. `start` is called once, before the first chunk, with the output format. */
export interface ResultSink {
  start(format: string): void;
  /** Resolves when the chunk may be followed by another (backpressure). */
  write(chunk: Uint8Array): Promise<void> | void;
  /**
   * Optional: the result's structure (names and ClickHouse types, from the store's DESCRIBE of the same
   * SQL), reported when no bytes have come within `structureAfterMs` or at all. The native protocol
   * sends a header block at once and for an empty result; the store's Native output has none then.
   * May be called after chunks were written (a late DESCRIBE); at most once.
   */
  structure?(columns: readonly StoreColumn[]): Promise<void> | void;
  /** Optional: send what was written so far now (a streaming query's emit). */
  flush?(): Promise<void>;
}

/** A result or table column as the store names it. */
export type StoreColumn = { readonly name: string; readonly type: string };

const catalogRefreshMs = 1000;
/** A query whose first bytes take longer than this gets its structure described for ResultSink.structure. */
const structureAfterMs = 100;

export type ExecutorOptions = { maxBodyBytes: number; maxCoalescedBodyBytes: number; spoolDir: string };

export class Executor {
  readonly backend: Backend;
  readonly processes: ProcessList;
  private readonly admission: Admission;
  private readonly coalescer: InsertCoalescer;
  private readonly options: ExecutorOptions;
  readonly catalog: Catalog;
  private readonly meta: MetaStore;
  private catalogLoadedAt = Date.now();
  /** What live queries learn of ingest: the `_tp_sn` ranges each write stored. */
  readonly log: StreamLog = new MemoryStreamLog();
  /** The generators of random streams being read (one per stream, shared by its readers). */
  /** Streaming queries: tails, aggregations, pipelines, random streams. */
  private readonly streaming: StreamingRuns;
  /** Parsed statements by text (the tree is immutable, so shared across sessions). */
  private readonly statements = new StatementCache();

  constructor(backend: Backend, processes: ProcessList, admission: Admission, coalescer: InsertCoalescer, catalog: Catalog, meta: MetaStore, options: ExecutorOptions) {
    this.backend = backend;
    this.catalog = catalog;
    this.meta = meta;
    backend.sequences.listen((key, first, next) => this.log.publish(key, first, next), (key) => this.log.hasSubscribers(key));
    this.streaming = new StreamingRuns(backend, this.log, (target, store) => this.describe(target, store));
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
      release = onlyOnce(await this.admission.acquire(entry.controller.signal));
      const params = ctx.params.size === 0 ? ctx.params : storeParams(ctx.params, parameterTypes(text));
      const store = this.storeContext(ctx, params, entry.controller.signal);
      const summary = await this.dispatch(statement, query, rest, ctx, store, sink, release);
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

  /** `admitted` gives the statement's admission slot back early (a streaming query runs without one). */
  private async dispatch(statement: Statement, query: Buffer, rest: AsyncIterable<Uint8Array> | null, ctx: ExecContext, store: StoreContext, sink: ResultSink, admitted: () => void): Promise<Summary> {
    await this.refreshCatalog();
    switch (statement.kind) {
      case 'select':
        return this.sql(query.toString('utf8'), () => {
          const sql = statement.processes.length > 0 ? substitute(query, statement.processes, this.processesSql()) : query.toString('utf8');
          return this.stream(sql, ctx.outputFormat ?? statement.format ?? ctx.defaultFormat, statement.streamable, store, sink);
        }, ctx, store, sink, admitted);
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
        return this.insert(statement, query, rest, ctx, store, admitted);
      case 'command':
        return this.sql(query.toString('utf8'), () => this.command(query.toString('utf8'), store, sink), ctx, store, sink, admitted);
    }
  }

  private async command(sql: string, store: StoreContext, sink: ResultSink): Promise<Summary> {
    const { bytes, summary } = await this.backend.command(sql, store);
    if (bytes.length > 0) {
      sink.start('TabSeparated');
      await sink.write(bytes);
    }
    return summary;
  }

  /**
   * A statement through the parser and the analyser. `asWritten` runs the text unchanged: for
   * statements Hadron has no business with (GRANT, CREATE USER, …) and, for ClickHouse clients, for
   * text the parser cannot read (the store is then the judge of its syntax).
   */
  private async sql(text: string, asWritten: () => Promise<Summary>, ctx: ExecContext, store: StoreContext, sink: ResultSink, admitted: () => void): Promise<Summary> {
    const parsed = this.parse(text, ctx);
    if (parsed === null) return asWritten();
    const planned = plan(parsed, this.planContext(ctx), text);
    try {
      return await this.execute(planned, asWritten, ctx, store, sink, admitted);
    } catch (err) {
      throw ctx.dialect === 'proton' ? this.protonError(err) : err;
    }
  }

  /** The store's UNKNOWN_FUNCTION suggests ClickHouse names; a Proton client gets Proton ones. */
  private protonError(raw: unknown): unknown {
    const err = toGatewayError(raw);
    if (err.code !== Code.UNKNOWN_FUNCTION) return err;
    const name = /(?:Unknown function |Function with name `)([^\s.:`]+)/.exec(err.message)?.[1];
    if (name === undefined) return err;
    const hints = suggestFunctions(name, this.catalog.allFunctions().map((f) => f.name));
    const hint = hints.length === 0 ? '' : `. Maybe you meant: [${hints.map((h) => `'${h}'`).join(', ')}]`;
    return new GatewayError(Code.UNKNOWN_FUNCTION, `Function with name \`${name}\` does not exist${hint}`, { cause: err });
  }

  private parse(text: string, ctx: ExecContext): ParsedStatement | null {
    try {
      return this.statements.parse(text, { implicitAliases: ctx.dialect === 'clickhouse' });
    } catch (err) {
      if (err instanceof UnknownStatement) return null;
      if (ctx.dialect === 'clickhouse' && err instanceof GatewayError && err.code === Code.SYNTAX_ERROR) return null;
      throw err;
    }
  }

  private planContext(ctx: ExecContext): PlanContext {
    const settings = new Map(ctx.session.settings);
    for (const [k, v] of ctx.settings) settings.set(k, v);
    return {
      catalog: this.catalog, database: ctx.session.database, dialect: ctx.dialect, settings, queryMode: ctx.queryMode,
      virtualTables: new Map([
        ['system.processes', () => this.processesQuery()],
        ...(ctx.dialect === 'proton' ? [
          ['system.tables', () => systemTablesQuery(this.catalog)] as const,
          ['system.columns', () => systemColumnsQuery(this.catalog)] as const,
        ] : []),
      ]),
    };
  }

  private joinDeps(): JoinDeps {
    return { backend: this.backend, log: this.log, describe: (target, s) => this.describe(target, s) };
  }

  private async execute(p: Plan, asWritten: () => Promise<Summary>, ctx: ExecContext, store: StoreContext, sink: ResultSink, admitted: () => void): Promise<Summary> {
    switch (p.kind) {
      case 'passthrough': return asWritten();
      case 'tail':
        // A streaming query lives as long as its client: it must not hold one of the admission slots.
        admitted();
        if (p.into !== undefined) return this.streaming.tail(p.tail, ctx, store, sink, undefined, p.into);
        return p.random === undefined ? this.streaming.tail(p.tail, ctx, store, sink) : this.streaming.randomTail(p.tail, p.random, ctx, store, sink);
      case 'join':
        admitted();
        return runJoinQuery(p.join, this.joinDeps(), ctx, store, sink, p.into);
      case 'pipeline':
        admitted();
        return runPipeline(p, this.joinDeps(), ctx, store, sink, (tail, s, started, into) => this.streaming.tail(tail, ctx, s, sink, started, into));
      case 'union':
        // h-union: a streaming UNION ALL (execute-union.ts).
        admitted();
        return runUnionQuery(p, this.joinDeps(), ctx, store, sink, p.into);
      case 'describe_then': {
        const columns = (await jsonRows(this.backend, p.sql, store)) as { name: string; type: string }[];
        return this.execute(p.then(columns), asWritten, ctx, store, sink, admitted);
      }
      case 'query': {
        const settings = p.settings.size === 0 ? store : { ...store, settings: new Map([...store.settings, ...p.settings]) };
        const sql = ctx.convertType === undefined || p.whole === true ? p.sql : await this.converted(p.sql, ctx.convertType, settings);
        return this.stream(sql, ctx.outputFormat ?? p.format ?? ctx.defaultFormat, p.whole !== true, settings, sink);
      }
      case 'ddl': {
        let summary = emptySummary;
        for (const step of p.steps) summary = (await this.backend.command(step, store)).summary;
        await this.applyCatalog(p.change);
        return summary;
      }
      case 'insert_select': {
        const columns = p.columns.map(identifier);
        const table = `${identifier(p.stream.database)}.${identifier(p.stream.name)}`;
        const settings = p.settings.size === 0 ? store : { ...store, settings: new Map([...store.settings, ...p.settings]) };
        return this.backend.insertSelect({ table, columns, key: table }, p.select, settings);
      }
    }
  }

  /**
   * A remote store may be shared with other Hadron processes: their DDL reaches this catalog within
   * `catalogRefreshMs`. (An embedded data directory belongs to this process alone.)
   */
  private async refreshCatalog(): Promise<void> {
    if (this.backend.kind !== 'remote' || Date.now() - this.catalogLoadedAt < catalogRefreshMs) return;
    this.catalogLoadedAt = Date.now();
    this.catalog.reset(await this.meta.load());
  }

  /** Persists a catalog change, then makes it visible. */
  private async applyCatalog(change: CatalogChange): Promise<void> {
    // A dropped, renamed or re-created stream numbers its rows afresh from what the store holds.
    for (const e of [...change.remove, ...change.put]) this.backend.forgetSequence(`${identifier(e.database)}.${identifier(e.name)}`);
    for (const r of change.remove) {
      await this.meta.remove(r.kind, r.database, r.name);
      this.catalog.remove(r.kind, r.database, r.name);
    }
    for (const e of change.put) {
      await this.meta.save(e);
      this.catalog.put(e);
    }
  }

  private async stream(sql: string, format: string, streamable: boolean, store: StoreContext, sink: ResultSink): Promise<Summary> {
    let started = false;
    let rows = 0;
    let bytes = 0;
    let described: Promise<void> | null = null;
    const describe = (): Promise<void> => (described ??= this.describe(`(${sql})`, store).then((c) => sink.structure?.(c), () => undefined));
    const timer = sink.structure === undefined ? undefined : setTimeout(() => {
      if (!started) describe().catch(() => undefined);
    }, structureAfterMs);
    try {
      for await (const chunk of this.backend.query(sql, format, store, streamable)) {
        if (!started) {
          sink.start(format);
          started = true;
        }
        rows += chunk.rows;
        bytes += chunk.bytes.length;
        await sink.write(chunk.bytes);
      }
    } finally {
      clearTimeout(timer);
    }
    if (!started) sink.start(format);
    if (sink.structure !== undefined && (bytes === 0 || described !== null)) await describe();
    return { ...emptySummary, resultRows: rows, resultBytes: bytes };
  }

  /** `SELECT * REPLACE (CAST(c AS T) AS c, …) FROM (sql)` for the columns an old client cannot read as they are. */
  private async converted(sql: string, convert: (type: string) => string | null, store: StoreContext): Promise<string> {
    const casts = (await this.describe(`(${sql})`, store)).flatMap((c) => {
      const to = convert(c.type);
      return to === null ? [] : [`CAST(${identifier(c.name)} AS ${to}) AS ${identifier(c.name)}`];
    });
    return casts.length === 0 ? sql : `SELECT * REPLACE (${casts.join(', ')}) FROM (${sql})`;
  }

  /** The store's DESCRIBE of a table or `(query)`: names and ClickHouse types, in order. */
  private async describe(target: string, store: StoreContext): Promise<StoreColumn[]> {
    const rows = (await jsonRows(this.backend, `DESCRIBE TABLE ${target}`, store)) as { name: string; type: string; default_type?: string }[];
    return rows.map((row) => ({ name: row.name, type: row.type, defaultType: row.default_type ?? '' })).filter((c) => c.defaultType !== 'MATERIALIZED' && c.defaultType !== 'ALIAS' && c.defaultType !== 'EPHEMERAL')
      .map(({ name, type }) => ({ name, type }));
  }

  /**
   * The columns an INSERT with data sent separately (the native protocol's Data blocks) must carry,
   * in ClickHouse types: the statement's column list, else every column a client may write.
   */
  async insertStructure(statement: Extract<Statement, { kind: 'insert' }>, query: Buffer, ctx: ExecContext): Promise<StoreColumn[]> {
    await this.refreshCatalog();
    const target = this.insertTarget(statement, query, ctx);
    const all = await this.describe(target.target, this.storeContext(ctx, ctx.params, ctx.signal));
    const head = this.parse(query.subarray(0, statement.dataOffset ?? query.length).toString('utf8'), ctx);
    if (head?.kind !== 'insert' || head.columns === null) return all;
    const byName = new Map(all.map((c) => [c.name, c]));
    return head.columns.map((n) => {
      const c = byName.get(n);
      if (c === undefined) throw new GatewayError(16, `No such column ${n} in ${target.target}`);
      return c;
    });
  }

  /** SET: validated by the store with the new values, then kept in the session (or this request only). */
  private async set(settings: Array<[string, string]>, ctx: ExecContext, store: StoreContext): Promise<Summary> {
    const next = new Map(store.settings);
    for (const [k, v] of settings) next.set(k, v);
    await this.backend.command('SELECT 1 FORMAT Null', { ...store, settings: storeSettings(next) });
    for (const [k, v] of settings) ctx.session.settings.set(k, v);
    return emptySummary;
  }

  /** The store target of an INSERT with inline data; a stream's rows get `_tp_sn` numbers. */
  private insertTarget(statement: Extract<Statement, { kind: 'insert' }>, query: Buffer, ctx: ExecContext): InsertTarget {
    const plain: InsertTarget = { target: statement.target, columns: statement.columns, format: statement.format as string };
    const head = this.parse(query.subarray(0, statement.dataOffset ?? query.length).toString('utf8'), ctx);
    if (head?.kind !== 'insert') return plain;
    const found = insertTarget(head.table as Expr, head.columns, this.planContext(ctx));
    if (found === null) return plain;
    const table = `${identifier(found.stream.database)}.${identifier(found.stream.name)}`;
    const columns = found.columns.map(identifier);
    return {
      target: table, columns: `(${columns.join(', ')})`, format: plain.format,
      sequence: { key: table, columns, structure: structureOf(found.stream, found.columns) },
    };
  }

  private async insert(statement: Extract<Statement, { kind: 'insert' }>, query: Buffer, rest: AsyncIterable<Uint8Array> | null, ctx: ExecContext, store: StoreContext, admitted: () => void): Promise<Summary> {
    const insertStore = statement.settings.length === 0 ? store : { ...store, settings: new Map([...store.settings, ...statement.settings]) };
    if (statement.format === null || statement.dataOffset === null) {
      const text = query.toString('utf8');
      return this.sql(text, async () => (await this.backend.command(text, insertStore)).summary, ctx, insertStore, { start: () => undefined, write: () => undefined }, admitted);
    }
    const target = this.insertTarget(statement, query, ctx);
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
    const ids = new Set((await jsonRows(this.backend, `SELECT query_id FROM ${snapshot} WHERE ${statement.where}`, store)).map((r) => String(r['query_id'])));
    const targets = this.processes.list().filter((p) => ids.has(p.queryId) && p.queryId !== ctx.queryId);
    if (statement.mode !== 'TEST') for (const t of targets) t.controller.abort();
    if (statement.mode === 'SYNC') await Promise.race([Promise.all(targets.map((t) => t.finished)), new Promise((r) => setTimeout(r, 10_000).unref())]);
    const status = statement.mode === 'SYNC' ? 'finished' : statement.mode === 'TEST' ? 'pending' : 'waiting';
    const sql = `SELECT ${quoteString(status)} AS kill_status, query_id, user, query FROM ${snapshot} WHERE ${statement.where} AND query_id != ${quoteString(ctx.queryId)}`;
    return this.stream(sql, statement.format ?? ctx.defaultFormat, true, store, sink);
  }

  /** Hadron's running statements as a table expression, in system.processes' column names. */
  processesSql(): string {
    return `(${print(this.processesQuery(), 'clickhouse')})`;
  }

  private processesQuery(): Query {
    const now = Date.now();
    const rows = this.processes.list().map((p) => [
      1, p.user, p.queryId, p.address, (now - p.startedAt) / 1000, p.readRows, p.writtenRows, p.resultRows, p.query, p.interface === 'tcp' ? 1 : 2,
    ]);
    return rowsQuery(processColumns, rows);
  }

  async drain(): Promise<void> {
    await this.coalescer.drain();
  }
}

const processColumns: readonly (readonly [string, string])[] = [
  ['is_initial_query', 'UInt8'], ['user', 'String'], ['query_id', 'String'], ['address', 'String'], ['elapsed', 'Float64'],
  ['read_rows', 'UInt64'], ['written_rows', 'UInt64'], ['result_rows', 'UInt64'], ['query', 'String'], ['interface', 'UInt8'],
];

/** A release that runs once, however often it is called. */
function onlyOnce(release: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    release();
  };
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
