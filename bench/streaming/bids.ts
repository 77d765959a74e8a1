// Nexmark-like bids for the streaming benchmark, as the TSV insert bodies Hadron receives, and the
// hand-written JavaScript loop that does the same decode → filter/aggregate → encode over them.

/** One insert body: `auction\tbidder\tprice\tts` lines, ts as `YYYY-MM-DD hh:mm:ss.mmm` (UTC). */
export type Batch = { readonly body: string; readonly rows: number };

export const epoch = Date.UTC(2026, 0, 1);

function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23).replace('T', ' ');
}

/**
 * `batches` bodies of `rows` bids: auction = i mod `keys`, bidder pseudo-random, price 1..10 000,
 * event time `epoch + i × msPerRow` (so it only moves forward).
 */
export function bids(batches: number, rows: number, keys: number, msPerRow: number): Batch[] {
  const out: Batch[] = [];
  let seed = 42;
  for (let b = 0; b < batches; b++) {
    const lines: string[] = [];
    for (let r = 0; r < rows; r++) {
      const i = b * rows + r;
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      lines.push(`${i % keys}\t${seed % 100_000}\t${1 + (seed % 10_000)}\t${stamp(epoch + Math.floor(i * msPerRow))}`);
    }
    out.push({ body: lines.join('\n'), rows });
  }
  return out;
}

/** A bid row far later in event time, to close every window still open. */
export function closer(afterMs: number): Batch {
  return { body: `4294967295\t0\t1\t${stamp(epoch + afterMs)}`, rows: 1 };
}

type Bid = { auction: number; bidder: number; price: number; ts: number };

function decode(line: string): Bid {
  const [a, b, p, t] = line.split('\t') as [string, string, string, string];
  return { auction: Number(a), bidder: Number(b), price: Number(p), ts: Date.parse(`${t.replace(' ', 'T')}Z`) };
}

/** The C1 shapes: q0 pass-through, q1 projection with arithmetic (euro price), q2 filter. */
export const c1Shapes = {
  q0: (b: Bid): string | null => `${b.auction}\t${b.bidder}\t${b.price}\t${stamp(b.ts)}`,
  q1: (b: Bid): string | null => `${b.auction}\t${b.bidder}\t${b.price * 0.908}\t${stamp(b.ts)}`,
  q2: (b: Bid): string | null => (b.auction % 123 === 0 ? `${b.auction}\t${b.price}` : null),
} as const;

/** The JS loop for a C1 shape: returns output rows (the encoded text is built and measured). */
export function jsFilter(batches: readonly Batch[], shape: keyof typeof c1Shapes): { rows: number; bytes: number } {
  const f = c1Shapes[shape];
  let rows = 0;
  let bytes = 0;
  for (const batch of batches) {
    const out: string[] = [];
    for (const line of batch.body.split('\n')) {
      const o = f(decode(line));
      if (o !== null) out.push(o);
    }
    rows += out.length;
    bytes += out.join('\n').length + 1;
  }
  return { rows, bytes };
}

/**
 * The JS loop for C2: per (window, auction) count and max(price), a window emitted (encoded) once an
 * event time passed its end, as the engine does; hop windows of `sizeMs` every `slideMs`.
 */
export function jsWindows(batches: readonly Batch[], sizeMs: number, slideMs: number): { rows: number; bytes: number } {
  const open = new Map<number, Map<number, { n: number; max: number }>>();
  let watermark = -Infinity;
  let rows = 0;
  let bytes = 0;
  const emit = (upTo: number): void => {
    for (const [start, groups] of [...open].sort(([a], [b]) => a - b)) {
      if (start + sizeMs > upTo) continue;
      const out: string[] = [];
      for (const [auction, g] of groups) out.push(`${auction}\t${stamp(start)}\t${stamp(start + sizeMs)}\t${g.n}\t${g.max}`);
      rows += out.length;
      bytes += out.join('\n').length + 1;
      open.delete(start);
    }
  };
  for (const batch of batches) {
    let maxTs = -Infinity;
    for (const line of batch.body.split('\n')) {
      const b = decode(line);
      if (b.ts < watermark) continue; // late
      for (let start = Math.floor(b.ts / slideMs) * slideMs; start > b.ts - sizeMs; start -= slideMs) {
        let groups = open.get(start);
        if (groups === undefined) open.set(start, (groups = new Map()));
        const g = groups.get(b.auction);
        if (g === undefined) groups.set(b.auction, { n: 1, max: b.price });
        else {
          g.n++;
          if (b.price > g.max) g.max = b.price;
        }
      }
      if (b.ts > maxTs) maxTs = b.ts;
    }
    watermark = Math.max(watermark, Math.floor(maxTs / slideMs) * slideMs);
    emit(watermark);
  }
  return { rows, bytes };
}
