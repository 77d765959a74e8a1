// SIGTERM shuts Hadron down cleanly: it stops accepting, writes inserts it has acknowledged or is
// holding, cancels what still runs after the grace period, closes the store and exits 0.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { postQuery as post, startHadron, type HadronProcess } from '../support/hadron.ts';

describe('shutdown', () => {
  let server: HadronProcess | null = null;
  let dir = '';
  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes held inserts, cancels long queries and exits 0 on SIGTERM', async () => {
    // A long coalescing window: the insert is still held when SIGTERM arrives.
    server = await startHadron({ HADRON_INSERT_COALESCE_MS: '3000', HADRON_SHUTDOWN_GRACE_MS: '1000' });
    dir = server.dataDir;
    expect((await post(server.url, 'CREATE TABLE s (x UInt32) ENGINE = MergeTree ORDER BY x')).status).toBe(200);
    const insert = post(server.url, 'INSERT INTO s FORMAT TSV', '1\n2\n3\n');
    const long = post(server.url, 'SELECT count() FROM numbers(100000000000) SETTINGS max_threads = 1').then(async (r) => ({ status: r.status, body: await r.text() }), (e: unknown) => ({ status: 0, body: String(e) }));
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    const code = await server.stop(true);
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(20_000);
    const ack = await insert;
    expect(ack.status).toBe(200);
    const cancelled = await long;
    expect(cancelled.body).not.toMatch(/^\d+\n$/);

    server = await startHadron({}, dir);
    const r = await post(server.url, 'SELECT count(), sum(x) FROM s');
    expect(await r.text()).toBe('3\t6\n');
  });
});
