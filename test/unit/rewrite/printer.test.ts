// Printer: dialect spellings, escaping, and an oracle — the embedded ClickHouse must parse what the
// ClickHouse dialect prints, and format it exactly as it formats the original ClickHouse SQL.
import { queryAsync } from 'chdb';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseExpression, parseStatement } from '../../../src/rewrite/parse-select.ts';
import { identifier, print, string } from '../../../src/rewrite/printer.ts';
import { GatewayError } from '../../../src/errors.ts';

const proton = (sql: string) => print(parseStatement(sql), 'proton');
const clickhouse = (sql: string) => print(parseStatement(sql), 'clickhouse');

describe('dialect spellings', () => {
  it('prints interval shorthand for Proton and INTERVAL n UNIT for ClickHouse', () => {
    expect(proton('SELECT now() - INTERVAL 1 HOUR, tumble(s, 500ms)')).toBe('SELECT now() - 1h, tumble(s, 500ms)');
    expect(clickhouse('SELECT now() - 1h, 1M, 2m')).toBe('SELECT now() - INTERVAL 1 HOUR, INTERVAL 1 MONTH, INTERVAL 2 MINUTE');
    expect(proton('SELECT INTERVAL x DAY')).toBe('SELECT INTERVAL x DAY');
  });
  it('prints maps as map() and JSON paths as JSON_VALUE for ClickHouse', () => {
    expect(clickhouse("SELECT {'a': 1}, raw:user.id, raw:`a.b`.c")).toBe("SELECT map('a', 1), JSON_VALUE(raw, '$.user.id'), JSON_VALUE(raw, '$.`a.b`.c')");
    expect(proton("SELECT {'a': 1}, raw:user.id")).toBe("SELECT {'a': 1}, raw:user.id");
  });
  it('refuses to print streaming clauses as ClickHouse', () => {
    for (const sql of ['SELECT count() FROM s EMIT PERIODIC 1s', 'SELECT 1 FROM s PARTITION BY a', 'SELECT 1 FROM s SHUFFLE BY a']) {
      const err = (() => { try { clickhouse(sql); } catch (e) { return e; } return null; })();
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).code).toBe(49);
    }
  });
  it('prints EMIT in the 1.6 grammar', () => {
    expect(proton('SELECT 1 FROM s EMIT ON UPDATE WITH BATCH 2s')).toBe('SELECT 1 FROM s EMIT STREAM PERIODIC 2s ON UPDATE');
    expect(proton('SELECT 1 FROM s EMIT AFTER WINDOW CLOSE WITH DELAY 1s TIMEOUT 3s')).toBe('SELECT 1 FROM s EMIT STREAM AFTER WATERMARK WITH DELAY 1s AND TIMEOUT 3s');
  });
  it('always writes AS for aliases', () => {
    expect(print(parseStatement('select currentUser() user from t x', { implicitAliases: true }), 'proton')).toBe('SELECT currentUser() AS user FROM t AS x');
  });
});

/** Names and strings that must survive printing: quoting, escapes, comment openers, keywords, unicode. */
const hostile = [
  "'", '"', '`', '\\', "\\'", '``', 'a`b', 'a\\`b', '\0', 'a\0b', 'a\nb', '\r\t', '\x01\x7f', '-- not a comment', '--',
  '/* nor this */', '/*', '*/', '# hash', '#!', 'a b', 'a.b', 'a,b', 'a(b)', 'a;b', '{x:UInt8}', '$1', '1abc', '123', '1e5', '0x1F',
  'select', 'FROM', 'EMIT', 'LATEST', 'PARTITION', 'SHUFFLE', 'window', 'qualify', 'settings', 'format', 'null', 'true', 'inf',
  'nan', 'ASOF', 'array', 'final', 'Ω≈ç√', '日本語', 'é', '🙂', '𝔘𝔫𝔦', 'a🙂b', '\u{10FFFF}', 'Ǆ',
];

describe('hostile identifiers', () => {
  for (const text of hostile) {
    it(JSON.stringify(text), () => {
      expect(identifier(text), 'must be quoted').toMatch(/^`.*`$/s);
      const trees = [
        parseExpression(string(text)), { kind: 'identifier', parts: [text, text] } as const,
        parseStatement(`SELECT ${identifier(text)}.${identifier(text)} AS ${identifier(text)} FROM ${identifier(text)} AS ${identifier(text)}`),
      ];
      for (const tree of trees) {
        for (const dialect of ['proton', 'clickhouse'] as const) {
          const printed = print(tree, dialect);
          const reparse = tree.kind === 'select_statement' ? parseStatement(printed) : parseExpression(printed);
          expect(reparse, printed).toEqual(tree);
        }
      }
    });
  }
  it('reads back on the embedded ClickHouse as the same name and value', async () => {
    const columns = hostile.map((t) => `${string(t)} AS ${identifier(t)}`).join(', ');
    const sql = print(parseStatement(`SELECT ${columns}`), 'clickhouse');
    const out = JSON.parse((await queryAsync(`${sql} FORMAT JSONCompact`, { format: 'TSVRaw' })).text()) as { meta: { name: string }[]; data: string[][] };
    expect(out.meta.map((m) => m.name)).toEqual(hostile);
    expect(out.data[0]).toEqual(hostile);
  });
});

describe('escaping', () => {
  it('escapes quotes, backslashes, NUL and control characters', () => {
    expect(string("it's \\ \0\n\x01")).toBe("'it\\'s \\\\ \\0\\n\\x01'");
    expect(identifier('a`b\\c\n')).toBe('`a\\`b\\\\c\\n`');
    expect(identifier('select')).toBe('`select`');
    expect(identifier('plain_1')).toBe('plain_1');
    expect(identifier('1a')).toBe('`1a`');
  });
  it('keeps unicode as is', () => {
    expect(print(parseExpression("'日本 🙂'"), 'clickhouse')).toBe("'日本 🙂'");
  });
});

/** ClickHouse-dialect SQL; printing our parse must format (formatQuerySingleLine) exactly like the input. */
const oracle: string[] = [
  'SELECT 1', 'SELECT -1, - 1, -(1), -x', 'SELECT NOT a = b', 'SELECT -x::Int8', 'SELECT a || b = c',
  'SELECT 1 + 2 * 3 - 4 / 5 % 6', 'SELECT (1 + 2) * 3', 'SELECT a - (b - c)', 'SELECT a = b IS NULL',
  'SELECT a BETWEEN 1 AND 2 = 1', 'SELECT NOT a BETWEEN 1 AND 2', 'SELECT a NOT BETWEEN 1 AND 2 AND b',
  'SELECT a OR b AND c', 'SELECT a ? b : (c ? d : e)', 'SELECT x -> x + 1, (x, y) -> x * y', 'SELECT arrayMap(x -> x * 2, [1, 2])',
  "SELECT CAST(x AS Nullable(Int8)), x::String, CAST(x, 'Int8')", "SELECT '12'::Int32",
  "SELECT x::Tuple(a Int8, b Enum8('x' = 1, 'y' = -1)), x::DateTime64(3, 'UTC')",
  'SELECT count(), count(*), count(DISTINCT x), quantile(0.5)(x), quantiles(0.1, 0.9)(DISTINCT x)',
  "SELECT CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END, CASE x WHEN 1 THEN 'a' END", 'SELECT a IS NOT NULL, a IS NULL',
  "SELECT a NOT IN (1, 2), a IN (SELECT 1), a GLOBAL IN t, a LIKE 'x%', a NOT ILIKE '%y'", 'SELECT [1, 2], [], (1, 2), tuple(1)',
  'SELECT a[1][2], t.1, f(x).2, a.b.c, t.*', 'SELECT * EXCEPT (a, b) FROM t', 'SELECT INTERVAL 5 SECOND, now() - INTERVAL 1 HOUR',
  'SELECT {p:UInt8}', "SELECT 'it\\'s', '\\\\', '\\0', 'a\\nb', '日本'", 'SELECT `select`, `a b`, `a``b` AS `x y`',
  'SELECT (a AS b) + 1, b', 'WITH f AS (SELECT * FROM m WHERE cpu > 80) SELECT dev, max(cpu) FROM f GROUP BY dev',
  'WITH 1 + 1 AS x SELECT x', 'SELECT DISTINCT a, b AS c FROM db.t AS x WHERE a > 1 GROUP BY a HAVING count() > 1',
  'SELECT * FROM a ASOF LEFT JOIN b USING (k), c CROSS JOIN d', 'SELECT * FROM a ANY LEFT JOIN b ON a.k = b.k AND a.x = b.x',
  'SELECT * FROM a FULL OUTER JOIN b ON a.k = b.k RIGHT JOIN c ON 1', 'SELECT * FROM (SELECT 1) AS s INNER JOIN t ON 1',
  'SELECT a FROM t ORDER BY a DESC NULLS LAST, b ASC LIMIT 2 BY a LIMIT 10 OFFSET 5 SETTINGS max_threads = 2 FORMAT JSON',
  'SELECT 1 UNION ALL SELECT 2 UNION DISTINCT SELECT 3', 'SELECT x FROM numbers(10) WHERE x IN (SELECT 1)',
  'SELECT count() FROM tumble(s, INTERVAL 5 SECOND) GROUP BY window_start', 'SELECT 0x1F, 1.5e-3, inf, nan, NULL, true',
  // the grammar beyond the core (parser-clauses.test.ts)
  'SELECT count() FILTER (WHERE x > 1), first_value(x) IGNORE NULLS OVER w, sum(x) OVER (PARTITION BY a ORDER BY b ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), rank() OVER (w ORDER BY c RANGE UNBOUNDED PRECEDING) FROM t WINDOW w AS (PARTITION BY a)',
  'SELECT count() OVER (), max(x) OVER (ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), last_value(x) RESPECT NULLS OVER (PARTITION BY a)',
  "SELECT EXTRACT(DAY FROM d), substring(s FROM 2 FOR 3), trim(BOTH 'x' FROM s), trim(LEADING 'a' FROM s), trim(TRAILING 'b' FROM s), position('a' IN s)",
  "SELECT DATE '2024-01-01', TIMESTAMP '2024-01-01 00:00:00', x'4142', b'01000001'",
  'SELECT a IS TRUE, a IS NOT FALSE, a IS DISTINCT FROM b, a IS NOT DISTINCT FROM b, a = b IS DISTINCT FROM c',
  'SELECT a = ANY (SELECT 1), a > ALL (SELECT 1), EXISTS (SELECT 1), a GLOBAL NOT IN (SELECT 1)', 'SELECT CAST(x AS DOUBLE PRECISION)',
  'SELECT * APPLY(toString) REPLACE(a + 1 AS a) EXCEPT (b) FROM t', "SELECT COLUMNS('^a') APPLY toString, t.COLUMNS(a, b) FROM t",
  "SELECT * FROM t AS x FINAL SAMPLE 1 / 10 OFFSET 1 / 2 ARRAY JOIN a AS b, c LEFT ARRAY JOIN d PREWHERE x WHERE y GROUP BY GROUPING SETS ((a, b), (a), ()) WITH TOTALS ORDER BY a COLLATE 'en' WITH FILL FROM 1 TO 10 STEP 2 INTERPOLATE (x AS x + 1)",
  'SELECT a FROM t ORDER BY a WITH FILL INTERPOLATE', 'SELECT 1 FROM a GLOBAL SEMI LEFT JOIN b USING a PASTE JOIN c',
  'SELECT * FROM a LEFT ANTI JOIN b ON 1 ALL FULL JOIN c ON 1 ASOF JOIN d ON a.k = d.k AND a.t >= d.t',
  'SELECT a GROUP BY ALL', 'SELECT a GROUP BY ROLLUP(a, b)', 'SELECT a FROM t GROUP BY a WITH CUBE WITH TOTALS',
  'SELECT 1 ORDER BY 1 OFFSET 2 ROWS FETCH FIRST 3 ROWS ONLY', 'SELECT 1 ORDER BY 1 LIMIT 3 WITH TIES', 'SELECT 1 OFFSET 2',
  'SELECT 1 INTERSECT ALL SELECT 2 EXCEPT DISTINCT SELECT 3', 'SELECT 1 INTERSECT ALL SELECT 2 UNION ALL SELECT 3 EXCEPT ALL SELECT 4',
  'SELECT 1 UNION ALL (SELECT 2 INTERSECT ALL SELECT 3)', '(SELECT 1 UNION ALL SELECT 2) INTERSECT DISTINCT SELECT 3',
  'SELECT TOP 5 a FROM t', 'SELECT DISTINCT ON (a, b) a FROM t', 'SELECT a FROM t WINDOW w AS (PARTITION BY a) QUALIFY x > 1',
];

async function format(sql: string): Promise<string | null> {
  const literal = string(sql);
  return (await queryAsync(`SELECT formatQuerySingleLineOrNull(${literal})`, { format: 'TSVRaw' })).text().trimEnd().replace(/^\\N$/, '') || null;
}

describe('ClickHouse oracle', () => {
  const results = new Map<string, { printed: string; ours: string | null; theirs: string | null }>();
  beforeAll(async () => {
    for (const sql of oracle) {
      const printed = clickhouse(sql);
      results.set(sql, { printed, ours: await format(printed), theirs: await format(sql) });
    }
  });
  for (const sql of oracle) {
    it(sql, () => {
      const r = results.get(sql);
      expect(r?.theirs, 'the case itself must be valid ClickHouse').not.toBeNull();
      expect(r?.ours, `ClickHouse must parse: ${r?.printed}`).not.toBeNull();
      expect(r?.ours).toBe(r?.theirs);
    });
  }
  it('parses what the Proton-only nodes print as', async () => {
    for (const sql of ["SELECT {'a': 1, 'b': 2}", "SELECT raw:user.id, raw:`a.b`.c FROM t", 'SELECT tumble(s, 5s)', 'SELECT (1,)']) {
      expect(await format(clickhouse(sql)), sql).not.toBeNull();
    }
  });
});
