// The catalog kept in the embedded store: it survives a restart, the latest write of an entry wins
// however fast they come, every kind of entry round-trips. Save / replace / remove, a second reader
// and hostile text on every store (chDB, ClickHouse 18.16, the HTTP fixture) are in the contract.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../../src/catalog.ts';
import { EmbeddedBackend } from '../../../src/history/embedded.ts';
import { MetaStore } from '../../../src/history/meta.ts';

const column = { name: 'x', type: 'int32', defaultKind: null, default: '', codec: '', comment: '', reserved: false };

const entries: CatalogEntry[] = [
  { kind: 'database', database: 'db', name: '', createSql: 'CREATE DATABASE db' },
  {
    kind: 'stream', database: 'db', name: 's', mode: 'versioned_kv', variant: 'stream', columns: [column], orderBy: 'x', partitionBy: '',
    primaryKey: 'x', ttl: '', settings: { mode: "'versioned_kv'" }, versionColumn: '_tp_time', comment: '', createSql: 'CREATE STREAM db.s (x int32)',
  },
  { kind: 'view', database: 'db', name: 'v', materialized: true, into: 'db.s', query: 'SELECT x FROM db.s', columns: [column], createSql: 'CREATE MATERIALIZED VIEW db.v INTO db.s AS SELECT x FROM db.s' },
  { kind: 'external', database: 'db', name: 'k', object: 'stream', columns: [column], settings: { type: "'kafka'" }, createSql: 'CREATE EXTERNAL STREAM db.k (x int32)' },
  { kind: 'function', database: '', name: 'f', language: 'sql', aggregate: false, createSql: 'CREATE FUNCTION f AS (a) -> a' },
  { kind: 'format_schema', database: '', name: 'p', type: 'Protobuf', body: 'syntax = "proto3";', createSql: 'CREATE FORMAT SCHEMA p' },
];

const sorted = (list: readonly CatalogEntry[]): string[] => list.map((e) => JSON.stringify(e)).sort();

describe('MetaStore over the embedded store', () => {
  let path = '';
  let spoolDir = '';
  const open = () => EmbeddedBackend.open({ path, poolSize: 2, spoolDir });
  beforeAll(async () => {
    path = await mkdtemp(join(tmpdir(), 'hadron-meta-'));
    spoolDir = await mkdtemp(join(tmpdir(), 'hadron-meta-spool-'));
  });
  afterAll(async () => {
    await rm(path, { recursive: true, force: true });
    await rm(spoolDir, { recursive: true, force: true });
  });

  it('round-trips every kind of entry and keeps them across a restart', async () => {
    const first = await open();
    try {
      const meta = new MetaStore(first);
      await meta.open();
      expect(await meta.load()).toEqual([]);
      await Promise.all(entries.map((e) => meta.save(e)));
      await meta.remove('view', 'db', 'v');
      expect(sorted(await meta.load())).toEqual(sorted(entries.filter((e) => e.kind !== 'view')));
    } finally {
      await first.close();
    }
    const second = await open();
    try {
      const meta = new MetaStore(second);
      await meta.open();
      expect(sorted(await meta.load())).toEqual(sorted(entries.filter((e) => e.kind !== 'view')));
      // Versions continue past the ones written before the restart: a new write wins.
      const renamed: CatalogEntry = { kind: 'function', database: '', name: 'f', language: 'sql', aggregate: false, createSql: 'CREATE FUNCTION f AS (b) -> b' };
      await meta.save(renamed);
      expect((await meta.load()).find((e) => e.kind === 'function')).toEqual(renamed);
    } finally {
      await second.close();
    }
  });

  it('drops the stage streams a dead process left behind, and nothing else', async () => {
    const backend = await open();
    try {
      const meta = new MetaStore(backend);
      await meta.open();
      const ctx = { queryId: '', database: 'default', settings: new Map<string, string>(), params: new Map<string, string>(), signal: new AbortController().signal };
      for (const t of ['stage_0a1b2c', 'join_ff00', 'stagey']) await backend.command(`CREATE TABLE _hadron.${t} (x Int32) ENGINE = Memory`, ctx);
      expect(await meta.dropLeftoverStages()).toBe(2);
      const { bytes } = await backend.command("SELECT name FROM system.tables WHERE database = '_hadron' ORDER BY name FORMAT TabSeparated", ctx);
      expect(new TextDecoder().decode(bytes)).toBe('catalog\nstagey\n');
    } finally {
      await backend.close();
    }
  });

  it('lets the last of many quick writes of one entry win', async () => {
    const backend = await open();
    try {
      const meta = new MetaStore(backend);
      await meta.open();
      for (let i = 0; i < 30; i++) {
        await meta.save({ kind: 'database', database: 'quick', name: '', createSql: `v${i}` });
        if (i % 10 === 9) await meta.remove('database', 'quick', '');
      }
      const quick = (await meta.load()).filter((e) => e.database === 'quick');
      expect(quick).toEqual([]);
      await meta.save({ kind: 'database', database: 'quick', name: '', createSql: 'last' });
      expect((await meta.load()).filter((e) => e.database === 'quick')).toEqual([{ kind: 'database', database: 'quick', name: '', createSql: 'last' }]);
    } finally {
      await backend.close();
    }
  });
});
