// `POST /proton/v1/search` (protocols.md §5.5): `{"query","mode","offset","page_size"}` runs
// `SELECT * FROM (<query>) [LIMIT offset, page_size]` and streams the result as it comes (JSONCompact,
// or `?default_format=`). Mode `table` reads history (query_mode='table'); on the streaming listener
// the other modes tail streams until the client goes away. An error after the first bytes is appended
// to the body as the error JSON line, as Proton does.
import { once } from 'node:events';
import { Code, GatewayError, toGatewayError } from '../../errors.ts';
import { contentType } from '../../formats.ts';
import { isFormatName } from '../../sql-literal.ts';
import { queryIdHeaders, readJsonBody, runSql, type RestCall } from './rest-call.ts';

const searchModes: ReadonlySet<string> = new Set(['standard', 'verbose', 'table']);

export async function search(call: RestCall): Promise<void> {
  const body = await readJsonBody(call);
  const query = body.query;
  if (typeof query !== 'string' || query.trim() === '') throw new GatewayError(Code.BAD_ARGUMENTS, "Invalid Request, 'query' is required");
  const mode = body.mode ?? 'verbose';
  if (typeof mode !== 'string' || !searchModes.has(mode)) throw new GatewayError(Code.BAD_ARGUMENTS, `Invalid 'mode': ${String(mode)}, only support 'standard', 'verbose', 'table'`);
  const format = call.url.searchParams.get('default_format') || 'JSONCompact';
  if (!isFormatName(format)) throw new GatewayError(Code.UNKNOWN_FORMAT, `Unknown format ${format}`);
  const sql = `SELECT * FROM (${query.trim().replace(/;\s*$/, '')})${limit(body)} FORMAT ${format}`;
  const { res } = call;
  let started = false;
  try {
    await runSql(call, sql, {
      settings: call.parsed.settings,
      queryMode: mode === 'table' ? 'table' : undefined,
      sink: {
        start: () => {
          started = true;
          res.writeHead(200, { 'Content-Type': contentType(format), ...queryIdHeaders(call.queryId) });
          res.flushHeaders();
        },
        write: async (chunk) => {
          if (res.destroyed) throw new GatewayError(Code.QUERY_WAS_CANCELLED, 'The client closed the connection');
          if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
        },
      },
    });
    res.end();
  } catch (err) {
    if (!started) throw err;
    const error = toGatewayError(err);
    if (!res.destroyed) res.end(`${JSON.stringify({ error_msg: error.message, code: error.code, request_id: call.queryId })}\n`);
  }
}

/** `LIMIT offset, page_size` when both are given (page_size > 0, offset ≥ 0); one alone is an error. */
function limit(body: Record<string, unknown>): string {
  const { offset, page_size: size } = body;
  if (offset === undefined && size === undefined) return '';
  if (offset === undefined || size === undefined) throw new GatewayError(Code.BAD_ARGUMENTS, "Missing 'offset' or 'page_size'");
  if (typeof offset !== 'number' || typeof size !== 'number' || !Number.isInteger(offset) || !Number.isInteger(size) || offset < 0 || size <= 0) {
    throw new GatewayError(Code.BAD_ARGUMENTS, "Invalid 'offset' or 'page_size'");
  }
  return ` LIMIT ${offset}, ${size}`;
}
