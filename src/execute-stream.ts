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
    const later = into === undefined ? streamingFormat(format) : format;
    const settings = withMemoryLimit(plan.settings.size === 0 ? store : { ...store, settings: new Map([...store.settings, ...plan.settings]) });
    const maxStateBytes = memoryLimit(settings.settings);
    const key = `${identifier(plan.stream.database)}.${identifier(plan.stream.name)}`;
    let emits = 0;
    let written = 0;
    if (into === undefined) {
      sink.start(format);
      if (sink.structure) await sink.structure(await this.describe(`(${emitSql({ kind: 'tail', tail: plan })})`, settings));
      else await sink.flush?.();
    }
    const target = into === undefined ? null : `${identifier(into.stream.database)}.${identifier(into.stream.name)}`;
    const insert = async (sql: string): Promise<number> => {
      const summary = await this.backend.insertSelect({ table: target as string, columns: (into as InsertInto).columns.map(identifier), key: target as string }, sql, settings);
      written += summary.writtenRows;
      // Rows written count towards the pipeline's LIMIT (INSERT INTO t SELECT … LIMIT n ends after n).
      return summary.writtenRows;
    };
    const rows = await runTail({ ...plan, key, maxStateBytes }, {
      log: this.log,
      position: async (k) => {
        const position = await this.backend.sequences.position(k);
        started?.();
        return position;
      },
      clock: realClock,
      rows: async (sql) => {
        const { bytes } = await this.backend.command(`${sql} FORMAT JSONEachRow`, settings);
        return Buffer.from(bytes).toString('utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
      },
      emit: async (sql) => {
        if (target !== null) return insert(sql);
        let n = 0;
        for await (const chunk of this.backend.query(sql, emits++ === 0 ? format : later, settings, true)) {
          n += chunk.rows;
          await sink.write(chunk.bytes);
        }
        await sink.flush?.();
        return n;
      },
    }, store.signal);
    return { ...emptySummary, resultRows: into === undefined ? rows : 0, writtenRows: written };
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
