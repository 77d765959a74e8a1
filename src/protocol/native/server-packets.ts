// Encoders of the server's native packets (reference/protocols.md §1.3, §1.5, §1.6). Each takes R,
// the negotiated revision min(client, server), where the layout depends on it, and returns the
// whole packet, packet type included, in one buffer (or a list of buffers when block bytes are
// passed through unchanged).
import { encodeFrames, type CompressionMethodName } from '../../compression.ts';
import { encodeString, varUIntSize, writeBlockHeader, writeVarUInt } from '../../native.ts';
import { Revision, SERVER_REVISION, ServerPacketType } from './packets.ts';

/** Concatenates parts: VarUInts (numbers), Strings (strings), raw bytes (Uint8Array). */
function packet(parts: readonly (number | string | Uint8Array)[]): Uint8Array {
  const encoded = parts.map((p) => (typeof p === 'string' ? encodeString(p) : p));
  let size = 0;
  for (const p of encoded) size += typeof p === 'number' ? varUIntSize(p) : p.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of encoded) {
    if (typeof p === 'number') at = writeVarUInt(out, at, p);
    else {
      out.set(p, at);
      at += p.byteLength;
    }
  }
  return out;
}

const bool = (value: boolean): Uint8Array => Uint8Array.of(value ? 1 : 0);

export interface ServerHello {
  /** `ClickHouse` on ClickHouse ports, `proton` on Proton's. */
  readonly name: string;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly versionPatch: number;
  /** The revision advertised: at most 54460 (§0.1); 54459 is Proton's. Default 54460. */
  readonly revision?: number;
  /** An IANA zone name clients can load, e.g. `UTC`. */
  readonly timeZone: string;
  readonly displayName: string;
}

/** R for a client revision: min(client, server). */
export function negotiatedRevision(clientRevision: number, serverRevision: number = SERVER_REVISION): number {
  return Math.min(clientRevision, serverRevision);
}

/**
 * `00` name major minor revision [tz R ≥ 54058] [display_name R ≥ 54372] [patch R ≥ 54401]. The
 * later fields (password rules 54461, nonce 54462) are never needed: the advertised revision is capped.
 */
export function encodeHello(hello: ServerHello, clientRevision: number): Uint8Array {
  const revision = hello.revision ?? SERVER_REVISION;
  if (revision > SERVER_REVISION) throw new RangeError(`Server revision ${revision} exceeds ${SERVER_REVISION}: newer Hello fields are not implemented`);
  const R = negotiatedRevision(clientRevision, revision);
  const parts: (number | string)[] = [ServerPacketType.hello, hello.name, hello.versionMajor, hello.versionMinor, revision];
  if (R >= Revision.SERVER_TIMEZONE) parts.push(hello.timeZone);
  if (R >= Revision.SERVER_DISPLAY_NAME) parts.push(hello.displayName);
  if (R >= Revision.VERSION_PATCH) parts.push(hello.versionPatch);
  return packet(parts);
}

export const encodePong = (): Uint8Array => Uint8Array.of(ServerPacketType.pong);
export const encodeEndOfStream = (): Uint8Array => Uint8Array.of(ServerPacketType.endOfStream);

export interface ExceptionRecord {
  readonly code: number;
  /** `DB::Exception` as upstream. */
  readonly name?: string;
  /** Conventionally `DB::Exception: <text> (<ERROR_NAME>)`. */
  readonly message: string;
  readonly stackTrace?: string;
}

/** `02` then per record: code Int32 LE, name, message, stack trace, has_nested Bool (1 before each nested record). */
export function encodeException(records: readonly [ExceptionRecord, ...ExceptionRecord[]]): Uint8Array {
  const parts: (number | string | Uint8Array)[] = [ServerPacketType.exception];
  records.forEach((record, i) => {
    const code = new Uint8Array(4);
    new DataView(code.buffer).setInt32(0, record.code, true);
    parts.push(code, record.name ?? 'DB::Exception', record.message, record.stackTrace ?? '', bool(i < records.length - 1));
  });
  return packet(parts);
}

/** Increments since the last Progress packet. */
export interface Progress {
  readonly readRows: number;
  readonly readBytes: number;
  readonly totalRowsToRead: number;
  readonly totalBytesToRead?: number;
  readonly writtenRows?: number;
  readonly writtenBytes?: number;
  readonly elapsedNs?: number;
}

/**
 * `03` read_rows read_bytes total_rows [total_bytes R ≥ 54463] [written_rows written_bytes R ≥ 54420]
 * [elapsed_ns R ≥ 54460], all VarUInt. `proton` gives Proton's fixed 5 fields (no total_bytes, no
 * elapsed_ns) whatever R.
 */
export function encodeProgress(progress: Progress, R: number, options: { readonly proton?: boolean } = {}): Uint8Array {
  const p = progress;
  const parts: number[] = [ServerPacketType.progress, p.readRows, p.readBytes, p.totalRowsToRead];
  if (options.proton === true) {
    parts.push(p.writtenRows ?? 0, p.writtenBytes ?? 0);
    return packet(parts);
  }
  if (R >= Revision.TOTAL_BYTES_IN_PROGRESS) parts.push(p.totalBytesToRead ?? 0);
  if (R >= Revision.CLIENT_WRITE_INFO) parts.push(p.writtenRows ?? 0, p.writtenBytes ?? 0);
  if (R >= Revision.SERVER_QUERY_TIME_IN_PROGRESS) parts.push(p.elapsedNs ?? 0);
  return packet(parts);
}

export interface ProfileInfo {
  readonly rows: number;
  readonly blocks: number;
  readonly bytes: number;
  readonly appliedLimit?: boolean;
  readonly rowsBeforeLimit?: number;
}

/**
 * `06` rows blocks bytes applied_limit rows_before_limit calculated_rows_before_limit, the last
 * always `01` (§0.4: 18.16 crashes on `00`); [applied_aggregation `00`, rows_before_aggregation `00` R ≥ 54469].
 */
export function encodeProfileInfo(info: ProfileInfo, R: number): Uint8Array {
  const parts: (number | Uint8Array)[] = [ServerPacketType.profileInfo, info.rows, info.blocks, info.bytes,
    bool(info.appliedLimit === true), info.rowsBeforeLimit ?? 0, bool(true)];
  if (R >= Revision.ROWS_BEFORE_AGGREGATION) parts.push(bool(false), 0);
  return packet(parts);
}

export interface DataOptions {
  /** Data (default), Totals or Extremes; Log and ProfileEvents must stay uncompressed. */
  readonly type?: typeof ServerPacketType.data | typeof ServerPacketType.totals | typeof ServerPacketType.extremes
    | typeof ServerPacketType.log | typeof ServerPacketType.profileEvents;
  readonly table?: string;
  /** Frame the block in LZ4 frames of at most `maxFrame` bytes (default 1 MiB), as Query.compression = 1 asks. */
  readonly compress?: boolean;
  /** The frame method when compressing: lz4 (default, §0.6) or zstd (`network_compression_method`). */
  readonly method?: CompressionMethodName;
  readonly maxFrame?: number;
}

/**
 * type, table name String (`""`), then the block bytes (BlockInfo first, as reframeBlock and
 * writeBlockHeader write them for R), unchanged or as LZ4 frames. Returns the packet as parts so a
 * large block is not copied: write them in order.
 */
export function encodeData(block: Uint8Array, options: DataOptions = {}): Uint8Array[] {
  const head = packet([options.type ?? ServerPacketType.data, options.table ?? '']);
  if (options.compress !== true) return [head, block];
  return [head, ...encodeFrames(block, options.method ?? 'lz4', options.maxFrame)];
}

/**
 * `0b` table name `""`, description: `columns format version: 1\n<N> columns:\n` then one
 * `` `name` Type\n `` line per column (§1.5; only when R ≥ 54410, before the INSERT header).
 */
export function encodeTableColumns(columns: readonly { readonly name: string; readonly type: string }[]): Uint8Array {
  const lines = columns.map((c) => `\`${c.name.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\` ${c.type}\n`);
  return packet([ServerPacketType.tableColumns, '', `columns format version: 1\n${columns.length} columns:\n${lines.join('')}`]);
}

/** The ProfileEvents block's columns (§1.5), ClickHouse names; `typeName` renames them for the client. */
export const PROFILE_EVENTS_COLUMNS: readonly { readonly name: string; readonly type: string }[] = [
  { name: 'host_name', type: 'String' }, { name: 'current_time', type: 'DateTime' }, { name: 'thread_id', type: 'UInt64' },
  { name: 'type', type: "Enum8('increment' = 1, 'gauge' = 2)" }, { name: 'name', type: 'String' }, { name: 'value', type: 'Int64' },
];

/** `0e` `""` and a 0-row ProfileEvents block for R, never compressed (§0.5: clickhouse-driver waits for it after INSERT blocks). */
export function encodeProfileEvents(R: number, typeName?: (clickhouseType: string) => string): Uint8Array {
  return packet([ServerPacketType.profileEvents, '', writeBlockHeader(PROFILE_EVENTS_COLUMNS, { revision: R, typeName })]);
}
