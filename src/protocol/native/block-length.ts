// Finds where one TCP Native block ends in a contiguous buffer (reference/protocols.md §2.1, §2.2)
// and where its columns are: the block of a compressed Data packet, once its frames' payloads are
// joined. (An uncompressed Data packet's block is walked incrementally across chunks instead, by a
// single-block NativeBlockWalker with `clientLayout`.) Restartable: on running out it throws
// INCOMPLETE with the least offset needed, which for fixed-width columns jumps a whole column ahead.
import { incorrect, nativeLayout, NOT_IMPLEMENTED, prefixCount, UNKNOWN_TYPE, type NativeLayout } from '../../native-layout.ts';
import { MAX_BLOCK_ROWS, MAX_STRING_LENGTH, REVISION_WITH_CUSTOM_SERIALIZATION } from '../../native.ts';
import type { NativeBlock, NativeColumn } from '../../native-walker.ts';
import { GatewayError } from '../../errors.ts';
import { translateTypeName } from '../../type-parser.ts';
import type { Reader } from './reader.ts';

const MAX_COLUMNS = 1_000_000;
const MAX_NAME_LENGTH = 16 * 2 ** 20;
const LC_NEED_GLOBAL_DICTIONARY = 0x100;
const LC_HAS_ADDITIONAL_KEYS = 0x200;
const LC_NEED_UPDATE_DICTIONARY = 0x400;

/**
 * Advances `r` over one block written at `revision` (> 0: BlockInfo field list first; ≥ 54454: a
 * custom-serialization byte per column, which must be 0). `limit` bounds the block's byte size.
 */
export function skipBlock(r: Reader, revision: number, limit: number): void {
  readBlock(r, revision, limit);
}

/** The layout of a type name in either spelling: ClickHouse's, else Proton's (`uint64`, `nullable(string)`). */
export function clientLayout(type: string): NativeLayout {
  try {
    return nativeLayout(type);
  } catch (error) {
    if (!(error instanceof GatewayError) || error.code !== UNKNOWN_TYPE) throw error;
    let clickhouse: string;
    try {
      clickhouse = translateTypeName(type, 'clickhouse');
    } catch {
      throw error;
    }
    return nativeLayout(clickhouse);
  }
}

/**
 * Reads one block like skipBlock and returns it: a view of `r.bytes` from where it started, the
 * columns' names and types as sent and their data ranges within that view.
 */
export function readBlock(r: Reader, revision: number, limit: number): NativeBlock {
  const start = r.pos;
  const found: NativeColumn[] = [];
  const budget = (n: number): number => {
    if (r.pos - start + n > limit) throw incorrect(`Native block declares more than ${limit} bytes`);
    return n;
  };
  if (revision > 0) skipBlockInfo(r);
  const columns = r.varUInt();
  if (columns > MAX_COLUMNS) throw incorrect(`Native block declares ${columns} columns`);
  const rows = r.varUInt();
  if (rows > MAX_BLOCK_ROWS) throw incorrect(`Native block declares ${rows} rows, more than ${MAX_BLOCK_ROWS}`);
  for (let i = 0; i < columns; i++) {
    const name = r.string(MAX_NAME_LENGTH, 'Column name');
    const type = r.string(MAX_NAME_LENGTH, 'Column type');
    if (revision >= REVISION_WITH_CUSTOM_SERIALIZATION && r.u8() !== 0) {
      throw new GatewayError(NOT_IMPLEMENTED, `Column ${name} has a custom (sparse) serialization`);
    }
    if (rows === 0) {
      found.push({ name, type, dataStart: r.pos - start, dataEnd: r.pos - start });
      continue;
    }
    const dataStart = r.pos - start;
    const layout = clientLayout(type);
    for (let p = prefixCount(layout); p > 0; p--) {
      const version = r.u64();
      if (version !== 1n) throw incorrect(`Unknown LowCardinality keys serialization version ${version}`);
    }
    skipData(r, layout, rows, budget);
    found.push({ name, type, dataStart, dataEnd: r.pos - start });
  }
  return { columns: found, rows, bytes: r.bytes.subarray(start, r.pos) };
}

function skipBlockInfo(r: Reader): void {
  for (;;) {
    const field = r.u8();
    if (field === 0) return;
    if (field === 1) r.skip(1);
    else if (field === 2) r.skip(4);
    else throw incorrect(`Unknown BlockInfo field ${field}`);
  }
}

function skipData(r: Reader, layout: NativeLayout, rows: number, budget: (n: number) => number): void {
  switch (layout.kind) {
    case 'fixed':
      return r.skip(budget(layout.width * rows));
    case 'string':
      for (let i = 0; i < rows; i++) {
        const length = r.varUInt();
        if (length > MAX_STRING_LENGTH) throw incorrect(`String length ${length} exceeds the limit of ${MAX_STRING_LENGTH} bytes`);
        r.skip(budget(length));
      }
      return;
    case 'nullable':
      r.skip(budget(rows));
      return skipData(r, layout.inner, rows, budget);
    case 'array': {
      if (rows === 0) return;
      r.skip(budget(8 * (rows - 1)));
      return skipData(r, layout.element, budget(r.count('Array size')), budget);
    }
    case 'tuple':
      for (const element of layout.elements) skipData(r, element, rows, budget);
      return;
    case 'lowCardinality':
      return skipLowCardinality(r, layout.keys, rows, budget);
  }
}

/** Granules of: IndexesSerializationType, [global dictionary], [additional keys], row count, indexes. */
function skipLowCardinality(r: Reader, keys: NativeLayout, rows: number, budget: (n: number) => number): void {
  let left = rows;
  let first = true;
  while (left > 0) {
    const flags = r.count('LowCardinality flags');
    if (flags > 0x7ff || (flags & 0xff) > 3) throw incorrect(`Invalid LowCardinality index serialization type ${flags}`);
    const global = (flags & LC_NEED_GLOBAL_DICTIONARY) !== 0 && ((flags & LC_NEED_UPDATE_DICTIONARY) !== 0 || first);
    first = false;
    if (global) skipData(r, keys, budget(r.count('LowCardinality dictionary size')), budget);
    if ((flags & LC_HAS_ADDITIONAL_KEYS) !== 0) skipData(r, keys, budget(r.count('LowCardinality dictionary size')), budget);
    const granule = r.count('LowCardinality granule');
    if (granule > left) throw incorrect(`LowCardinality granule of ${granule} rows exceeds the ${left} rows left`);
    left -= granule;
    r.skip(budget(granule * 2 ** (flags & 0xff)));
  }
}
