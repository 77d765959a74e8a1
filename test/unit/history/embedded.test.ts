// The embedded chDB store: the backend contract, plus lane-pool behaviour.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreContext } from '../../../src/history/backend.ts';
import { EmbeddedBackend } from '../../../src/history/embedded.ts';
import { backendContract } from './backend-contract.ts';

async function openEmbedded(): Promise<{ backend: EmbeddedBackend; close(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'hadron-embedded-'));
  const spoolDir = await mkdtemp(join(tmpdir(), 'hadron-embedded-spool-'));
  const backend = await EmbeddedBackend.open({ path, poolSize: 2, spoolDir });
  return {
    backend,
    close: async () => {
      await backend.close();
      await rm(path, { recursive: true, force: true });
      await rm(spoolDir, { recursive: true, force: true });
    },
  };
}

backendContract('embedded chDB', true, async () => ({ ...(await openEmbedded()), modern: true }));

describe('EmbeddedBackend lanes', () => {
  let subject: Awaited<ReturnType<typeof openEmbedded>>;
  beforeAll(async () => {
    subject = await openEmbedded();
  });
  afterAll(async () => {
    await subject?.close();
  });

  const context = (signal: AbortSignal): StoreContext => ({ queryId: '', database: 'default', settings: new Map([['max_execution_time', '60']]), params: new Map(), signal });

  it('serves a short statement on the second lane while a long one runs', async () => {
    const controller = new AbortController();
    let longDone = false;
    const long = (async () => {
      for await (const _ of subject.backend.query('SELECT sum(sipHash64(number)) FROM numbers(100000000000)', 'TabSeparated', context(controller.signal), true));
    })().finally(() => (longDone = true));
    long.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    const parts: Uint8Array[] = [];
    for await (const chunk of subject.backend.query('SELECT 1', 'TabSeparated', context(new AbortController().signal), true)) parts.push(chunk.bytes);
    expect(Buffer.concat(parts).toString()).toBe('1\n');
    expect(longDone).toBe(false);
    controller.abort();
    await expect(long).rejects.toMatchObject({ code: 394 });
  });

  it('prefers a lane prepared for the statement, and never carries one statement\'s settings into another', async () => {
    const read = async (settings: Array<[string, string]>, database: string): Promise<string> => {
      const ctx: StoreContext = { queryId: '', database, settings: new Map(settings), params: new Map(), signal: new AbortController().signal };
      const parts: Uint8Array[] = [];
      for await (const chunk of subject.backend.query("SELECT getSetting('max_threads'), getSetting('max_block_size'), currentDatabase()", 'TSV', ctx, true)) parts.push(chunk.bytes);
      return Buffer.concat(parts).toString();
    };
    await subject.backend.command('CREATE DATABASE IF NOT EXISTS lanes_other', context(new AbortController().signal));
    const defaults = await read([], 'default');
    const [threads = '', block = ''] = defaults.split('\t');
    const kinds: Array<[Array<[string, string]>, string, string]> = [
      [[], 'default', defaults],
      [[['max_threads', '1']], 'default', `1\t${block}\tdefault\n`],
      [[['max_block_size', '777']], 'lanes_other', `${threads}\t777\tlanes_other\n`],
    ];
    const runs = Array.from({ length: 30 }, (_, i) => kinds[(i * 7) % 3] as (typeof kinds)[number]);
    expect(await Promise.all(runs.map(([settings, database]) => read(settings, database)))).toEqual(runs.map(([, , expected]) => expected));
    for (const [settings, database, expected] of runs) expect(await read(settings, database)).toBe(expected);
  });
});

describe('EmbeddedBackend _tp_sn across a restart', () => {
  const context = (): StoreContext => ({ queryId: '', database: 'default', settings: new Map(), params: new Map(), signal: new AbortController().signal });
  const sequence = { key: '`default`.`restart_seq`', columns: ['`id`'], structure: 'id UInt32' };
  const insert = (backend: EmbeddedBackend, body: string) =>
    backend.insert({ target: sequence.key, columns: '(`id`)', format: 'TSV', sequence }, { kind: 'parts', parts: [Buffer.from(body)] }, context());
  const numbers = async (backend: EmbeddedBackend): Promise<string> => {
    const parts: Uint8Array[] = [];
    for await (const chunk of backend.query('SELECT groupArray(_tp_sn) FROM (SELECT _tp_sn FROM restart_seq ORDER BY _tp_sn)', 'TSV', context(), true)) parts.push(chunk.bytes);
    return Buffer.concat(parts).toString();
  };

  it('continues after the last number a previous backend over the same data directory wrote', async () => {
    const path = await mkdtemp(join(tmpdir(), 'hadron-restart-'));
    const spoolDir = await mkdtemp(join(tmpdir(), 'hadron-restart-spool-'));
    try {
      const first = await EmbeddedBackend.open({ path, poolSize: 2, spoolDir });
      await first.command('CREATE TABLE restart_seq (id UInt32, _tp_sn Int64 MATERIALIZED 0) ENGINE = MergeTree ORDER BY id', context());
      expect((await insert(first, '1\n2\n3\n')).writtenRows).toBe(3);
      await first.close();
      const second = await EmbeddedBackend.open({ path, poolSize: 2, spoolDir });
      await insert(second, '4\n5\n');
      expect(await numbers(second)).toBe('[0,1,2,3,4]\n');
      // A dropped and recreated stream starts again at 0 once its sequence is forgotten.
      await second.command('DROP TABLE restart_seq', context());
      await second.command('CREATE TABLE restart_seq (id UInt32, _tp_sn Int64 MATERIALIZED 0) ENGINE = MergeTree ORDER BY id', context());
      second.forgetSequence(sequence.key);
      await insert(second, '6\n');
      expect(await numbers(second)).toBe('[0]\n');
      await second.close();
    } finally {
      await rm(path, { recursive: true, force: true });
      await rm(spoolDir, { recursive: true, force: true });
    }
  });
});

describe('EmbeddedBackend sequenced inserts (staging, row count beside the turn)', () => {
  let subject: Awaited<ReturnType<typeof openEmbedded>> & { spoolDir: string };
  const context = (): StoreContext => ({ queryId: '', database: 'default', settings: new Map(), params: new Map(), signal: new AbortController().signal });
  const sequence = { key: '`default`.`staged_seq`', columns: ['`id`'], structure: 'id UInt32' };
  const insert = (parts: readonly string[]) =>
    subject.backend.insert({ target: sequence.key, columns: '(`id`)', format: 'TSV', sequence }, { kind: 'parts', parts: parts.map((p) => Buffer.from(p)) }, context());
  const text = async (sql: string): Promise<string> => {
    const out: Uint8Array[] = [];
    for await (const chunk of subject.backend.query(sql, 'TSV', context(), true)) out.push(chunk.bytes);
    return Buffer.concat(out).toString();
  };
  beforeAll(async () => {
    const path = await mkdtemp(join(tmpdir(), 'hadron-staged-'));
    const spoolDir = await mkdtemp(join(tmpdir(), 'hadron-staged-spool-'));
    const backend = await EmbeddedBackend.open({ path, poolSize: 2, spoolDir });
    subject = {
      backend, spoolDir,
      close: async () => {
        await backend.close();
        await rm(path, { recursive: true, force: true });
        await rm(spoolDir, { recursive: true, force: true });
      },
    };
    await backend.command('CREATE TABLE staged_seq (id UInt32, _tp_sn Int64 MATERIALIZED 0) ENGINE = MergeTree ORDER BY id', context());
  });
  afterAll(async () => {
    await subject?.close();
  });

  it('stages a body of more parts than one writev takes (IOV_MAX 1024) whole, in order', async () => {
    const parts = Array.from({ length: 2500 }, (_, i) => `${i}\n`);
    expect((await insert(parts)).writtenRows).toBe(2500);
    expect(await text('SELECT count(), countIf(_tp_sn = id), min(_tp_sn), max(_tp_sn) FROM staged_seq')).toBe('2500\t2500\t0\t2499\n');
  });

  it('numbers concurrent writes densely and removes every staged file, also after a failed insert', async () => {
    const writes = Array.from({ length: 12 }, (_, i) => (i === 5 ? insert(['1\nnot a number\n']) : insert([`${10_000 + i}\n`, `${20_000 + i}\n`])));
    const settled = await Promise.allSettled(writes);
    expect(settled.filter((s) => s.status === 'rejected').length).toBe(1);
    expect(settled.filter((s) => s.status === 'fulfilled').map((s) => (s as PromiseFulfilledResult<{ writtenRows: number }>).value.writtenRows)).toEqual(Array(11).fill(2));
    // 2 500 rows from the first case, 22 here, whatever the failed write stored: dense, each write contiguous.
    expect(await text('SELECT count() = max(_tp_sn) + 1, uniqExact(_tp_sn) = count() FROM staged_seq')).toBe('1\t1\n');
    expect(await text('SELECT count(), countIf(d = 1) FROM (SELECT id % 10000 AS k, max(_tp_sn) - min(_tp_sn) AS d FROM staged_seq WHERE id >= 10000 GROUP BY k)')).toBe('11\t11\n');
    expect(await readdir(subject.spoolDir)).toEqual([]);
  });
});
