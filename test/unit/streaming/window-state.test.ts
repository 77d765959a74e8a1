// The window machine's compact state (src/streaming/window-state.ts): keys interned across every
// growth of its arrays, window slots freed when windows close and reused, many keys at a bounded
// cost each, and — against the Map-per-key machine it replaced (kept below as the reference) — the
// same emits, updates, late rules and open windows for random hop and tumble input.
import { describe, expect, it } from 'vitest';
import type { SnRange } from '../../../src/streaming/log.ts';
import { WindowMachine, type LateRule, type Touch, type WindowEmit, type WindowRef, type WindowSpec } from '../../../src/streaming/window.ts';

const tumble = (maxWindows = 1e7): WindowSpec => ({ sizeMs: 1000, slideMs: 1000, maxWindows, timeoutMs: null });
const touch = (key: string, start: number, sn: bigint, sizeMs = 1000): Touch => ({ key, start, end: start + sizeMs, maxTime: start + 1, watermark: start, minSn: sn });

describe('growth at every key count', () => {
  it('keeps each key’s watermark and window through every doubling (1 to 300 keys, one per range)', () => {
    const m = new WindowMachine(tumble());
    for (let n = 0; n < 300; n++) {
      m.arrive({ first: BigInt(n), next: BigInt(n + 1) }, [touch(`k${n}`, 1000 * n, BigInt(n))], 0);
      expect(m.state.keys.size).toBe(n + 1);
      expect(m.state.open).toBe(n + 1);
      const open = m.openWindows();
      expect(open?.windows).toEqual(Array.from({ length: n + 1 }, (_, i) => ({ key: `k${i}`, start: 1000 * i, end: 1000 * i + 1000 })));
      expect(open?.fromSn).toBe(0n);
      for (let i = 0; i <= n; i++) expect(m.state.watermark(m.state.intern(`k${i}`))).toBe(1000 * i);
    }
  });

  it('keeps one key’s windows in start order through every doubling of the slot pool', () => {
    const m = new WindowMachine({ sizeMs: 1000, slideMs: 1000, maxWindows: 1e6, timeoutMs: 5 });
    const starts = Array.from({ length: 200 }, (_, i) => ((i * 37) % 200) * 1000); // opened out of order
    m.arrive({ first: 0n, next: 1n }, starts.map((s) => ({ ...touch('', s, BigInt(s)), maxTime: s + 1, watermark: -1 })), 0);
    expect(m.openWindows()?.windows.map((w) => w.start)).toEqual([...starts].sort((a, b) => a - b));
    const closed = m.tick(10);
    expect(closed.map((e) => e.windows[0]?.start)).toEqual([...starts].sort((a, b) => a - b));
    expect(closed.map((e) => e.fromSn)).toEqual([...starts].sort((a, b) => a - b).map(BigInt));
    expect(m.state.open).toBe(0);
  });
});

describe('eviction when windows close', () => {
  it('frees the slots of closed windows and reuses them: the estimate stays flat over 1000 windows per key', () => {
    const m = new WindowMachine(tumble(100));
    const keys = Array.from({ length: 50 }, (_, i) => `key-${i}`);
    const step = (w: number) => m.arrive({ first: BigInt(w), next: BigInt(w + 1) }, keys.map((k) => touch(k, 1000 * w, BigInt(w))), 0);
    step(0);
    step(1);
    const settled = m.bytes();
    for (let w = 2; w < 1000; w++) {
      const { closed } = step(w);
      expect(closed).toHaveLength(1);
      expect(closed[0]?.windows).toEqual(keys.map((key) => ({ key, start: 1000 * (w - 1), end: 1000 * w })));
      expect(m.state.open).toBe(keys.length);
    }
    expect(m.bytes()).toBe(settled);
  });

  it('keeps an end the store gave that is not start + size (a day across a DST change)', () => {
    const m = new WindowMachine({ sizeMs: 86_400_000, slideMs: 86_400_000, maxWindows: 10, timeoutMs: null });
    const odd = { key: 'a', start: 0, end: 82_800_000, maxTime: 1, watermark: 0, minSn: 1n };
    m.arrive({ first: 1n, next: 2n }, [odd], 0);
    expect(m.openWindows()?.windows).toEqual([{ key: 'a', start: 0, end: 82_800_000 }]);
    const { closed } = m.arrive({ first: 2n, next: 3n }, [{ ...odd, start: 82_800_000, end: 82_800_000 + 86_400_000, maxTime: 82_800_001, watermark: 82_800_000, minSn: 2n }], 0);
    expect(closed.map((e) => e.windows)).toEqual([[{ key: 'a', start: 0, end: 82_800_000 }]]);
    expect(m.openWindows()?.windows).toEqual([{ key: 'a', start: 82_800_000, end: 82_800_000 + 86_400_000 }]);
  });

  it('keeps late rules only for keys that need them: none for tumble, at most size/slide per key for hop', () => {
    const run = (spec: WindowSpec) => {
      const m = new WindowMachine(spec);
      for (let w = 0; w < 20; w++) m.arrive({ first: BigInt(w), next: BigInt(w + 1) }, [touch('a', 1000 * w, BigInt(w), spec.sizeMs), touch('b', 1000 * w, BigInt(w), spec.sizeMs)], 0);
      return m;
    };
    expect(run(tumble()).state.rules.size).toBe(0);
    const hop = run({ sizeMs: 3000, slideMs: 1000, maxWindows: 100, timeoutMs: null });
    expect(hop.state.rules.size).toBe(2);
    for (const list of hop.state.rules.values()) expect(list.length).toBeLessThanOrEqual(3);
  });
});

describe('many keys', () => {
  it('200 000 keys with a hop window each: all close together, the estimate stays under 150 B a key', () => {
    const keys = 200_000;
    const m = new WindowMachine({ sizeMs: 2000, slideMs: 1000, maxWindows: 2 * keys, timeoutMs: null });
    const round = (start: number, sn: bigint) => Array.from({ length: keys }, (_, k) => ({ ...touch(String(k), start, sn, 2000), watermark: start - 1000 }));
    m.arrive({ first: 0n, next: 1n }, round(0, 0n), 0);
    expect(m.state.open).toBe(keys);
    expect(m.bytes() / keys).toBeLessThan(150);
    const { closed } = m.arrive({ first: 1n, next: 2n }, round(3000, 1n), 0);
    expect(closed).toHaveLength(1);
    expect(closed[0]?.windows).toHaveLength(keys);
    expect(closed[0]?.windows[keys - 1]).toEqual({ key: String(keys - 1), start: 0, end: 2000 });
    expect(m.state.open).toBe(keys);
  });
});

/** The Map-per-key window machine the compact state replaced (7ccbf3f's window.ts, arrive/close/tick). */
class ReferenceMachine {
  private readonly keys = new Map<string, { watermark: number; open: Map<number, { end: number; minSn: bigint }>; rules: LateRule[] }>();
  private open = 0;
  private lastRowAt: number | null = null;
  private readonly spec: WindowSpec;
  constructor(spec: WindowSpec) {
    this.spec = spec;
  }

  arrive(range: SnRange, touches: readonly Touch[], now: number): { updated: WindowRef[]; closed: WindowEmit[] } {
    const updated: WindowRef[] = [];
    const raised = new Map<string, number>();
    for (const t of touches) {
      const ks = this.key(t.key);
      if (t.maxTime < ks.watermark) continue;
      const w = ks.open.get(t.start);
      if (w === undefined) {
        ks.open.set(t.start, { end: t.end, minSn: t.minSn });
        this.open++;
      } else if (t.minSn < w.minSn) w.minSn = t.minSn;
      updated.push({ key: t.key, start: t.start, end: t.end });
      raised.set(t.key, Math.max(raised.get(t.key) ?? -Infinity, t.watermark));
    }
    if (touches.length > 0) this.lastRowAt = now;
    for (const key of new Set(touches.map((t) => t.key))) {
      const ks = this.key(key);
      if (!this.matters(ks.watermark, ks.watermark)) continue;
      const last = ks.rules.at(-1);
      if (last !== undefined && last.before === ks.watermark) ks.rules[ks.rules.length - 1] = { ...last, next: range.next };
      else ks.rules.push({ key, first: range.first, next: range.next, before: ks.watermark });
    }
    for (const [key, w] of raised) this.key(key).watermark = Math.max(this.key(key).watermark, w);
    return { updated, closed: this.close() };
  }

  tick(now: number): WindowEmit[] {
    if (this.spec.timeoutMs === null || this.lastRowAt === null || this.open === 0 || now - this.lastRowAt < this.spec.timeoutMs) return [];
    for (const ks of this.keys.values()) for (const w of ks.open.values()) ks.watermark = Math.max(ks.watermark, w.end);
    return this.close();
  }

  openWindows(): WindowRef[] {
    return [...this.keys].flatMap(([key, ks]) => [...ks.open].map(([start, w]) => ({ key, start, end: w.end })));
  }

  rules(): LateRule[] {
    return [...this.keys.values()].flatMap((ks) => ks.rules);
  }

  private key(key: string) {
    let ks = this.keys.get(key);
    if (ks === undefined) this.keys.set(key, (ks = { watermark: -Infinity, open: new Map(), rules: [] }));
    return ks;
  }

  private matters(watermark: number, before: number): boolean {
    return before > watermark - this.spec.sizeMs + this.spec.slideMs;
  }

  private close(): WindowEmit[] {
    const byEnd = new Map<number, { windows: WindowRef[]; fromSn: bigint; keys: Set<string> }>();
    for (const [key, ks] of this.keys) {
      for (const [start, w] of ks.open) {
        if (w.end > ks.watermark) continue;
        ks.open.delete(start);
        this.open--;
        const g = byEnd.get(w.end) ?? { windows: [], fromSn: w.minSn, keys: new Set<string>() };
        byEnd.set(w.end, g);
        g.windows.push({ key, start, end: w.end });
        if (w.minSn < g.fromSn) g.fromSn = w.minSn;
        g.keys.add(key);
      }
    }
    const emits = [...byEnd].sort(([a], [b]) => a - b).map(([, g]) => ({ windows: g.windows, fromSn: g.fromSn, late: this.rules().filter((r) => g.keys.has(r.key)) }));
    for (const ks of this.keys.values()) ks.rules = ks.rules.filter((r) => this.matters(ks.watermark, r.before));
    return emits;
  }
}

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the store's probe reports for some rows (key, time, sn): one touch per key and window, by window start. */
function probe(rows: readonly { key: string; time: number; sn: bigint }[], spec: WindowSpec, delayMs: number): Touch[] {
  const by = new Map<string, Touch>();
  for (const r of rows) {
    const last = Math.floor(r.time / spec.slideMs) * spec.slideMs;
    for (let start = last - spec.sizeMs + spec.slideMs; start <= last; start += spec.slideMs) {
      const id = `${r.key}:${start}`;
      const t = by.get(id);
      const maxTime = Math.max(t?.maxTime ?? -Infinity, r.time);
      by.set(id, { key: r.key, start, end: start + spec.sizeMs, maxTime, watermark: Math.floor((maxTime - delayMs) / spec.slideMs) * spec.slideMs, minSn: t === undefined || r.sn < t.minSn ? r.sn : t.minSn });
    }
  }
  return [...by.values()].sort((a, b) => a.start - b.start);
}

const byWindow = (ws: readonly WindowRef[]): WindowRef[] => [...ws].sort((a, b) => (a.key === b.key ? a.start - b.start : a.key < b.key ? -1 : 1));

describe('the same answers as the Map-per-key machine', () => {
  for (const [label, spec, delayMs] of [
    ['tumble, no delay', { sizeMs: 1000, slideMs: 1000, maxWindows: 1e6, timeoutMs: 3000 }, 0],
    ['hop 3 s / 1 s, delay 1.5 s', { sizeMs: 3000, slideMs: 1000, maxWindows: 1e6, timeoutMs: 3000 }, 1500],
    ['hop 2 s / 1 s, no timeout', { sizeMs: 2000, slideMs: 1000, maxWindows: 1e6, timeoutMs: null }, 0],
  ] as const) {
    it(`${label}: 10 seeds × 200 ranges of out-of-order rows over 1–30 keys`, () => {
      for (let seed = 1; seed <= 10; seed++) {
        const rnd = random(seed);
        const m = new WindowMachine(spec);
        const ref = new ReferenceMachine(spec);
        const keys = 1 + Math.floor(rnd() * 30);
        let sn = 0n;
        let now = 0;
        let closedWindows = 0;
        let lateTouches = 0;
        for (let r = 0; r < 200; r++) {
          now += Math.floor(rnd() * 2000);
          if (rnd() < 0.1) {
            expect(m.tick(now)).toEqual(ref.tick(now));
            continue;
          }
          const first = sn;
          const rows = Array.from({ length: Math.floor(rnd() * 8) }, () => ({ key: `k${Math.floor(rnd() * keys)}`, time: r * 500 + Math.floor((rnd() - 0.7) * 6000), sn: sn++ }));
          const range = { first, next: sn };
          const touches = probe(rows, spec, delayMs);
          const got = m.arrive(range, touches, now);
          expect(got).toEqual(ref.arrive(range, touches, now));
          closedWindows += got.closed.reduce((n, e) => n + e.windows.length, 0);
          lateTouches += touches.length - got.updated.length;
          expect(m.rules()).toEqual(ref.rules());
          expect(byWindow(m.openWindows()?.windows ?? [])).toEqual(byWindow(ref.openWindows()));
        }
        expect(closedWindows).toBeGreaterThan(0);
        expect(lateTouches).toBeGreaterThan(0);
      }
    });
  }
});
