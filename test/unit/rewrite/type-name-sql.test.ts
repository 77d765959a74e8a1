// to_type_name in Proton spelling: the generated expression, printed for ClickHouse and run on the
// embedded store, must agree with printType(parseType(<store's name>), 'proton') for every type.
import { describe, expect, it } from 'vitest';
import type { Expr } from '../../../src/rewrite/ast.ts';
import { print } from '../../../src/rewrite/printer.ts';
import { familyRules, protonTypeNameSql } from '../../../src/rewrite/type-name-sql.ts';
import { parseType } from '../../../src/type-parser.ts';
import { printType } from '../../../src/types.ts';
import { tempSession } from '../../support/chdb.ts';

const chdb = tempSession('type-name-sql');
const rows = async (sql: string): Promise<Record<string, string>[]> =>
  (await chdb.session.queryAsync(sql, { format: 'JSONEachRow' })).text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);

/** Column types of the test table, as ClickHouse spells them in DDL. */
const columnTypes = [
  'UInt64', 'Int8', 'Int128', 'UInt256', 'Float32', 'Float64', 'Bool', 'String', 'Nullable(String)', 'Array(UInt8)',
  'Array(Nullable(Float64))', 'Map(String, Int32)', 'Map(String, Array(LowCardinality(String)))', 'LowCardinality(String)',
  'LowCardinality(Nullable(String))', 'FixedString(4)', 'Decimal(10, 2)', 'Decimal(38, 5)', "Enum8('a' = 1, 'String' = 2)",
  "Enum16('Date' = 1000, 'x\\'y' = -1)", "DateTime64(3, 'UTC')", 'DateTime64(6)', "DateTime('America/New_York')", 'DateTime',
  'Date', 'Date32', 'Tuple(a Int8, b String)', 'Tuple(UInt8, String)', 'Tuple(Date Date, UInt8 UInt8)',
  'Tuple(a Tuple(b Int8, `c d` String), e Array(Tuple(f UInt8, g String)))', 'IPv4', 'IPv6', 'UUID',
  'AggregateFunction(sum, UInt64)', 'SimpleAggregateFunction(max, UInt32)', 'Point', 'MultiPolygon', 'JSON(a.b UInt32)',
  'Variant(UInt8, String)', 'Dynamic',
];
const column = (k: number): Expr => ({ kind: 'identifier', parts: [`c${k}`] });
const number = (text: string): Expr => ({ kind: 'number', text });
/** Expressions whose types no table column can have. */
const expressions: readonly (readonly [label: string, inner: Expr])[] = [
  ['[1, 2]', { kind: 'array', items: [number('1'), number('2')] }],
  ['[]', { kind: 'array', items: [] }],
  ['toIntervalSecond(1)', { kind: 'function', name: 'toIntervalSecond', params: null, args: [number('1')], distinct: false }],
  ['NULL', { kind: 'null' }],
];

describe('protonTypeNameSql', () => {
  it('prints as one ClickHouse expression over toTypeName', () => {
    const sql = print(protonTypeNameSql({ kind: 'identifier', parts: ['x'] }), 'clickhouse');
    expect(sql.startsWith("arrayStringConcat(arrayMap(__type_name_part -> if(match(__type_name_part, '^[\\'`]'), __type_name_part, replaceRegexpAll(")).toBe(true);
    expect(sql.endsWith("extractAll(replaceRegexpAll(replaceRegexpAll(toTypeName(x), ',\\\\n\\\\s*', ', '), '\\\\n\\\\s*', ''), '\\'(?:[^\\'\\\\\\\\]|\\\\\\\\.)*\\'|`(?:[^`\\\\\\\\]|\\\\\\\\.)*`|[^\\'`]+')))")).toBe(true);
    expect(sql).toContain("'\\\\bDateTime64([(,)]|$)', 'datetime64\\\\1'");
  });

  it('has one rule per family Proton spells differently, longer names first', () => {
    const names = familyRules.map(([pattern]) => pattern.slice(2, pattern.indexOf('(')));
    expect(names.indexOf('DateTime64')).toBeLessThan(names.indexOf('DateTime'));
    expect(names.indexOf('LowCardinality')).toBeGreaterThanOrEqual(0);
    expect(familyRules.find(([p]) => p.startsWith('\\bFixedString'))?.[1]).toBe('fixed_string\\1');
  });

  it('agrees with printType on the store for every type', async () => {
    await chdb.session.queryAsync(
      `CREATE TABLE spread (k UInt8, ${columnTypes.map((t, k) => `c${k} ${t}`).join(', ')}) ENGINE = Memory`,
      { format: 'TSV' },
    );
    await chdb.session.queryAsync('INSERT INTO spread (k) VALUES (1)', { format: 'TSV' });
    const cases: (readonly [string, Expr])[] = [...columnTypes.map((t, k): [string, Expr] => [t, column(k)]), ...expressions];
    const select = cases.map(([, inner], k) => `toTypeName(${print(inner, 'clickhouse')}) AS ch${k}, ${print(protonTypeNameSql(inner), 'clickhouse')} AS p${k}`);
    const [row] = await rows(`SELECT ${select.join(', ')} FROM spread FORMAT JSONEachRow`);
    const got = cases.map(([label], k) => [label, row?.[`p${k}`]]);
    const want = cases.map(([label], k) => [label, printType(parseType(row?.[`ch${k}`] ?? ''), 'proton')]);
    expect(got).toEqual(want);
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it('gives the reference examples (§1.14, §4 J70)', async () => {
    const [inner] = expressions[0] ?? [];
    expect(inner).toBe('[1, 2]');
    const [row] = await rows(`SELECT ${print(protonTypeNameSql(expressions[0]?.[1] as Expr), 'clickhouse')} AS t,
      ${print(protonTypeNameSql(column(3)), 'clickhouse')} AS nested FROM (SELECT toDateTime64(0, 3, 'UTC') AS c3) FORMAT JSONEachRow`);
    expect(row).toEqual({ t: 'array(uint8)', nested: "datetime64(3, 'UTC')" });
  });
});
