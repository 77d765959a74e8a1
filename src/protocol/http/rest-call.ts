// One REST request (rest.ts routes it): the caller's context, JSON answers, and running SQL through the
// executor as that caller in the Proton dialect.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Code, GatewayError } from '../../errors.ts';
import type { ExecContext, ResultSink, Summary } from '../../execute.ts';
import type { AuthenticatedUser } from '../../users.ts';
import type { HttpDeps } from './handler.ts';
import type { ParsedRequest } from './request.ts';

/** One REST request: what the route handlers work with. */
export type RestCall = {
  readonly deps: HttpDeps;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly parsed: ParsedRequest;
  /** The request's query id: `request_id` of every answer. */
  readonly queryId: string;
  /** x-timeplus-database / x-proton-database / `database`, else `default`. */
  readonly database: string;
  /** Authenticated before any route but ping runs. */
  readonly user: AuthenticatedUser;
  readonly signal: AbortSignal;
};

/** A route: method, path pattern after the prefix (captures are URI-decoded), handler. */
export type Route = {
  readonly method: string;
  readonly path: RegExp;
  readonly run: (call: RestCall, params: readonly string[]) => Promise<void>;
};

/** Sends a JSON answer; `request_id` is added unless the body has one. */
export function sendJson(call: RestCall, status: number, body: Record<string, unknown>): void {
  sendRaw(call.res, status, JSON.stringify({ ...body, request_id: body.request_id ?? call.queryId }), call.queryId);
}

export function sendRaw(res: ServerResponse, status: number, text: string, queryId: string): void {
  const body = Buffer.from(text, 'utf8');
  res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': String(body.length), ...queryIdHeaders(queryId) });
  res.end(body);
}

/** The query id in the three header families (ClickHouse, Timeplus, Proton), as HTTP queries answer. */
export function queryIdHeaders(queryId: string): Record<string, string> {
  return { 'X-ClickHouse-Query-Id': queryId, 'X-Timeplus-Query-Id': queryId, 'X-Proton-Query-Id': queryId };
}

export type RunOptions = {
  /** INSERT data bytes after the statement text (the statement must end in `FORMAT <name>\n`). */
  rest?: AsyncIterable<Uint8Array>;
  /** Settings for this statement, over none of the session's. */
  settings?: ReadonlyMap<string, string>;
  queryMode?: 'table' | 'streaming';
  /** Where result bytes go; by default they are collected and returned. */
  sink?: ResultSink;
};

/** Runs one SQL statement as the caller, in the Proton dialect; the collected result (if no sink). */
export async function runSql(call: RestCall, sql: string, options: RunOptions = {}): Promise<{ summary: Summary; bytes: Buffer }> {
  const { deps } = call;
  const statementBytes = Buffer.from(sql, 'utf8');
  const statement = deps.executor.classify(statementBytes.toString('latin1'), options.rest === undefined);
  if (statement.kind === 'error') throw new GatewayError(Code.SYNTAX_ERROR, statement.message);
  if (statement.kind === 'incomplete') throw new GatewayError(Code.SYNTAX_ERROR, 'Incomplete statement');
  const ctx: ExecContext = {
    queryId: call.queryId,
    user: call.user.name,
    readonly: call.user.readonly,
    session: deps.sessions.ephemeral(call.user.name, call.database),
    settings: options.settings ?? new Map(),
    params: call.parsed.params,
    defaultFormat: 'JSONCompact',
    address: call.req.socket.remoteAddress ?? '',
    interface: 'http',
    dialect: 'proton',
    queryMode: options.queryMode ?? (deps.mode === 'streaming' ? 'streaming' : 'table'),
    signal: call.signal,
  };
  const pieces: Buffer[] = [];
  const sink: ResultSink = options.sink ?? { start: () => undefined, write: (chunk) => void pieces.push(Buffer.from(chunk)) };
  const summary = await deps.executor.run(statement, statementBytes, options.rest ?? null, ctx, sink);
  return { summary, bytes: Buffer.concat(pieces) };
}

/** Runs a statement whose result is JSONEachRow and returns the rows. */
export async function queryRows<T>(call: RestCall, sql: string): Promise<T[]> {
  const { bytes } = await runSql(call, `${sql} FORMAT JSONEachRow`, { queryMode: 'table' });
  return bytes.toString('utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as T);
}

/** The request body as JSON (DDL and search payloads are small; bounded by max_query_size). */
export async function readJsonBody(call: RestCall): Promise<Record<string, unknown>> {
  const limit = call.deps.config.limits.max_query_size;
  const pieces: Buffer[] = [];
  let size = 0;
  for await (const chunk of call.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new GatewayError(Code.QUERY_IS_TOO_LARGE, `Request body exceeds ${limit} bytes (max_query_size)`);
    pieces.push(chunk);
  }
  const text = Buffer.concat(pieces).toString('utf8');
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch (err) {
    throw new GatewayError(Code.INCORRECT_DATA, `Invalid JSON request: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new GatewayError(Code.INCORRECT_DATA, 'Invalid JSON request: expected an object');
  return value as Record<string, unknown>;
}
