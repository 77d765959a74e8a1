// The coalescer against the real embedded store: concurrent small inserts share writes, every client
// is answered with its own rows, and a bad body fails only its own client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreContext } from '../../../src/history/backend.ts';
import { InsertCoalescer, countRows } from '../../../src/history/coalescer.ts';
import { EmbeddedBackend } from '../../../src/history/embedded.ts';

const dir = mkdtempSync(join(tmpdir(), 'hadron-coalescer-'));
let backend: EmbeddedBackend;
const ctx = (): StoreContext => ({ queryId: 'q', database: 'default', settings: new Map(), params: new Map(), signal: new AbortController().signal });
const text = async (sql: string): Promise<string> => {
  let out = '';
  for await (const c of backend.query(sql, 'TabSeparated', ctx(), true)) out += Buffer.from(c.bytes).toString();
  return out;
};

beforeAll(async () => {
  backend = await EmbeddedBackend.open({ path: join(dir, 'store'), poolSize: 4, spoolDir: join(dir, 'spool') });
  await backend.command('CREATE TABLE c (k UInt32, v String) ENGINE = MergeTree ORDER BY k', ctx());
});
afterAll(async () => {
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('insert coalescer', () => {
  it('counts rows of row-per-line formats only', () => {
    expect(countRows('JSONEachRow', [Buffer.from('{"k":1}\n{"k":2}')])).toBe(2);
    expect(countRows('TSV', [Buffer.from('1\n'), Buffer.from('2\n3\n')])).toBe(3);
    expect(countRows('TSV', [])).toBe(0);
    expect(countRows('CSV', [Buffer.from('1\n')])).toBeNull();
    expect(countRows('Native', [Buffer.from([1, 2])])).toBeNull();
  });

  it('writes concurrent small inserts together and answers each client with its rows', async () => {
    const coalescer = new InsertCoalescer(backend, { maxDelayMs: 20, maxBytes: 1 << 20, maxRows: 100_000 });
    const target = { target: 'c', columns: '', format: 'JSONEachRow' };
    const before = Number(await text("SELECT count() FROM system.parts WHERE table = 'c' AND active"));
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => {
      const rows = Array.from({ length: i + 1 }, (_, j) => JSON.stringify({ k: i * 1000 + j, v: `r${i}` }));
      return coalescer.submit(target, [Buffer.from(rows.join('\n'))], ctx());
    }));
    expect(results.map((r) => r.writtenRows)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await text('SELECT count(), uniqExact(v) FROM c')).toBe(`${(40 * 41) / 2}\t40\n`);
    const parts = Number(await text("SELECT count() FROM system.parts WHERE table = 'c' AND active")) - before;
    expect(parts).toBeGreaterThan(0);
    expect(parts).toBeLessThan(40);
  });

  it('fails only the client whose body is bad', async () => {
    const coalescer = new InsertCoalescer(backend, { maxDelayMs: 20, maxBytes: 1 << 20, maxRows: 100_000 });
    const target = { target: 'c', columns: '', format: 'TSV' };
    const outcomes = await Promise.allSettled([
      coalescer.submit(target, [Buffer.from('900001\tgood1\n')], ctx()),
      coalescer.submit(target, [Buffer.from('not-a-number\tbad\n')], ctx()),
      coalescer.submit(target, [Buffer.from('900002\tgood2')], ctx()),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const rejected = outcomes[1] as PromiseRejectedResult;
    expect((rejected.reason as { code: number }).code).toBeGreaterThan(0);
    expect(await text("SELECT v FROM c WHERE k >= 900000 ORDER BY k")).toBe('good1\ngood2\n');
  });

  it('drains open batches on shutdown', async () => {
    const coalescer = new InsertCoalescer(backend, { maxDelayMs: 60_000, maxBytes: 1 << 20, maxRows: 100_000 });
    const pending = coalescer.submit({ target: 'c', columns: '', format: 'TSV' }, [Buffer.from('910000\tdrained\n')], ctx());
    await coalescer.drain();
    expect((await pending).writtenRows).toBe(1);
    expect(await text("SELECT v FROM c WHERE k = 910000")).toBe('drained\n');
  });
});
