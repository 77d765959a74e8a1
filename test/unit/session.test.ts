import { describe, expect, it } from 'vitest';
import { SessionRegistry } from '../../src/session.ts';
import { Admission } from '../../src/admission.ts';

describe('sessions', () => {
  const registry = new SessionRegistry({ defaultTimeoutS: 60, maxTimeoutS: 3600 });

  it('keeps settings and database per session and user', () => {
    const s = registry.open('a', 'u1', 'default', null, false, 1000);
    s.settings.set('max_threads', '1');
    s.database = 'db1';
    expect(registry.open('a', 'u1', 'default', null, true, 2000).settings.get('max_threads')).toBe('1');
    expect(registry.open('a', 'u2', 'default', null, false, 2000).settings.size).toBe(0);
    expect(registry.ephemeral('u1', 'x').database).toBe('x');
  });

  it('expires idle sessions and checks bounds', () => {
    registry.open('b', 'u', 'default', 1, false, 10_000);
    expect(() => registry.open('b', 'u', 'default', 1, true, 12_000)).toThrow(expect.objectContaining({ code: 372 }));
    expect(() => registry.open('c', 'u', 'default', 99_999, false)).toThrow(expect.objectContaining({ code: 374 }));
    registry.stop();
  });
});

describe('admission', () => {
  it('queues up to the bound, then answers 202', async () => {
    const a = new Admission({ maxRunning: 1, maxQueued: 1, queueTimeoutMs: 5000 });
    const signal = new AbortController().signal;
    const first = await a.acquire(signal);
    const second = a.acquire(signal);
    await expect(a.acquire(signal)).rejects.toMatchObject({ code: 202 });
    first();
    const release2 = await second;
    expect(a.active).toBe(1);
    release2();
    expect(a.active).toBe(0);
  });

  it('times out and cancels waiters', async () => {
    const a = new Admission({ maxRunning: 1, maxQueued: 5, queueTimeoutMs: 50 });
    const release = await a.acquire(new AbortController().signal);
    await expect(a.acquire(new AbortController().signal)).rejects.toMatchObject({ code: 202 });
    const ac = new AbortController();
    const waiting = a.acquire(ac.signal);
    ac.abort();
    await expect(waiting).rejects.toMatchObject({ code: 394 });
    release();
  });
});
