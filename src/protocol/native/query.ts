// One Query packet's lifecycle (reference/protocols.md §1.7, §1.9): read the external tables up to
// their terminator, build the ExecContext, classify, then either an INSERT fed by Data blocks
// (insert.ts) or a statement whose result goes out as Data blocks (result-blocks.ts) while the
// socket is watched for Cancel and EOF and a Progress keep-alive goes out every interactive_delay.
import { randomUUID } from 'node:crypto';
import { Code, GatewayError, toGatewayError } from '../../errors.ts';
import type { ExecContext, Statement } from '../../execute.ts';
import { readQuoted } from '../../type-parser.ts';
import { exceptionPacket, ProtocolViolation, type Channel, type Framing, type Negotiated, type NativeDeps } from './channel.ts';
import { clientDialect, typeNamer, valueDowngrade } from './client-profile.ts';
import { runNativeInsert } from './insert.ts';
import { REVISION_WITH_MODERN_TYPES } from '../../type-downgrade.ts';
import type { QueryPacket, SettingEntry } from './packets.ts';
import { NativeResultSink } from './result-blocks.ts';

/** Upstream's interactive_delay: the Progress keep-alive interval while a query runs (§0.8). */
const PROGRESS_INTERVAL_MS = 100;

/**
 * Runs one Query packet to its end: the client gets EndOfStream or an Exception. Returns normally
 * after either; throws only what must close the connection (a ProtocolViolation or a decoding error).
 */
export async function runQueryPacket(deps: NativeDeps, channel: Channel, conn: Negotiated, packet: QueryPacket): Promise<void> {
  if (!(await readExternalTables(channel))) return;
  const settings = settingsMap(packet.settings);
  let dialect = conn.dialect;
  try {
    const forced = settings.get('hadron_client_dialect') ?? conn.session.settings.get('hadron_client_dialect');
    if (forced !== undefined && forced !== 'auto' && forced !== '') dialect = clientDialect(conn.mode, conn.clientName, forced);
    const method = (settings.get('network_compression_method') ?? conn.session.settings.get('network_compression_method') ?? 'lz4').toLowerCase();
    const framing: Framing = {
      revision: conn.revision,
      typeName: typeNamer(dialect, conn.clientRevision),
      compression: packet.compression ? (method === 'zstd' ? 'zstd' : 'lz4') : null,
    };
    const readonlySetting = Number(settings.get('readonly') ?? conn.session.settings.get('readonly') ?? 0) || 0;
    const ctx: ExecContext = {
      queryId: packet.queryId === '' ? randomUUID() : packet.queryId,
      user: conn.user,
      readonly: Math.max(conn.readonly, readonlySetting),
      session: conn.session,
      settings,
      params: paramsMap(packet.parameters),
      defaultFormat: 'Native',
      address: conn.address,
      interface: 'tcp',
      dialect,
      queryMode: conn.queryMode,
      outputFormat: 'Native',
      convertType: valueDowngrade(conn.clientRevision),
      signal: new AbortController().signal,
    };
    const query = Buffer.from(packet.query, 'utf8');
    const statement = deps.executor.classify(query.toString('latin1'), true);
    if (statement.kind === 'error') throw new GatewayError(Code.SYNTAX_ERROR, statement.message);
    if (statement.kind === 'incomplete') throw new GatewayError(Code.SYNTAX_ERROR, 'Empty query');
    if (statement.kind === 'insert' && statement.format !== null && statement.dataOffset !== null) {
      const inline = query.subarray(statement.dataOffset).toString('latin1').trim() !== '';
      // clickhouse-client 18.16 (--multiquery) sends an INSERT's inline data in the text and again as
      // Data blocks after the header: the blocks are the data. Newer clients' inline data is the data.
      if (!inline || conn.clientRevision < REVISION_WITH_MODERN_TYPES) {
        await runNativeInsert(deps, channel, statement, query.subarray(0, statement.dataOffset), ctx, framing);
        return;
      }
    }
    await runStatement(deps, channel, statement, query, ctx, framing);
  } catch (err) {
    if (err instanceof ProtocolViolation) throw err;
    const error = toGatewayError(err);
    if (channel.closed) return;
    deps.log.debug({ err: error.message, code: error.code }, 'native query failed');
    await channel.send([exceptionPacket(error, dialect)]);
  }
}

/** Data packets up to the 0-column terminator (§1.7 step 2); false when the client went away. */
async function readExternalTables(channel: Channel): Promise<boolean> {
  let tables = 0;
  for (;;) {
    const packet = await channel.next();
    if (packet === null) return false;
    if (packet.kind !== 'data') throw new ProtocolViolation(`Unexpected packet ${packet.kind} from client: expected Data (external tables)`);
    if (packet.block.columns.length === 0) break;
    tables++;
  }
  if (tables > 0) throw new GatewayError(Code.NOT_IMPLEMENTED, 'External tables are not supported');
  return true;
}

/** A statement with a result (or none): Data blocks, Progress keep-alive, Cancel and EOF watched. */
async function runStatement(deps: NativeDeps, channel: Channel, statement: Statement, query: Buffer, base: ExecContext, framing: Framing): Promise<void> {
  const controller = new AbortController();
  const ctx: ExecContext = { ...base, signal: controller.signal };
  const sink = new NativeResultSink(channel, framing);
  const interval = Number(ctx.settings.get('interactive_delay') ?? 0) / 1000 || PROGRESS_INTERVAL_MS;
  const timer = setInterval(() => void channel.send([sink.progress()]), Math.max(10, interval));
  let outcome: 'done' | 'cancelled' | 'closed';
  const run = deps.executor.run(statement, query, null, ctx, sink);
  try {
    outcome = await watch(channel, run, controller);
  } finally {
    clearInterval(timer);
  }
  if (outcome === 'closed') return;
  try {
    await run;
  } catch (err) {
    if (outcome !== 'cancelled') throw err;
  }
  await sink.finish(outcome === 'cancelled');
}

/**
 * Waits for the run while reading the client's packets: Cancel aborts the query (the reply still
 * ends with EndOfStream), EOF aborts it and drops the connection, anything else is a protocol error.
 */
async function watch(channel: Channel, run: Promise<unknown>, controller: AbortController): Promise<'done' | 'cancelled' | 'closed'> {
  const settled = run.then(() => 'run' as const, () => 'run' as const);
  let cancelled = false;
  for (;;) {
    const which = await Promise.race([settled, channel.wait().then(() => 'packet' as const)]);
    if (which === 'run') return cancelled ? 'cancelled' : 'done';
    let packet;
    try {
      packet = await channel.next();
    } catch (err) {
      controller.abort();
      await settled;
      throw err;
    }
    if (packet === null) {
      controller.abort();
      await settled;
      return 'closed';
    }
    if (packet.kind === 'cancel') {
      cancelled = true;
      controller.abort();
      continue;
    }
    controller.abort();
    await settled;
    throw new ProtocolViolation(`Unexpected packet ${packet.kind} from client while a query runs: expected Cancel`);
  }
}

function settingsMap(entries: readonly SettingEntry[]): Map<string, string> {
  return new Map(entries.map((e) => [e.name, e.value]));
}

/**
 * Query parameters (§1.4.2) are field dumps: `'it\'s'` is the string it's. ExecContext.params takes
 * the text as HTTP's `param_<name>` would carry it, TSV-escaped.
 */
function paramsMap(entries: readonly SettingEntry[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of entries) {
    let value = e.value;
    if (value.startsWith("'")) {
      try {
        value = readQuoted(value, 0).value;
      } catch {
        // not a complete quoted dump: passed on as sent
      }
    }
    out.set(e.name, value.replaceAll('\\', '\\\\').replaceAll('\t', '\\t').replaceAll('\n', '\\n'));
  }
  return out;
}
