// Sequences: one write per stream at a time, streams in parallel, the next number kept or re-read
// from the store, a bounded queue. The store side (real chDB, ClickHouse 18.16, the HTTP fixture) is
// in the backend contract; here the reader stands for the store's `max(_tp_sn) + 1`.
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/errors.ts';
import { Sequences } from '../../../src/history/sequence.ts';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 1));

/** A store of numbered rows per key, and a reader over it that counts its reads. */
function numberedStore() {
  const rows = new Map<string, bigint[]>();
  const reads: string[] = [];
  const readNext = async (key: string): Promise<bigint> => {
    reads.push(key);
    await tick();
    const mine = rows.get(key) ?? [];
    return mine.length === 0 ? 0n : mine.reduce((a, b) => (a > b ? a : b)) + 1n;
  };
  const store = (key: string, base: bigint, n: number): void => {
    const mine = rows.get(key) ?? [];
    for (let i = 0n; i < BigInt(n); i++) mine.push(base + i);
    rows.set(key, mine);
  };
  return { rows, reads, readNext, store };
}

describe('Sequences', () => {
  it('gives each write of a stream the base after the previous one, one write at a time', async () => {
    const { rows, reads, readNext, store } = numberedStore();
    const sequences = new Sequences(readNext);
    let running = 0;
    let most = 0;
    const write = (n: number) => sequences.run('s', async (base) => {
      running++;
      most = Math.max(most, running);
      await tick();
      store('s', base, n);
      running--;
      return { value: base, rows: BigInt(n) };
    });
    const bases = await Promise.all([3, 1, 4, 1, 5].map(write));
    expect(bases).toEqual([0n, 3n, 4n, 8n, 9n]);
    expect(most).toBe(1);
    expect(rows.get('s')).toEqual(Array.from({ length: 14 }, (_, i) => BigInt(i)));
    expect(reads).toEqual(['s']);
  });

  it('runs writes of different streams in parallel, each numbered on its own', async () => {
    const { readNext, store } = numberedStore();
    const sequences = new Sequences(readNext);
    let running = 0;
    let most = 0;
    const write = (key: string) => sequences.run(key, async (base) => {
      running++;
      most = Math.max(most, running);
      await tick();
      store(key, base, 2);
      running--;
      return { value: `${key}${base}`, rows: 2n };
    });
    expect(await Promise.all([write('a'), write('b'), write('a'), write('b')])).toEqual(['a0', 'b0', 'a2', 'b2']);
    expect(most).toBe(2);
  });

  it('reads the store again after a write of unknown size, a failed write, a failed read and forget()', async () => {
    const { reads, readNext, store } = numberedStore();
    let failRead = false;
    const sequences = new Sequences(async (key) => {
      if (failRead) throw new Error('store unreachable');
      return readNext(key);
    });
    await sequences.run('s', async (base) => (store('s', base, 2), { value: 0, rows: 2n }));
    await sequences.run('s', async (base) => (store('s', base, 3), { value: 0, rows: null }));
    // A failed write may have stored part of its rows: the next base lies past them.
    await expect(sequences.run('s', async (base) => {
      store('s', base, 1);
      throw new Error('boom');
    })).rejects.toThrow('boom');
    failRead = true;
    await expect(sequences.run('s', async () => ({ value: 0, rows: 1n }))).rejects.toThrow('store unreachable');
    failRead = false;
    expect(await sequences.run('s', async (base) => (store('s', base, 1), { value: base, rows: 1n }))).toBe(6n);
    sequences.forget('s');
    expect(await sequences.run('s', async (base) => ({ value: base, rows: 0n }))).toBe(7n);
    expect(reads).toEqual(['s', 's', 's', 's']);
  });

  it('refuses writes beyond the queue limit with TOO_MANY_SIMULTANEOUS_QUERIES, and recovers', async () => {
    const { readNext } = numberedStore();
    const sequences = new Sequences(readNext, 3);
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const held = [1, 2, 3].map(() => sequences.run('s', async (base) => (await gate, { value: base, rows: 1n })));
    const refused = await sequences.run('s', async () => ({ value: 0n, rows: 1n })).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(GatewayError);
    expect((refused as GatewayError).code).toBe(202);
    expect((refused as GatewayError).message).toMatch(/Too many simultaneous inserts into s/);
    // Another stream is not affected.
    expect(await sequences.run('t', async (base) => ({ value: base, rows: 1n }))).toBe(0n);
    open();
    expect(await Promise.all(held)).toEqual([0n, 1n, 2n]);
    expect(await sequences.run('s', async (base) => ({ value: base, rows: 1n }))).toBe(3n);
  });
});

describe('listeners and positions', () => {
  it('tells a watched stream\'s listener each stored range in order, re-reading unknown sizes, and reads positions in turn', async () => {
    let stored = 0n;
    const seq = new Sequences(async () => stored);
    const told: Array<[string, bigint, bigint]> = [];
    seq.listen((key, first, next) => told.push([key, first, next]), (key) => key === 'watched');
    const write = (key: string, rows: bigint, known: boolean) => seq.run(key, async (base) => {
      stored = base + rows;
      return { value: base, rows: known ? rows : null };
    });
    await Promise.all([write('watched', 2n, true), write('watched', 3n, false), write('other', 1n, true), write('watched', 1n, true)]);
    expect(told.filter(([k]) => k === 'watched')).toEqual([['watched', 0n, 2n], ['watched', 2n, 5n], ['watched', 5n, 6n]]);
    expect(told.some(([k]) => k === 'other')).toBe(false);
    expect(await seq.position('watched')).toBe(6n);
  });
});
