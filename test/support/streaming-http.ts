// HTTP helpers of the streaming tests: a statement that must succeed, a streaming query read line by
// line as its emits arrive, and a pause between statements.

/** Runs a statement that must succeed on `url`; its body. */
export async function post(url: string, sql: string): Promise<string> {
  const r = await fetch(`${url}/`, { method: 'POST', body: sql });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${sql} → ${r.status} ${text}`);
  return text;
}

/** A streaming query on `streamingUrl` (3218): its lines as they come, and a way to end it. */
export function streamLines(streamingUrl: string, sql: string, params: Record<string, string> = {}) {
  const controller = new AbortController();
  const lines: string[] = [];
  let status = 0;
  let ended = false;
  const done = (async () => {
    const r = await fetch(`${streamingUrl}/?${new URLSearchParams(params)}`, { method: 'POST', body: sql, signal: controller.signal });
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

export const pause = (ms: number): Promise<unknown> => new Promise((r) => setTimeout(r, ms));
