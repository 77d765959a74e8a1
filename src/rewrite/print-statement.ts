// Prints statements in either dialect. Proton output reparses to the same tree (for INSERT: the same
// tree but the data offset, since the inline data is not part of the node); ClickHouse output is
// ClickHouse's spelling (STREAM → TABLE, INTO → TO, …). Statements, objects and commands that exist only
// in Proton (streams, external streams, format schemas, JavaScript and remote UDFs, query settings of
// MVs, PAUSE MATERIALIZED VIEW, …) have no ClickHouse spelling: printing them for ClickHouse is a
// LOGICAL_ERROR (49) — the analyzer translates them first.
import type { Dialect } from '../errors.ts';
import type { Node, Setting } from './ast.ts';
import type { Statement, StatementKind } from './ast-statement.ts';
import {
  alterCommand, cluster, createParts, flag, name, noClickHouseSpelling, partitionSpec, settingsClause, settingsList, type PrintContext,
} from './print-create.ts';
import { print, string } from './printer.ts';

/** Words spelled differently by ClickHouse; null = no ClickHouse spelling. Proton spells every word as written. */
const clickhouseWords: Readonly<Record<string, string | null>> = {
  STREAM: 'TABLE', STREAMS: 'TABLES', 'MATERIALIZED VIEW': 'VIEW', 'EXTERNAL STREAM': null, 'EXTERNAL TABLE': null,
  'FORMAT SCHEMA': null, 'FORMAT SCHEMAS': null, 'EXTERNAL STREAMS': null, VIEWS: null, PAUSE: null, RESUME: null,
  UNPAUSE: null, RECOVER: null, MAINTAIN: null,
};

type Handlers = { [K in StatementKind]: (s: Extract<Statement, { kind: K }>, x: PrintContext) => string };

const format = (f: string | null, x: PrintContext): string => (f === null ? '' : ` FORMAT ${x.p({ kind: 'identifier', parts: [f] })}`);
const tail = (s: { format: string | null; settings: readonly Setting[] }, x: PrintContext): string =>
  `${format(s.format, x)}${settingsClause(s.settings, x)}`;

const handlers: Handlers = {
  select_statement: (s, x) => x.p(s),
  insert: (s, x) => {
    const columns = s.columns === null ? '' : ` (${s.columns.map((c) => name(c, x)).join(', ')})`;
    const table = s.table.kind === 'function' ? `FUNCTION ${x.p(s.table)}` : x.p(s.table);
    const source = s.source.kind === 'values' ? 'VALUES' : s.source.kind === 'format' ? `FORMAT ${name(s.source.format, x)}` : x.p(s.source.query);
    return `INSERT INTO ${table}${columns}${settingsClause(s.settings, x)} ${source}`;
  },
  ...createParts,
  drop: (s, x) =>
    `DROP ${flag(s.temporary, 'TEMPORARY ')}${x.word(s.object)} ${flag(s.ifExists, 'IF EXISTS ')}${x.p(s.name)}${cluster(s.cluster)}${flag(s.sync, ' SYNC')}${settingsClause(s.settings, x)}`,
  alter: (s, x) =>
    `ALTER ${x.dialect === 'clickhouse' ? 'TABLE' : s.object} ${x.p(s.name)}${cluster(s.cluster)} ${s.commands.map((cmd) => alterCommand(cmd, x)).join(', ')}${settingsClause(s.settings, x)}`,
  rename: (s, x) => `RENAME ${x.word(s.object)} ${s.pairs.map((pair) => `${x.p(pair.from)} TO ${x.p(pair.to)}`).join(', ')}${cluster(s.cluster)}`,
  truncate: (s, x) => `TRUNCATE ${s.object === null ? '' : `${x.word(s.object)} `}${flag(s.ifExists, 'IF EXISTS ')}${x.p(s.name)}${cluster(s.cluster)}`,
  delete: (s, x) => `DELETE FROM ${x.p(s.name)} WHERE ${x.p(s.where)}${settingsClause(s.settings, x)}`,
  show: (s, x) => {
    if (s.what === 'CREATE') return `SHOW CREATE ${s.object === null ? '' : `${x.word(s.object)} `}${x.p(s.name as Node)}${tail(s, x)}`;
    const parts = [`SHOW ${flag(s.full, 'FULL ')}${x.word(s.what)}`];
    if (s.name !== null) parts.push(`FROM ${x.p(s.name)}`);
    if (s.from !== null) parts.push(`FROM ${name(s.from, x)}`);
    if (s.like !== null) parts.push(`${flag(s.like.not, 'NOT ')}${s.like.ilike ? 'ILIKE' : 'LIKE'} ${string(s.like.pattern)}`);
    if (s.where !== null) parts.push(`WHERE ${x.p(s.where)}`);
    if (s.limit !== null) parts.push(`LIMIT ${x.p(s.limit)}`);
    return `${parts.join(' ')}${tail(s, x)}`;
  },
  describe: (s, x) => `DESCRIBE ${x.p(s.target)}${tail(s, x)}`,
  exists: (s, x) => `EXISTS ${s.object === null ? '' : `${x.word(s.object)} `}${x.p(s.name)}${format(s.format, x)}`,
  optimize: (s, x) =>
    `OPTIMIZE ${x.word(s.object)} ${x.p(s.name)}${cluster(s.cluster)}${s.partition === null ? '' : ` ${partitionSpec(s.partition, x)}`}${flag(s.final, ' FINAL')}${flag(s.deduplicate, ' DEDUPLICATE')}`,
  use: (s, x) => `USE ${name(s.database, x)}`,
  set: (s, x) => `SET ${settingsList(s.settings, x)}`,
  kill_query: (s, x) => `KILL QUERY${cluster(s.cluster)} WHERE ${x.p(s.where)}${s.mode === null ? '' : ` ${s.mode}`}${format(s.format, x)}`,
  explain: (s, x) => {
    const kind = s.explainKind === null ? '' : ` ${s.explainKind}`;
    const options = s.options.length === 0 ? '' : ` ${settingsList(s.options, x)}`;
    return `EXPLAIN${kind}${options} ${printStatement(s.statement, x.dialect)}${format(s.format, x)}`;
  },
  system: (s, x) =>
    `SYSTEM ${s.words.map((w) => x.word(w)).join(' ')}${s.target === null ? '' : ` ${x.p(s.target)}`}${flag(s.permanent, ' PERMANENT')}`,
};

/** Prints a statement in `dialect`; an INSERT ends where its inline data would start (after VALUES / FORMAT name). */
export function printStatement(s: Statement, dialect: Dialect): string {
  const x: PrintContext = {
    dialect,
    p: (n) => print(n, dialect),
    word: (w) => {
      if (dialect === 'proton') return w;
      const spelled = clickhouseWords[w];
      return spelled === null ? noClickHouseSpelling(w) : (spelled ?? w);
    },
  };
  return (handlers[s.kind] as (n: Statement, ctx: PrintContext) => string)(s, x);
}
