// Streaming under pressure (issue 6): (a) a subscriber on 3218 that reads nothing while inserts run
// holds up neither ingest nor the other subscribers, and loses nothing once it reads again; (b) a
// SIGKILL during streaming ingest loses no acknowledged row, and after a restart on the same data
// directory a new streaming query sees new rows, numbered densely after the old ones in `_tp_sn`.
// No timing assertions (STYLE): the insert rates with and without the stalled reader are logged only.
import { request, type IncomingMessage } from 'node:http';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { postQuery, startHadron, type HadronProcess } from '../support/hadron.ts';

async function q(server: HadronProcess, sql: string, body = ''): Promise<string> {
  const r = await postQuery(server.url, sql, body);
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${sql} → ${r.status} ${text}`);
  return text;
}

/** A streaming query on 3218 over node:http, so the test decides when (and whether) its body is read. */
function subscribe(server: HadronProcess, sql: string, paused: boolean) {
  const u = new URL(server.streamingUrl);
  const lines: string[] = [];
  let tail = '';
  let response: IncomingMessage | null = null;
  const req = request({ host: u.hostname, port: u.port, path: '/', method: 'POST' });
  const ready = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      response = res;
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        const parts = (tail + d).split('\n');
        tail = parts.pop() as string;
        for (const p of parts) lines.push(p);
      });
      res.on('error', () => undefined);
      if (paused) res.pause();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
  req.end(sql);
  return {
    ready,
    get lines() { return lines.length; },
    text: lines,
    resume(): void { response?.resume(); },
    async until(n: number, ms = 60_000): Promise<number> {
      const deadline = Date.now() + ms;
      while (lines.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return lines.length;
    },
    close(): void { req.destroy(); },
  };
}

/** Inserts `batches` batches of `rows` rows (x numbered from `base`) one after another; returns rows/s. */
async function ingest(server: HadronProcess, stream: string, base: number, batches: number, rows: number): Promise<number> {
  const t = performance.now();
  for (let b = 0; b < batches; b++) {
    const body = Array.from({ length: rows }, (_, i) => `${base + b * rows + i}\t${'p'.repeat(200)}`).join('\n');
    await q(server, `INSERT INTO ${stream} (x, pad) FORMAT TabSeparated`, body);
  }
  return (batches * rows) / ((performance.now() - t) / 1000);
}

describe('a slow consumer on 3218', () => {
  let server: HadronProcess | null = null;
  afterAll(async () => {
    await server?.stop();
  });

  it('does not slow ingest or other subscribers, and gets every row once it reads', async () => {
    server = await startHadron();
    const s = server;
    await q(s, 'CREATE STREAM slow (x uint64, pad string)');
    const batches = 100;
    const rows = 1000;
    // Warm-up and the rate without a subscriber (logged, not asserted).
    await ingest(s, 'slow', 0, 5, rows);
    const alone = await ingest(s, 'slow', 5 * rows, batches, rows);
    const start = (batches + 5) * rows;

    const stalled = subscribe(s, `SELECT x, pad FROM slow WHERE x >= ${start}`, true);
    const fast = subscribe(s, `SELECT x FROM slow WHERE x >= ${start}`, false);
    // Headers go out with the first emit: wait for the tails to start, not for a response.
    await new Promise((r) => setTimeout(r, 500));
    // ~21 MB of output for the stalled reader: far more than its socket buffers hold.
    const withSlow = await ingest(s, 'slow', start, batches, rows);
    expect(await fast.ready).toBe(200);
    expect(await stalled.ready).toBe(200);
    console.log(`insert rows/s: ${alone.toFixed(0)} without a subscriber, ${withSlow.toFixed(0)} with a stalled one`);

    expect(await q(s, `SELECT count() FROM table(slow) WHERE x >= ${start}`)).toBe(`${batches * rows}\n`);
    expect(await fast.until(batches * rows)).toBe(batches * rows);
    // Both listeners answer while the stalled reader's emits wait.
    expect(await q(s, 'SELECT 1')).toBe('1\n');
    const probe = await fetch(`${s.streamingUrl}/`, { method: 'POST', body: 'SELECT count() FROM table(slow)' });
    expect(await probe.text()).toBe(`${(2 * batches + 5) * rows}\n`);
    expect(stalled.lines).toBeLessThan(batches * rows);

    stalled.resume();
    expect(await stalled.until(batches * rows)).toBe(batches * rows);
    stalled.close();
    fast.close();
  }, 180_000);
});

describe('kill -9 during streaming ingest', () => {
  let server: HadronProcess | null = null;
  let dataDir = '';
  afterAll(async () => {
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged row; after a restart a new tail sees new rows and _tp_sn stays dense', async () => {
    server = await startHadron();
    dataDir = server.dataDir;
    const first = server;
    const rowsPerBatch = 50;
    await q(first, 'CREATE STREAM live (batch uint32, i uint32)');
    const tail = subscribe(first, 'SELECT batch, i FROM live', false);
    await new Promise((r) => setTimeout(r, 500));
    const acked: number[] = [];
    let stop = false;
    const client = async (c: number): Promise<void> => {
      for (let n = 0; !stop && n < 10_000; n++) {
        const batch = c * 100_000 + n;
        const body = Array.from({ length: rowsPerBatch }, (_, i) => `${batch}\t${i}`).join('\n');
        try {
          const r = await postQuery(first.url, 'INSERT INTO live (batch, i) FORMAT TabSeparated', body);
          await r.text();
          if (r.status === 200) acked.push(batch);
        } catch {
          return; // the server is gone
        }
      }
    };
    const running = Array.from({ length: 4 }, (_, c) => client(c));
    expect(await tail.until(100 * rowsPerBatch, 30_000)).toBeGreaterThanOrEqual(100 * rowsPerBatch);
    // The tail may see a write before its client has read the acknowledgement: wait for 100 acks too.
    for (let i = 0; i < 300 && acked.length < 100; i++) await new Promise((r) => setTimeout(r, 50));
    await first.kill();
    stop = true;
    await Promise.all(running);
    tail.close();
    expect(acked.length).toBeGreaterThanOrEqual(100);

    server = await startHadron({}, dataDir);
    const second = server;
    const counts = new Map<number, number>();
    for (const line of (await q(second, 'SELECT batch, count() FROM table(live) GROUP BY batch FORMAT TabSeparated')).trim().split('\n')) {
      const [batch, count] = line.split('\t').map(Number) as [number, number];
      counts.set(batch, count);
    }
    expect(acked.filter((b) => counts.get(b) !== rowsPerBatch)).toEqual([]);
    for (const count of counts.values()) expect(count).toBe(rowsPerBatch); // no partial batch
    // The log publishes a range only once it is stored: whatever the tail saw survived the kill.
    const seenBatches = new Set(tail.text.map((l) => Number(l.split('\t')[0])));
    expect([...seenBatches].filter((b) => !counts.has(b))).toEqual([]);
    const stored = [...counts.values()].reduce((a, b) => a + b, 0);
    expect(await q(second, 'SELECT count(), count(DISTINCT _tp_sn), min(_tp_sn), max(_tp_sn) FROM table(live)')).toBe(`${stored}\t${stored}\t0\t${stored - 1}\n`);

    const after = subscribe(second, 'SELECT batch, i, _tp_sn FROM live', false);
    await new Promise((r) => setTimeout(r, 500));
    await q(second, 'INSERT INTO live (batch, i) FORMAT TabSeparated', Array.from({ length: 3 }, (_, i) => `999999\t${i}`).join('\n'));
    expect(await after.ready).toBe(200);
    expect(await after.until(3, 10_000)).toBe(3);
    expect(after.text.slice().sort()).toEqual([0, 1, 2].map((i) => `999999\t${i}\t${stored + i}`));
    after.close();
    expect(await q(second, 'SELECT i, _tp_sn FROM table(live) WHERE batch = 999999 ORDER BY i FORMAT TabSeparated'))
      .toBe(`0\t${stored}\n1\t${stored + 1}\n2\t${stored + 2}\n`);
  }, 180_000);
});
