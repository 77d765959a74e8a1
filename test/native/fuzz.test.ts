// Throws random and mutated client sessions at a running Hadron's three native listeners: random
// bytes, truncations, bit flips, length fields blown up, packets reordered, dropped, duplicated
// and spliced across sessions, all taken from the captured sessions of test/fixtures/native/. Each
// case gets a short socket deadline; after every batch a fresh client must still get `SELECT 1`,
// the process must be alive and its RSS within a bound. Seeded: HADRON_FUZZ_SEED=<n> replays a run.
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ClientPacketDecoder, type ClientPacket } from '../../src/protocol/native/packets.ts';
import { negotiatedRevision } from '../../src/protocol/native/server-packets.ts';
import { startHadron, type HadronProcess } from '../support/hadron.ts';
import { NativeClient } from '../support/native-client.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/native');
const CASES = 300;
const BATCH = 10;
const CASE_DEADLINE_MS = 1500;
/** RSS may grow by this much over the warmed-up process during the run. */
const RSS_GROWTH_LIMIT = 768 * 2 ** 20;
const SEED = Number(process.env.HADRON_FUZZ_SEED ?? 20261201);

/** A captured session cut at its packet boundaries (found by decoding it byte by byte). */
interface Session { readonly name: string; readonly bytes: Uint8Array; readonly packets: readonly Uint8Array[] }

function packetsOf(bytes: Uint8Array): Uint8Array[] {
  const decoder = new ClientPacketDecoder();
  const out: Uint8Array[] = [];
  let from = 0;
  const take = (packets: ClientPacket[], at: number): void => {
    for (const p of packets) {
      if (p.kind === 'hello') take(decoder.setRevision(negotiatedRevision(p.revision)), at);
    }
    if (packets.length > 0 && decoder.buffered === 0) {
      out.push(bytes.subarray(from, at));
      from = at;
    }
  };
  for (let i = 0; i < bytes.byteLength; i++) take(decoder.push(bytes.subarray(i, i + 1)), i + 1);
  return out;
}

const sessions: Session[] = readdirSync(FIXTURES).filter((f) => f.endsWith('.bin')).sort().map((name) => {
  const bytes = new Uint8Array(readFileSync(join(FIXTURES, name)));
  return { name, bytes, packets: packetsOf(bytes) };
});

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Mutation = (s: Session, next: () => number) => Uint8Array;
const int = (next: () => number, n: number): number => Math.floor(next() * n);
const pick = <T>(next: () => number, items: readonly T[]): T => items[int(next, items.length)] as T;
const concat = (parts: readonly Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
/** Huge VarUInts: 2^63-ish, 2^40, 2^32-1, and an unterminated one. */
const HUGE = [
  Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01),
  Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x20),
  Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f),
  new Uint8Array(12).fill(0xff),
];

const mutations: readonly (readonly [string, Mutation])[] = [
  ['random bytes', (_s, next) => Uint8Array.from({ length: 1 + int(next, 2048) }, () => int(next, 256))],
  ['hello + random bytes', (s, next) => concat([s.packets[0] ?? s.bytes, Uint8Array.from({ length: 1 + int(next, 512) }, () => int(next, 256))])],
  ['truncated', (s, next) => s.bytes.subarray(0, int(next, s.bytes.byteLength))],
  ['bit flips', (s, next) => {
    const out = s.bytes.slice();
    for (let i = 1 + int(next, 8); i > 0; i--) {
      const at = int(next, out.byteLength);
      out[at] = (out[at] as number) ^ (1 << int(next, 8));
    }
    return out;
  }],
  ['length blown up', (s, next) => {
    const at = int(next, s.bytes.byteLength);
    return concat([s.bytes.subarray(0, at), pick(next, HUGE), s.bytes.subarray(at + 1 + int(next, 4))]);
  }],
  ['packets swapped', (s, next) => {
    const p = [...s.packets];
    const [i, j] = [int(next, p.length), int(next, p.length)];
    [p[i], p[j]] = [p[j] as Uint8Array, p[i] as Uint8Array];
    return concat(p);
  }],
  ['packet dropped', (s, next) => concat(s.packets.filter((_p, i, all) => i !== int(next, all.length)))],
  ['packet duplicated', (s, next) => {
    const i = int(next, s.packets.length);
    return concat([...s.packets.slice(0, i + 1), ...s.packets.slice(i)]);
  }],
  ['sessions spliced', (s, next) => {
    const other = pick(next, sessions);
    return concat([...s.packets.slice(0, 1 + int(next, s.packets.length)), ...other.packets.slice(int(next, other.packets.length))]);
  }],
];

/** Writes `bytes` in a few chunks, maybe half-closes, and waits until the server closes or the deadline passes. */
function throwAt(port: number, bytes: Uint8Array, next: () => number): Promise<void> {
  const halfClose = next() < 0.5;
  const cuts = [0, ...Array.from({ length: int(next, 4) }, () => int(next, bytes.byteLength)).sort((a, b) => a - b), bytes.byteLength];
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => socket.destroy(), CASE_DEADLINE_MS);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('connect', () => {
      for (let i = 1; i < cuts.length; i++) socket.write(bytes.subarray(cuts[i - 1], cuts[i]));
      if (halfClose) socket.end();
    });
  });
}

function rss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb) * 1024;
}

async function selectOne(port: number): Promise<number> {
  const client = await NativeClient.connect(port, { timeoutMs: 10_000 });
  try {
    const result = await client.query('SELECT 1');
    return result.rows;
  } finally {
    client.close();
  }
}

let server: HadronProcess;

beforeAll(async () => {
  server = await startHadron();
});

afterAll(async () => {
  await server?.stop();
});

it('survives random and mutated captured sessions and still answers a fresh client', async () => {
  expect(sessions.length).toBeGreaterThanOrEqual(8);
  const ports = [server.clickhouseTcpPort, server.snapshotTcpPort, server.tcpPort];
  const pid = server.child.pid as number;
  for (const port of ports) expect(await selectOne(port)).toBe(1);
  const baseline = rss(pid);
  let peak = baseline;
  const next = random(SEED);
  for (let done = 0; done < CASES; done += BATCH) {
    const batch: string[] = [];
    const runs: Promise<void>[] = [];
    for (let i = 0; i < BATCH; i++) {
      const session = pick(next, sessions);
      const [name, mutate] = pick(next, mutations);
      const port = pick(next, ports);
      batch.push(`${name} of ${session.name} on ${port}`);
      runs.push(throwAt(port, mutate(session, next), next));
    }
    await Promise.all(runs);
    const context = `seed ${SEED}, cases ${done}..${done + BATCH - 1}: ${batch.join('; ')}\n${server.output().slice(-2000)}`;
    expect(server.child.exitCode, context).toBeNull();
    expect(await selectOne(pick(next, ports)), context).toBe(1);
    peak = Math.max(peak, rss(pid));
    expect(peak - baseline, context).toBeLessThan(RSS_GROWTH_LIMIT);
  }
  console.log(`fuzz: ${CASES} cases, RSS ${(baseline / 2 ** 20).toFixed(0)} MiB → peak ${(peak / 2 ** 20).toFixed(0)} MiB`);
}, 300_000);
