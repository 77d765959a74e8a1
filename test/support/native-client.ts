// A minimal native TCP client for tests and benchmarks: revision 54460 (what clickhouse-go sends),
// no compression, one query at a time. It speaks just enough of reference/protocols.md §1 to run a
// SELECT (counting rows and bytes, optionally keeping the blocks), a statement, and an INSERT of
// ready TCP blocks; it adds no driver overhead of its own (no row decoding).
import { connect, type Socket } from 'node:net';
import { encodeString, writeVarUInt } from '../../src/native.ts';
import { readBlock } from '../../src/protocol/native/block-length.ts';
import { ClientPacketType, ServerPacketType } from '../../src/protocol/native/packets.ts';
import { INCOMPLETE, Reader } from '../../src/protocol/native/reader.ts';

export const CLIENT_REVISION = 54460;
const MAX = 2 ** 30;
/** A 0-column block at R ≥ 54454: BlockInfo, 0 columns, 0 rows. */
const EMPTY_BLOCK = Uint8Array.of(0x01, 0x00, 0x02, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00);

export interface QueryResult {
  readonly rows: number;
  /** Bytes of the Data packets' blocks (header included). */
  readonly bytes: number;
  /** Data blocks as received (views), only when asked to keep them. */
  readonly blocks: readonly Uint8Array[];
}

export class NativeServerError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

type ServerPacket =
  | { readonly kind: 'hello'; readonly name: string }
  | { readonly kind: 'data'; readonly rows: number; readonly columns: number; readonly bytes: Uint8Array }
  | { readonly kind: 'exception'; readonly code: number; readonly message: string }
  | { readonly kind: 'end' | 'pong' | 'other' };

function packet(parts: readonly (number | string | Uint8Array)[]): Uint8Array {
  const chunks = parts.map((p) => {
    if (typeof p === 'string') return encodeString(p);
    if (p instanceof Uint8Array) return p;
    const out = new Uint8Array(10);
    return out.subarray(0, writeVarUInt(out, 0, p));
  });
  return Buffer.concat(chunks);
}

/** One server packet at R = 54460 (§1.5), or INCOMPLETE. */
function readServerPacket(r: Reader): ServerPacket {
  const type = r.varUInt();
  switch (type) {
    case ServerPacketType.hello: {
      const name = r.string(MAX, 'name');
      for (let i = 0; i < 3; i++) r.varUInt();
      r.string(MAX, 'tz');
      r.string(MAX, 'display name');
      r.varUInt();
      return { kind: 'hello', name };
    }
    case ServerPacketType.data: case ServerPacketType.totals: case ServerPacketType.extremes: case ServerPacketType.profileEvents: case ServerPacketType.log: {
      r.string(MAX, 'table');
      const start = r.pos;
      const block = readBlock(r, CLIENT_REVISION, MAX);
      const bytes = r.bytes.subarray(start, r.pos);
      return type === ServerPacketType.data ? { kind: 'data', rows: block.rows, columns: block.columns.length, bytes } : { kind: 'other' };
    }
    case ServerPacketType.exception: {
      const code = r.u8() | (r.u8() << 8) | (r.u8() << 16) | (r.u8() << 24);
      r.string(MAX, 'name');
      const message = r.string(MAX, 'message');
      r.string(MAX, 'stack');
      if (r.u8() !== 0) readServerPacket(r);
      return { kind: 'exception', code, message };
    }
    case ServerPacketType.progress: for (let i = 0; i < 6; i++) r.varUInt(); return { kind: 'other' };
    case ServerPacketType.profileInfo: r.varUInt(); r.varUInt(); r.varUInt(); r.u8(); r.varUInt(); r.u8(); return { kind: 'other' };
    case ServerPacketType.tableColumns: r.string(MAX, 'table'); r.string(MAX, 'columns'); return { kind: 'other' };
    case ServerPacketType.pong: return { kind: 'pong' };
    case ServerPacketType.endOfStream: return { kind: 'end' };
    default: throw new Error(`unknown server packet ${type}`);
  }
}

export class NativeClient {
  readonly #socket: Socket;
  #buf = new Uint8Array(1 << 16);
  #start = 0;
  #end = 0;
  #need = 0;
  #queue: ServerPacket[] = [];
  #wake: (() => void) | null = null;
  #failure: Error | null = null;
  /** The running query keeps its blocks (copied out of the reused buffer). */
  #keep = false;
  /** While `drain` runs: chunks go here instead of the packet parser. */
  #raw: ((chunk: Buffer) => void) | null = null;
  #rawFail: (error: Error) => void = () => undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#push(chunk));
    socket.on('error', (e) => this.#fail(e));
    socket.on('close', () => this.#fail(new Error('connection closed')));
  }

  /** Connects and handshakes (Hello, server Hello, addendum); `timeoutMs` bounds the whole handshake. */
  static async connect(port: number, options: { readonly clientName?: string; readonly user?: string; readonly timeoutMs?: number } = {}): Promise<NativeClient> {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    const client = new NativeClient(socket);
    const timer = setTimeout(() => socket.destroy(new Error('handshake timed out')), options.timeoutMs ?? 10_000);
    try {
      socket.write(packet([0, options.clientName ?? 'ClickHouse hadron-test-client', 24, 3, CLIENT_REVISION, '', options.user ?? 'default', '']));
      const hello = await client.#next();
      if (hello.kind === 'exception') throw new NativeServerError(hello.code, hello.message);
      if (hello.kind !== 'hello') throw new Error(`expected Hello, got ${hello.kind}`);
      socket.write(packet(['']));
      return client;
    } catch (error) {
      socket.destroy();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs a statement; resolves at EndOfStream, rejects with NativeServerError on an Exception. */
  async query(sql: string, options: { readonly keepBlocks?: boolean; readonly queryId?: string } = {}): Promise<QueryResult> {
    this.#keep = options.keepBlocks === true;
    this.#socket.write(this.#queryPacket(sql, options.queryId ?? ''));
    this.#socket.write(packet([ClientPacketType.data, '', EMPTY_BLOCK]));
    let rows = 0;
    let bytes = 0;
    const blocks: Uint8Array[] = [];
    for (;;) {
      const p = await this.#next();
      if (p.kind === 'end') return { rows, bytes, blocks };
      if (p.kind === 'exception') throw new NativeServerError(p.code, p.message);
      if (p.kind === 'data') {
        rows += p.rows;
        bytes += p.bytes.byteLength;
        if (options.keepBlocks === true && p.rows > 0) blocks.push(p.bytes);
      }
    }
  }

  /** INSERT of blocks already framed for R = 54460 (BlockInfo, custom byte): waits for the header, sends them, then the terminator. */
  async insert(sql: string, blocks: readonly Uint8Array[]): Promise<void> {
    this.#socket.write(this.#queryPacket(sql, ''));
    this.#socket.write(packet([ClientPacketType.data, '', EMPTY_BLOCK]));
    for (;;) {
      const p = await this.#next();
      if (p.kind === 'exception') throw new NativeServerError(p.code, p.message);
      if (p.kind === 'data') break;
    }
    for (const block of blocks) {
      if (!this.#socket.write(packet([ClientPacketType.data, '']))) await new Promise((r) => this.#socket.once('drain', r));
      if (!this.#socket.write(block)) await new Promise((r) => this.#socket.once('drain', r));
    }
    this.#socket.write(packet([ClientPacketType.data, '', EMPTY_BLOCK]));
    for (;;) {
      const p = await this.#next();
      if (p.kind === 'end') return;
      if (p.kind === 'exception') throw new NativeServerError(p.code, p.message);
    }
  }

  /**
   * Runs a SELECT and only counts the bytes until the stream ends the way Hadron ends one (an
   * empty Data block, Progress, EndOfStream as the last bytes): what a client pays nothing for,
   * to measure the server alone. Resolves with the byte count; use `query` to check the result.
   */
  async drain(sql: string): Promise<number> {
    const tail = Buffer.from([ServerPacketType.data, 0, ...EMPTY_BLOCK]);
    let bytes = 0;
    let last = Buffer.alloc(0);
    const done = new Promise<void>((resolve, reject) => {
      this.#raw = (chunk) => {
        bytes += chunk.byteLength;
        last = Buffer.concat([last.subarray(-64), chunk.subarray(-64)]);
        if (last.at(-1) === ServerPacketType.endOfStream && last.subarray(-40).includes(tail)) resolve();
      };
      this.#rawFail = reject;
    });
    this.#socket.write(this.#queryPacket(sql, ''));
    this.#socket.write(packet([ClientPacketType.data, '', EMPTY_BLOCK]));
    try {
      await done;
    } finally {
      this.#raw = null;
    }
    return bytes;
  }

  close(): void {
    this.#socket.destroy();
  }

  // Query (§1.4.1) at R = 54460: id, ClientInfo, settings "", secret "", stage 2, no compression, text, parameters "".
  #queryPacket(sql: string, queryId: string): Uint8Array {
    const startTime = new Uint8Array(8);
    new DataView(startTime.buffer).setBigUint64(0, BigInt(Date.now()) * 1000n, true);
    return packet([
      1, queryId, Uint8Array.of(1), '', '', '0.0.0.0:0', startTime, Uint8Array.of(1), 'user', 'localhost', 'ClickHouse hadron-test-client',
      24, 3, CLIENT_REVISION, '', 0, 0, Uint8Array.of(0), 0, 0, 0, '', '', 2, 0, sql, '',
    ]);
  }

  #next(): Promise<ServerPacket> {
    const ready = this.#queue.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.#failure !== null) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#wake = () => {
        this.#wake = null;
        const p = this.#queue.shift();
        if (p !== undefined) resolve(p);
        else reject(this.#failure ?? new Error('no packet'));
      };
    });
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    if (this.#raw !== null) this.#rawFail(error);
    this.#wake?.();
  }

  #push(chunk: Buffer): void {
    if (this.#raw !== null) {
      this.#raw(chunk);
      return;
    }
    if (this.#end + chunk.byteLength > this.#buf.byteLength) {
      const left = this.#end - this.#start;
      const size = left + chunk.byteLength;
      if (size > this.#buf.byteLength) {
        const grown = new Uint8Array(2 * size);
        grown.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = grown;
      } else {
        this.#buf.copyWithin(0, this.#start, this.#end);
      }
      this.#start = 0;
      this.#end = left;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.byteLength;
    if (this.#end - this.#start < this.#need) return;
    const r = new Reader(this.#buf.subarray(0, this.#end), this.#start);
    try {
      for (;;) {
        if (r.pos === this.#end) break;
        const p = readServerPacket(r);
        // Blocks are views of the buffer, which is overwritten later: copy those kept.
        this.#queue.push(this.#keep && p.kind === 'data' && p.rows > 0 ? { ...p, bytes: p.bytes.slice() } : p);
        this.#start = r.pos;
        this.#need = 0;
      }
    } catch (error) {
      if (error !== INCOMPLETE) {
        this.#fail(error as Error);
        this.#socket.destroy();
        return;
      }
      this.#need = INCOMPLETE.need - this.#start;
    }
    if (this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#queue.length > 0) this.#wake?.();
  }
}
