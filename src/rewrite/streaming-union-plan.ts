// Streaming UNION (proton-semantics §1.10: streams are merged; plain UNION is UNION ALL). Each branch
// is planned as the query it is on its own — a tail or aggregation (streaming-plan.ts), a streaming
// join (streaming-join-plan.ts), or a bounded query (`table(x)`, no stream) whose rows are emitted
// once at the start — and the executor (execute-union.ts) runs the branches side by side, writing
// their emits one at a time as one result. The LIMIT written after the last branch is the whole
// query's (Proton's rule), not the last branch's. The result's columns are the first branch's names
// with the branches' common types, as the store says of `b1 UNION ALL b2 …` over no rows (which also
// gives ClickHouse's own error for branches of different widths).
import { GatewayError, Code } from '../errors.ts';
import type { Limit, Query, Select, SelectStatement } from './ast.ts';
import type { InsertInto, Plan } from './plan.ts';
import type { JoinPlan } from './streaming-join-plan.ts';
import type { TailPlan } from './streaming-plan.ts';
import { NeedsStreaming } from './to-clickhouse.ts';

export type UnionBranch =
  | { readonly kind: 'tail'; readonly tail: TailPlan }
  | { readonly kind: 'join'; readonly join: JoinPlan }
  /** A branch that reads no stream: one query, emitted once at the start. */
  | { readonly kind: 'bounded'; readonly sql: string; readonly settings: ReadonlyMap<string, string> };

export type UnionPlan = {
  readonly kind: 'union';
  /** In the order written; the first names the result's columns. */
  readonly branches: readonly UnionBranch[];
  /** The whole query's LIMIT (rows over all branches), or null. */
  readonly limit: number | null;
  readonly format: string | null;
  /** ClickHouse SQL of every branch over no rows, `UNION ALL`: its DESCRIBE is the result's header. */
  readonly header: string;
  /** A pipeline (`INSERT INTO s SELECT … UNION ALL …`): every emit is inserted into this stream. */
  readonly into?: InsertInto;
};

const none = { first: 0n, next: 0n };

/** Plans `q1 UNION [ALL] q2 …` over streams; `branch` plans one branch as a streaming SELECT. */
export function unionPlan(statement: SelectStatement, branch: (s: SelectStatement) => Plan): UnionPlan {
  const queries = unionBranches(statement.query);
  const last = queries[queries.length - 1] as Select;
  const limit = unionLimit(last.limit);
  const written = [...queries.slice(0, -1), { ...last, limit: null }];
  const branches = written.map((q, i) => unionBranch(branch({ kind: 'select_statement', query: q, format: null }), i));
  return { kind: 'union', branches, limit, format: statement.format, header: branches.map((b) => `SELECT * FROM (${emptySql(b)})`).join(' UNION ALL ') };
}

/** The SELECTs of a tree of UNION ALLs, left to right; INTERSECT, EXCEPT and UNION DISTINCT are 48. */
export function unionBranches(q: Query): Select[] {
  if (q.kind === 'select') return [q];
  if (q.op !== 'UNION' || q.mode !== 'ALL') {
    const op = q.op === 'UNION' ? 'UNION DISTINCT' : q.op;
    throw new NeedsStreaming(`${op} over streams (a streaming query can only merge streams: UNION ALL)`);
  }
  return [...unionBranches(q.left), ...unionBranches(q.right)];
}

/** A branch as planned alone (streaming): what a union can run of it; a random stream or an aggregation over a join is 48. */
function unionBranch(p: Plan, i: number): UnionBranch {
  if (p.kind === 'tail' && p.random === undefined) return { kind: 'tail', tail: p.tail };
  if (p.kind === 'join') return { kind: 'join', join: p.join };
  if (p.kind === 'query') return { kind: 'bounded', sql: p.sql, settings: p.settings };
  const what = p.kind === 'tail' ? 'a random stream' : p.kind === 'describe_then' || p.kind.endsWith('pipeline') ? 'a query over a streaming subquery or join' : `a ${p.kind} query`;
  throw new NeedsStreaming(`Branch ${i + 1} of a streaming UNION reads ${what}`);
}

/** A branch's SQL over no rows (its columns and types, for the header). */
function emptySql(b: UnionBranch): string {
  switch (b.kind) {
    case 'tail': {
      // An aggregation's emit (a window's: over its probe-bound subquery) has other columns than its per-range SQL.
      const t = b.tail;
      return t.aggregate !== null && t.session == null ? t.read({ windows: null, rows: none, late: [], changedSince: null, version: 0 }, 0) : t.sql(none, 0);
    }
    case 'join': return b.join.leftSql(none, none, 0);
    case 'bounded': return `SELECT * FROM (${b.sql}) LIMIT 0`;
  }
}

function unionLimit(limit: Limit | null): number | null {
  if (limit === null) return null;
  if (limit.offset !== null || limit.withTies || limit.limit?.kind !== 'number' || !/^\d+$/.test(limit.limit.text)) {
    throw new GatewayError(Code.NOT_IMPLEMENTED, 'A streaming UNION takes LIMIT n only (no OFFSET, WITH TIES or expression)');
  }
  return Number(limit.limit.text);
}
