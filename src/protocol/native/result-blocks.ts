// A query's result as native Data packets (reference/protocols.md §1.7, §2.1): the store writes
// plain Native (no BlockInfo, no custom-serialization byte, ClickHouse type names, nothing at all
// for an empty result); each block is walked, its header rewritten for the client's revision and
// dialect, its column bytes copied through undecoded, and the packet framed if the client asked.
import type { ResultSink, StoreColumn } from '../../execute.ts';
import { reframeBlock, writeBlockHeader } from '../../native.ts';
import { NativeBlockWalker } from '../../native-walker.ts';
import type { Channel, Framing } from './channel.ts';
import { ServerPacketType } from './packets.ts';
import { encodeData, encodeEndOfStream, encodeProfileInfo, encodeProgress } from './server-packets.ts';

const EMPTY_COLUMNS: readonly StoreColumn[] = [];

/**
 * The ResultSink of one SELECT (or any statement) on a native connection. Sends the header block
 * (0 rows) before the first data block, or from `structure(columns)` when the result is slow or empty;
 * output that is not Native (a command's text answer) is dropped. `progress()` gives the increments
 * since its last call for the Progress keep-alive; `finish` sends the tail of §1.7.
 */
export class NativeResultSink implements ResultSink {
  readonly #channel: Channel;
  readonly #framing: Framing;
  readonly #started = process.hrtime.bigint();
  #walker: NativeBlockWalker | null = null;
  #headerSent = false;
  rows = 0;
  bytes = 0;
  blocks = 0;
  #reportedRows = 0;
  #reportedBytes = 0;
  #reportedAt = this.#started;

  constructor(channel: Channel, framing: Framing) {
    this.#channel = channel;
    this.#framing = framing;
  }

  get headerSent(): boolean {
    return this.#headerSent;
  }

  start(format: string): void {
    if (format === 'Native') this.#walker = new NativeBlockWalker();
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.#walker === null) return;
    for (const block of this.#walker.push(chunk)) {
      if (block.columns.length === 0) continue;
      if (!this.#headerSent) await this.#header(block.columns);
      if (block.rows === 0) continue;
      const framed = reframeBlock(block, { revision: this.#framing.revision, typeName: this.#framing.typeName });
      this.rows += block.rows;
      this.bytes += block.bytes.byteLength;
      this.blocks++;
      await this.#data(framed);
    }
  }

  async structure(columns: readonly StoreColumn[]): Promise<void> {
    if (!this.#headerSent) await this.#header(columns);
  }

  /** Progress since the last call: rows and bytes sent, elapsed ns (R ≥ 54460). */
  progress(): Uint8Array {
    const now = process.hrtime.bigint();
    const packet = encodeProgress({
      readRows: this.rows - this.#reportedRows, readBytes: this.bytes - this.#reportedBytes, totalRowsToRead: 0,
      elapsedNs: Number(now - this.#reportedAt),
    }, this.#framing.revision);
    this.#reportedRows = this.rows;
    this.#reportedBytes = this.bytes;
    this.#reportedAt = now;
    return packet;
  }

  /**
   * Success: [ProfileInfo] Progress [empty Data] EndOfStream — ProfileInfo and the empty block only
   * for a result (a header was sent); a cancelled query skips ProfileInfo (§1.9).
   */
  async finish(cancelled: boolean): Promise<void> {
    const parts: Uint8Array[] = [];
    if (this.#headerSent && !cancelled) parts.push(encodeProfileInfo({ rows: this.rows, blocks: this.blocks, bytes: this.bytes }, this.#framing.revision));
    parts.push(this.progress());
    if (this.#headerSent || cancelled) parts.push(...this.#dataParts(writeBlockHeader(EMPTY_COLUMNS, { revision: this.#framing.revision })));
    parts.push(encodeEndOfStream());
    await this.#channel.send(parts);
  }

  async #header(columns: readonly StoreColumn[]): Promise<void> {
    this.#headerSent = true;
    await this.#data(writeBlockHeader(columns, { revision: this.#framing.revision, typeName: this.#framing.typeName }));
  }

  #dataParts(block: Uint8Array): Uint8Array[] {
    const method = this.#framing.compression;
    return encodeData(block, { type: ServerPacketType.data, compress: method !== null, method: method ?? undefined });
  }

  #data(block: Uint8Array): Promise<void> {
    return this.#channel.send(this.#dataParts(block));
  }
}
