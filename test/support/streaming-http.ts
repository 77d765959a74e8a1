// HTTP helpers of the streaming tests: a statement that must succeed, a streaming query read line by
// line as its emits arrive, and a pause between statements.
import { request } from 'node:http';
import { afterAll, beforeAll } from 'vitest';
import { startHadron, type HadronProcess } from './hadron.ts';

/** Runs a statement that must succeed on `url`; its body. */
export async function post(url: string, sql: string): Promise<string> {
  const r = await fetch(`${url}/`, { method: 'POST', body: sql });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${sql} → ${r.status} ${text}`);
  return text;
}

/**
 * A streaming query on `streamingUrl` (3218): its lines as they come, and a way to end it. Read with
 * node:http, which hands over every byte the server sent before it closed the connection (an in-band
 * error ends a streaming response unterminated; fetch may drop the last chunk when it sees that).
 */
export function streamLines(streamingUrl: string, sql: string, params: Record<string, string> = {}) {
  const lines: string[] = [];
  let status = 0;
  let ended = false;
  let req: ReturnType<typeof request> | null = null;
  let stopped = false;
  const done = new Promise<void>((resolve) => {
    const decoder = new TextDecoder();
    let tail = '';
    const finish = (): void => {
      if (ended) return;
      // What the server sent last (an in-band error) counts; a line cut by stop() does not.
      if (tail !== '' && !stopped) lines.push(tail);
      tail = '';
      ended = true;
      resolve();
    };
    req = request(`${streamingUrl}/?${new URLSearchParams(params)}`, { method: 'POST' }, (res) => {
      status = res.statusCode ?? 0;
      res.on('data', (chunk: Buffer) => {
        tail += decoder.decode(chunk, { stream: true });
        const parts = tail.split('\n');
        tail = parts.pop() as string;
        lines.push(...parts);
      });
      res.on('end', finish);
      res.on('aborted', finish);
      res.on('error', finish);
      res.on('close', finish);
    });
    req.on('error', finish);
    req.end(sql);
  });
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
      stopped = true;
      req?.destroy();
      await done;
    },
    done,
  };
}

export const pause = (ms: number): Promise<unknown> => new Promise((r) => setTimeout(r, ms));

/**
 * A Hadron server for the enclosing test file — started before its tests, stopped after — with the
 * statement and streaming-query helpers bound to it.
 */
export function streamingServer(env: Record<string, string> = {}) {
  let server: HadronProcess | null = null;
  beforeAll(async () => {
    server = await startHadron(env);
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  });
  const running = (): HadronProcess => {
    if (server === null) throw new Error('streamingServer used outside its tests');
    return server;
  };
  return {
    get server(): HadronProcess {
      return running();
    },
    q: (sql: string): Promise<string> => post(running().url, sql),
    stream: (sql: string, params: Record<string, string> = {}) => streamLines(running().streamingUrl, sql, params),
  };
}
