// Two Hadron processes on one remote store (the chDB HTTP fixture standing in for a modern
// ClickHouse server) share one catalog: DDL in one is seen by the other, and both number the rows
// they ingest through the store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChdbFixture, type ChdbFixture } from '../support/chdb-http-fixture.ts';
import { eventually, startHadron, type HadronProcess } from '../support/hadron.ts';

let store: ChdbFixture;
let a: HadronProcess;
let b: HadronProcess;

async function q(server: HadronProcess, sql: string): Promise<string> {
  const r = await fetch(`${server.url}/`, { method: 'POST', body: sql });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${sql} → ${r.status} ${text}`);
  return text;
}

beforeAll(async () => {
  store = await startChdbFixture();
  const env = { HADRON_STORE_KIND: 'remote', HADRON_STORE_URL: store.url };
  [a, b] = await Promise.all([startHadron(env), startHadron(env)]);
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await store?.stop();
});

describe('a catalog shared through the store', () => {
  it('a stream created by one process is described, written and read by the other', async () => {
    await q(a, "CREATE STREAM shared_kv (k string, v int32) PRIMARY KEY k SETTINGS mode='versioned_kv'");
    // SHOW CREATE answers from the catalog only (DESCRIBE would fall through to the store's table).
    expect(await eventually(async () => (await fetch(`${b.url}/`, { method: 'POST', body: 'SHOW CREATE STREAM shared_kv' })).status === 200)).toBe(true);
    await q(b, "INSERT INTO shared_kv (k, v, _tp_time) VALUES ('x', 1, '2024-01-01 00:00:00')");
    await q(b, "INSERT INTO shared_kv (k, v, _tp_time) VALUES ('x', 2, '2024-01-01 00:00:01')");
    expect(await q(a, 'SELECT k, v FROM table(shared_kv)')).toBe('x\t2\n');
    // The second writer numbered its row after the first one's (the latest version is the second row).
    expect(await q(a, 'SELECT _tp_sn FROM shared_kv')).toBe('1\n');
    await q(a, 'DROP STREAM shared_kv');
    expect(await eventually(async () => {
      const r = await fetch(`${b.url}/`, { method: 'POST', body: 'DESCRIBE shared_kv' });
      await r.text();
      return r.headers.get('x-clickhouse-exception-code') === '60';
    })).toBe(true);
  });
});
