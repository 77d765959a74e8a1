// Corpus: every SELECT of reference/proton-semantics.md §4 (the acceptance scenarios, including the
// SELECT inside CREATE VIEW / INSERT … SELECT) and of the SQL in reference/seeds/*.txt (as data in
// test/fixtures/sql-corpus.ts). Each must parse (Proton's rule: AS required) and print → reparse must give the same tree in
// the Proton dialect, and in the ClickHouse dialect when the tree has no EMIT / PARTITION BY / SHUFFLE BY
// (and no JSON path or map literal, which ClickHouse spells as calls).
// DDL is covered by parse-ddl-corpus.test.ts.
import { queryAsync } from 'chdb';
import { describe, expect, it } from 'vitest';
import type { Query, SelectStatement } from '../../../src/rewrite/ast.ts';
import { parseStatement } from '../../../src/rewrite/parse-select.ts';
import { print, string } from '../../../src/rewrite/printer.ts';
import { thrownCode } from '../../support/chdb.ts';
import { selectScenarios, selectSeeds } from '../../fixtures/sql-corpus.ts';





/** True when some SELECT in the query has a clause with no ClickHouse spelling. */
function streamingOnly(q: Query): boolean {
  if (q.kind === 'set_operation') return streamingOnly(q.left) || streamingOnly(q.right);
  return q.emit !== null || q.partitionBy.length > 0 || q.shuffleBy.length > 0;
}

/** JSON paths and map literals print as JSON_VALUE(…) / map(…) for ClickHouse: same meaning, another tree. */
const spelledOtherwise = (tree: SelectStatement) => /"kind":"(json_path|map)"/.test(JSON.stringify(tree));

function roundTrip(sql: string): void {
  const tree: SelectStatement = parseStatement(sql);
  expect(parseStatement(print(tree, 'proton')), print(tree, 'proton')).toEqual(tree);
  if (!streamingOnly(tree.query) && !spelledOtherwise(tree)) expect(parseStatement(print(tree, 'clickhouse')), print(tree, 'clickhouse')).toEqual(tree);
}

describe('§4 acceptance scenarios', () => {
  for (const sql of selectScenarios) it(sql, () => roundTrip(sql));
  it('J73: an alias without AS is a syntax error', () => {
    expect(thrownCode(() => parseStatement('SELECT 1 x'))).toBe(62);
  });
});

describe('seed documents', () => {
  for (const sql of selectSeeds) it(sql.replace(/\s+/g, ' '), () => roundTrip(sql));
});

describe('ClickHouse reads what the ClickHouse dialect prints', () => {
  it('every corpus query without streaming clauses', async () => {
    const rejected: string[] = [];
    for (const sql of [...selectScenarios, ...selectSeeds]) {
      const tree = parseStatement(sql);
      if (streamingOnly(tree.query)) continue;
      const printed = print(tree, 'clickhouse');
      const out = (await queryAsync(`SELECT formatQuerySingleLineOrNull(${string(printed)})`, { format: 'TSVRaw' })).text().trimEnd();
      if (out === '\\N') rejected.push(printed);
    }
    expect(rejected).toEqual([]);
  });
});
