// Per-query memory limits of streaming queries (streaming/memory.ts) on a real server: a query whose
// state passes its `max_memory_usage` fails alone with 241 MEMORY_LIMIT_EXCEEDED — on HTTP 3218 in
// band after its first rows, on native 8463 as an Exception packet — while a second streaming query
// and ingest go on.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHadron, type HadronProcess } from '../support/hadron.ts';
import { NativeClient, NativeServerError } from '../support/native-client.ts';
import { pause, post, streamLines } from '../support/streaming-http.ts';

let server: HadronProcess;

const q = (sql: string): Promise<string> => post(server.url, sql);
const stream = (sql: string, params: Record<string, string> = {}) => streamLines(server.streamingUrl, sql, params);
/** One INSERT of `n` distinct keys from `from` on. */
const keys = (stream: string, from: number, n: number): Promise<string> =>
  q(`INSERT INTO ${stream} (i, s) VALUES ${Array.from({ length: n }, (_, k) => `(${from + k}, 'key-${from + k}')`).join(', ')}`);

/**
 * A streaming query read with node:http, every byte until the server closes: the in-band error of a
 * query that fails mid-stream comes with the close (fetch may report the broken stream before it).
 */
function rawStream(sql: string, params: Record<string, string>) {
  let text = '';
  const done = new Promise<void>((resolve) => {
    const req = request(`${server.streamingUrl}/?${new URLSearchParams(params)}`, { method: 'POST' }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('close', () => resolve());
      res.on('error', () => resolve());
    });
    req.on('error', () => resolve());
    req.end(sql);
  });
  return {
    get lines(): string[] { return text.split('\n').filter((l) => l !== ''); },
    async until(n: number, ms = 10_000): Promise<string[]> {
      const deadline = Date.now() + ms;
      while (this.lines.length < n && Date.now() < deadline) await pause(20);
      return this.lines;
    },
    done,
  };
}

beforeAll(async () => {
  server = await startHadron();
}, 90_000);

afterAll(async () => {
  await server?.stop();
});

describe('a streaming query over its max_memory_usage', () => {
  it('HTTP: fails with 241 while a second streaming query and ingest continue', async () => {
    await q('CREATE STREAM mem1 (i int32, s string)');
    // A key set of 100000 keys at most, about 160 bytes each: 20000 keys pass 2 MB.
    const small = rawStream('SELECT i FROM dedup(mem1, s, 0s, 100000)', { max_memory_usage: '2000000' });
    const other = stream('SELECT i FROM mem1 WHERE i >= 1000000');
    await pause(300);
    await keys('mem1', 0, 10);
    expect(await small.until(10)).toHaveLength(10);
    await keys('mem1', 10, 20000);
    await small.done;
    const error = small.lines.slice(10).join('\n');
    expect(error).toContain('Code: 241');
    expect(error).toContain('MEMORY_LIMIT_EXCEEDED');
    // Ingest and the other query go on.
    await q("INSERT INTO mem1 (i, s) VALUES (1000000, 'after'), (1000001, 'after')");
    expect(await other.until(2)).toEqual(['1000000', '1000001']);
    expect(await q('SELECT count() FROM table(mem1)')).toBe('20012\n');
    await other.stop();
  }, 60_000);

  it('native: the same query fails with 241 as an Exception packet', async () => {
    await q('CREATE STREAM mem2 (i int32, s string)');
    const client = await NativeClient.connect(server.tcpPort);
    const failing = client.query('SELECT i FROM dedup(mem2, s, 0s, 100000) SETTINGS max_memory_usage = 2000000').then(() => null, (e: unknown) => e);
    const other = stream('SELECT i FROM mem2 WHERE i >= 1000000');
    await pause(500);
    await keys('mem2', 0, 20000);
    const error = await failing;
    expect(error).toBeInstanceOf(NativeServerError);
    expect((error as NativeServerError).code).toBe(241);
    client.close();
    await q("INSERT INTO mem2 (i, s) VALUES (1000000, 'after')");
    expect(await other.until(1)).toEqual(['1000000']);
    await other.stop();
  }, 60_000);

  it('the store holds each store query of a streaming query to the same max_memory_usage', async () => {
    await q('CREATE STREAM mem3 (i int32, s string)');
    const big = rawStream('SELECT unique_exact(repeat(s, 100)) FROM mem3 EMIT PERIODIC 200ms', { max_memory_usage: '2000000' });
    const fine = rawStream('SELECT unique_exact(repeat(s, 100)) FROM mem3 EMIT PERIODIC 200ms', {});
    await pause(300);
    await keys('mem3', 0, 20000);
    await big.done;
    expect(big.lines.join('\n')).toContain('Code: 241');
    expect(await fine.until(1)).toEqual(['20000']);
  }, 60_000);
});
