// The remote store: a ClickHouse server over HTTP, through @clickhouse/client. Every statement is one
// request that carries its own settings, database, default format and parameters as URL parameters,
// so nothing is ever persisted on a connection and one client's settings cannot reach another's.
// Works with servers from 18.16 on: no header the old server ignores is relied on (the database goes
// as the `database` URL parameter, never X-ClickHouse-Database), and old error bodies are understood.
// What a server of a given version lacks is told by `capabilities` (capabilitiesOf).
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { Code, GatewayError, toGatewayError } from '../errors.ts';
import { isFormatName, quoteString } from '../sql-literal.ts';
import type { Backend, InsertData, InsertSelectTarget, InsertTarget, ResultChunk, StoreCapabilities, StoreContext, StoreInfo, Summary } from './backend.ts';
import { emptySummary } from './backend.ts';
import { Sequences } from './sequence.ts';

export type RemoteOptions = {
  url: string;
  user: string;
  password: string;
  /** Used where a statement's context names no database. */
  database: string;
  /** Idle time allowed on a request before the store answers (default 1 h: long queries are legitimate). */
  requestTimeoutMs?: number;
  /** Concurrent HTTP connections to the store (default 64). */
  maxConnections?: number;
};

/**
 * Error bodies of servers that predate `Code: N. DB::Exception: msg (NAME)` (parsed by toGatewayError):
 * 18.x–20.x write `Code: 60, e.displayText() = DB::Exception: msg, e.what() = DB::Exception`, later
 * ones end with `(version V)` instead of the e.what() part.
 */
const legacyErrorBodies: readonly RegExp[] = [
  /^Code: (\d+), e\.displayText\(\) = (?:DB::Exception: )?([\s\S]*?)(?:, e\.what\(\) = [\w:]+| \(version [^)]*\))?\s*$/,
];

/** Transport failures by Node's error code: the store is unreachable or stopped answering. */
const transportErrors: Readonly<Record<string, number>> = {
  ECONNREFUSED: Code.NETWORK_ERROR,
  ECONNRESET: Code.NETWORK_ERROR,
  EPIPE: Code.NETWORK_ERROR,
  ENOTFOUND: Code.NETWORK_ERROR,
  EHOSTUNREACH: Code.NETWORK_ERROR,
  ETIMEDOUT: Code.SOCKET_TIMEOUT,
};

/** First releases with each capability (ClickHouse changelog): */
const capabilitySince = {
  /** 19.11.3.11: "Added support for prepared statements" (#5331), `{name:Type}` and `param_<name>`. */
  queryParameters: [19, 11],
  /** 19.8.3.8: X-ClickHouse-Summary (#5116), sent with every response, carrying written_rows. */
  writtenRows: [19, 8],
  /** 19.15.2.2: the `input()` table function (#5450), INSERT ... SELECT over the request body. */
  sequencedInserts: [19, 15],
} as const;

/** The capabilities of a ClickHouse server by its `version()` (`18.16.1`, `24.8.4.13`); unknown = none. */
export function capabilitiesOf(version: string): StoreCapabilities {
  const match = /^(\d+)\.(\d+)/.exec(version);
  const major = match ? Number(match[1]) : 0;
  const minor = match ? Number(match[2]) : 0;
  const since = ([wantMajor, wantMinor]: readonly [number, number]): boolean => major > wantMajor || (major === wantMajor && minor >= wantMinor);
  return {
    queryParameters: since(capabilitySince.queryParameters),
    writtenRows: since(capabilitySince.writtenRows),
    sequencedInserts: since(capabilitySince.sequencedInserts),
  };
}

const paramEscapes: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * A `{name:Type}` value (text form, as in StoreContext.params) as the HTTP interface's `param_<name>`
 * takes it: the server reads it with the type's escaped-text (TSV) reader, so backslash, tab, newline
 * and CR are escaped, and the NULL marker `\N` stays as it is. This is exactly what the executor undid
 * for a scalar (a client's `param_s=a%5Ctb` reaches the server as `a\tb` again), and what chDB's
 * binder does, so both stores read a composite literal's quoted strings alike too.
 */
export function paramValue(value: string): string {
  if (value === '\\N') return value;
  return value.replace(/[\\\t\n\r]/g, (c) => paramEscapes[c] as string);
}

/** One answered request: a 2xx status, its body stream and headers. */
type Response = { stream: Readable; headers: Record<string, string | string[] | undefined> };

/** A statement in flight: its store query id and the abort listener that kills it. */
type Statement = { id: string; ctx: StoreContext; onAbort: () => void };

export class RemoteBackend implements Backend {
  readonly kind = 'remote' as const;
  info: StoreInfo = { version: '', timezone: 'UTC' };
  /** Derived from the server's version once open. */
  capabilities: StoreCapabilities = capabilitiesOf('');
  private readonly client: ClickHouseClient;
  private readonly options: RemoteOptions;
  /** Store query ids of statements in flight (KILL QUERY targets, close() waits for them). */
  private readonly running = new Set<string>();
  /** `_tp_sn` numbering of every stream written through this process (one writer process per stream). */
  readonly sequences = new Sequences((key) => this.readNext(key));

  private constructor(options: RemoteOptions) {
    this.options = options;
    // The client's own database stays `default` (it then sends none): each request names its own.
    this.client = createClient({
      url: options.url,
      username: options.user,
      password: options.password,
      request_timeout: options.requestTimeoutMs ?? 3_600_000,
      max_open_connections: options.maxConnections ?? 64,
      log: { level: ClickHouseLogLevel.OFF },
    });
  }

  static async open(options: RemoteOptions): Promise<RemoteBackend> {
    const backend = new RemoteBackend(options);
    try {
      const ctx: StoreContext = { queryId: '', database: options.database, settings: new Map(), params: new Map(), signal: new AbortController().signal };
      const { bytes } = await backend.run('SELECT version(), timezone()', ctx, { format: 'TabSeparated' });
      const [version = '', timezone = 'UTC'] = new TextDecoder().decode(bytes).trim().split('\t');
      backend.info = { version, timezone };
      backend.capabilities = capabilitiesOf(version);
    } catch (err) {
      await backend.client.close();
      throw toGatewayError(err).wrap(`cannot reach the store at ${options.url}`);
    }
    return backend;
  }

  /** HTTP streams every statement, so `streamable` changes nothing here. */
  async *query(sql: string, format: string, ctx: StoreContext): AsyncIterable<ResultChunk> {
    const statement = this.begin(ctx);
    let response: Response | undefined;
    try {
      response = await this.send(sql, statement, { format });
      const tag = header(response.headers, 'x-clickhouse-exception-tag');
      for await (const chunk of response.stream as AsyncIterable<Buffer>) {
        if (chunk.length === 0) continue;
        const failed = tag === undefined ? undefined : splitException(chunk, tag);
        if (failed) {
          if (failed.data.length > 0) yield { bytes: failed.data, rows: 0 };
          throw failed.error;
        }
        yield { bytes: chunk, rows: 0 };
      }
    } catch (err) {
      throw this.failure(err, ctx);
    } finally {
      response?.stream.destroy();
      this.end(statement);
    }
  }

  command(sql: string, ctx: StoreContext): Promise<{ bytes: Uint8Array; summary: Summary }> {
    return this.run(sql, ctx, {});
  }

  async insert(target: InsertTarget, data: InsertData, ctx: StoreContext): Promise<Summary> {
    if (!isFormatName(target.format)) throw new GatewayError(Code.UNKNOWN_FORMAT, `Unknown format ${target.format}`);
    if (target.sequence) return this.insertSequenced(target, target.sequence, data, ctx);
    const columns = target.columns === '' ? '' : ` ${target.columns}`;
    const values = data.kind === 'file' ? createReadStream(data.path) : Readable.from(data.parts, { objectMode: false });
    try {
      const { summary } = await this.run(`INSERT INTO ${target.target}${columns} FORMAT ${target.format}`, ctx, { values });
      return summary;
    } finally {
      values.destroy();
    }
  }

  /**
   * The body numbered in `_tp_sn` through `input()`. Omitted fields get the types' defaults there, not
   * the table's DEFAULTs (input() has only the structure it is given). The next base comes from the
   * store's written_rows; when that is 0 (nothing written, or a server that cannot tell) the next
   * turn re-reads the store. written_rows would count rows cascaded into ClickHouse materialized
   * views too: stream tables must have none.
   */
  private insertSequenced(target: InsertTarget, sequence: NonNullable<InsertTarget['sequence']>, data: InsertData, ctx: StoreContext): Promise<Summary> {
    if (!this.capabilities.sequencedInserts) {
      throw new GatewayError(Code.NOT_IMPLEMENTED, `Inserts into streams need a store with input() (ClickHouse 19.15 or later); this one is ${this.info.version}`);
    }
    const columns = [...sequence.columns, '`_tp_sn`'].join(', ');
    return this.sequences.run(sequence.key, async (base) => {
      const sql = `INSERT INTO ${target.target} (${columns}) SELECT *, ${base} + rowNumberInAllBlocks() FROM input(${quoteString(sequence.structure)}) FORMAT ${target.format}`;
      const values = data.kind === 'file' ? createReadStream(data.path) : Readable.from(data.parts, { objectMode: false });
      try {
        const { summary } = await this.run(sql, sequencedContext(ctx), { values });
        return { value: summary, rows: summary.writtenRows > 0 ? BigInt(summary.writtenRows) : null };
      } finally {
        values.destroy();
      }
    });
  }

  /** `INSERT ... SELECT` numbered in `_tp_sn`; rows unknown, so the next turn re-reads the store. */
  insertSelect(target: InsertSelectTarget, select: string, ctx: StoreContext): Promise<Summary> {
    const columns = [...target.columns, '`_tp_sn`'].join(', ');
    return this.sequences.run(target.key, async (base) => {
      const sql = `INSERT INTO ${target.table} (${columns}) SELECT *, ${base} + rowNumberInAllBlocks() FROM (${select})`;
      const { summary } = await this.run(sql, sequencedContext(ctx), {});
      return { value: summary, rows: null };
    });
  }

  forgetSequence(key: string): void {
    this.sequences.forget(key);
  }

  /** The number the stream's next row gets, from what the store holds. */
  private async readNext(key: string): Promise<bigint> {
    const ctx: StoreContext = { queryId: '', database: this.options.database, settings: new Map(), params: new Map(), signal: new AbortController().signal };
    const { bytes } = await this.run(`SELECT if(count() = 0, 0, max(_tp_sn) + 1) FROM ${key}`, ctx, { format: 'TabSeparated' });
    return BigInt(new TextDecoder().decode(bytes).trim());
  }

  async ping(): Promise<void> {
    const result = await this.client.ping();
    if (!result.success) throw this.failure(result.error, undefined);
  }

  async close(): Promise<void> {
    for (let i = 0; i < 500 && this.running.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
    await this.client.close();
  }

  /** Runs a statement to the end and returns its whole body and summary. */
  private async run(sql: string, ctx: StoreContext, extra: { format?: string; values?: Readable }): Promise<{ bytes: Uint8Array; summary: Summary }> {
    const statement = this.begin(ctx);
    try {
      const response = await this.send(sql, statement, extra);
      const parts: Buffer[] = [];
      for await (const chunk of response.stream as AsyncIterable<Buffer>) parts.push(chunk);
      return { bytes: Buffer.concat(parts), summary: summaryOf(response.headers) };
    } catch (err) {
      throw this.failure(err, ctx);
    } finally {
      this.end(statement);
    }
  }

  /**
   * Sends one statement and waits for the answer's headers. Settings, `database`, `default_format` and
   * the `param_<name>` values go as URL parameters (ClickHouse applies `default_format` only when the
   * SQL has no FORMAT clause). The parameters travel among clickhouse_settings, whose string values the
   * client puts in the URL unchanged, not as query_params, which it would format as JS values (quotes
   * backslash-escaped, `\N` doubled): that would break an already spelled Array literal or a NULL.
   */
  private async send(sql: string, statement: Statement, extra: { format?: string; values?: Readable }): Promise<Response> {
    const { id, ctx } = statement;
    if (ctx.signal.aborted) throw cancelled();
    const settings: Record<string, string> = Object.fromEntries(ctx.settings);
    settings['database'] = ctx.database === '' ? this.options.database : ctx.database;
    if (extra.format !== undefined) settings['default_format'] = extra.format;
    for (const [name, value] of ctx.params) settings[`param_${name}`] = paramValue(value);
    const result = await this.client.exec({
      query: sql,
      ...(extra.values === undefined ? {} : { values: extra.values }),
      clickhouse_settings: settings,
      query_id: id,
      abort_signal: ctx.signal,
      ignore_error_response: true,
    });
    const status = result.http_status_code ?? 200;
    const headerCode = header(result.response_headers, 'x-clickhouse-exception-code');
    if (status < 200 || status > 299 || headerCode !== undefined) {
      const parts: Buffer[] = [];
      for await (const chunk of result.stream as AsyncIterable<Buffer>) parts.push(chunk);
      throw storeError(Buffer.concat(parts).toString(), headerCode);
    }
    return { stream: result.stream, headers: result.response_headers };
  }

  /** Registers a statement; its id is the client's query id unless that one is already in flight here. */
  private begin(ctx: StoreContext): Statement {
    const id = ctx.queryId !== '' && !this.running.has(ctx.queryId) ? ctx.queryId : randomUUID();
    const statement: Statement = { id, ctx, onAbort: () => void this.kill(id) };
    ctx.signal.addEventListener('abort', statement.onAbort, { once: true });
    this.running.add(id);
    return statement;
  }

  private end(statement: Statement): void {
    statement.ctx.signal.removeEventListener('abort', statement.onAbort);
    this.running.delete(statement.id);
  }

  /** Stops a cancelled statement on the server too: a closed connection alone does not stop every query. */
  private async kill(id: string): Promise<void> {
    await this.client
      .command({ query: `KILL QUERY WHERE query_id = ${quoteString(id)} ASYNC`, abort_signal: AbortSignal.timeout(5_000) })
      .catch(() => undefined);
  }

  private failure(err: unknown, ctx: StoreContext | undefined): GatewayError {
    if (ctx?.signal.aborted) return cancelled();
    if (err instanceof GatewayError) return err;
    const code = typeof err === 'object' && err !== null && 'code' in err ? (err as { code: unknown }).code : undefined;
    const transport = typeof code === 'string' ? transportErrors[code] : undefined;
    if (transport !== undefined) return new GatewayError(transport, `store unreachable at ${this.options.url}: ${(err as Error).message}`, { cause: err });
    if (err instanceof Error && err.message === 'Timeout error.') return new GatewayError(Code.SOCKET_TIMEOUT, `store at ${this.options.url} timed out`, { cause: err });
    return toGatewayError(err);
  }
}

/** `_tp_sn` is MATERIALIZED (hidden from `SELECT *`), yet written by us: the setting travels in the URL (old servers have no SETTINGS clause in INSERT). */
function sequencedContext(ctx: StoreContext): StoreContext {
  return { ...ctx, settings: new Map([...ctx.settings, ['insert_allow_materialized_columns', '1']]) };
}

function cancelled(): GatewayError {
  return new GatewayError(Code.QUERY_WAS_CANCELLED, 'Query was cancelled');
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** An error response body (any server generation) as a GatewayError keeping the store's code. */
function storeError(body: string, headerCode: string | undefined): GatewayError {
  const text = body.trim();
  const modern = toGatewayError(new Error(text));
  if (modern.code !== Code.STD_EXCEPTION) return modern;
  for (const form of legacyErrorBodies) {
    const match = form.exec(text);
    if (match) return new GatewayError(Number(match[1]), match[2] ?? text);
  }
  if (headerCode !== undefined && /^\d+$/.test(headerCode)) return new GatewayError(Number(headerCode), text);
  return modern;
}

/** X-ClickHouse-Summary (a JSON map of decimal strings), absent on old servers (then zeros). */
function summaryOf(headers: Record<string, string | string[] | undefined>): Summary {
  const text = header(headers, 'x-clickhouse-summary');
  if (text === undefined) return { ...emptySummary };
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    const num = (name: string): number => (raw[name] === undefined ? 0 : Number(raw[name]) || 0);
    return {
      readRows: num('read_rows'),
      readBytes: num('read_bytes'),
      writtenRows: num('written_rows'),
      writtenBytes: num('written_bytes'),
      resultRows: num('result_rows'),
      resultBytes: num('result_bytes'),
    };
  } catch {
    return { ...emptySummary };
  }
}

/**
 * A mid-stream error of a server that tags them (X-ClickHouse-Exception-Tag, ClickHouse ≥ 25.11): the
 * body ends with `\r\n__exception__\r\n<tag>\r\n<message>\n<len> <tag>\r\n__exception__\r\n`, where
 * <len> counts the message and its newline. Like @clickhouse/client, expects the block in one chunk.
 */
function splitException(chunk: Buffer, tag: string): { data: Buffer; error: GatewayError } | undefined {
  const trailer = ` ${tag}\r\n__exception__\r\n`;
  if (chunk.length < trailer.length || chunk.toString('latin1', chunk.length - trailer.length) !== trailer) return undefined;
  const lengthEnd = chunk.length - trailer.length;
  const lengthStart = chunk.lastIndexOf(0x0a, lengthEnd - 1) + 1;
  const length = Number(chunk.toString('latin1', lengthStart, lengthEnd));
  const messageStart = Math.max(0, lengthStart - (Number.isInteger(length) && length > 0 ? length : 0));
  const message = chunk.toString('utf8', messageStart, Math.max(messageStart, lengthStart - 1));
  const opening = chunk.lastIndexOf(`\r\n__exception__\r\n${tag}`, messageStart);
  return { data: chunk.subarray(0, opening >= 0 ? opening : messageStart), error: storeError(message, undefined) };
}
