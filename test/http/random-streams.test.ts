// Random streams over HTTP (proton-semantics §1.4, §4 A13): rows are generated only while a query
// reads the stream, from each column's DEFAULT; LIMIT ends a tail, an aggregation ends after its
// first emit with LIMIT 1, `table(r)` is one block of 65409 rows, query-time eps / max_events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHadron, type HadronProcess } from '../support/hadron.ts';

let server: HadronProcess;

async function post(url: string, sql: string): Promise<{ status: number; text: string }> {
  const r = await fetch(`${url}/`, { method: 'POST', body: sql });
  return { status: r.status, text: await r.text() };
}

async function q(sql: string): Promise<string> {
  const r = await post(server.url, sql);
  if (r.status !== 200) throw new Error(`${sql} → ${r.status} ${r.text}`);
  return r.text;
}

/** A streaming query on 3218 that ends by itself: its lines. */
async function streamed(sql: string): Promise<string[]> {
  const r = await post(server.streamingUrl, sql);
  if (r.status !== 200) throw new Error(`${sql} → ${r.status} ${r.text}`);
  return r.text.split('\n').filter((l) => l !== '');
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  server = await startHadron();
}, 90_000);

afterAll(async () => {
  await server?.stop();
});

describe('§4 A13 random streams', () => {
  it('A13 SELECT id FROM r1 LIMIT 5: exactly 5 rows in 0..3, then ends', async () => {
    await q('CREATE RANDOM STREAM r1 (id int32 DEFAULT rand() % 4) SETTINGS eps=100');
    const rows = await streamed('SELECT id FROM r1 LIMIT 5');
    expect(rows).toHaveLength(5);
    for (const r of rows) expect(['0', '1', '2', '3']).toContain(r);
  }, 20_000);

  it('A13 SELECT count(DISTINCT id) FROM r1 LIMIT 1 → 4 after the first emit (≥ 2 s)', async () => {
    const started = Date.now();
    expect(await streamed('SELECT count(DISTINCT id) FROM r1 LIMIT 1')).toEqual(['4']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  }, 20_000);

  it('A13 SELECT count() FROM table(r1) → 65409, on either port', async () => {
    expect((await q('SELECT count() FROM table(r1)')).trim()).toBe('65409');
    expect((await streamed('SELECT count() FROM table(r1)'))).toEqual(['65409']);
    // The snapshot port reads a random stream bounded, as table() does.
    expect((await q('SELECT count(), min(id) >= 0, max(id) <= 3 FROM r1')).trim()).toBe('65409\t1\t1');
  }, 20_000);

  it('rows are generated only while read: nothing is stored between queries', async () => {
    await q('CREATE RANDOM STREAM r_idle (v uint8 DEFAULT 1) SETTINGS eps=1000, interval_time=100');
    expect(await countStored('r_idle')).toBe(0);
    await streamed('SELECT v FROM r_idle LIMIT 3');
    await pause(300);
    const before = await countStored('r_idle');
    expect(before).toBeGreaterThan(0);
    await pause(500);
    expect(await countStored('r_idle')).toBe(before);
  }, 20_000);

  it('every column has its own generator, _tp_time is the generation time, helpers work in DEFAULTs', async () => {
    await q(`CREATE RANDOM STREAM r_cols (
      a uint32 DEFAULT rand() % 1000, b uint32 DEFAULT rand() % 1000,
      s string DEFAULT random_printable_ascii(8), t string DEFAULT random_string(4), u float64 DEFAULT rand_uniform(0, 1),
      n float64 DEFAULT rand_normal(0, 1), id uuid DEFAULT uuid(), i int8 DEFAULT random_in_type('int8'), plain int16
    ) SETTINGS eps=1000, interval_time=100`);
    const rows = (await streamed('SELECT a, b, length(s), length(t), u >= 0 AND u < 1, to_string(id) != \'\', _tp_time > now() - 60s, i, plain FROM r_cols LIMIT 50'))
      .map((l) => l.split('\t'));
    expect(rows).toHaveLength(50);
    expect(rows.some((r) => r[0] !== r[1])).toBe(true);
    for (const r of rows) expect(r.slice(2, 7)).toEqual(['8', '4', '1', '1', '1']);
    expect(new Set(rows.map((r) => r[7])).size).toBeGreaterThan(1);
    const bounded = (await q('SELECT count(DISTINCT a) > 900, count(DISTINCT id) FROM table(r_cols)')).trim();
    expect(bounded).toBe('1\t65409');
  }, 20_000);

  it('eps below 1: one row every 1/eps seconds', async () => {
    await q('CREATE RANDOM STREAM r_slow (v int32 DEFAULT 7) SETTINGS eps=2, interval_time=100');
    const started = Date.now();
    expect(await streamed('SELECT v FROM r_slow LIMIT 3')).toEqual(['7', '7', '7']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  }, 20_000);

  it('query-time max_events ends a tail; eps overrides the stream', async () => {
    expect(await streamed('SELECT v FROM r_slow SETTINGS eps=1000, max_events=12')).toHaveLength(12);
    expect(await streamed('SELECT v FROM r_slow WHERE v = 8 SETTINGS eps=1000, max_events=12')).toEqual([]);
  }, 20_000);

  it('an aggregation ends after max_events rows, with its last emit', async () => {
    expect(await streamed('SELECT count() FROM r1 SETTINGS eps=1000, max_events=30')).toEqual(['30']);
  }, 20_000);

  it('concurrent readers share the stream\'s generator', async () => {
    const [a, b] = await Promise.all([streamed('SELECT id FROM r1 LIMIT 20'), streamed('SELECT id FROM r1 LIMIT 30')]);
    expect([a.length, b.length]).toEqual([20, 30]);
  }, 20_000);

  it('a random stream cannot be inserted into, and DROP removes it', async () => {
    const r = await post(server.url, 'INSERT INTO r_slow (v) VALUES (1)');
    expect(r.status).not.toBe(200);
    expect(r.text).toContain('generates its own rows');
    await q('DROP STREAM r_slow');
    expect((await q("EXISTS STREAM r_slow")).trim()).toBe('0');
  });

  it('bad settings are refused at CREATE with 36', async () => {
    const r = await post(server.url, 'CREATE RANDOM STREAM r_bad (v int32 DEFAULT 1) SETTINGS interval_time=0');
    expect(r.status).not.toBe(200);
    expect(r.text).toContain('Code: 36');
  });
});

/** Rows the random stream's backing table holds (what its generator stored). */
async function countStored(name: string): Promise<number> {
  return Number((await q(`SELECT sum(rows) FROM system.parts WHERE active AND database = 'default' AND table = '${name}'`)).trim());
}
