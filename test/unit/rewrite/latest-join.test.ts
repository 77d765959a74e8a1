// A bounded LATEST join (proton-semantics §1.13 over history): each left row joins the newest right
// row of its key. The SQL the rewrite prints and its rows on the embedded ClickHouse.
import { describe, expect, it } from 'vitest';
import { parseSql } from '../../../src/rewrite/parse-statement.ts';
import { plan } from '../../../src/rewrite/plan.ts';
import { tempSession } from '../../support/chdb.ts';
import { createStream, table } from '../streaming/replay.ts';

const db = tempSession('latest-join');

describe('LATEST joins over history', () => {
  it('keep every left row and join the newest right row of the key (not ClickHouse\'s INNER ANY)', () => {
    createStream(db.session, 'CREATE STREAM lt_l (i int32, k string)');
    createStream(db.session, 'CREATE STREAM lt_r (ii int32, k string)');
    const insert = (t: string, cols: string, values: string): void => void db.session.query(`INSERT INTO default.${t} (${cols}, _tp_sn) SETTINGS insert_allow_materialized_columns = 1 VALUES ${values}`, 'TSV');
    insert('lt_r', 'ii, k', "(10, 'a', 0), (20, 'a', 1), (5, 'b', 2)");
    insert('lt_l', 'i, k', "(1, 'a', 0), (2, 'a', 1), (3, 'b', 2), (4, 'c', 3)");
    for (const [kind, rows] of [['INNER', '1\t20\n2\t20\n3\t5\n'], ['LEFT', '1\t20\n2\t20\n3\t5\n4\t0\n']] as const) {
      const sql = `SELECT i, ii FROM table(lt_l) AS l ${kind} LATEST JOIN table(lt_r) AS r ON l.k = r.k ORDER BY i`;
      const p = plan(parseSql(sql), table, sql);
      if (p.kind !== 'query') throw new Error(p.kind);
      expect(p.sql).toBe(`SELECT i, ii FROM lt_l AS l ANY ${kind} JOIN (SELECT * FROM lt_r ORDER BY _tp_sn DESC) AS r ON l.k = r.k ORDER BY i`);
      expect([...p.settings]).toEqual([['any_join_distinct_right_table_keys', '1'], ['query_plan_remove_redundant_sorting', '0']]);
      expect(db.session.query(`${p.sql} SETTINGS any_join_distinct_right_table_keys = 1, query_plan_remove_redundant_sorting = 0`, 'TSV'), kind).toBe(rows);
    }
  });
});
