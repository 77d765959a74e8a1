// Acknowledged inserts survive kill -9: concurrent clients insert while the server is SIGKILLed;
// after a restart on the same data directory every acknowledged batch is there, whole.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { postQuery as post, startHadron, type HadronProcess } from '../support/hadron.ts';

const rowsPerBatch = 50;
const clients = 8;

describe('durability', () => {
  let server: HadronProcess | null = null;
  let dataDir = '';

  afterAll(async () => {
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged insert across SIGKILL', async () => {
    server = await startHadron();
    dataDir = server.dataDir;
    const create = await post(server.url, 'CREATE TABLE acked (batch UInt32, i UInt32) ENGINE = MergeTree ORDER BY (batch, i)');
    expect(create.status).toBe(200);
    const acked: number[] = [];
    const attempted = new Set<number>();
    let stop = false;
    const url = server.url;
    const client = async (c: number): Promise<void> => {
      for (let n = 0; !stop && n < 10_000; n++) {
        const batch = c * 100_000 + n;
        const body = Array.from({ length: rowsPerBatch }, (_, i) => JSON.stringify({ batch, i })).join('\n');
        attempted.add(batch);
        try {
          const r = await post(url, 'INSERT INTO acked FORMAT JSONEachRow', body);
          await r.text();
          if (r.status === 200) acked.push(batch);
        } catch {
          return; // the server is gone
        }
      }
    };
    const running = Array.from({ length: clients }, (_, c) => client(c));
    const deadline = Date.now() + 20_000;
    while (acked.length < 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await server.kill();
    stop = true;
    await Promise.all(running);
    expect(acked.length).toBeGreaterThanOrEqual(200);

    server = await startHadron({}, dataDir);
    const r = await post(server.url, 'SELECT batch, count() FROM acked GROUP BY batch FORMAT JSONCompactEachRow');
    expect(r.status).toBe(200);
    const stored = new Map<number, number>();
    for (const line of (await r.text()).trim().split('\n').filter(Boolean)) {
      const [batch, count] = JSON.parse(line) as [number, string | number];
      stored.set(batch, Number(count));
    }
    const missing = acked.filter((b) => stored.get(b) !== rowsPerBatch);
    expect(missing).toEqual([]);
    // No partial batches and nothing that was never sent.
    for (const [batch, count] of stored) {
      expect(count).toBe(rowsPerBatch);
      expect(attempted.has(batch)).toBe(true);
    }
  });
});
