// Native TCP packets (reference/protocols.md §1.3–§1.6): an incremental decoder of what clients
// send and encoders of what the server sends. Revision-dependent layouts use the negotiated
// R = min(client revision, server revision); the server never advertises more than 54460 (§0.1).
import { GatewayError } from '../../errors.ts';
import { decodeFrame, FrameError, frameLength, FRAME_OVERHEAD } from '../../compression.ts';
import { incorrect } from '../../native-layout.ts';
import { NativeBlockWalker, type NativeBlock } from '../../native-walker.ts';
import { clientLayout, readBlock } from './block-length.ts';
import { NUMERIC_OLD_SETTINGS } from './old-settings.ts';
import { INCOMPLETE, Reader } from './reader.ts';

/** Revision constants that change packet layouts (§1.2). */
export const Revision = {
  CLIENT_INFO: 54032,
  SERVER_TIMEZONE: 54058,
  QUOTA_KEY_IN_CLIENT_INFO: 54060,
  SERVER_DISPLAY_NAME: 54372,
  VERSION_PATCH: 54401,
  CLIENT_WRITE_INFO: 54420,
  SETTINGS_AS_STRINGS: 54429,
  INTERSERVER_SECRET: 54441,
  OPENTELEMETRY: 54442,
  X_FORWARDED_FOR: 54443,
  REFERER: 54447,
  DISTRIBUTED_DEPTH: 54448,
  INITIAL_QUERY_START_TIME: 54449,
  COLUMN_DEFAULTS_METADATA: 54410,
  INCREMENTAL_PROFILE_EVENTS: 54451,
  PARALLEL_REPLICAS: 54453,
  PROFILE_EVENTS_IN_INSERT: 54456,
  ADDENDUM: 54458,
  PARAMETERS: 54459,
  SERVER_QUERY_TIME_IN_PROGRESS: 54460,
  PASSWORD_COMPLEXITY_RULES: 54461,
  TOTAL_BYTES_IN_PROGRESS: 54463,
  ROWS_BEFORE_AGGREGATION: 54469,
} as const;
/** The revision the gateway advertises, and the most it accepts to advertise (§0.1). */
export const SERVER_REVISION = 54460;

export const ClientPacketType = { hello: 0, query: 1, data: 2, cancel: 3, ping: 4 } as const;
export const ServerPacketType = {
  hello: 0, data: 1, exception: 2, progress: 3, pong: 4, endOfStream: 5, profileInfo: 6, totals: 7, extremes: 8,
  log: 10, tableColumns: 11, profileEvents: 14,
} as const;

const UNKNOWN_PACKET_FROM_CLIENT = 99;
const UNEXPECTED_PACKET_FROM_CLIENT = 101;

// ---- client packets ------------------------------------------------------------------------------

export interface HelloPacket {
  readonly kind: 'hello';
  readonly clientName: string;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly revision: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
}

/** Sent right after the client reads the server Hello, only when R ≥ 54458. */
export interface AddendumPacket { readonly kind: 'addendum'; readonly quotaKey: string }

/** One setting or query parameter. Old binary settings (R < 54429) have flags 0 and numbers as decimal text. */
export interface SettingEntry {
  readonly name: string;
  /** Bit 0 IMPORTANT, bit 1 CUSTOM (a quoted field dump, as query parameters are). */
  readonly flags: number;
  readonly value: string;
}

export interface TcpClientInfo {
  readonly osUser: string;
  readonly hostname: string;
  readonly clientName: string;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly revision: number;
}

export interface HttpClientInfo {
  readonly method: number;
  readonly userAgent: string;
  readonly forwardedFor: string;
  readonly referer: string;
}

export interface OpenTelemetryInfo {
  /** 16 bytes, hex, as sent. */
  readonly traceId: string;
  /** 8 bytes, hex, as sent. */
  readonly spanId: string;
  readonly traceState: string;
  readonly traceFlags: number;
}

/** ClientInfo (§1.4.1). Fields absent at the revision are their defaults (empty, 0, null). */
export interface ClientInfo {
  /** 0 none (nothing else was sent), 1 initial, 2 secondary. */
  readonly queryKind: number;
  readonly initialUser: string;
  readonly initialQueryId: string;
  readonly initialAddress: string;
  /** µs since the epoch; null below 54449. */
  readonly initialQueryStartTime: bigint | null;
  /** 1 TCP, 2 HTTP, … */
  readonly interface: number;
  readonly tcp: TcpClientInfo | null;
  readonly http: HttpClientInfo | null;
  readonly quotaKey: string;
  readonly distributedDepth: number;
  readonly versionPatch: number;
  readonly openTelemetry: OpenTelemetryInfo | null;
  /** collaborate_with_initiator, count_participating_replicas, number_of_current_replica; null below 54453. */
  readonly parallelReplicas: readonly [number, number, number] | null;
}

export interface QueryPacket {
  readonly kind: 'query';
  readonly queryId: string;
  /** null below 54032. */
  readonly clientInfo: ClientInfo | null;
  readonly settings: readonly SettingEntry[];
  readonly interserverSecret: string;
  /** 2 = Complete, what clients send. */
  readonly stage: number;
  /** Data blocks in both directions are compressed frames for this query. */
  readonly compression: boolean;
  readonly query: string;
  /** Empty below 54459. */
  readonly parameters: readonly SettingEntry[];
}

/** A block of an external table or INSERT; an empty block (0 columns) ends the sequence. */
export interface DataPacket { readonly kind: 'data'; readonly table: string; readonly block: NativeBlock }
export interface CancelPacket { readonly kind: 'cancel' }
export interface PingPacket { readonly kind: 'ping' }

export type ClientPacket = HelloPacket | AddendumPacket | QueryPacket | DataPacket | CancelPacket | PingPacket;

export interface ClientDecoderOptions {
  /** Longest accepted String (query text, setting values, names); default 64 MiB. */
  readonly maxStringBytes?: number;
  /** Largest accepted block, and largest compressed frame; default 1 GiB. */
  readonly maxBlockBytes?: number;
}

/**
 * A compressed Data packet in progress: its frames' payloads are appended to one buffer (grown by
 * doubling) and the block is looked for again once the bytes the last attempt needed are there.
 */
interface CompressedData { readonly table: string; buf: Uint8Array; length: number; need: number }

/**
 * An uncompressed Data packet's block in progress: after the table name the packet's bytes go to a
 * single-block walker, which keeps its position between chunks (no block is scanned twice), and
 * the bytes after the block come back to the decoder.
 */
interface PlainData { readonly table: string; readonly walker: NativeBlockWalker }

const EMPTY = new Uint8Array(0);
const MAX_NAME = 1 << 16;

/**
 * Decodes a client's byte stream into packets. The first packet must be Hello; it is followed by
 * nothing until the server has chosen R and called `setRevision(R)` (the addendum, when R ≥ 54458,
 * is a bare String the decoder can only recognise then). `push` returns the packets the chunk
 * completed; an incomplete packet's bytes are carried in one buffer (a chunk's tail is copied
 * once) and reparsed from the packet start only after as many bytes as the last attempt needed have
 * arrived; the block of an uncompressed Data packet is not reparsed but walked on chunk by chunk,
 * so a large block costs time linear in its size. Data blocks may be views of pushed chunks: do
 * not modify a chunk after pushing it.
 * Errors are GatewayErrors: UNKNOWN_PACKET_FROM_CLIENT (99), UNEXPECTED_PACKET_FROM_CLIENT (101:
 * not Hello first, or a second Hello), INCORRECT_DATA (117: malformed, or a declared length over the
 * limits, refused before its bytes arrive), the frame codes (33, 40, 89, 271) and the walker's.
 * After an error the decoder is unusable.
 */
export class ClientPacketDecoder {
  readonly #maxString: number;
  readonly #maxBlock: number;
  #buf: Uint8Array = EMPTY;
  #start = 0;
  #end = 0;
  /** #buf is the decoder's own carry buffer, which may be compacted and overwritten. */
  #owned = false;
  /** Bytes from #start the last attempt needed; no reparse before they are here. */
  #waitFor = 0;
  #phase: 'hello' | 'revision' | 'addendum' | 'packets' = 'hello';
  #revision = 0;
  #compression = false;
  #data: CompressedData | null = null;
  #plain: PlainData | null = null;
  #rescanned = 0;

  constructor(options: ClientDecoderOptions = {}) {
    this.#maxString = options.maxStringBytes ?? 64 * 2 ** 20;
    this.#maxBlock = options.maxBlockBytes ?? 2 ** 30;
  }

  /** The negotiated R, once set. */
  get revision(): number {
    return this.#revision;
  }

  /** Bytes received that belong to no returned packet yet. */
  get buffered(): number {
    return this.#end - this.#start + (this.#plain?.walker.buffered ?? 0);
  }

  /**
   * Bytes parsed again from a packet's start because the packet was incomplete the first time (a
   * measure of re-parsing for tests and benchmarks; compressed frames' payloads are not counted).
   */
  get rescanned(): number {
    return this.#rescanned;
  }

  /** Sets R = min(client, server revision) after the Hello; returns packets already buffered behind it. */
  setRevision(revision: number): ClientPacket[] {
    if (this.#phase !== 'revision') throw new Error('setRevision: call it once, after the Hello packet');
    this.#revision = revision;
    this.#phase = revision >= Revision.ADDENDUM ? 'addendum' : 'packets';
    this.#waitFor = 0;
    return this.#run();
  }

  push(chunk: Uint8Array): ClientPacket[] {
    if (chunk.byteLength === 0) return [];
    if (this.#plain !== null) {
      const packet = this.#plainBlock(chunk);
      return packet === null ? [] : this.#run([packet]);
    }
    if (this.#end > this.#start) this.#append(chunk);
    else {
      this.#buf = chunk;
      this.#start = 0;
      this.#end = chunk.byteLength;
      this.#owned = false;
    }
    if (this.#end - this.#start < this.#waitFor) return [];
    return this.#run();
  }

  /** Throws CANNOT_READ_ALL_DATA (33) when the stream ended inside a packet. */
  end(): void {
    if (this.#end > this.#start || this.#data !== null || this.#plain !== null) {
      throw new GatewayError(33, `Cannot read all data: the connection closed inside a packet (${this.buffered} bytes left over)`);
    }
  }

  /** Decodes what is buffered, handing the block of each uncompressed Data packet to its walker. */
  #run(out: ClientPacket[] = []): ClientPacket[] {
    for (;;) {
      this.#packets(out);
      if (this.#plain === null) break;
      const packet = this.#plainBlock(this.#buf.subarray(this.#start, this.#end));
      if (packet === null) return out;
      out.push(packet);
    }
    this.#keepTail();
    return out;
  }

  /** Parses whole packets from the buffer until it ends, the Hello awaits R, or a plain block begins. */
  #packets(out: ClientPacket[]): void {
    const bytes = this.#buf.subarray(0, this.#end);
    while (this.#start < this.#end && this.#phase !== 'revision' && this.#plain === null) {
      const r = new Reader(bytes, this.#start);
      let packet: ClientPacket | null;
      try {
        packet = this.#next(r);
      } catch (error) {
        if (error !== INCOMPLETE) throw error;
        this.#waitFor = INCOMPLETE.need - this.#start;
        this.#rescanned += r.pos - this.#start;
        break;
      }
      this.#start = r.pos;
      this.#waitFor = 0;
      if (packet === null) continue;
      if (packet.kind === 'data' && this.#owned && packet.block.bytes.buffer === this.#buf.buffer) this.#owned = false;
      out.push(packet);
    }
  }

  /**
   * Gives `bytes` (the rest of the buffer, or a pushed chunk) to the plain block's walker, which
   * keeps views of them: the decoder's buffer is let go, never to be overwritten. When the block is
   * complete, the bytes after it become the buffer and the packet is returned.
   */
  #plainBlock(bytes: Uint8Array): DataPacket | null {
    const plain = this.#plain as PlainData;
    const [block] = plain.walker.push(bytes);
    this.#buf = EMPTY;
    this.#start = 0;
    this.#end = 0;
    this.#owned = false;
    if (block === undefined) return null;
    this.#plain = null;
    for (const chunk of plain.walker.rest()) {
      if (this.#end === 0) {
        this.#buf = chunk;
        this.#end = chunk.byteLength;
      } else this.#append(chunk);
    }
    return { kind: 'data', table: plain.table, block };
  }

  /** Copies an unowned tail into a carry buffer (the one copy of a packet that spans chunks). */
  #keepTail(): void {
    const left = this.#end - this.#start;
    if (left === 0) {
      if (!this.#owned) this.#buf = EMPTY;
      this.#start = 0;
      this.#end = 0;
      return;
    }
    if (this.#owned) return;
    const carry = new Uint8Array(Math.max(2 * left, 4096));
    carry.set(this.#buf.subarray(this.#start, this.#end));
    this.#buf = carry;
    this.#start = 0;
    this.#end = left;
    this.#owned = true;
  }

  #append(chunk: Uint8Array): void {
    const left = this.#end - this.#start;
    if (this.#end + chunk.byteLength > this.#buf.byteLength) {
      const needed = left + chunk.byteLength;
      if (needed <= this.#buf.byteLength) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        const grown = new Uint8Array(Math.max(2 * needed, 4096));
        grown.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = grown;
      }
      this.#start = 0;
      this.#end = left;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.byteLength;
  }

  /** One packet from `r`, or null when a step was consumed that completes none (a frame). */
  #next(r: Reader): ClientPacket | null {
    if (this.#data !== null) return this.#compressedFrame(r, this.#data);
    if (this.#phase === 'addendum') {
      const quotaKey = r.string(MAX_NAME, 'Quota key');
      this.#phase = 'packets';
      return { kind: 'addendum', quotaKey };
    }
    const type = r.varUInt();
    if (this.#phase === 'hello') {
      if (type !== ClientPacketType.hello) {
        const http = type === 0x47 || type === 0x50 ? ' (an HTTP request on the native port)' : '';
        throw new GatewayError(UNEXPECTED_PACKET_FROM_CLIENT, `Unexpected packet ${type} from client: expected Hello${http}`);
      }
      const hello = this.#hello(r);
      this.#phase = 'revision';
      return hello;
    }
    switch (type) {
      case ClientPacketType.query: return this.#query(r);
      case ClientPacketType.data: return this.#dataPacket(r);
      case ClientPacketType.cancel: return { kind: 'cancel' };
      case ClientPacketType.ping: return { kind: 'ping' };
      case ClientPacketType.hello: throw new GatewayError(UNEXPECTED_PACKET_FROM_CLIENT, 'Unexpected packet Hello received from client');
      default: throw new GatewayError(UNKNOWN_PACKET_FROM_CLIENT, `Unknown packet ${type} from client`);
    }
  }

  // Hello (§1.3): name, major, minor, revision, database, user, password.
  #hello(r: Reader): HelloPacket {
    return {
      kind: 'hello',
      clientName: r.string(MAX_NAME, 'Client name'),
      versionMajor: r.varUInt(),
      versionMinor: r.varUInt(),
      revision: r.varUInt(),
      database: r.string(MAX_NAME, 'Database name'),
      user: r.string(MAX_NAME, 'User name'),
      password: r.string(MAX_NAME, 'Password'),
    };
  }

  // Query (§1.4.1): id, [ClientInfo], settings, [secret], stage, compression, text, [parameters].
  #query(r: Reader): QueryPacket {
    const R = this.#revision;
    const queryId = r.string(MAX_NAME, 'Query id');
    const clientInfo = R >= Revision.CLIENT_INFO ? readClientInfo(r, R) : null;
    const settings = R >= Revision.SETTINGS_AS_STRINGS ? this.#settingsWithFlags(r) : this.#oldSettings(r);
    const interserverSecret = R >= Revision.INTERSERVER_SECRET ? r.string(MAX_NAME, 'Interserver secret') : '';
    const stage = r.varUInt();
    const compression = r.varUInt();
    if (compression > 1) throw incorrect(`Query compression flag ${compression} is neither 0 nor 1`);
    const query = r.string(this.#maxString, 'Query');
    const parameters = R >= Revision.PARAMETERS ? this.#settingsWithFlags(r) : [];
    this.#compression = compression === 1;
    return { kind: 'query', queryId, clientInfo, settings, interserverSecret, stage, compression: compression === 1, query, parameters };
  }

  // {name String, flags VarUInt, value String}… "" (§1.4.2).
  #settingsWithFlags(r: Reader): SettingEntry[] {
    const out: SettingEntry[] = [];
    for (;;) {
      const name = r.string(MAX_NAME, 'Setting name');
      if (name === '') return out;
      const flags = r.varUInt();
      out.push({ name, flags, value: r.string(this.#maxString, `Setting ${name}`) });
    }
  }

  // {name String, VarUInt or String by the setting's type}… "" (§1.4.2, R < 54429).
  #oldSettings(r: Reader): SettingEntry[] {
    const out: SettingEntry[] = [];
    for (;;) {
      const name = r.string(MAX_NAME, 'Setting name');
      if (name === '') return out;
      const value = NUMERIC_OLD_SETTINGS.has(name) ? String(r.varUInt()) : r.string(this.#maxString, `Setting ${name}`);
      out.push({ name, flags: 0, value });
    }
  }

  // Data (§1.4): table String, then a block, in frames when the Query asked for compression.
  #dataPacket(r: Reader): DataPacket | null {
    const table = r.string(MAX_NAME, 'External table name');
    if (this.#compression) {
      this.#data = { table, buf: EMPTY, length: 0, need: 1 };
      return null;
    }
    const walker = new NativeBlockWalker({ revision: this.#revision, maxBlockBytes: this.#maxBlock, single: true, layout: clientLayout });
    this.#plain = { table, walker };
    return null;
  }

  /** One frame of a compressed block; the packet when the walker completes the block. */
  #compressedFrame(r: Reader, data: CompressedData): DataPacket | null {
    let payload: Uint8Array;
    try {
      const length = frameLength(r.raw(FRAME_OVERHEAD), this.#maxBlock);
      r.pos -= FRAME_OVERHEAD;
      payload = decodeFrame(r.raw(length));
    } catch (error) {
      if (error instanceof FrameError) throw new GatewayError(error.code, error.message, { cause: error });
      throw error;
    }
    appendPayload(data, payload, this.#maxBlock);
    if (data.length < data.need) return null;
    const r2 = new Reader(data.buf.subarray(0, data.length), 0);
    let block: NativeBlock;
    try {
      block = readBlock(r2, this.#revision, this.#maxBlock);
    } catch (error) {
      if (error !== INCOMPLETE) throw error;
      data.need = INCOMPLETE.need;
      return null;
    }
    if (r2.pos !== data.length) throw incorrect('A compressed Data packet holds more than one block');
    this.#data = null;
    return { kind: 'data', table: data.table, block };
  }
}

/** Appends a frame's payload (copied: a NONE payload is a view of the carry buffer, which is reused). */
function appendPayload(data: CompressedData, payload: Uint8Array, limit: number): void {
  const needed = data.length + payload.byteLength;
  if (needed > limit) throw incorrect(`Native block declares more than ${limit} bytes`);
  if (needed > data.buf.byteLength) {
    const grown = new Uint8Array(Math.min(limit, Math.max(2 * needed, 4096)));
    grown.set(data.buf.subarray(0, data.length));
    data.buf = grown;
  }
  data.buf.set(payload, data.length);
  data.length = needed;
}

/** ClientInfo in the field order and revision conditions of ClickHouse's ClientInfo::read. */
function readClientInfo(r: Reader, R: number): ClientInfo {
  const queryKind = r.u8();
  const info = {
    queryKind, initialUser: '', initialQueryId: '', initialAddress: '', initialQueryStartTime: null as bigint | null,
    interface: 0, tcp: null as TcpClientInfo | null, http: null as HttpClientInfo | null, quotaKey: '',
    distributedDepth: 0, versionPatch: 0, openTelemetry: null as OpenTelemetryInfo | null,
    parallelReplicas: null as readonly [number, number, number] | null,
  };
  if (queryKind === 0) return info;
  info.initialUser = r.string(MAX_NAME, 'Initial user');
  info.initialQueryId = r.string(MAX_NAME, 'Initial query id');
  info.initialAddress = r.string(MAX_NAME, 'Initial address');
  if (R >= Revision.INITIAL_QUERY_START_TIME) info.initialQueryStartTime = r.u64();
  info.interface = r.u8();
  if (info.interface === 1) {
    info.tcp = {
      osUser: r.string(MAX_NAME, 'OS user'), hostname: r.string(MAX_NAME, 'Client hostname'),
      clientName: r.string(MAX_NAME, 'Client name'), versionMajor: r.varUInt(), versionMinor: r.varUInt(), revision: r.varUInt(),
    };
  } else if (info.interface === 2) {
    info.http = {
      method: r.u8(), userAgent: r.string(MAX_NAME, 'User agent'),
      forwardedFor: R >= Revision.X_FORWARDED_FOR ? r.string(MAX_NAME, 'Forwarded for') : '',
      referer: R >= Revision.REFERER ? r.string(MAX_NAME, 'Referer') : '',
    };
  }
  if (R >= Revision.QUOTA_KEY_IN_CLIENT_INFO) info.quotaKey = r.string(MAX_NAME, 'Quota key');
  if (R >= Revision.DISTRIBUTED_DEPTH) info.distributedDepth = r.varUInt();
  if (info.interface === 1 && R >= Revision.VERSION_PATCH) info.versionPatch = r.varUInt();
  if (R >= Revision.OPENTELEMETRY && r.u8() !== 0) {
    const hex = (n: number): string => Buffer.from(r.raw(n)).toString('hex');
    info.openTelemetry = { traceId: hex(16), spanId: hex(8), traceState: r.string(MAX_NAME, 'Trace state'), traceFlags: r.u8() };
  }
  if (R >= Revision.PARALLEL_REPLICAS) info.parallelReplicas = [r.varUInt(), r.varUInt(), r.varUInt()];
  return info;
}
