// INSERT over the native protocol (reference/protocols.md §1.7): the client sends `INSERT INTO t
// [(cols)] VALUES` (or `FORMAT x`) without data; the server answers with [TableColumns] and the
// header block of the target columns, then reads Data blocks until one with 0 columns. Each block
// is turned back into plain Native (no BlockInfo, no custom byte, ClickHouse type names) and handed
// to the executor as the statement's data, through a bounded queue: the client's next block is
// read only when the queue has room, and (R ≥ 54456) the ProfileEvents it waits for after each
// block is sent only then, so a fast client cannot outrun the store.
import { GatewayError, toGatewayError } from '../../errors.ts';
import type { ExecContext, Statement } from '../../execute.ts';
import { reframeBlock, writeBlockHeader } from '../../native.ts';
import { translateTypeName } from '../../type-parser.ts';
import type { Channel, Framing, NativeDeps } from './channel.ts';
import { Revision } from './packets.ts';
import { encodeData, encodeEndOfStream, encodeProfileEvents, encodeTableColumns } from './server-packets.ts';

type InsertStatement = Extract<Statement, { kind: 'insert' }>;

const UNEXPECTED_PACKET_FROM_CLIENT = 101;
/** Blocks held between the socket and the store. */
const QUEUE_BLOCKS = 4;

/** A bounded single-producer single-consumer queue of blocks, ended by `close` or `fail`. */
class BlockQueue implements AsyncIterable<Uint8Array> {
  readonly #items: Uint8Array[] = [];
  #closed = false;
  #wakeConsumer: (() => void) | null = null;
  #wakeProducer: (() => void) | null = null;

  /** Resolves once the block is queued and there is room for another (or the consumer is gone). */
  async put(block: Uint8Array): Promise<void> {
    if (this.#closed) return;
    this.#items.push(block);
    this.#wake('consumer');
    while (this.#items.length >= QUEUE_BLOCKS && !this.#closed) await new Promise<void>((r) => (this.#wakeProducer = r));
  }

  /** No more blocks: the consumer sees the end once it has taken the queued ones. */
  close(): void {
    this.#closed = true;
    this.#wake('consumer');
    this.#wake('producer');
  }

  #wake(who: 'consumer' | 'producer'): void {
    const wake = who === 'consumer' ? this.#wakeConsumer : this.#wakeProducer;
    if (who === 'consumer') this.#wakeConsumer = null;
    else this.#wakeProducer = null;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const item = this.#items.shift();
      if (item !== undefined) {
        this.#wake('producer');
        yield item;
        continue;
      }
      if (this.#closed) return;
      await new Promise<void>((r) => (this.#wakeConsumer = r));
    }
  }
}

/**
 * Runs a native INSERT whose data comes as Data blocks. On success sends [ProfileEvents]
 * EndOfStream; on failure throws (the caller sends the Exception), having asked the channel to skip
 * the client's blocks up to the terminator if it was not read yet (upstream skipData).
 */
export async function runNativeInsert(deps: NativeDeps, channel: Channel, statement: InsertStatement, query: Buffer, ctx: ExecContext, framing: Framing): Promise<void> {
  const R = framing.revision;
  const columns = await deps.executor.insertStructure(statement, query, ctx);
  const shown = columns.map((c) => ({ name: c.name, type: framing.typeName(c.type) }));
  const head: Uint8Array[] = [];
  if (R >= Revision.COLUMN_DEFAULTS_METADATA) head.push(encodeTableColumns(shown));
  const method = framing.compression;
  head.push(...encodeData(writeBlockHeader(columns, framing), { compress: method !== null, method: method ?? undefined }));
  await channel.send(head);

  const queue = new BlockQueue();
  const native = { ...statement, format: 'Native', dataOffset: query.length };
  let failure: unknown = null;
  const run = deps.executor.run(native, query, queue, ctx, { start: () => undefined, write: () => undefined })
    .catch((err: unknown) => {
      failure = err;
      queue.close();
    });
  const typeCache = new Map<string, string>();
  const storeType = (t: string): string => {
    let known = typeCache.get(t);
    if (known === undefined) typeCache.set(t, (known = translateTypeName(t, 'clickhouse')));
    return known;
  };
  for (;;) {
    if (failure !== null) {
      // Answer now (clickhouse-driver waits for ProfileEvents after each block); the client's
      // remaining blocks up to the terminator are skipped by the connection.
      channel.skipData();
      throw toGatewayError(failure);
    }
    const packet = await channel.next();
    if (packet === null || packet.kind !== 'data') {
      queue.close();
      await run;
      if (packet === null) throw new GatewayError(210, 'Connection closed by the client during INSERT');
      throw new GatewayError(UNEXPECTED_PACKET_FROM_CLIENT, `Unexpected packet ${packet.kind} from client during INSERT: expected Data`);
    }
    const block = packet.block;
    if (block.columns.length === 0) break;
    if (block.rows > 0) await queue.put(reframeBlock(block, { revision: 0, typeName: storeType }));
    if (R >= Revision.PROFILE_EVENTS_IN_INSERT && failure === null) await channel.send([encodeProfileEvents(R, framing.typeName)]);
  }
  queue.close();
  await run;
  if (failure !== null) throw toGatewayError(failure);
  const tail: Uint8Array[] = [];
  if (R >= Revision.PROFILE_EVENTS_IN_INSERT) tail.push(encodeProfileEvents(R, framing.typeName));
  tail.push(encodeEndOfStream());
  await channel.send(tail);
}
