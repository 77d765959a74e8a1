// Proton's REST API on both HTTP listeners (protocols.md §5.5, proton-semantics §4 K75): ingest,
// ping/info, Timeplus headers, the DDL endpoints, compressed and large ingest bodies, authentication.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHadron, type HadronProcess } from '../support/hadron.ts';

let server: HadronProcess;

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

type Answer = { status: number; json: Record<string, unknown>; headers: Headers };

async function rest(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, base = server.streamingUrl): Promise<Answer> {
  const payload = body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  const r = await fetch(`${base}${path}`, { method, body: payload, headers });
  const text = await r.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`${method} ${path} → ${r.status} not JSON: ${text}`);
  }
  return { status: r.status, json, headers: r.headers };
}

async function q(sql: string, headers: Record<string, string> = {}): Promise<string> {
  const r = await fetch(`${server.url}/?query=${encodeURIComponent(sql)}`, { method: 'POST', headers });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${sql}\n→ ${r.status} ${text}`);
  return text;
}

beforeAll(async () => {
  server = await startHadron({
    HADRON_USERS: JSON.stringify({ default: { password_sha256_hex: '', readonly: 0 }, alice: { password_sha256_hex: sha256('secret'), readonly: 0 } }),
  });
  await q('CREATE STREAM ing (id int32, name string)');
}, 90_000);

afterAll(async () => {
  await server?.stop();
});

describe('K75 ingest API', () => {
  it('ingests compact rows on 3218 and they are read back from table()', async () => {
    const r = await rest('POST', '/proton/v1/ingest/streams/ing', { columns: ['id', 'name'], data: [[1, 'hello'], [2, 'world']] });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(typeof r.json.request_id).toBe('string');
    expect(r.json.request_id).toBe(r.headers.get('x-timeplus-query-id'));
    expect(await q('SELECT id, name FROM table(ing) ORDER BY id')).toBe('1\thello\n2\tworld\n');
  });

  it('a body without data is 400 with code 117 and a request_id', async () => {
    const r = await rest('POST', '/proton/v1/ingest/streams/ing', { columns: ['id'] });
    expect(r.status).toBe(400);
    expect(r.json.code).toBe(117);
    expect(typeof r.json.error_msg).toBe('string');
    expect(typeof r.json.request_id).toBe('string');
    const noColumns = await rest('POST', '/proton/v1/ingest/streams/ing', { data: [[1]] });
    expect([noColumns.status, noColumns.json.code]).toEqual([400, 117]);
  });

  it('malformed JSON is 400/117, and nothing is inserted', async () => {
    for (const body of ['{"columns":["id"],"data":[[3],[4]', '{"columns":["id"] "data":[]}', 'nope', '{"columns":"id","data":[[5]]}', '{"columns":["id"],"data":[[6]]} x']) {
      const r = await rest('POST', '/proton/v1/ingest/streams/ing', body);
      expect([r.status, r.json.code], body).toEqual([400, 117]);
    }
    expect(await q('SELECT count() FROM table(ing) WHERE id >= 3')).toBe('0\n');
  });

  it('an unknown stream is non-200 with code 60', async () => {
    const r = await rest('POST', '/proton/v1/ingest/streams/nosuch', { columns: ['id'], data: [[1]] });
    expect(r.status).not.toBe(200);
    expect(r.json.code).toBe(60);
  });

  it('an unknown mode is 400; async answers with poll_id and channel', async () => {
    expect((await rest('POST', '/proton/v1/ingest/streams/ing?mode=bogus', { columns: ['id'], data: [] })).status).toBe(400);
    const r = await rest('POST', '/timeplusd/v1/ingest/streams/ing?mode=async', { data: [[10, 'a']], columns: ['id', 'name'] });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(Object.keys(r.json).sort()).toEqual(['channel', 'poll_id', 'request_id']);
    expect(await q('SELECT name FROM table(ing) WHERE id = 10')).toBe('a\n');
  });

  it('data before columns, strings with commas, brackets and escapes, best-effort dates', async () => {
    await q("CREATE STREAM ing_t (id int32, s string, t datetime64(3, 'UTC'))");
    const body = '{"data":[[1,"a,]\\"[b","2024-01-02T03:04:05Z"] , [2,"\\\\",  "2024-01-02 03:04:06"]],"extra":{"x":[1,{"y":"]"}]},"columns":["id","s","t"]}';
    const r = await rest('POST', '/proton/v1/ingest/streams/ing_t', body);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(await q('SELECT id, s, t FROM table(ing_t) ORDER BY id FORMAT JSONCompactEachRow')).toBe('[1, "a,]\\"[b", "2024-01-02 03:04:05.000"]\n[2, "\\\\", "2024-01-02 03:04:06.000"]\n');
  });

  it('a gzip body is accepted', async () => {
    await q('CREATE STREAM ing_z (id int32, name string)');
    const body = gzipSync(Buffer.from(JSON.stringify({ columns: ['id', 'name'], data: [[7, 'zipped']] })));
    const r = await rest('POST', '/proton/v1/ingest/streams/ing_z', body, { 'Content-Encoding': 'gzip' });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(await q('SELECT id, name FROM table(ing_z)')).toBe('7\tzipped\n');
  });

  it('100 000 rows in one body, numbered densely by _tp_sn like any insert', async () => {
    await q('CREATE STREAM ing_big (id int32, name string)');
    const data = Array.from({ length: 100_000 }, (_, i) => [i, `row-${i}`]);
    const r = await rest('POST', '/proton/v1/ingest/streams/ing_big', { columns: ['id', 'name'], data });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(await q('SELECT count(), sum(id), uniq_exact(name) FROM table(ing_big)')).toBe(`100000\t${(99_999 * 100_000) / 2}\t100000\n`);
    await rest('POST', '/proton/v1/ingest/streams/ing_big', { columns: ['id', 'name'], data: [[-1, 'x'], [-2, 'y']] });
    expect(await q('SELECT min(_tp_sn), max(_tp_sn), count(DISTINCT _tp_sn) FROM table(ing_big)')).toBe('0\t100001\t100002\n');
  }, 60_000);

  it('x-timeplus-database picks the database', async () => {
    await q('CREATE DATABASE IF NOT EXISTS db1');
    await q('CREATE STREAM db1.ing (id int32)');
    const r = await rest('POST', '/proton/v1/ingest/streams/ing', { columns: ['id'], data: [[42]] }, { 'x-timeplus-database': 'db1' });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(await q('SELECT id FROM table(db1.ing)')).toBe('42\n');
  });
});

describe('K75 ping, info and Timeplus headers', () => {
  it('ping on both prefixes and both listeners', async () => {
    for (const base of [server.url, server.streamingUrl]) {
      for (const prefix of ['/proton', '/timeplusd']) {
        const r = await rest('GET', `${prefix}/ping`, undefined, {}, base);
        expect([r.status, r.json]).toEqual([200, { status: 'UP' }]);
      }
    }
  });

  it('info names the build proton', async () => {
    const r = await rest('GET', '/proton/info');
    expect(r.status).toBe(200);
    const build = r.json.build as Record<string, unknown>;
    expect(build.name).toBe('proton');
    expect(Object.keys(build).sort()).toEqual(['commit_sha', 'edition', 'name', 'time', 'version']);
    expect(typeof (r.json.server as Record<string, unknown>).num_of_physical_cpu_cores).toBe('number');
  });

  it('x-timeplus-database sets current_database() and the answer carries x-timeplus-query-id', async () => {
    await q('CREATE DATABASE IF NOT EXISTS db1');
    const r = await fetch(`${server.url}/?query=${encodeURIComponent('SELECT current_database()')}`, { method: 'POST', headers: { 'x-timeplus-database': 'db1' } });
    expect(await r.text()).toBe('db1\n');
    expect(r.headers.get('x-timeplus-query-id')).toMatch(/./);
  });

  it('an unknown REST path is a 404 JSON error; a known path with another method is 405', async () => {
    const r = await rest('GET', '/proton/v1/nothing');
    expect(r.status).toBe(404);
    expect(typeof r.json.error_msg).toBe('string');
    expect((await rest('PUT', '/proton/v1/ddl/streams')).status).toBe(405);
  });
});

describe('authentication', () => {
  it('a wrong password is refused with the JSON error; the right one works; ping needs none', async () => {
    const bad = await rest('POST', '/proton/v1/ingest/streams/ing', { columns: ['id'], data: [[99]] }, { 'x-timeplus-user': 'alice', 'x-timeplus-key': 'wrong' });
    expect(bad.status).toBe(403);
    expect(bad.json.code).toBe(516);
    const basic = `Basic ${Buffer.from('alice:secret').toString('base64')}`;
    const good = await rest('POST', '/proton/v1/ingest/streams/ing', { columns: ['id'], data: [[99]] }, { Authorization: basic });
    expect(good.status, JSON.stringify(good.json)).toBe(200);
    expect(await q('SELECT count() FROM table(ing) WHERE id = 99')).toBe('1\n');
    expect((await rest('GET', '/proton/ping', undefined, { 'x-timeplus-user': 'alice', 'x-timeplus-key': 'wrong' })).status).toBe(200);
  });
});

describe('DDL endpoints', () => {
  it('create, describe, alter, drop a stream', async () => {
    const created = await rest('POST', '/proton/v1/ddl/streams', {
      name: 'rs',
      columns: [
        { name: 'id', type: 'int32', nullable: false, default: '0' },
        { name: 'label', type: 'string', nullable: true },
        { name: 'note', type: 'string', default: "it's" },
      ],
      order_by_expression: 'id',
      ttl_expression: "to_datetime(_tp_time) + INTERVAL 1 DAY",
    });
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    expect(typeof created.json.request_id).toBe('string');
    const one = await rest('GET', '/proton/v1/ddl/streams/default/rs');
    expect(one.status, JSON.stringify(one.json)).toBe(200);
    const [s] = one.json.data as Array<Record<string, unknown>>;
    expect(s).toMatchObject({ name: 'rs', database: 'default', mode: 'append', order_by_expression: 'id' });
    const columns = (s?.columns as Array<Record<string, unknown>>).map((c) => [c.name, c.type, c.nullable, c.default]);
    expect(columns.slice(0, 3)).toEqual([['id', 'int32', false, '0'], ['label', 'string', true, ''], ['note', 'string', false, "'it\\'s'"]]);
    expect(columns.map((c) => c[0])).toContain('_tp_time');
    const all = await rest('GET', '/proton/v1/ddl/streams');
    expect((all.json.data as Array<{ name: string }>).map((x) => x.name)).toEqual(expect.arrayContaining(['ing', 'rs']));
    await q("INSERT INTO rs (id) VALUES (1)");
    expect(await q('SELECT id, label, note FROM table(rs)')).toBe("1\t\\N\tit\\'s\n");
    const patched = await rest('PATCH', '/proton/v1/ddl/streams/rs', { ttl_expression: 'to_datetime(_tp_time) + INTERVAL 2 DAY' });
    expect(patched.status, JSON.stringify(patched.json)).toBe(200);
    expect(((await rest('GET', '/proton/v1/ddl/streams/default/rs')).json.data as Array<{ ttl: string }>)[0]?.ttl).toContain('2');
    const dropped = await rest('DELETE', '/proton/v1/ddl/streams/rs');
    expect(dropped.status, JSON.stringify(dropped.json)).toBe(200);
    const gone = await rest('GET', '/proton/v1/ddl/streams/default/rs');
    expect([gone.status, gone.json.code]).toEqual([404, 60]);
  });

  it('a versioned_kv stream with a primary key; a bad body is 117; an existing name is 57', async () => {
    const r = await rest('POST', '/proton/v1/ddl/streams', { name: 'kv', columns: [{ name: 'k', type: 'string' }, { name: 'v', type: 'int64' }], primary_key: 'k', mode: 'versioned_kv' });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const [s] = (await rest('GET', '/proton/v1/ddl/streams/default/kv')).json.data as Array<Record<string, unknown>>;
    expect(s).toMatchObject({ mode: 'versioned_kv', primary_key: 'k' });
    expect((await rest('POST', '/proton/v1/ddl/streams', { columns: [] })).json.code).toBe(117);
    expect((await rest('POST', '/proton/v1/ddl/streams', { name: 'x', columns: [{ name: 'a', type: 'int32; DROP STREAM kv' }] })).json.code).toBe(117);
    expect((await rest('POST', '/proton/v1/ddl/streams', { name: 'kv', columns: [{ name: 'k', type: 'string' }] })).json.code).toBe(57);
  });

  it('stream listing: unknown database 81, unknown stream 60', async () => {
    expect((await rest('GET', '/proton/v1/ddl/streams/nodb')).json.code).toBe(81);
    expect((await rest('GET', '/proton/v1/ddl/streams/default/nostream')).json.code).toBe(60);
  });

  it('databases: create, list, drop', async () => {
    expect((await rest('POST', '/proton/v1/ddl/databases', { name: 'rdb' })).status).toBe(200);
    expect((await rest('GET', '/proton/v1/ddl/databases')).json.databases).toEqual(expect.arrayContaining(['default', 'rdb']));
    expect((await rest('GET', '/proton/v1/ddl/databases/rdb')).json.databases).toEqual(['rdb']);
    const created = await rest('POST', '/proton/v1/ddl/streams', { name: 'in_rdb', columns: [{ name: 'a', type: 'int32' }] }, { 'x-proton-database': 'rdb' });
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    expect(((await rest('GET', '/proton/v1/ddl/streams/rdb')).json.data as Array<{ name: string }>).map((s) => s.name)).toEqual(['in_rdb']);
    expect((await rest('DELETE', '/proton/v1/ddl/databases/rdb')).status).toBe(200);
    expect((await rest('GET', '/proton/v1/ddl/databases/rdb')).json.code).toBe(81);
  });
});

describe('search', () => {
  it('runs SELECT * FROM (query) in table mode as JSONCompact, with offset and page_size', async () => {
    await q('CREATE STREAM srch (id int32, name string)');
    await q("INSERT INTO srch (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    const r = await rest('POST', '/proton/v1/search', { query: 'SELECT id, name FROM srch ORDER BY id', mode: 'table', offset: 1, page_size: 1 });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.data).toEqual([[2, 'b']]);
    expect((r.json.meta as Array<{ name: string }>).map((m) => m.name)).toEqual(['id', 'name']);
    const snapshot = await rest('POST', '/timeplusd/v1/search', { query: 'SELECT count() AS n FROM srch' }, {}, server.url);
    expect(snapshot.json.data).toEqual([[3]]);
  });

  it('default_format picks the format; errors before the first byte are JSON errors', async () => {
    const r = await fetch(`${server.streamingUrl}/proton/v1/search?default_format=TabSeparated`, { method: 'POST', body: JSON.stringify({ query: 'SELECT 1 AS x', mode: 'table' }) });
    expect([r.status, await r.text()]).toEqual([200, '1\n']);
    const bad = await rest('POST', '/proton/v1/search', { query: 'SELECT * FROM no_such_stream', mode: 'table' });
    expect([bad.status, bad.json.code]).toEqual([404, 60]);
    expect((await rest('POST', '/proton/v1/search', { mode: 'table' })).status).toBe(400);
    expect((await rest('POST', '/proton/v1/search', { query: 'SELECT 1', offset: 1 })).status).toBe(400);
  });
});
