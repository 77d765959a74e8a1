import { describe, expect, it } from 'vitest';
import { classify, type Classified } from '../../../src/rewrite/statement.ts';

const latin1 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
const full = (s: string): Classified => classify(latin1(s), true);

describe('statement classifier', () => {
  it('routes row-returning statements and finds the output FORMAT', () => {
    expect(full('SELECT 1')).toEqual({ kind: 'select', streamable: true, format: null, processes: [] });
    expect(full('select a from t format JSONEachRow')).toMatchObject({ kind: 'select', format: 'JSONEachRow' });
    expect(full('SELECT * FROM (SELECT 1 FORMAT CSV) FORMAT TSV;')).toMatchObject({ kind: 'select', format: 'TSV' });
    expect(full('WITH 1 AS x SELECT x')).toMatchObject({ kind: 'select', streamable: true });
    expect(full('SHOW TABLES')).toMatchObject({ kind: 'select', streamable: false });
    expect(full('DESCRIBE TABLE t FORMAT Native')).toMatchObject({ kind: 'select', streamable: false, format: 'Native' });
    expect(full('(SELECT 1) UNION ALL (SELECT 2)')).toMatchObject({ kind: 'select' });
    expect(full("SELECT 'format', `FORMAT` -- FORMAT CSV\n")).toMatchObject({ kind: 'select', format: null });
  });

  it('finds system.processes references by byte range', () => {
    const sql = "SELECT 'é', query_id FROM system.processes WHERE 1";
    const r = full(sql);
    expect(r.kind).toBe('select');
    if (r.kind !== 'select') return;
    const bytes = Buffer.from(sql);
    expect(r.processes).toHaveLength(1);
    expect(bytes.subarray(r.processes[0]!.start, r.processes[0]!.end).toString()).toBe('system.processes');
    expect(full('SELECT * FROM `system`.`processes`')).toMatchObject({ processes: [{ start: 14, end: 34 }] });
  });

  it('recognises SET, USE, KILL QUERY, SHOW PROCESSLIST', () => {
    expect(full("SET max_threads = 1, date_time_input_format = 'best_effort', x = -2")).toEqual({
      kind: 'set', settings: [['max_threads', '1'], ['date_time_input_format', 'best_effort'], ['x', '-2']],
    });
    expect(full('USE `my db`')).toEqual({ kind: 'use', database: 'my db' });
    expect(full("KILL QUERY WHERE query_id = 'a' SYNC")).toEqual({ kind: 'kill_query', where: "query_id = 'a'", mode: 'SYNC', format: null });
    expect(full("kill query where user='x' and (1=1) format JSON")).toEqual({ kind: 'kill_query', where: "user='x' and (1=1)", mode: 'ASYNC', format: 'JSON' });
    expect(full('SHOW PROCESSLIST FORMAT Vertical')).toEqual({ kind: 'show_processlist', format: 'Vertical' });
  });

  it('classifies writes for readonly checks', () => {
    expect(full('CREATE TABLE t (a Int8) ENGINE = Memory')).toEqual({ kind: 'command', write: true, verb: 'CREATE' });
    expect(full('DROP TABLE t')).toMatchObject({ kind: 'command', write: true });
    expect(full('EXISTS TABLE t')).toMatchObject({ kind: 'select' });
  });

  it('parses INSERT targets, columns, settings and the data offset', () => {
    const sql = 'INSERT INTO db.`t t` (a, `b`) SETTINGS async_insert = 1 FORMAT JSONEachRow \r\n{"a":1}';
    const r = full(sql);
    expect(r).toEqual({
      kind: 'insert', target: 'db.`t t`', columns: '(a, `b`)', table: { database: 'db', name: 't t' },
      format: 'JSONEachRow', dataOffset: sql.indexOf('{'), settings: [['async_insert', '1']],
    });
    expect(full('INSERT INTO t VALUES (1), (2)')).toMatchObject({ format: 'Values', dataOffset: 20 });
    expect(full('INSERT INTO t SELECT * FROM u')).toMatchObject({ kind: 'insert', format: null, dataOffset: null });
    expect(full('INSERT INTO FUNCTION file(\'x.csv\') FORMAT CSV\n1')).toMatchObject({ target: "FUNCTION file('x.csv')", table: null, format: 'CSV', dataOffset: 46 });
    expect(full('INSERT INTO t FORMAT Native')).toMatchObject({ dataOffset: 27 });
  });

  it('reports syntax errors and multi-statements', () => {
    expect(full('')).toMatchObject({ kind: 'error', message: 'Empty query' });
    expect(full('SELECT 1; SELECT 2')).toMatchObject({ kind: 'error', message: 'Multi-statements are not allowed' });
    expect(full('INSERT t VALUES')).toMatchObject({ kind: 'error' });
    expect(full("SELECT 'unterminated")).toMatchObject({ kind: 'error' });
  });

  it('gives the same INSERT answer whatever prefix of the body has arrived', () => {
    const body = 'INSERT INTO t (a) FORMAT RowBinary\n\x01\x02\x03\x00\xff';
    const text = Buffer.from(body, 'latin1').toString('latin1');
    const whole = classify(text, true);
    let firstKnown = -1;
    for (let cut = 0; cut <= text.length; cut++) {
      const r = classify(text.slice(0, cut), false);
      if (r.kind === 'incomplete') {
        expect(firstKnown).toBe(-1);
        continue;
      }
      if (firstKnown === -1) firstKnown = cut;
      expect(r).toEqual(whole);
    }
    expect(firstKnown).toBeGreaterThan(text.indexOf('RowBinary'));
    expect(firstKnown).toBeLessThan(text.length);
  });

  it('waits for the whole text of other statements', () => {
    expect(classify('SELECT 1', false)).toEqual({ kind: 'incomplete' });
    expect(classify('INSER', false)).toEqual({ kind: 'incomplete' });
  });
});
