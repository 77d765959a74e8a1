// Streaming queries, run for the executor (execute.ts): a planned tail, aggregation or INSERT …
// SELECT pipeline (rewrite/streaming-plan.ts) driven by the streaming engine (streaming/tail.ts), its
// emits computed by the store and written to the client — or into a stream — as they come; random
// streams with their generators (streaming/random.ts).
import { Code, GatewayError } from './errors.ts';
import type { ExecContext, ResultSink, StoreColumn } from './execute.ts';
import type { Backend, StoreContext, Summary } from './history/backend.ts';
import { emptySummary } from './history/backend.ts';
import type { InsertInto } from './rewrite/plan.ts';
import type { RandomSource } from './rewrite/random-stream.ts';
import { identifier } from './rewrite/printer.ts';
import type { TailPlan } from './rewrite/streaming-plan.ts';
import { emitSql } from './rewrite/streaming-pipeline.ts';
import type { StreamLog } from './streaming/log.ts';
import { RandomGenerators } from './streaming/random.ts';
import { memoryLimit } from './streaming/memory.ts';
import { realClock, runTail } from './streaming/tail.ts';

/** A streaming read of a random stream whose generator reached max_events ends this long after (plus one emit period). */
const exhaustedDrainMs = 500;

export class StreamingRuns {
  private readonly backend: Backend;
  private readonly log: StreamLog;
  private readonly describe: (target: string, store: StoreContext) => Promise<StoreColumn[]>;
  private readonly randoms = new RandomGenerators(realClock);

  constructor(backend: Backend, log: StreamLog, describe: (target: string, store: StoreContext) => Promise<StoreColumn[]>) {
    this.backend = backend;
    this.log = log;
    this.describe = describe;
  }

  /**
   * A streaming query: each emit is one store query over a `_tp_sn` range, written and flushed at
   * once. Formats with a header row send it with the first emit only; whole-document formats (JSON,
   * Pretty, Parquet, …) cannot stream and are refused.
   */
  async tail(plan: TailPlan, ctx: ExecContext, store: StoreContext, sink: ResultSink, started?: () => void, into?: InsertInto): Promise<Summary> {
    const format = ctx.outputFormat ?? plan.format ?? ctx.defaultFormat;
    const target = new EmitTarget(this.backend, sink, format, into);
    const settings = withMemoryLimit(plan.settings.size === 0 ? store : { ...store, settings: new Map([...store.settings, ...plan.settings]) });
    const maxStateBytes = memoryLimit(settings.settings);
    const key = `${identifier(plan.stream.database)}.${identifier(plan.stream.name)}`;
    // Described before anything is sent: a query the store cannot run (an unknown column) fails
    // with its code up front, not in-band after the headers.
    const columns = await this.describe(`(${emitSql({ kind: 'tail', tail: plan })})`, settings);
    if (into === undefined) {
      sink.start(format);
      if (sink.structure) await sink.structure(columns);
      else await sink.flush?.();
    }
    const rows = await runTail({ ...plan, key, maxStateBytes }, {
      log: this.log,
      position: async (k) => {
        const position = await this.backend.sequences.position(k);
        started?.();
        return position;
      },
      clock: realClock,
      rows: (sql) => jsonRows(this.backend, sql, settings),
      emit: (sql) => target.emit(sql, settings),
    }, store.signal);
    return target.summary(rows);
  }

  /**
   * A streaming read of a random stream: its generator (shared by the stream's readers) fills the
   * backing table while the tail runs; a generator that fails fails the query with the store's error.
   */
  async randomTail(plan: TailPlan, random: RandomSource, ctx: ExecContext, store: StoreContext, sink: ResultSink): Promise<Summary> {
    await this.backend.command(random.ensure, store);
    const generatorStore: StoreContext = { queryId: `${ctx.queryId}:random`, database: store.database, settings: new Map(), params: new Map(), signal: new AbortController().signal };
    const insert = async (rows: number): Promise<void> => {
      await this.backend.insertSelect({ table: random.key, columns: random.columns, key: random.key }, random.select(rows), generatorStore);
    };
    const drainMs = (plan.aggregate?.periodMs ?? 0) + exhaustedDrainMs;
    return this.randoms.read(random.key, random.rate, insert, drainMs, store.signal, (signal, started) => this.tail(plan, ctx, { ...store, signal }, sink, started));
  }
}

/**
 * A streaming query's store context with `max_memory_usage` set: the client's, or the server
 * default (streaming/memory.ts), so every store query it runs is held to the same limit as its state.
 */
function withMemoryLimit(store: StoreContext): StoreContext {
  if (store.settings.has('max_memory_usage')) return store;
  const limit = memoryLimit(store.settings);
  return { ...store, settings: new Map([...store.settings, ['max_memory_usage', String(limit ?? 0)]]) };
}

/**
 * Where a streaming query's emits go (tails, joins, unions alike): to the client — the first emit in
 * `format` with its header rows, later ones in the header-less form — or, for an INSERT … SELECT
 * pipeline or a stage, into a stream through the numbered insert path. `emit` resolves with the rows
 * emitted or written (both count towards a LIMIT).
 */
export class EmitTarget {
  written = 0;
  private emits = 0;
  private readonly backend: Backend;
  private readonly sink: ResultSink;
  private readonly format: string;
  private readonly later: string;
  private readonly into: { readonly table: string; readonly columns: readonly string[] } | null;

  constructor(backend: Backend, sink: ResultSink, format: string, into?: InsertInto) {
    this.backend = backend;
    this.sink = sink;
    this.format = format;
    this.later = into === undefined ? streamingFormat(format) : format;
    this.into = into === undefined ? null : { table: `${identifier(into.stream.database)}.${identifier(into.stream.name)}`, columns: into.columns.map(identifier) };
  }

  async emit(sql: string, store: StoreContext): Promise<number> {
    if (this.into !== null) {
      const n = (await this.backend.insertSelect({ table: this.into.table, columns: this.into.columns, key: this.into.table }, sql, store)).writtenRows;
      this.written += n;
      return n;
    }
    let n = 0;
    for await (const chunk of this.backend.query(sql, this.emits++ === 0 ? this.format : this.later, store, true)) {
      n += chunk.rows;
      await this.sink.write(chunk.bytes);
    }
    await this.sink.flush?.();
    return n;
  }

  /** The summary of a run that emitted `rows` (an INSERT pipeline reports what it wrote). */
  summary(rows: number): Summary {
    return { ...emptySummary, resultRows: this.into === null ? rows : 0, writtenRows: this.written };
  }
}

/** A store query's rows as JSON objects (the engine's probes). */
export async function jsonRows(backend: Backend, sql: string, store: StoreContext): Promise<Record<string, unknown>[]> {
  const { bytes } = await backend.command(`${sql} FORMAT JSONEachRow`, store);
  return Buffer.from(bytes).toString('utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * The format of a streaming query's later emits: the header rows of `…WithNames[AndTypes]` go out
 * once; formats that are one document cannot be continued and are refused.
 */
export function streamingFormat(format: string): string {
  const m = /^(.*?)WithNames(?:AndTypes)?$/i.exec(format);
  if (m !== null) return m[1] as string;
  if (/^(JSON|JSONCompact|JSONStrings|JSONCompactStrings|JSONColumns.*|XML|Pretty.*|Vertical|Markdown|Parquet|Arrow|ORC|Avro|Template)$/i.test(format)) {
    throw new GatewayError(Code.NOT_IMPLEMENTED, `Format ${format} is one document and cannot carry a streaming query's emits; use JSONEachRow, JSONCompactEachRow, CSV, TabSeparated or Native`);
  }
  return format;
}
