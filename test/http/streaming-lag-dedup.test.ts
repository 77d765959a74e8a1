// lag/lags and dedup() tails over HTTP 3218 in real time (proton-semantics §1.12, §4 E 43 and 45):
// the previous rows of a batch may lie in earlier inserts; a repeated key never passes dedup twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHadron, type HadronProcess } from '../support/hadron.ts';

let server: HadronProcess;

async function q(sql: string): Promise<string> {
  const r = await fetch(`${server.url}/`, { method: 'POST', body: sql });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${sql} → ${r.status} ${text}`);
  return text;
}

/** A streaming query on 3218: its lines as they come, and a way to end it. */
function stream(sql: string, params: Record<string, string> = {}) {
  const controller = new AbortController();
  const lines: string[] = [];
  let status = 0;
  let ended = false;
  const done = (async () => {
    const r = await fetch(`${server.streamingUrl}/?${new URLSearchParams(params)}`, { method: 'POST', body: sql, signal: controller.signal });
    status = r.status;
    const decoder = new TextDecoder();
    let tail = '';
    try {
      for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
        tail += decoder.decode(chunk, { stream: true });
        const parts = tail.split('\n');
        tail = parts.pop() as string;
        lines.push(...parts);
      }
    } catch {
      // aborted by the test
    }
    ended = true;
  })();
  return {
    lines,
    get status() { return status; },
    get ended() { return ended; },
    /** Waits until `n` lines came (bounded). */
    async until(n: number, ms = 10_000): Promise<string[]> {
      const deadline = Date.now() + ms;
      while (lines.length < n && Date.now() < deadline && !ended) await new Promise((r) => setTimeout(r, 20));
      return lines.slice();
    },
    async stop(): Promise<void> {
      controller.abort();
      await done;
    },
    done,
  };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  server = await startHadron();
}, 90_000);

afterAll(async () => {
  await server?.stop();
});

describe('§4 E on the streaming port', () => {
  it('E45 lag / lags over separate inserts', async () => {
    await q('CREATE STREAM l1 (v int32)');
    await q('INSERT INTO l1 (v) VALUES (1)');
    const s = stream('SELECT v, lag(v) AS p, lags(v, 1, 2) AS ps FROM l1');
    await pause(300);
    for (const v of [10, 20, 30]) {
      await q(`INSERT INTO l1 (v) VALUES (${v})`);
      await pause(50);
    }
    expect(await s.until(3)).toEqual(['10\t0\t[0,0]', '20\t10\t[10,0]', '30\t20\t[20,10]']);
    await s.stop();
  });

  it('lag per PARTITION BY key, LIMIT ends the query', async () => {
    await q('CREATE STREAM l2 (k string, v int32)');
    const s = stream('SELECT k, v, lag(v, 1, -1) AS p FROM l2 PARTITION BY k LIMIT 4');
    await pause(300);
    await q("INSERT INTO l2 (k, v) VALUES ('a', 1), ('b', 2)");
    await q("INSERT INTO l2 (k, v) VALUES ('a', 3), ('b', 4), ('a', 5)");
    await s.done;
    expect(s.lines).toEqual(['a\t1\t-1', 'b\t2\t-1', 'a\t3\t1', 'b\t4\t2']);
  });

  it('E43 dedup: the first row per key once, nothing for a repeated insert', async () => {
    await q('CREATE STREAM d1 (i int32, s string)');
    const s = stream('SELECT i, s FROM dedup(d1, s)');
    await pause(300);
    await q("INSERT INTO d1 (i, s) VALUES (1, 's1'), (2, 's2'), (3, 's3')");
    await q("INSERT INTO d1 (i, s) VALUES (1, 's1'), (2, 's2'), (3, 's3')");
    await q("INSERT INTO d1 (i, s) VALUES (4, 's4'), (5, 's1')");
    expect(await s.until(4)).toEqual(['1\ts1', '2\ts2', '3\ts3', '4\ts4']);
    await pause(500);
    expect(s.lines).toHaveLength(4);
    await s.stop();
  });

  it('the historical forms still answer on 8123: dedup over table(s), lag refused there', async () => {
    expect(await q('SELECT i, s FROM dedup(table(d1), s) ORDER BY i')).toBe('1\ts1\n2\ts2\n3\ts3\n4\ts4\n');
    const r = await fetch(`${server.url}/`, { method: 'POST', body: 'SELECT lag(v) FROM table(l1)' });
    expect(r.status).not.toBe(200);
  });
});
