// The HTTP query handler (protocols.md §4): routes, authentication, the query text from the `query`
// parameter and/or the body, classification of a body prefix (so INSERT data streams on without
// being buffered), execution, and the reply.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Code, GatewayError, toGatewayError } from '../../errors.ts';
import type { SessionState } from '../../session.ts';
import type { ExecContext } from '../../execute.ts';
import { pickResponseEncoding } from './content-encoding.ts';
import type { ListenerDeps } from '../listen.ts';
import { requestBody } from './request-body.ts';
import { parseRequest, type ParsedRequest } from './request.ts';
import { handleRest, isRestPath } from './rest.ts';
import { Reply, summaryProgress, type Progress, type ReplyOptions } from './reply.ts';

export type HttpDeps = ListenerDeps & {
  /** The listener's default query mode: snapshot (8123) reads history, streaming (3218) tails. */
  mode?: 'snapshot' | 'streaming';
};

const keepAliveS = 10;

export async function handleRequest(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  const path = url.split('?', 1)[0] ?? '/';
  const hasQuery = /[?&]query=/.test(url);
  if ((req.method === 'GET' || req.method === 'HEAD') && !hasQuery && (path === '/' || path === '/ping' || path === '/replicas_status')) {
    return plain(res, 200, 'Ok.\n');
  }
  if (isRestPath(path)) return handleRest(deps, req, res);
  if (req.method === 'OPTIONS') return plain(res, 204, '');
  let parsed: ParsedRequest | null = null;
  let reply: Reply | null = null;
  try {
    parsed = parseRequest(req);
    reply = new Reply(res, replyOptions(deps, parsed, req));
    await runQuery(deps, req, res, parsed, reply);
  } catch (err) {
    const error = toGatewayError(err);
    if (error.code !== Code.QUERY_WAS_CANCELLED || !res.destroyed) deps.log.debug({ err: error.message, code: error.code, queryId: parsed?.queryId }, 'query failed');
    reply ??= new Reply(res, replyOptions(deps, parsed, req));
    if (!res.destroyed) await reply.fail(error);
    req.resume();
  }
}

function replyOptions(deps: HttpDeps, parsed: ParsedRequest | null, req: IncomingMessage): ReplyOptions {
  const setting = (name: string): string | undefined => parsed?.settings.get(name);
  const progress = setting('send_progress_in_http_headers') === '1';
  return {
    displayName: deps.config.display_name,
    timezone: deps.info.timezone,
    version: deps.info.version,
    queryId: parsed?.queryId ?? '',
    dialect: parsed?.dialect ?? 'clickhouse',
    frames: parsed?.compress ?? false,
    // On by default since ClickHouse 25.10: Accept-Encoding alone asks for a compressed response.
    encoding: setting('enable_http_compression') !== '0' ? pickResponseEncoding(req.headers['accept-encoding']) : null,
    waitEnd: parsed?.waitEndOfQuery ?? false,
    bufferSize: parsed?.bufferSize ?? 1024 * 1024,
    nativeRevision: parsed?.clientProtocolVersion ?? 0,
    progressIntervalMs: progress ? Number(setting('http_headers_progress_interval_ms') ?? 100) || 100 : null,
    keepAliveS,
  };
}

async function runQuery(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, parsed: ParsedRequest, reply: Reply): Promise<void> {
  const user = deps.users.authenticate(parsed.user, parsed.password);
  if (req.method === 'POST' && req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
    throw new GatewayError(Code.HTTP_LENGTH_REQUIRED, 'The Transfer-Encoding is not chunked and there is no Content-Length header for POST request');
  }
  const session: SessionState = parsed.sessionId === null
    ? deps.sessions.ephemeral(user.name, parsed.database ?? 'default')
    : deps.sessions.open(parsed.sessionId, user.name, parsed.database ?? 'default', parsed.sessionTimeout, parsed.sessionCheck);
  if (parsed.database !== null) session.database = parsed.database;
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const readonlySetting = Number(parsed.settings.get('readonly') ?? session.settings.get('readonly') ?? 0) || 0;
  const readonly = Math.max(user.readonly, readonlySetting, req.method === 'GET' ? 2 : 0);
  const body = readBody(deps, req, parsed, readonly > 0 && req.method === 'GET');
  const { statementBytes, statement, rest } = await readStatement(deps, parsed, body);
  const ctx: ExecContext = {
    queryId: parsed.queryId,
    user: user.name,
    readonly,
    session,
    settings: parsed.settings,
    params: parsed.params,
    defaultFormat: parsed.defaultFormat ?? 'TabSeparated',
    address: req.socket.remoteAddress ?? '',
    interface: 'http',
    dialect: parsed.dialect,
    queryMode: deps.mode === 'streaming' ? 'streaming' : 'table',
    signal: controller.signal,
  };
  const started = process.hrtime.bigint();
  const sent = { rows: 0, bytes: 0 };
  const progress = (): Progress => summaryProgress({ readRows: 0, readBytes: 0, writtenRows: 0, writtenBytes: 0, resultRows: sent.rows, resultBytes: sent.bytes }, started);
  reply.watchProgress(progress);
  const summary = await deps.executor.run(statement, statementBytes, rest, ctx, {
    start: (format) => reply.start(format),
    write: (chunk) => {
      sent.bytes += chunk.length;
      return reply.write(chunk, progress);
    },
    flush: () => reply.flush(progress),
  });
  await reply.finish(summaryProgress(summary, started));
  if (parsed.closeSession && parsed.sessionId !== null) deps.sessions.close(parsed.sessionId, user.name);
}

/** The request body, undone of Content-Encoding and native frames, capped at max_body_bytes (a readonly GET's body is not read as a body). */
function readBody(deps: HttpDeps, req: IncomingMessage, parsed: ParsedRequest, ignore: boolean): AsyncIterator<Uint8Array> {
  return requestBody(req, ignore ? null : req.headers['content-encoding'], !ignore && parsed.decompress, deps.config.limits.max_body_bytes);
}

/** Reads the query text: the `query` parameter, a newline, then the body, until the statement is known. */
async function readStatement(deps: HttpDeps, parsed: ParsedRequest, body: AsyncIterator<Uint8Array>) {
  const maxQuery = deps.config.limits.max_query_size;
  const pieces: Buffer[] = parsed.query !== null ? [Buffer.from(`${parsed.query}\n`, 'utf8')] : [];
  let size = pieces[0]?.length ?? 0;
  let ended = false;
  for (;;) {
    const prefix = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces, size);
    pieces.length = 0;
    pieces.push(prefix);
    const classified = deps.executor.classify(prefix.toString('latin1'), ended);
    if (classified.kind === 'error') throw new GatewayError(Code.SYNTAX_ERROR, classified.message);
    // Only an INSERT is known before the body ends (its data follows); every other statement is
    // classified once the whole text is here.
    if (classified.kind !== 'incomplete') {
      const rest = ended ? null : { [Symbol.asyncIterator]: () => body };
      return { statementBytes: prefix, statement: classified, rest };
    }
    if (ended) throw new GatewayError(Code.SYNTAX_ERROR, 'Empty query');
    if (size > maxQuery) throw new GatewayError(Code.SYNTAX_ERROR, `Max query size exceeded (${maxQuery} bytes)`);
    const next = await body.next();
    if (next.done) ended = true;
    else {
      pieces.push(Buffer.from(next.value.buffer, next.value.byteOffset, next.value.length));
      size += next.value.length;
    }
  }
}

function plain(res: ServerResponse, status: number, text: string, type = 'text/plain; charset=UTF-8'): void {
  res.writeHead(status, { 'Content-Type': type, 'Keep-Alive': `timeout=${keepAliveS}` });
  res.end(text);
}
