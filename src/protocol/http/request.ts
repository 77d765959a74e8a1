// What an HTTP request asks for (protocols.md §4.2–§4.3): credentials, query id, database, format,
// session, settings, `{name:Type}` parameters. ClickHouse (X-ClickHouse-*) and Proton (x-timeplus-*,
// x-proton-*) header spellings are both accepted.
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Code, GatewayError, type Dialect } from '../../errors.ts';

/** URL parameters that are never settings. */
const reserved = new Set([
  'query', 'database', 'default_format', 'compress', 'decompress', 'user', 'password', 'quota_key', 'query_id',
  'stacktrace', 'buffer_size', 'wait_end_of_query', 'session_id', 'session_timeout', 'session_check',
  'client_protocol_version', 'close_session', 'role', 'time_start', 'time_end',
]);

export type ParsedRequest = {
  method: string;
  path: string;
  user: string;
  password: string;
  queryId: string;
  /** `query` URL parameter, or null. */
  query: string | null;
  database: string | null;
  defaultFormat: string | null;
  sessionId: string | null;
  sessionTimeout: number | null;
  sessionCheck: boolean;
  closeSession: boolean;
  settings: Map<string, string>;
  /** `param_<name>` values as sent (TSV-escaped text; the executor unescapes by declared type). */
  params: Map<string, string>;
  /** compress=1: the response body is ClickHouse native frames. */
  compress: boolean;
  /** decompress=1: the request body is ClickHouse native frames. */
  decompress: boolean;
  waitEndOfQuery: boolean;
  bufferSize: number;
  /** client_protocol_version: Native output carries TCP block headers for this revision (0 = plain). */
  clientProtocolVersion: number;
  /** Proton clients see Proton error names. */
  dialect: Dialect;
};

/**
 * The client's dialect (type names, error names, alias rule): forced by the `hadron_client_dialect`
 * setting, else Proton for Proton headers or a Proton/Timeplus client, ClickHouse for a client that
 * names itself a ClickHouse driver (clickhouse-js, clickhouse-connect, the JDBC driver, clickhouse-go),
 * else Proton — these are Proton's ports.
 */
export function clientDialect(forced: string | undefined, protonHeaders: boolean, userAgent: string): Dialect {
  if (forced === 'proton' || forced === 'clickhouse') return forced;
  if (forced !== undefined && forced !== '' && forced !== 'auto') {
    throw new GatewayError(Code.BAD_ARGUMENTS, `Setting hadron_client_dialect must be 'auto', 'proton' or 'clickhouse', got '${forced}'`);
  }
  if (protonHeaders || /proton|timeplus/i.test(userAgent)) return 'proton';
  return /clickhouse/i.test(userAgent) ? 'clickhouse' : 'proton';
}

/** First header present among the spellings, ClickHouse first. */
function header(req: IncomingMessage, name: string): string | undefined {
  for (const prefix of ['x-clickhouse-', 'x-timeplus-', 'x-proton-']) {
    const v = req.headers[prefix + name];
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && v[0] !== undefined) return v[0];
  }
  return undefined;
}

function credentials(req: IncomingMessage, url: URL): { user: string; password: string } {
  const headerUser = header(req, 'user');
  const headerKey = header(req, 'key');
  const basic = req.headers.authorization;
  const paramUser = url.searchParams.get('user');
  const paramPassword = url.searchParams.get('password');
  const fromHeaders = headerUser !== undefined || headerKey !== undefined;
  const fromBasic = typeof basic === 'string' && /^basic /i.test(basic);
  const fromParams = paramUser !== null || paramPassword !== null;
  if ((fromHeaders ? 1 : 0) + (fromBasic ? 1 : 0) + (fromParams ? 1 : 0) > 1) {
    throw new GatewayError(Code.AUTHENTICATION_FAILED, 'Invalid authentication: it is not allowed to use more than one authentication method at the same time');
  }
  if (fromHeaders) return { user: headerUser ?? 'default', password: headerKey ?? '' };
  if (fromBasic) {
    const decoded = Buffer.from((basic as string).slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? { user: decoded, password: '' } : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return { user: paramUser ?? 'default', password: paramPassword ?? '' };
}

export function parseRequest(req: IncomingMessage): ParsedRequest {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const { user, password } = credentials(req, url);
  const settings = new Map<string, string>();
  const params = new Map<string, string>();
  for (const [key, value] of url.searchParams) {
    if (key.startsWith('param_')) params.set(key.slice(6), value);
    else if (!reserved.has(key)) settings.set(key, value);
  }
  const timeout = url.searchParams.get('session_timeout');
  const ua = req.headers['user-agent'] ?? '';
  const protonHeaders = Object.keys(req.headers).some((h) => h.startsWith('x-proton-') || h.startsWith('x-timeplus-'));
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    user,
    password,
    queryId: url.searchParams.get('query_id') ?? header(req, 'query-id') ?? randomUUID(),
    query: url.searchParams.get('query'),
    database: header(req, 'database') ?? url.searchParams.get('database'),
    defaultFormat: header(req, 'format') ?? url.searchParams.get('default_format'),
    sessionId: url.searchParams.get('session_id'),
    sessionTimeout: timeout === null ? null : Number(timeout),
    sessionCheck: url.searchParams.get('session_check') === '1',
    closeSession: url.searchParams.get('close_session') === '1',
    settings,
    params,
    compress: url.searchParams.get('compress') === '1',
    decompress: url.searchParams.get('decompress') === '1',
    waitEndOfQuery: url.searchParams.get('wait_end_of_query') === '1',
    bufferSize: Number(url.searchParams.get('buffer_size') ?? 1024 * 1024) || 1024 * 1024,
    clientProtocolVersion: Math.max(0, Math.trunc(Number(url.searchParams.get('client_protocol_version') ?? 0)) || 0),
    dialect: clientDialect(settings.get('hadron_client_dialect'), protonHeaders, ua),
  };
}
