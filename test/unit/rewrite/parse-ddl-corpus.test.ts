// Every DDL/DML statement of the reference (proton-semantics.md §1 tables and §4 scenarios, with
// placeholders such as `...` filled in) and of the product pages in reference/seeds (test/fixtures/sql-corpus.ts) parses, prints
// back in the Proton dialect to the same tree, and — where ClickHouse has a spelling — prints in the
// ClickHouse dialect to text that reparses and prints identically (else LOGICAL_ERROR 49).
import { describe, expect, it } from 'vitest';
import type { Statement } from '../../../src/rewrite/ast-statement.ts';
import { parseSql, UnknownStatement } from '../../../src/rewrite/parse-statement.ts';
import { printStatement } from '../../../src/rewrite/print-statement.ts';
import { ddlFilledAndSeeds, ddlReference } from '../../fixtures/sql-corpus.ts';
import { GatewayError } from '../../../src/errors.ts';





/** Statement kinds of the reference the parser leaves to the store (UnknownStatement). */
const passthrough: ReadonlyArray<readonly [string, string]> = [
  ['CREATE TASK t SCHEDULE 5s TIMEOUT 2s INTO tgt AS SELECT 1', 'CREATE TASK'],
  ['CREATE ALERT a BATCH 10 EVENTS WITH TIMEOUT 5s LIMIT 1 ALERTS PER 10s CALL py_udf AS SELECT 1', 'CREATE ALERT'],
  ["CREATE DICTIONARY d (id uint64, name string) PRIMARY KEY id SOURCE(CLICKHOUSE(host 'h')) LAYOUT(HASHED()) LIFETIME(MIN 1 MAX 10)", 'CREATE DICTIONARY'],
  ["CREATE NAMED COLLECTION kafka_nc AS brokers='..', username='..'", 'CREATE NAMED'],
  ['SHOW ALERTS', 'SHOW ALERTS'],
  ['SHOW TASKS', 'SHOW TASKS'],
  ['SYSTEM ADD REPLICA 1', 'SYSTEM ADD'],
];

/** INSERT's data offset depends on the text after VALUES / FORMAT, which printing leaves out. */
function withoutOffset(s: Statement): Statement {
  if (s.kind !== 'insert' || s.source.kind === 'select') return s;
  return { ...s, source: { ...s.source, dataOffset: 0 } };
}

function clickhouseText(s: Statement): string | null {
  try {
    return printStatement(s, 'clickhouse');
  } catch (err) {
    if (err instanceof GatewayError && err.code === 49) return null;
    throw err;
  }
}

describe('statement corpus', () => {
  it.each([...ddlReference, ...ddlFilledAndSeeds])('%s', (sql) => {
    const tree = parseSql(sql);
    expect(withoutOffset(parseSql(printStatement(tree, 'proton')))).toEqual(withoutOffset(tree));
    const clickhouse = clickhouseText(tree);
    if (clickhouse !== null) expect(printStatement(parseSql(clickhouse), 'clickhouse')).toBe(clickhouse);
  });

  it.each(passthrough)('passes %s through', (sql, keyword) => {
    expect(() => parseSql(sql)).toThrow(UnknownStatement);
    try {
      parseSql(sql);
    } catch (err) {
      expect((err as UnknownStatement).keyword).toBe(keyword);
    }
  });
});
