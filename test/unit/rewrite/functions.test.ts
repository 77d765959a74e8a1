// The Proton function table: complete against Proton's name list, current with its generator, and runnable on
// the embedded ClickHouse. Needs ../shared/reference/proton-functions.csv beside the repo (CI clones it there).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { queryAsync } from 'chdb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  csvPath, deriveFunctionMap, docsPath, modulePath, parseProtonFunctions, protonNameOf, readClickHouseFunctions,
  renderDocs, renderModule, renderSqlSection, spliceSqlSection, sqlDocsPath, type ClickHouseFunction, type ProtonName,
} from '../../../scripts/generate-function-map.ts';
import { applyTemplate, type FunctionMapping } from '../../../src/rewrite/function-rules.ts';
import { protonFunctionCounts, protonFunctions } from '../../../src/rewrite/functions.ts';
import { protonFunction } from '../../../src/rewrite/function-lookup.ts';

let proton: ProtonName[];
let clickhouse: ClickHouseFunction[];
let version: string;

beforeAll(async () => {
  if (!existsSync(csvPath)) {
    throw new Error(`Proton's function list is missing: expected ${fileURLToPath(csvPath)} (../shared/reference beside the repo)`);
  }
  proton = parseProtonFunctions(readFileSync(csvPath, 'utf8'));
  ({ functions: clickhouse, version } = await readClickHouseFunctions());
});

async function run(sql: string): Promise<string> {
  return (await queryAsync(sql, { format: 'TSV' })).text().trimEnd();
}

describe('function table', () => {
  it('accounts for every name in proton-functions.csv', () => {
    expect(proton.length).toBeGreaterThan(1300);
    const missing = proton.map((p) => p.name).filter((n) => !Object.hasOwn(protonFunctions, n));
    expect(missing, 'Proton names missing from src/rewrite/functions.ts (rerun the generator)').toEqual([]);
    const counts = Object.values(protonFunctions).reduce<Record<string, number>>((acc, f) => ({ ...acc, [f.kind]: (acc[f.kind] ?? 0) + 1 }), {});
    expect(counts).toEqual(protonFunctionCounts);
  });

  it('is what the generator produces from the embedded ClickHouse and the CSV', () => {
    const map = deriveFunctionMap(clickhouse, proton);
    expect(map.unaccounted, 'Proton names no rule accounts for: add them to src/rewrite/function-rules.ts').toEqual([]);
    expect(map.problems).toEqual([]);
    expect(Object.fromEntries(map.entries)).toEqual(protonFunctions);
    const stale = 'is stale: run `npx node scripts/generate-function-map.ts`';
    expect(readFileSync(modulePath, 'utf8') === renderModule(map, version), `src/rewrite/functions.ts ${stale}`).toBe(true);
    expect(readFileSync(docsPath, 'utf8') === renderDocs(map, version), `docs/functions.md ${stale}`).toBe(true);
    const sqlDoc = readFileSync(sqlDocsPath, 'utf8');
    expect(spliceSqlSection(sqlDoc, renderSqlSection(map, version)) === sqlDoc, `the function section of docs/sql.md ${stale}`).toBe(true);
  });

  it('names only functions the embedded ClickHouse has', async () => {
    const mapped = Object.values(protonFunctions).flatMap((f) => (f.kind === 'function' ? [f] : []));
    for (const [table, source] of [[false, 'system.functions'], [true, 'system.table_functions']] as const) {
      const names = [...new Set(mapped.filter((f) => (f.table ?? false) === table).map((f) => f.clickhouse))];
      const list = names.map((n) => `'${n.replace(/'/g, "\\'")}'`).join(', ');
      const found = new Set((await run(`SELECT name FROM ${source} WHERE name IN (${list})`)).split('\n'));
      expect(names.filter((n) => !found.has(n)), `missing from ${source}`).toEqual([]);
    }
  });

  it('keeps ClickHouse and Proton in agreement on aggregate-ness', () => {
    const wrong = proton.filter((p) => {
      const f = protonFunctions[p.name];
      return f !== undefined && f.kind !== 'unsupported' && f.aggregate !== p.aggregate;
    });
    expect(wrong.map((p) => p.name)).toEqual([]);
  });
});

describe('protonNameOf (the §1.15 naming rule)', () => {
  it.each([
    ['count', 'count'], ['toDateTime', 'to_datetime'], ['toDateTime64OrNull', 'to_datetime64_or_null'],
    ['toYYYYMM', 'to_YYYYMM'], ['toYYYYMMDDhhmmss', 'to_YYYYMMDDhhmmss'], ['toUInt8', 'to_uint8'],
    ['IPv4NumToString', 'ipv4_num_to_string'], ['toStartOfInterval', 'to_start_of_interval'],
    ['JSONExtractString', 'json_extract_string'], ['parseDateTime64BestEffortUSOrZero', 'parse_datetime64_best_effort_us_or_zero'],
    ['medianTDigest', 'median_tdigest'], ['quantileTDigest', 'quantile_t_digest'], ['quantilesBFloat16', 'quantiles_b_float16'],
    ['studentTTest', 'student_ttest'], ['isNaN', 'is_nan'], ['notILike', 'not_ilike'], ['toISOWeek', 'to_iso_week'],
    ['cutToFirstSignificantSubdomainWithWWWRFC', 'cut_to_first_significant_subdomain_with_www_rfc'],
    ['uniqHLL12', 'uniq_hll12'], ['murmurHash3_128', 'murmur_hash3_128'], ['__bitBoolMaskAnd', '__bit_bool_mask_and'],
    ['L2Distance', 'l2_distance'], ['generateUUIDv7', 'generate_uuidv7'], ['base64Encode', 'base64_encode'],
  ])('%s → %s', (clickhouseName, protonName) => {
    expect(protonNameOf(clickhouseName)).toBe(protonName);
  });
});

describe('protonFunction', () => {
  it('looks names up case-insensitively, except the case-sensitive ones', () => {
    expect(protonFunction('To_String')).toEqual({ kind: 'function', clickhouse: 'toString', aggregate: false });
    expect(protonFunction('COUNT')).toMatchObject({ clickhouse: 'count', aggregate: true });
    expect(protonFunction('date_format')).toMatchObject({ clickhouse: 'DATE_FORMAT' });
    expect(protonFunction('Table')).toBeUndefined();
    expect(protonFunction('table')).toMatchObject({ kind: 'streaming' });
  });

  it('passes ClickHouse names and unknown names through (undefined)', () => {
    for (const name of ['toUInt8', 'arrayUnion', 'my_udf', 'constructor', '__proto__', 'toString']) {
      expect(protonFunction(name), name).toBeUndefined();
    }
  });

  it('resolves aggregate combinators on their base', () => {
    expect(protonFunction('count_if')).toEqual({ kind: 'function', clickhouse: 'countIf', aggregate: true });
    expect(protonFunction('count_distinct')).toMatchObject({ clickhouse: 'countDistinct' });
    expect(protonFunction('unique_exact_if_state')).toMatchObject({ clickhouse: 'uniqExactIfState' });
    expect(protonFunction('group_array_simple_state')).toMatchObject({ clickhouse: 'groupArraySimpleState' });
    expect(protonFunction('sum_or_null')).toMatchObject({ clickhouse: 'sumOrNull' });
    expect(protonFunction('quantile_if')).toEqual({ kind: 'function', clickhouse: 'quantileIf', aggregate: true });
    expect(protonFunction('latest_if')).toMatchObject({ kind: 'streaming' });
    expect(protonFunction('p90_if')).toMatchObject({ kind: 'unsupported' });
    expect(protonFunction('to_string_if')).toBeUndefined();
  });

  it('keeps the §1.15 exceptions', () => {
    expect(protonFunction('to_time')).toMatchObject({ kind: 'expression' });
    expect(protonFunction('__to_time')).toMatchObject({ clickhouse: 'toTime' });
    expect(protonFunction('unique')).toMatchObject({ clickhouse: 'uniq' });
    expect(protonFunction('uuid')).toMatchObject({ clickhouse: 'generateUUIDv4' });
    expect(protonFunction('replace_regex')).toMatchObject({ clickhouse: 'replaceRegexpAll' });
    expect(protonFunction('locate')).toMatchObject({ clickhouse: 'position' });
    for (const name of ['lag', 'latest', 'earliest', 'emit_version', 'tumble', 'hop', 'session', 'dedup', 'changelog']) {
      expect(protonFunction(name)?.kind, name).toBe('streaming');
    }
    expect(protonFunction('now')).toMatchObject({ kind: 'function', clickhouse: 'now', streaming: expect.any(String) });
  });
});

describe('applyTemplate', () => {
  it('substitutes arguments, optional groups, alternatives and repetitions', () => {
    expect(applyTemplate('f($1, 3{, $2})', ['a'])).toBe('f(a, 3)');
    expect(applyTemplate('f($1, 3{, $2})', ['a', 'b'])).toBe('f(a, 3, b)');
    expect(applyTemplate('g($2)({tuple($1, $3...)|$1})', ['x', 'k'])).toBe('g(k)(x)');
    expect(applyTemplate('g($2)({tuple($1, $3...)|$1})', ['x', 'k', 'c', 'd'])).toBe('g(k)(tuple(x, c, d))');
    expect(applyTemplate("[$2...<J($1, $)>]", ['js', "'$.a'", "'$.b'"])).toBe("[J(js, '$.a'), J(js, '$.b')]");
    expect(applyTemplate('{a($1, $2)|{b($1)|c()}}', [])).toBe('c()');
  });

  it('rejects calls whose argument count does not fit', () => {
    expect(applyTemplate('f($1)', [])).toBeUndefined();
    expect(applyTemplate('f($1)', ['a', 'b'])).toBeUndefined();
    expect(applyTemplate('f($2...)', ['a'])).toBeUndefined();
  });
});

/** A mapped call, with Proton's trailing aggregate parameters moved into ClickHouse's parameter list. */
function printMapping(f: FunctionMapping, args: readonly string[]): string {
  const p = f.parameters;
  return p !== undefined && args.length > p
    ? `${f.clickhouse}(${args.slice(p).join(', ')})(${args.slice(0, p).join(', ')})`
    : `${f.clickhouse}(${args.join(', ')})`;
}

/** Prints a Proton call with ClickHouse names, as the rewrite printer will; records the names it used. */
const used = new Set<string>();
function call(name: string, ...args: string[]): string {
  const f = protonFunction(name);
  used.add(name);
  if (f?.kind === 'function') return printMapping(f, args);
  if (f?.kind === 'expression') {
    const sql = applyTemplate(f.template, args);
    if (sql === undefined) throw new Error(`${name} does not take ${args.length} arguments`);
    return sql;
  }
  throw new Error(`${name} is ${f?.kind ?? 'no Proton function'}`);
}
const c = call;
const date = c('to_date', "'2024-03-15'");
const time = c('to_datetime', "'2024-01-01 10:20:30'", "'UTC'");

/** [SQL with ClickHouse names, expected TSV or undefined to only check it runs]; aggregates read numbers(10). */
const scalars: readonly (readonly [string, string?])[] = [
  // type conversion
  [c('to_int8', "'12'"), '12'], [c('to_uint8', "'7'"), '7'], [c('to_int16', "'-3'"), '-3'], [c('to_uint16', '70')],
  [c('to_int32', "'5'"), '5'], [c('to_uint32', '5')], [c('to_int64', "'-5'"), '-5'], [c('to_uint64', '5')],
  [c('to_float32', "'1.5'"), '1.5'], [c('to_float64', "'2.25'"), '2.25'],
  [`${c('to_int', "'42'")}, ${c('to_type_name', c('to_int', "'42'"))}`, '42\tInt32'],
  [c('to_type_name', c('to_float', "'1.5'")), 'Float32'],
  [`${c('to_decimal', "'3.1415926'", '2')}, ${c('to_type_name', c('to_decimal', "'3.1415926'", '2'))}`, '3.14\tDecimal(9, 2)'],
  [c('to_decimal64', "'1.25'", '2'), '1.25'], [c('to_string', '7'), '7'], [date, '2024-03-15'],
  [c('to_date16', "'2024-03-15'"), '2024-03-15'], [time, '2024-01-01 10:20:30'],
  [c('to_datetime64', "'2024-01-01 00:00:00.123'", '3', "'UTC'"), '2024-01-01 00:00:00.123'],
  [c('to_bool', "'true'"), 'true'], [c('to_uuid', "'61f0c404-5cb3-11e7-907b-a6006ad3dba0'"), '61f0c404-5cb3-11e7-907b-a6006ad3dba0'],
  [c('to_int8_or_zero', "'x'"), '0'], [c('to_int32_or_null', "'x'"), '\\N'], [c('to_date_or_null', "'x'"), '\\N'],
  [c('to_fixed_string', "'ab'", '3')], [c('cast', '1', "'String'"), '1'], [c('accurate_cast_or_null', '300', "'UInt8'"), '\\N'],
  [c('to_ipv4', "'1.2.3.4'"), '1.2.3.4'], [c('to_type_name', c('to_nullable', '1')), 'Nullable(UInt8)'],
  [c('to_low_cardinality', "'a'"), 'a'], [c('reinterpret_as_uint8', "'a'"), '97'],
  // string
  [c('length', "'abc'"), '3'], [c('lower', "'ABC'"), 'abc'], [c('upper', "'abc'"), 'ABC'], [c('concat', "'a'", "'b'"), 'ab'],
  [c('substring', "'hello'", '2', '3'), 'ell'], [c('substr', "'hello'", '2'), 'ello'], [c('replace', "'aXbX'", "'X'", "'-'"), 'a-b-'],
  [c('replace_one', "'aXbX'", "'X'", "'-'"), 'a-bX'], [c('replace_regex', "'a1b22'", "'\\\\d+'", "'#'"), 'a#b#'],
  [c('position', "'hello'", "'l'"), '3'], [c('locate', "'hello'", "'l'"), '3'], [c('starts_with', "'abc'", "'a'"), '1'],
  [c('ends_with', "'abc'", "'c'"), '1'], [c('trim_both', "'  a  '"), 'a'], [c('trim_left', "' a'"), 'a'],
  [c('trim_right', "'a '"), 'a'], [c('left_pad', "'5'", '3', "'0'"), '005'], [c('lpad', "'5'", '2', "'0'"), '05'],
  [c('right_pad', "'5'", '3', "'0'"), '500'], [c('reverse', "'abc'"), 'cba'], [c('repeat', "'ab'", '2'), 'abab'],
  [c('split_by_char', "','", "'a,b'"), "['a','b']"], [c('format', "'{} {}'", "'a'", "'b'"), 'a b'], [c('like', "'abc'", "'a%'"), '1'],
  [c('ilike', "'ABC'", "'a%'"), '1'], [c('extract', "'abc123'", "'\\\\d+'"), '123'], [c('base64_encode', "'a'"), 'YQ=='],
  [c('base64_decode', "'YQ=='"), 'a'], [c('hex', '255'), 'FF'], [c('unhex', "'41'"), 'A'], [c('empty', "''"), '1'],
  [c('not_empty', "'a'"), '1'], [c('lower_utf8', "'É'"), 'é'], [c('length_utf8', "'héllo'"), '5'], [c('left', "'abc'", '2'), 'ab'],
  [c('right', "'abc'", '2'), 'bc'], [c('ascii', "'a'"), '97'], [c('char', '65'), 'A'], [c('to_valid_utf8', "'a'"), 'a'],
  [c('array_string_concat', "['a', 'b']", "'-'"), 'a-b'], [c('regexp_extract', "'a12'", "'(\\\\d+)'"), '12'],
  [c('match', "'abc'", "'b'"), '1'], [c('hex', c('md5', "''")), 'D41D8CD98F00B204E9800998ECF8427E'],
  // date and time
  [c('to_YYYYMM', date), '202403'], [c('to_YYYYMMDD', date), '20240315'], [c('to_year', date), '2024'], [c('to_month', date), '3'],
  [c('to_day_of_month', date), '15'], [c('day_of_month', date), '15'], [c('to_day_of_week', date), '5'], [c('to_quarter', date), '1'],
  [c('to_hour', time), '10'], [c('to_minute', time), '20'], [c('to_second', time), '30'], [c('to_start_of_hour', time), '2024-01-01 10:00:00'],
  [c('to_start_of_day', time), '2024-01-01 00:00:00'], [c('to_start_of_month', date), '2024-03-01'], [c('to_monday', date), '2024-03-11'],
  [c('to_last_day_of_month', date), '2024-03-31'], [c('to_iso_week', date), '11'], [c('add_days', date, '1'), '2024-03-16'],
  [c('subtract_days', date, '1'), '2024-03-14'], [c('date_trunc', "'month'", date), '2024-03-01'],
  [c('to_start_of_interval', c('to_datetime', "'2024-01-01 00:00:07'", "'UTC'"), 'INTERVAL 5 SECOND'), '2024-01-01 00:00:05'],
  [c('to_unix_timestamp', c('to_datetime', "'2024-01-01 00:00:00'", "'UTC'")), '1704067200'],
  [c('date_diff', "'second'", c('to_datetime', "'2024-01-01 00:00:00'", "'UTC'"), c('to_datetime', "'2024-01-01 00:01:30'", "'UTC'")), '90'],
  [c('format_datetime', time, "'%Y-%m-%d'"), '2024-01-01'], [c('parse_datetime_best_effort', "'2024-01-02 03:04:05'", "'UTC'"), '2024-01-02 03:04:05'],
  [c('to_unix_timestamp64_milli', c('to_datetime64', "'2024-01-01 00:00:00.123'", '3', "'UTC'")), '1704067200123'],
  [c('to_timezone', c('to_datetime', "'2024-01-01 00:00:00'", "'UTC'"), "'Asia/Shanghai'"), '2024-01-01 08:00:00'],
  [`${c('to_time', "'2023-09-19T05:31:34Z'", "'UTC'")}, ${c('to_type_name', c('to_time', "'2023-09-19T05:31:34Z'", "'UTC'"))}`, "2023-09-19 05:31:34.000\tDateTime64(3, \\'UTC\\')"],
  [c('to_time', "'junk'", "'UTC'", c('to_datetime64', "'2000-01-01 00:00:00'", '3', "'UTC'")), '2000-01-01 00:00:00.000'],
  [c('to_time', "'junk'"), '1970-01-01 00:00:00.000'], [c('to_relative_day_num', date), '19797'],
  [c('today')], [c('yesterday')], [c('now')], [c('now64')], [c('to_date', c('from_unix_timestamp', '86400')), '1970-01-02'],
  [c('dateTimeToSnowflake', "CAST('2021-08-15 18:57:56', 'DateTime(\\'Asia/Shanghai\\')')"), '1426860702823350272'],
  [c('dateTime64ToSnowflake', "CAST('2021-08-15 18:57:56.492', 'DateTime64(3, \\'Asia/Shanghai\\')')"), '1426860704886947840'],
  [c('snowflakeToDateTime', "CAST('1426860702823350272', 'Int64')", "'UTC'"), '2021-08-15 10:57:56'],
  [c('snowflakeToDateTime64', "CAST('1426860802823350272', 'Int64')", "'UTC'"), '2021-08-15 10:58:19.841'],
  // arrays, maps, tuples
  [c('array_cast', '1', '2'), '[1,2]'], [c('array_concat', '[1]', '[2]'), '[1,2]'], [c('array_element', '[1, 2]', '2'), '2'],
  [c('has', '[1, 2]', '2'), '1'], [c('index_of', '[1, 2, 3]', '3'), '3'], [c('array_slice', '[1, 2, 3, 4, 5]', '2', '3'), '[2,3,4]'],
  [c('array_sort', '[3, 1, 2]'), '[1,2,3]'], [c('array_reverse_sort', '[3, 1, 2]'), '[3,2,1]'], [c('array_distinct', '[1, 1, 2]'), '[1,2]'],
  [c('array_uniq', '[1, 1, 2]'), '2'], [c('array_sum', '[1, 2]'), '3'], [c('array_avg', '[2, 6]'), '4'], [c('array_max', '[1, 5]'), '5'],
  [c('array_min', '[1, 5]'), '1'], [c('array_map', 'x -> x * 2', '[1, 2]'), '[2,4]'], [c('array_filter', 'x -> x > 1', '[1, 2, 3]'), '[2,3]'],
  [c('array_exists', 'x -> x > 2', '[1, 2, 3]'), '1'], [c('array_all', 'x -> x > 0', '[1, 2]'), '1'],
  [c('array_count', 'x -> x > 1', '[1, 2, 3]'), '2'], [c('array_first', 'x -> x > 1', '[1, 2, 3]'), '2'],
  [c('array_zip', '[1, 2]', "['a', 'b']"), "[(1,'a'),(2,'b')]"], [c('array_flatten', '[[1], [2]]'), '[1,2]'],
  [c('array_compact', '[1, 1, 2]'), '[1,2]'], [c('array_difference', '[1, 2, 4]'), '[0,1,2]'], [c('array_cum_sum', '[1, 1, 1]'), '[1,2,3]'],
  [c('array_push_back', '[1]', '2'), '[1,2]'], [c('array_pop_front', '[1, 2]'), '[2]'], [c('array_resize', '[3, 4]', '4', '5'), '[3,4,5,5]'],
  [c('array_product', '[2, 3, 4]'), '24'], [c('array_enumerate', '[5, 6]'), '[1,2]'], [c('range', '3'), '[0,1,2]'],
  [c('empty_array_uint8'), '[]'], [c('array_join', '[1, 2]'), '1\n2'], [c('map_cast', "'k'", '1'), "{'k':1}"],
  [c('to_type_name', c('random_in_type', "'Int8'")), 'Int8'],
  [c('map_keys', c('map_cast', "'k'", '1')), "['k']"], [c('map_values', c('map_cast', "'k'", '1')), '[1]'],
  [c('tuple_cast', '1', "'a'"), "(1,'a')"],
  // math
  [c('abs', '-3'), '3'], [c('round', '2.567', '2'), '2.57'], [c('floor', '1.7'), '1'], [c('ceil', '1.2'), '2'], [c('sqrt', '16'), '4'],
  [c('pow', '2', '10'), '1024'], [c('exp', '0'), '1'], [c('ln', '1'), '0'], [c('log2', '8'), '3'], [c('log10', '100'), '2'],
  [c('greatest', '1', '3'), '3'], [c('least', '1', '3'), '1'], [c('int_div', '7', '2'), '3'], [c('modulo', '7', '3'), '1'],
  [c('plus', '1', '2'), '3'], [c('minus', '3', '1'), '2'], [c('multiply', '2', '3'), '6'], [c('divide', '1', '2'), '0.5'],
  [c('negate', '1'), '-1'], [c('sign', '-2'), '-1'], [c('pi')], [c('is_finite', '1'), '1'], [c('is_nan', '1'), '0'],
  // conditional and null handling
  [c('if', '1', "'a'", "'b'"), 'a'], [c('multi_if', '0', "'a'", '1', "'b'", "'c'"), 'b'], [c('coalesce', 'NULL', '2'), '2'],
  [c('if_null', 'NULL', '3'), '3'], [c('null_if', '1', '1'), '\\N'], [c('is_null', 'NULL'), '1'], [c('is_not_null', '1'), '1'],
  [c('assume_not_null', c('to_nullable', '1')), '1'],
  // hashing, JSON, misc
  [c('city_hash64', "'a'")], [c('sip_hash64', "'a'")], [c('murmur_hash3_32', "'a'")], [c('xx_hash64', "'a'")],
  [c('length', c('to_string', c('uuid'))), '36'], [c('length', c('to_string', c('generate_uuidv4'))), '36'],
  [c('to_type_name', '1'), 'UInt8'], [c('rand')], [c('version')],
  [c('json_extract_string', `'{"a":"x"}'`, "'a'"), 'x'], [c('json_extract_int', `'{"a":10}'`, "'a'"), '10'],
  [c('json_has', `'{"a":1}'`, "'c'"), '0'], [c('json_value', `'{"a":{"b":1}}'`, "'$.a.b'"), '1'], [c('is_valid_json', "'{}'"), '1'],
  [c('json_extract_keys', `'{"k":1}'`), "['k']"], [c('json_values', `'{"a":1,"b":"x"}'`, "'$.a'", "'$.b'"), "['1','x']"],
  [c('json_extract_array', `'{"a": "hello", "b": [-100, 200.0, "hello"]}'`, "'b'"), `['-100','200','"hello"']`],
  [c('json_extract_array', "'[1, 2]'"), "['1','2']"],
];

/** Aggregates over `FROM numbers(10)` unless the case names its own FROM. */
const aggregates: readonly (readonly [string, string?, string?])[] = [
  [c('count'), '10'], [c('count', 'number'), '10'], [c('sum', 'number'), '45'], [c('avg', 'number'), '4.5'], [c('min', 'number'), '0'],
  [c('max', 'number'), '9'], [c('unique', 'number'), '10'], [c('unique_exact', 'number % 3'), '3'], [c('uniq', 'number'), '10'],
  [c('uniq_exact', 'number'), '10'], [c('unique_combined', 'number'), '10'], [c('unique_hll12', 'number'), '10'],
  [c('unique_up_to', 'number', '5'), '6'], [c('quantile', 'number', '0.5'), '4.5'], [c('quantiles', 'number', '0.5', '0.9'), '[4.5,8.1]'],
  [c('quantile_exact', 'number', '0.5'), '5'], [c('median', 'number'), '4.5'], [c('p90', 'number'), '8.1'], [c('p95', 'number'), '8.549999999999999'],
  [c('p99', 'number'), '8.91'], [c('any', 'number')], [c('any_last', 'number')], [c('first_value', 'number')], [c('last_value', 'number')],
  [c('arg_max', 'number', 'number'), '9'], [c('arg_min', 'number', 'number'), '0'], [c('group_array', 'number', '3'), '[0,1,2]'],
  [c('length', c('group_uniq_array', 'number % 2')), '2'], [c('top_k', c('to_string', 'number % 3'), '1'), "['0']"],
  [c('top_k_weighted', 'number % 3', 'number', '1'), '[0]'], [c('min_k', 'number', '3'), '[0,1,2]'], [c('max_k', 'number', '2'), '[9,8]'],
  [c('min_k', 'number', '2', c('to_string', 'number')), "[(0,'0'),(1,'1')]"], [c('max_k', 'number', '1', c('to_string', 'number')), "[(9,'9')]"],
  [c('top_k_exact', c('to_string', 'number % 3'), '1'), "['0']"], [c('top_k_exact_weighted', 'number % 3', 'number', '1'), '[0]'],
  [c('count_if', 'number > 5'), '4'], [c('sum_if', 'number', 'number > 5'), '30'], [c('count_distinct', 'number % 3'), '3'],
  [c('unique_exact_if', 'number', 'number > 2'), '7'], [c('avg_weighted', 'number', '1'), '4.5'], [c('stddev_pop', 'number')],
  [c('var_samp', 'number')], [c('covar_pop', 'number', 'number')], [c('corr', 'number', 'number'), '1'],
  [c('moving_sum', 'number'), '[0,1,3,6,10,15,21,28,36,45]'], [c('group_array_moving_sum', 'number', '2'), '[0,1,3,5,7,9,11,13,15,17]'],
  [c('group_concat', c('to_string', 'number'), "','"), '0,1,2,3,4,5,6,7,8,9'], [c('histogram', 'number', '2')],
  [c('group_bit_or', 'number'), '15'], [c('entropy', 'number')], [c('kurt_pop', 'number')], [c('skew_pop', 'number')],
  [c('sum_kahan', 'number'), '45'], [c('delta_sum', 'number'), '9'], [c('any_heavy', 'number % 2')],
  [c('approx_top_k', 'number % 3', '1'), '[(0,4,0)]'], [c('approx_top_k_count', 'number % 3', '1'), '[(0,4,0)]'],
  [c('group_array_sorted', 'number', '2'), '[0,1]'], [c('group_array_last', 'number', '2'), '[8,9]'],
  [c('lttb', 'number', 'number', '3')], [c('finalize_aggregation', c('sum_state', 'number')), '45'],
  [c('xirr', 'p.1', 'p.2'), '0.6342972615260243',
    "FROM (SELECT arrayJoin([(-10000, toDate('2020-01-01')), (3250, toDate('2021-02-15')), (5750, toDate('2020-03-01')), (4250, toDate('2020-10-30'))]) AS p)"],
  [c('json_encode', 'a', 'b'), '{"a":1,"b":"x"}', "FROM (SELECT 1 AS a, 'x' AS b)"],
  [c('to_string', c('json_cast', 'a', 'b')), '{"a":1,"b":"x"}', "FROM (SELECT 1 AS a, 'x' AS b)"],
];

describe('mapped functions on the embedded ClickHouse', () => {
  it('run a curated sample of at least 100 calls, with their values where fixed', async () => {
    const cases = [
      ...scalars.map(([sql, expected]) => [`SELECT ${sql}`, expected] as const),
      ...aggregates.map(([sql, expected, from]) => [`SELECT ${sql} ${from ?? 'FROM numbers(10)'}`, expected] as const),
    ];
    const failures: string[] = [];
    for (const [sql, expected] of cases) {
      try {
        const got = await run(sql);
        if (expected !== undefined && got !== expected) failures.push(`${sql}\n  got ${got}, expected ${expected}`);
      } catch (e) {
        failures.push(`${sql}\n  ${(e as Error).message.split('\n')[0]}`);
      }
    }
    expect(failures).toEqual([]);
    expect(used.size).toBeGreaterThanOrEqual(100);
  });

  it('probe every other mapped scalar and aggregate with generic arguments', async () => {
    const dt = "toDateTime('2024-01-01 00:00:00', 'UTC')";
    const shapes: readonly (readonly string[])[] = [
      [], ['1'], ["'a'"], ['1', '2'], ["'a'", "'b'"], ['[1, 2]'], ["toDate('2024-01-01')"], [dt], ["'a'", '1'], ['[1, 2]', '1'],
      [`'{"a":1}'`, "'a'"], [`'{"a":1}'`, "'$.a'"], ['1', '2', '3'], ["'a'", "'b'", "'c'"], ['(1, 2)'], ['(1.0, 2.0)', '(3.0, 4.0)'],
      ['[1, 2]', '[3, 4]'], ["map('a', 1)"], ["toIPv4('1.2.3.4')"], ["'1.2.3.4'"], ["toUUID('61f0c404-5cb3-11e7-907b-a6006ad3dba0')"],
      ['x -> x', '[1, 2]'], ["'2024-01-01'"], ["toDateTime64('2024-01-01 00:00:00', 3, 'UTC')"], [dt, '1'], ['1', "'String'"],
      ["'second'", dt, dt], [dt, "'%Y'"], [dt, "'UTC'"], [dt, 'INTERVAL 1 HOUR'], ["'abc'", "['a']"], ["'abc'", "'(a)'"],
      ['(k, v) -> v > 0', "map('a', 1)"], ['bitmapBuild([1, 2])'], ['bitmapBuild([1, 2])', 'bitmapBuild([2])'], ['bitmapBuild([1, 2])', '1'],
      ['1', '0.5'], ['1', '1', '0.5'], ['INTERVAL 1 HOUR', 'INTERVAL 1 DAY'], ["'a'", "'a'", '1'], ['1', '[1]', '[2]'], ["'1h'"],
    ];
    const slow = new Set(['sleep', 'sleep_each_row', 'log_trace']);
    const probed = Object.entries(protonFunctions).flatMap(([name, f]) =>
      f.kind === 'function' && !f.table && !used.has(name) && !slow.has(name) && !name.startsWith('__') ? [[name, f] as const] : []);
    const probe = async (f: FunctionMapping): Promise<boolean> => {
      for (const shape of shapes) {
        const args = f.aggregate ? shape.map((a) => (a === '1' ? 'number' : a)) : shape;
        const sql = `SELECT ${printMapping(f, args)}${f.aggregate ? ' FROM numbers(3)' : ''} FORMAT Null`;
        if (await run(sql).then(() => true, () => false)) return true;
      }
      return false;
    };
    const ran: string[] = [];
    for (let i = 0; i < probed.length; i += 16) {
      const batch = probed.slice(i, i + 16);
      const ok = await Promise.all(batch.map(([, f]) => probe(f)));
      batch.forEach(([name], k) => ok[k] && ran.push(name));
    }
    // The rest need dictionaries, geometry, window frames, encryption keys or other specific arguments.
    const sampled = [...used].filter((name) => protonFunctions[name]?.kind === 'function');
    expect(ran.length + sampled.length, `${ran.length} probed + ${sampled.length} sampled`).toBeGreaterThanOrEqual(1000);
  });

  it('cover every expression rewrite in the sample', () => {
    const rewrites = Object.entries(protonFunctions).filter(([, f]) => f.kind === 'expression').map(([name]) => name);
    expect(rewrites.filter((name) => !used.has(name))).toEqual([]);
  });
});
