// Proton's REST API (protocols.md §5.5) under `/proton/` and `/timeplusd/` on both HTTP listeners:
// a route table, authentication as for HTTP queries, JSON replies and the JSON error shape
// `{"error_msg","code","request_id"}`. Endpoints build SQL (names quoted by sql-literal.ts) and run
// it through the executor like any HTTP statement; ingest, DDL and search live in rest-ingest.ts,
// rest-ddl.ts and rest-search.ts, the per-request context in rest-call.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { availableParallelism, totalmem } from 'node:os';
import { Code, GatewayError, toGatewayError } from '../../errors.ts';
import type { HttpDeps } from './handler.ts';
import { parseRequest } from './request.ts';
import { sendJson, sendRaw, type RestCall, type Route } from './rest-call.ts';
import { ingest } from './rest-ingest.ts';
import { ddlRoutes } from './rest-ddl.ts';
import { search } from './rest-search.ts';

/** Proton's UNKNOWN_TYPE_OF_QUERY, its answer to an unknown URI (not in the kernel's catalog). */
const UNKNOWN_URI = 78;

/** Statuses that differ from the HTTP query interface's (errors.ts): an unknown URI is 404, a known one with another method 405. */
const restStatusByCode: Readonly<Record<number, number>> = { [UNKNOWN_URI]: 404 };

/** Prefixes the REST API is mounted under (every route exists under each). */
const prefixes = ['/proton', '/timeplusd'] as const;

export function isRestPath(path: string): boolean {
  return prefixes.some((p) => path.startsWith(`${p}/`));
}

const routes: readonly Route[] = [
  { method: 'GET', path: /^\/info$/, run: async (call) => sendJson(call, 200, info(call)) },
  { method: 'POST', path: /^\/v1\/ingest\/streams\/([^/]+)$/, run: ingest },
  { method: 'POST', path: /^\/v1\/search$/, run: search },
  ...ddlRoutes,
];

/**
 * Answers a request whose path starts with a REST prefix. `GET …/ping` needs no credentials (a health
 * check); every other route authenticates as an HTTP query does.
 */
export async function handleRest(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const rest = url.pathname.slice(url.pathname.indexOf('/', 1));
  let queryId = '';
  try {
    const parsed = parseRequest(req);
    queryId = parsed.queryId;
    if (rest === '/ping' && (req.method === 'GET' || req.method === 'HEAD')) return sendRaw(res, 200, '{"status":"UP"}', queryId);
    const user = deps.users.authenticate(parsed.user, parsed.password);
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const call: RestCall = { deps, req, res, url, parsed, queryId, database: parsed.database ?? 'default', user, signal: controller.signal };
    const method = req.method ?? 'GET';
    const route = findRoute(method, rest);
    if (route === 'other method') return sendJson(call, 405, { error_msg: `Method ${method} is not supported for ${url.pathname}`, code: UNKNOWN_URI });
    if (route === null) throw new GatewayError(UNKNOWN_URI, `Unknown URI ${url.pathname}`);
    await route.route.run(call, route.params);
  } catch (err) {
    const error = toGatewayError(err);
    deps.log.debug({ err: error.message, code: error.code, queryId }, 'REST request failed');
    req.resume();
    if (res.headersSent) res.destroy();
    else if (!res.destroyed) sendRaw(res, restStatus(error), JSON.stringify({ error_msg: error.message, code: error.code, request_id: queryId }), queryId);
  }
}

function findRoute(method: string, path: string): { route: Route; params: string[] } | 'other method' | null {
  for (const route of routes) {
    if (route.method !== method) continue;
    const m = route.path.exec(path);
    if (m === null) continue;
    try {
      return { route, params: m.slice(1).map((p) => decodeURIComponent(p ?? '')) };
    } catch {
      throw new GatewayError(Code.BAD_ARGUMENTS, `Malformed URI component in ${path}`);
    }
  }
  return routes.some((r) => r.path.test(path)) ? 'other method' : null;
}

function restStatus(err: GatewayError): number {
  return restStatusByCode[err.code] ?? err.httpStatus;
}

/** `GET /info`: build and server facts (Proton's PingHandler). */
function info(call: RestCall): Record<string, unknown> {
  return {
    build: { version: call.deps.info.version, time: '', commit_sha: '', edition: 'OSS', name: 'proton' },
    server: { num_of_physical_cpu_cores: availableParallelism(), memory_amount: totalmem(), display_name: call.deps.config.display_name, timezone: call.deps.info.timezone },
  };
}

