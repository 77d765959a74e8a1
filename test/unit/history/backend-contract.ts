// The contract every Backend passes (embedded chDB, remote ClickHouse 18.16, remote modern ClickHouse).
// `modern` gates what old servers lack: query parameters, DateTime64/Map/Bool, X-ClickHouse-Summary
// (so written row counts) and tagged mid-stream errors.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../../src/catalog.ts';
import type { Backend, InsertTarget, StoreContext } from '../../../src/history/backend.ts';
import { MetaStore } from '../../../src/history/meta.ts';
import { GatewayError } from '../../../src/errors.ts';

export type BackendUnderTest = { backend: Backend; modern: boolean; close(): Promise<void> };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function context(overrides: Partial<StoreContext> = {}): StoreContext {
  return { queryId: '', database: 'default', settings: new Map(), params: new Map(), signal: new AbortController().signal, ...overrides };
}

async function bytesOf(chunks: AsyncIterable<{ bytes: Uint8Array }>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk.bytes);
  return Buffer.concat(parts);
}

/** The code a promise rejects with (fails the test if it resolves or rejects with a non-GatewayError). */
async function codeOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return (err as GatewayError).code;
  }
  throw new Error('expected a rejection');
}

/** What a store under test cannot do although its version says it can (a limitation of a test fixture). */
export type ContractGaps = {
  /** Sequenced body inserts (`INSERT ... SELECT ... FROM input() FORMAT f` with the rows in the body). */
  sequencedBodies?: false;
  /** DEFAULTs for fields a row omits in a sequenced body insert (input('structure') gives type defaults). */
  omittedDefaults?: false;
};

/** `modern` = the store has what ClickHouse 18.16 lacks; known up front so cases register only where they apply. */
export function backendContract(name: string, modern: boolean, make: () => Promise<BackendUnderTest>, gaps: ContractGaps = {}): void {
  describe(`Backend contract: ${name}`, () => {
    let subject: BackendUnderTest;
    let backend: Backend;
    let scratch: string;
    const text = async (sql: string, format = 'TabSeparated', ctx: StoreContext = context()): Promise<string> =>
      decoder.decode(await bytesOf(backend.query(sql, format, ctx, true)));
    const command = async (sql: string, ctx: StoreContext = context()): Promise<string> => decoder.decode((await backend.command(sql, ctx)).bytes);

    beforeAll(async () => {
      subject = await make();
      backend = subject.backend;
      scratch = await mkdtemp(join(tmpdir(), 'hadron-contract-'));
    });

    afterAll(async () => {
      await subject?.close();
      if (scratch) await rm(scratch, { recursive: true, force: true });
    });

    it('answers ping and reports its version', async () => {
      await backend.ping();
      expect(backend.info.version).toMatch(/^\d+\.\d+/);
      expect(backend.info.timezone).not.toBe('');
    });

    it('reports the capabilities of its store', () => {
      expect(backend.capabilities).toEqual({ queryParameters: modern, writtenRows: modern, sequencedInserts: modern });
    });

    it('returns a result in the requested format', async () => {
      expect(await text('SELECT number FROM numbers(10)')).toBe('0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n');
      expect(await text('SELECT number, toString(number) AS s FROM numbers(2)', 'CSV')).toBe('0,"0"\n1,"1"\n');
    });

    it("lets the statement's own FORMAT clause override the format argument", async () => {
      const out = await text('SELECT number FROM numbers(3) FORMAT JSONEachRow', 'TabSeparated');
      const rows = out.trim().split('\n').map((line) => JSON.parse(line) as { number: string | number });
      expect(rows.map((r) => Number(r.number))).toEqual([0, 1, 2]);
    });

    it('streams a large result in several chunks', async () => {
      let chunks = 0;
      let lines = 0;
      let bytes = 0;
      for await (const chunk of backend.query('SELECT number FROM numbers(1000000)', 'TabSeparated', context(), true)) {
        chunks++;
        bytes += chunk.bytes.length;
        for (const byte of chunk.bytes) if (byte === 0x0a) lines++;
      }
      expect(lines).toBe(1_000_000);
      expect(bytes).toBe(6_888_890);
      expect(chunks).toBeGreaterThan(1);
    });

    it('applies settings to one statement only', async () => {
      const sql = "SELECT value FROM system.settings WHERE name = 'max_block_size'";
      const baseline = await text(sql);
      expect(baseline).toMatch(/^\d+\n$/);
      expect(await text(sql, 'TabSeparated', context({ settings: new Map([['max_block_size', '1234']]) }))).toBe('1234\n');
      expect(await text(sql)).toBe(baseline);
      const [mine, theirs] = await Promise.all([
        text(sql, 'TabSeparated', context({ settings: new Map([['max_block_size', '4321']]) })),
        text(sql),
      ]);
      expect(mine).toBe('4321\n');
      expect(theirs).toBe(baseline);
    });

    it('runs each statement in its own database', async () => {
      await command('CREATE DATABASE IF NOT EXISTS contract_db');
      await command('DROP TABLE IF EXISTS contract_db.t');
      await command('CREATE TABLE contract_db.t (x UInt32) ENGINE = MergeTree ORDER BY x');
      await command('INSERT INTO contract_db.t SELECT toUInt32(number) FROM numbers(3)');
      expect(await text('SELECT count() FROM t', 'TabSeparated', context({ database: 'contract_db' }))).toBe('3\n');
      expect(await codeOf(text('SELECT count() FROM t', 'TabSeparated', context({ database: 'default' })))).toBe(60);
      expect(await text('SELECT count() FROM t', 'TabSeparated', context({ database: 'contract_db' }))).toBe('3\n');
    });

    it('runs DDL through command()', async () => {
      await command('DROP TABLE IF EXISTS contract_ddl');
      await command('CREATE TABLE contract_ddl (a UInt8) ENGINE = Memory');
      expect(await command('EXISTS TABLE contract_ddl')).toBe('1\n');
      await command('DROP TABLE contract_ddl');
      expect(await command('EXISTS TABLE contract_ddl')).toBe('0\n');
    });

    it('runs INSERT statements that carry their data inline through command()', async () => {
      await command('DROP TABLE IF EXISTS contract_inline');
      await command('CREATE TABLE contract_inline (id UInt32, s String) ENGINE = MergeTree ORDER BY id');
      await command("INSERT INTO contract_inline VALUES (1, 'one'), (2, 'two')");
      await command('INSERT INTO contract_inline FORMAT TabSeparated\n3\tthree\n');
      expect(await text('SELECT id, s FROM contract_inline ORDER BY id')).toBe('1\tone\n2\ttwo\n3\tthree\n');
    });

    it('inserts parts and staged files in text formats', async () => {
      await command('DROP TABLE IF EXISTS contract_ins');
      await command('CREATE TABLE contract_ins (id UInt32, s String) ENGINE = MergeTree ORDER BY id');
      // Parts are concatenated in order, so a row may straddle two of them.
      const tsv = await backend.insert(
        { target: '`contract_ins`', columns: '', format: 'TabSeparated' },
        { kind: 'parts', parts: [encoder.encode('1\to'), encoder.encode('ne\n2\ttwo\n')] },
        context(),
      );
      const json = await backend.insert(
        { target: 'default.contract_ins', columns: '(s, id)', format: 'JSONEachRow' },
        { kind: 'parts', parts: [encoder.encode('{"id":3,"s":"three"}\n{"id":4,"s":"fo\\tur"}\n')] },
        context(),
      );
      const path = join(scratch, 'rows.tsv');
      const body = '5\tfive\n6\tsix\n7\tseven\n';
      await writeFile(path, body);
      const file = await backend.insert(
        { target: 'contract_ins', columns: '(id, s)', format: 'TSV' },
        { kind: 'file', path, bytes: Buffer.byteLength(body) },
        context(),
      );
      if (subject.modern) expect([tsv.writtenRows, json.writtenRows, file.writtenRows]).toEqual([2, 2, 3]);
      expect(await text('SELECT id, s FROM contract_ins ORDER BY id')).toBe('1\tone\n2\ttwo\n3\tthree\n4\tfo\\tur\n5\tfive\n6\tsix\n7\tseven\n');
    });

    it('inserts the binary Native format', async () => {
      await command('DROP TABLE IF EXISTS contract_native');
      await command('CREATE TABLE contract_native (id UInt32, s String) ENGINE = MergeTree ORDER BY id');
      const native = await bytesOf(backend.query('SELECT toUInt32(number) AS id, toString(number) AS s FROM numbers(5000)', 'Native', context(), true));
      expect(native.length).toBeGreaterThan(5000);
      await backend.insert({ target: 'contract_native', columns: '', format: 'Native' }, { kind: 'parts', parts: [native] }, context());
      expect(await text("SELECT count(), sum(id), sum(toUInt32(s)), countIf(s = '4999') FROM contract_native")).toBe('5000\t12497500\t12497500\t1\n');
    });

    it('keeps the store error codes', async () => {
      expect(await codeOf(text('SELEC 1'))).toBe(62);
      expect(await codeOf(text('SELECT * FROM contract_missing'))).toBe(60);
      expect(await codeOf(backend.command('DROP TABLE contract_missing', context()))).toBe(60);
      const insert = backend.insert(
        { target: 'contract_missing', columns: '', format: 'TabSeparated' },
        { kind: 'parts', parts: [encoder.encode('1\n')] },
        context(),
      );
      expect(await codeOf(insert)).toBe(60);
      const error = await text('SELEC 1').catch((err: unknown) => err as GatewayError);
      expect((error as GatewayError).message).toMatch(/Syntax error/);
    });

    it('rejects a statement whose signal was aborted before it started', async () => {
      const controller = new AbortController();
      controller.abort();
      expect(await codeOf(text('SELECT 1', 'TabSeparated', context({ signal: controller.signal })))).toBe(394);
    });

    it('cancels a running statement through its signal and keeps serving', async () => {
      const controller = new AbortController();
      const settings = new Map([['max_execution_time', '60']]);
      const started = Date.now();
      const running = text('SELECT sum(sipHash64(number)) FROM numbers(100000000000)', 'TabSeparated', context({ signal: controller.signal, settings }));
      setTimeout(() => controller.abort(), 200);
      expect(await codeOf(running)).toBe(394);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await text('SELECT 42')).toBe('42\n');
    });

    it('releases the store when the reader stops early', async () => {
      for (let i = 0; i < 4; i++) {
        for await (const chunk of backend.query('SELECT number FROM numbers(100000000)', 'TabSeparated', context(), true)) {
          expect(chunk.bytes.length).toBeGreaterThan(0);
          break;
        }
      }
      expect(await text('SELECT 7')).toBe('7\n');
    });

    if (modern) it('binds query parameters (modern stores)', async () => {
      expect(await text('SELECT {x:UInt32} + 1', 'TabSeparated', context({ params: new Map([['x', '41']]) }))).toBe('42\n');
      // Values are text already: a real tab stays one character.
      const params = new Map([['s', "a\tb'c\\"]]);
      expect(await text('SELECT length({s:String}), {s:String}', 'TabSeparated', context({ params }))).toBe("6\ta\\tb\\'c\\\\\n");
    });

    if (modern) it('binds a String parameter with control characters, quotes and unicode exactly (modern stores)', async () => {
      const value = "tab\there\nnew'quote\\back\\t\r\u00e9\u4e2d\u{1F600}";
      const params = new Map([['s', value]]);
      const sql = 'SELECT lengthUTF8({s:String}), hex({s:String}), {s:String} = unhex({h:String})';
      const out = await text(sql, 'TabSeparated', context({ params: new Map([...params, ['h', Buffer.from(value).toString('hex')]]) }));
      expect(out).toBe(`${[...value].length}\t${Buffer.from(value).toString('hex').toUpperCase()}\t1\n`);
    });

    if (modern) it('binds an Array(String) literal whose elements hold quotes and backslashes (modern stores)', async () => {
      // The executor's spelling of a composite: quoted strings decoded and re-quoted by doubling.
      const params = new Map([['a', "['it''s','back\\','tab\tx']"]]);
      const out = await text("SELECT length({a:Array(String)}), arrayStringConcat(arrayMap(x -> hex(x), {a:Array(String)}), ',')", 'TabSeparated', context({ params }));
      const hex = (s: string): string => Buffer.from(s).toString('hex').toUpperCase();
      expect(out).toBe(`3\t${[hex("it's"), hex('back\\'), hex('tab\tx')].join(',')}\n`);
    });

    if (modern) it('refuses a placeholder without a value (modern stores)', async () => {
      expect(await codeOf(text('SELECT {unset:String}'))).toBe(456);
    });

    if (modern) it('binds the NULL marker as NULL for a Nullable parameter (modern stores)', async () => {
      const params = new Map([['n', '\\N'], ['m', 'N']]);
      const out = await text('SELECT isNull({n:Nullable(String)}), isNull({m:Nullable(String)}), {m:Nullable(String)}', 'TabSeparated', context({ params }));
      expect(out).toBe('1\t0\tN\n');
    });

    if (modern) it('handles DateTime64, Map and Bool (modern stores)', async () => {
      const out = await text("SELECT toDateTime64('2024-01-02 03:04:05.678', 3, 'UTC') AS t, map('a', 1) AS m, true AS b", 'JSONEachRow');
      expect(JSON.parse(out)).toEqual({ t: '2024-01-02 03:04:05.678', m: { a: 1 }, b: true });
    });

    if (modern) it('surfaces an error raised mid-stream (modern stores)', async () => {
      const settings = new Map([['max_block_size', '1000']]);
      const sql = "SELECT throwIf(number = 300000, 'contract boom') FROM numbers(1000000)";
      const result = text(sql, 'TabSeparated', context({ settings }));
      expect(await codeOf(result)).toBe(395);
      expect(await text('SELECT 8')).toBe('8\n');
    });

    catalogCases(() => backend);
    sequenceCases(() => backend, command, text, modern && gaps.sequencedBodies !== false, modern, gaps.omittedDefaults !== false);
  });
}

/** Names and texts that break naive quoting: quotes, backslashes, NUL, control characters, unicode. */
const hostile = "it's \\ \"q\" `b` \u0000 nul\ttab\nline\r \u00e9\u4e2d\u{1F600}";

function streamEntry(database: string, name: string, comment: string): CatalogEntry {
  const column = { name: `c ${hostile}`, type: 'string', defaultKind: 'DEFAULT' as const, default: `'${hostile}'`, codec: '', comment, reserved: false };
  return {
    kind: 'stream', database, name, mode: 'append', variant: 'stream', columns: [column], orderBy: 'to_start_of_hour(_tp_time)',
    partitionBy: '', primaryKey: '', ttl: '', settings: { mode: "'append'" }, versionColumn: '_tp_time', comment, createSql: `CREATE STREAM ${hostile}`,
  };
}

const byKey = (entries: readonly CatalogEntry[]): CatalogEntry[] =>
  [...entries].sort((a, b) => (`${a.kind}\u0001${a.database}\u0001${a.name}` < `${b.kind}\u0001${b.database}\u0001${b.name}` ? -1 : 1));

function catalogCases(store: () => Backend): void {
  it('keeps the catalog in the store: save, replace, remove, a second reader, hostile text', async () => {
    const backend = store();
    await backend.command('DROP TABLE IF EXISTS `_hadron`.`catalog`', context());
    const meta = new MetaStore(backend);
    await meta.open();
    await meta.open();
    const stream = streamEntry('default', `s ${hostile}`, 'first');
    const fn: CatalogEntry = { kind: 'function', database: '', name: hostile, language: 'javascript', aggregate: false, createSql: `CREATE FUNCTION ${hostile}` };
    const db: CatalogEntry = { kind: 'database', database: hostile, name: '', createSql: `CREATE DATABASE ${hostile}` };
    for (const entry of [stream, fn, db]) await meta.save(entry);
    expect(byKey(await meta.load())).toEqual(byKey([stream, fn, db]));
    // The same key in another kind or database is another entry.
    const other = streamEntry(hostile, `s ${hostile}`, 'elsewhere');
    await meta.save(other);
    const replaced = streamEntry('default', `s ${hostile}`, 'second');
    await meta.save(replaced);
    expect(byKey(await meta.load())).toEqual(byKey([replaced, fn, db, other]));
    await meta.remove('function', '', hostile);
    expect(byKey(await meta.load())).toEqual(byKey([replaced, db, other]));
    const second = new MetaStore(backend);
    await second.open();
    expect(byKey(await second.load())).toEqual(byKey([replaced, db, other]));
    // Each writes past the other's versions: the later write wins, whoever made it.
    await second.save(fn);
    await second.remove('database', hostile, '');
    const third = streamEntry('default', `s ${hostile}`, 'third');
    await meta.save(third);
    expect(byKey(await meta.load())).toEqual(byKey([third, fn, other]));
    expect(byKey(await second.load())).toEqual(byKey([third, fn, other]));
  });
}

type Sql = (sql: string) => Promise<string>;

/** A stream table as Hadron lays it out: `_tp_sn` MATERIALIZED (hidden from SELECT *), a DEFAULT column. */
async function streamTable(command: Sql, name: string): Promise<InsertTarget['sequence'] & {}> {
  await command(`DROP TABLE IF EXISTS ${name}`);
  await command(`CREATE TABLE ${name} (id UInt32, s String, d UInt32 DEFAULT 7, _tp_sn Int64 MATERIALIZED 0) ENGINE = MergeTree ORDER BY id`);
  return { key: `\`default\`.\`${name}\``, columns: ['`id`', '`s`', '`d`'], structure: 'id UInt32, s String, d UInt32' };
}

function sequenceCases(store: () => Backend, command: (sql: string) => Promise<string>, text: Sql, bodies: boolean, modern: boolean, defaults: boolean): void {
  const insert = (sequence: InsertTarget['sequence'] & {}, format: string, body: string) =>
    store().insert({ target: sequence.key, columns: `(${sequence.columns.join(', ')})`, format, sequence }, { kind: 'parts', parts: [encoder.encode(body)] }, context());
  /** `_tp_sn, s` of every row by `_tp_sn`. */
  const numbered = async (name: string): Promise<Array<[number, string]>> =>
    (await text(`SELECT _tp_sn, s FROM ${name} ORDER BY _tp_sn`)).split('\n').filter((l) => l !== '').map((l) => {
      const [sn = '', s = ''] = l.split('\t');
      return [Number(sn), s];
    });
  const dense = (rows: ReadonlyArray<[number, string]>): void => expect(rows.map(([sn]) => sn)).toEqual(rows.map((_, i) => i));

  if (!modern) it('refuses a sequenced body insert on a store without input()', async () => {
    const sequence = await streamTable(command, 'contract_seq_old');
    expect(await codeOf(insert(sequence, 'TabSeparated', '1\ta\t2\n'))).toBe(48);
  });

  if (bodies) it('numbers concurrent inserts into one stream densely, each insert contiguous', async () => {
    const sequence = await streamTable(command, 'contract_seq');
    const sizes = Array.from({ length: 40 }, (_, i) => 1 + ((i * 7) % 23));
    await Promise.all(sizes.map((size, batch) => {
      const body = Array.from({ length: size }, (_, r) => JSON.stringify({ id: batch * 100 + r, s: `b${batch}`, d: 1 })).join('\n');
      return insert(sequence, 'JSONEachRow', body);
    }));
    const rows = await numbered('contract_seq');
    expect(rows.length).toBe(sizes.reduce((a, b) => a + b, 0));
    dense(rows);
    for (let batch = 0; batch < sizes.length; batch++) {
      const mine = rows.filter(([, s]) => s === `b${batch}`).map(([sn]) => sn);
      expect(mine.length).toBe(sizes[batch]);
      expect((mine.at(-1) as number) - (mine[0] as number)).toBe(mine.length - 1);
    }
  });

  if (bodies) it('numbers two streams independently, across formats, with DEFAULTs and no gap after a failed insert', async () => {
    const a = await streamTable(command, 'contract_seq_a');
    const b = await streamTable(command, 'contract_seq_b');
    await Promise.all([
      insert(a, 'JSONEachRow', '{"id":1,"s":"a1"}\n{"id":2,"s":"a2","d":3}\n'),
      insert(b, 'CSV', '1,"b1",1\n2,"b2",1\n3,"b3",1\n'),
      insert(a, 'Values', "(3, 'a3', 1), (4, 'a4', 1)"),
    ]);
    expect(await codeOf(insert(a, 'JSONEachRow', '{"id":5,"s":"bad"}\n{"id":"not a number","s":"bad"}\n'))).not.toBe(0);
    await insert(a, 'TabSeparated', '6\ta6\t1\n');
    await insert(b, 'JSONEachRow', '{"id":4,"s":"b4"}');
    const rowsA = await numbered('contract_seq_a');
    dense(rowsA);
    expect(rowsA.map(([, s]) => s).filter((s) => s !== 'bad').sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'a6']);
    const rowsB = await numbered('contract_seq_b');
    dense(rowsB);
    expect(rowsB.length).toBe(4);
    // The omitted field got its DEFAULT (or, through input('structure'), its type's default), and SELECT * does not show _tp_sn.
    expect(await text("SELECT * FROM contract_seq_a WHERE s IN ('a1', 'a2') ORDER BY id")).toBe(defaults ? '1\ta1\t7\n2\ta2\t3\n' : '1\ta1\t0\n2\ta2\t3\n');
  });

  if (bodies) it('numbers only the rows a tolerant parse keeps (input_format_allow_errors_num)', async () => {
    const sequence = await streamTable(command, 'contract_seq_tolerant');
    const settings = new Map([['input_format_allow_errors_num', '5']]);
    const body = '{"id":1,"s":"a"}\n{"id":"bad","s":"b"}\n{"id":3,"s":"c"}\n';
    const target = { target: sequence.key, columns: `(${sequence.columns.join(', ')})`, format: 'JSONEachRow', sequence };
    await store().insert(target, { kind: 'parts', parts: [encoder.encode(body)] }, context({ settings }));
    await insert(sequence, 'JSONEachRow', '{"id":4,"s":"d"}');
    const rows = await numbered('contract_seq_tolerant');
    dense(rows);
    expect(rows.map(([, s]) => s)).toEqual(['a', 'c', 'd']);
  });

  it('numbers the rows of an INSERT ... SELECT, and later inserts continue after them', async () => {
    const sequence = await streamTable(command, 'contract_seq_select');
    const target = { table: sequence.key, columns: sequence.columns, key: sequence.key };
    const select = "SELECT toUInt32(number) AS id, concat('n', toString(number)) AS s, toUInt32(1) AS d FROM system.numbers LIMIT 5";
    await store().insertSelect(target, select, context());
    await store().insertSelect(target, select, context());
    if (bodies) await insert(sequence, 'JSONEachRow', '{"id":9,"s":"after"}');
    const rows = await numbered('contract_seq_select');
    dense(rows);
    expect(rows.length).toBe(bodies ? 11 : 10);
    if (bodies) expect(rows.at(-1)).toEqual([10, 'after']);
  });
}
