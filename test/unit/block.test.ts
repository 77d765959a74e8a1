import { describe, expect, it } from 'vitest';
import {
  bigIntAt, bytesAt, columnRows, indexAt, isNullAt, makeBlock, stringColumn, stringColumnOf, uuidAt, uuidBytes, type Column,
} from '../../src/block.ts';
import { parseType } from '../../src/type-parser.ts';
import { thrownCode } from '../support/chdb.ts';

const bytes = (width: number, ...rows: number[][]): Column => ({ kind: 'bytes', width, bytes: Uint8Array.from(rows.flat()) });

describe('columns', () => {
  it('count rows for every kind', () => {
    const s = stringColumnOf(['a', 'bc']);
    const cases: [Column, number][] = [
      [{ kind: 'fixed', values: BigInt64Array.of(1n, 2n, 3n) }, 3],
      [bytes(2, [1, 2], [3, 4]), 2],
      [{ kind: 'bytes', width: 0, bytes: new Uint8Array(0) }, 0],
      [s, 2],
      [{ kind: 'nullable', nulls: Uint8Array.of(0, 1), inner: s }, 2],
      [{ kind: 'array', offsets: Uint32Array.of(0, 2), element: s }, 1],
      [{ kind: 'map', offsets: Uint32Array.of(0, 0, 1, 2), keys: s, values: s }, 3],
      [{ kind: 'tuple', rows: 4, elements: [] }, 4],
      [{ kind: 'lowCardinality', nullable: false, dictionary: s, indexes: Uint16Array.of(0, 1, 1) }, 3],
      [{ kind: 'nothing', rows: 5 }, 5],
    ];
    for (const [column, rows] of cases) expect(columnRows(column)).toBe(rows);
  });

  it('strings: offsets + one buffer, decoded lazily', () => {
    const s = stringColumnOf(['', 'ünï', 'x']);
    expect(Array.from(s.offsets)).toEqual([0, 0, 5, 6]);
    expect([s.string(0), s.string(1), s.string(2)]).toEqual(['', 'ünï', 'x']);
    const view = stringColumn(Uint32Array.of(2, 4), new TextEncoder().encode('abcd'));
    expect(view.string(0)).toBe('cd');
  });

  it('wide integers are little-endian two\'s complement', () => {
    const c = bytes(16, [0xff, ...new Array<number>(15).fill(0xff)], [1, ...new Array<number>(15).fill(0)], [...new Array<number>(8).fill(0), 1, ...new Array<number>(7).fill(0)]);
    if (c.kind !== 'bytes') throw new Error('bytes');
    expect([bigIntAt(c, 0, true), bigIntAt(c, 0, false), bigIntAt(c, 1, true), bigIntAt(c, 2, false)]).toEqual([-1n, 2n ** 128n - 1n, 1n, 2n ** 64n]);
    expect(Array.from(bytesAt(c, 1))).toEqual([1, ...new Array<number>(15).fill(0)]);
  });

  it('UUIDs: two UInt64 halves, each byte-reversed (protocols.md §2.2)', () => {
    const text = '61f0c404-5cb3-11e7-907b-a6006ad3dba0';
    const wire = uuidBytes(text);
    expect(Buffer.from(wire).toString('hex')).toBe('e711b35c04c4f061a0dbd36a00a67b90');
    expect(uuidAt({ kind: 'bytes', width: 16, bytes: wire }, 0)).toBe(text);
    expect(thrownCode(() => uuidBytes('not-a-uuid'))).toBe(6);
  });

  it('nulls: Nullable maps, LowCardinality(Nullable) index 0, Nothing', () => {
    const dictionary = stringColumnOf(['', '', 'a']);
    const lc: Column = { kind: 'lowCardinality', nullable: true, dictionary, indexes: Uint8Array.of(2, 0, 1) };
    expect([0, 1, 2].map((i) => isNullAt(lc, i))).toEqual([false, true, false]);
    if (lc.kind === 'lowCardinality') expect(indexAt(lc, 0)).toBe(2);
    const plain: Column = { kind: 'lowCardinality', nullable: false, dictionary, indexes: BigUint64Array.of(0n) };
    expect(isNullAt(plain, 0)).toBe(false);
    expect(isNullAt({ kind: 'nullable', nulls: Uint8Array.of(0, 1), inner: dictionary }, 1)).toBe(true);
    expect(isNullAt({ kind: 'nothing', rows: 1 }, 0)).toBe(true);
    expect(isNullAt(dictionary, 0)).toBe(false);
  });
});

describe('blocks', () => {
  it('have columns of equal length', () => {
    const block = makeBlock(['a', 'b'], [parseType('UInt8'), parseType('String')], [{ kind: 'fixed', values: Uint8Array.of(1, 2) }, stringColumnOf(['x', 'y'])]);
    expect(block.rows).toBe(2);
    expect(makeBlock([], [], []).rows).toBe(0);
    expect(makeBlock([], [], [], 3).rows).toBe(3);
    expect(thrownCode(() => makeBlock(['a'], [], []))).toBe(49);
    expect(thrownCode(() => makeBlock(['a'], [parseType('UInt8')], [{ kind: 'fixed', values: Uint8Array.of(1) }], 2))).toBe(49);
  });
});
