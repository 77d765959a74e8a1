// A streaming HTTP client for the benchmark: posts a query to 3218 and counts (or inspects) the lines
// of its emits as they arrive, with their arrival times.
import { Agent, request } from 'node:http';

export type Subscriber = {
  /** Lines received so far. */
  readonly lines: () => number;
  /** Resolves once `n` lines arrived (or rejects after `ms`); the time of the n-th line's arrival. */
  until(n: number, ms?: number): Promise<number>;
  close(): void;
};

export const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** `onLine` (optional) sees each complete line with the arrival time of the chunk that ended it. */
export function subscribe(streamingUrl: string, sql: string, onLine?: (line: string, at: number) => void): Subscriber {
  const u = new URL(streamingUrl);
  let lines = 0;
  let lastAt = 0;
  let tail = '';
  let failed: Error | null = null;
  const req = request({ host: u.hostname, port: u.port, path: '/', method: 'POST' }, (res) => {
    if (res.statusCode !== 200) failed = new Error(`streaming query answered ${res.statusCode}`);
    res.on('data', (d: Buffer) => {
      const at = performance.now();
      if (onLine === undefined) {
        for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) lines++;
      } else {
        const parts = (tail + d.toString('utf8')).split('\n');
        tail = parts.pop() as string;
        for (const p of parts) onLine(p, at);
        lines += parts.length;
      }
      lastAt = at;
    });
    res.on('error', () => undefined);
  });
  req.on('error', (e) => (failed = e));
  req.end(sql);
  return {
    lines: () => lines,
    async until(n, ms = 120_000) {
      const deadline = Date.now() + ms;
      while (lines < n) {
        if (failed !== null) throw failed;
        if (Date.now() > deadline) throw new Error(`${lines} of ${n} lines within ${ms} ms for ${sql}`);
        await new Promise((r) => setImmediate(r));
      }
      return lastAt;
    },
    close: () => req.destroy(),
  };
}

/** POSTs `query` with `body` to the snapshot port; resolves with the response text (throws unless 200). */
export function post(url: string, query: string, body = ''): Promise<string> {
  const u = new URL(`${url}/?query=${encodeURIComponent(query)}`);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, method: 'POST', agent, headers: { 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode === 200) resolve(text);
        else reject(new Error(`${query} → ${res.statusCode} ${text}`));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
