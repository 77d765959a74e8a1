// Regenerates src/rewrite/functions.ts and docs/functions.md: every Proton function name (from
// ../shared/reference/proton-functions.csv) mapped to the embedded ClickHouse's system.functions by the naming
// rule of proton-semantics.md §1.15 and the exceptions in src/rewrite/function-rules.ts.
// Run: npx node scripts/generate-function-map.ts
// The pure parts are exported so test/unit/rewrite/functions.test.ts can check the committed output is current.
import { readFileSync, writeFileSync } from 'node:fs';
import { queryAsync } from 'chdb';
import {
  mappingNotes, renamed, rewritten, streamingOwned, streamingPatterns, streamingVariants, trailingParameters, unsupported,
  type FunctionMapping, type ProtonFunction,
} from '../src/rewrite/function-rules.ts';

/** One row of system.functions or system.table_functions. */
export interface ClickHouseFunction {
  readonly name: string;
  readonly aggregate: boolean;
  readonly aliasTo: string;
  readonly table: boolean;
}

/** One Proton function name from proton-functions.csv (a name listed twice is merged). */
export interface ProtonName {
  readonly name: string;
  readonly aggregate: boolean;
  readonly caseInsensitive: boolean;
  readonly aliasTo: string;
  readonly table: boolean;
}

/** How an entry was decided. */
export type Derivation = 'same name' | 'naming rule' | 'Proton alias' | 'exception';

export interface FunctionMap {
  /** Sorted by Proton name. */
  readonly entries: readonly (readonly [string, ProtonFunction])[];
  readonly derivation: ReadonlyMap<string, Derivation>;
  readonly caseSensitive: readonly string[];
  /** Proton names nothing accounts for; the generator refuses to write while any remain. */
  readonly unaccounted: readonly string[];
  /** Exceptions in function-rules.ts for names Proton does not have, or naming missing ClickHouse functions. */
  readonly problems: readonly string[];
}

export const csvPath = new URL('../../shared/reference/proton-functions.csv', import.meta.url);
export const modulePath = new URL('../src/rewrite/functions.ts', import.meta.url);
export const docsPath = new URL('../docs/functions.md', import.meta.url);

// ---- The naming rule (§1.15): ClickHouse name → Proton name ----

/** Tokens collapsed into one lowercase word before splitting camelCase (trailing digits stay attached). */
const tokens: readonly (readonly [string, string])[] = [
  ['DateTime', 'datetime'], ['UInt', 'uint'], ['IPv4', 'ipv4'], ['IPv6', 'ipv6'], ['UUIDv4', 'uuidv4'],
  ['UUIDv7', 'uuidv7'], ['UUID', 'uuid'], ['NaN', 'nan'], ['TTest', 'ttest'], ['ZTest', 'ztest'], ['UTest', 'utest'],
  ['ILike', 'ilike'], ['JSON', 'json'], ['URL', 'url'], ['UTF8', 'utf8'], ['MySQL', 'mysql'], ['HLL12', 'hll12'],
  ['CIDR', 'cidr'], ['WWWRFC', 'www_rfc'],
];
/** Proton spells these as one word in median* only (quantile* keeps b_float16 / t_digest). */
const medianTokens: readonly (readonly [string, string])[] = [['BFloat16', 'bfloat16'], ['TDigest', 'tdigest']];

/** The Proton spelling the §1.15 rule gives a ClickHouse function name. */
export function protonNameOf(clickhouse: string): string {
  if (!/[A-Z]/.test(clickhouse)) return clickhouse;
  const yyyy = /^to(YYYYMM(?:DD(?:hhmmss)?)?)$/.exec(clickhouse);
  if (yyyy) return `to_${yyyy[1]}`;
  const lead = clickhouse.length - clickhouse.replace(/^_+/, '').length;
  let s = clickhouse.slice(lead);
  for (const [token, word] of s.startsWith('median') ? [...tokens, ...medianTokens] : tokens) {
    s = s.replace(new RegExp(`${token}(\\d*)`, 'g'), (_, digits: string) => `_${word}${digits}_`);
  }
  s = s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').toLowerCase();
  return clickhouse.slice(0, lead) + s.replace(/_+/g, '_').replace(/^_|_$/g, '');
}

// ---- Inputs ----

/** RFC 4180 CSV (quoted fields may hold commas, quotes and newlines); lines starting with # before the header are skipped. */
export function parseCsv(text: string): string[][] {
  const body = text.replace(/^(#[^\n]*\n)+/, '');
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (quoted) {
      if (c !== '"') field += c;
      else if (body[i + 1] === '"') (field += '"'), i++;
      else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) row.push(field), rows.push(row);
  return rows;
}

/** The Proton names of proton-functions.csv (columns name, is_aggregate, case_insensitive, alias_to, ..., categories). */
export function parseProtonFunctions(csv: string): ProtonName[] {
  const [header, ...rows] = parseCsv(csv);
  const col = (name: string): number => {
    const i = header?.indexOf(name) ?? -1;
    if (i < 0) throw new Error(`proton-functions.csv has no ${name} column`);
    return i;
  };
  const [name, aggregate, insensitive, alias, categories] =
    ['name', 'is_aggregate', 'case_insensitive', 'alias_to', 'categories'].map(col) as [number, number, number, number, number];
  const byName = new Map<string, ProtonName>();
  for (const r of rows) {
    const n = r[name] ?? '';
    if (n === '') continue;
    const prev = byName.get(n);
    const table = r[categories] === 'table';
    byName.set(n, {
      name: n,
      aggregate: (prev?.aggregate ?? false) || r[aggregate] === '1',
      caseInsensitive: (prev?.caseInsensitive ?? false) || r[insensitive] === '1',
      aliasTo: prev?.aliasTo || (r[alias] ?? ''),
      table: prev === undefined ? table : prev.table && table,
    });
  }
  return [...byName.values()].sort((a, b) => compare(a.name, b.name));
}

/** system.functions and system.table_functions of the embedded ClickHouse, and its version. */
export async function readClickHouseFunctions(): Promise<{ functions: ClickHouseFunction[]; version: string }> {
  const sql = `SELECT * FROM (
      SELECT name, is_aggregate AS aggregate, alias_to AS aliasTo, 0 AS table FROM system.functions
      UNION ALL SELECT name, 0 AS aggregate, '' AS aliasTo, 1 AS table FROM system.table_functions
    ) ORDER BY name, table`;
  const text = (await queryAsync(sql, { format: 'JSONEachRow' })).text().trim();
  const functions = text.split('\n').map((line) => {
    const r = JSON.parse(line) as { name: string; aggregate: number; aliasTo: string; table: number };
    return { name: r.name, aggregate: r.aggregate === 1, aliasTo: r.aliasTo, table: r.table === 1 };
  });
  const version = (await queryAsync('SELECT version()', { format: 'TSV' })).text().trim();
  return { functions, version };
}

// ---- Derivation ----

/** Applies function-rules.ts and the naming rule to every Proton name. Pure. */
export function deriveFunctionMap(clickhouse: readonly ClickHouseFunction[], proton: readonly ProtonName[]): FunctionMap {
  const problems = staleRules(new Set(proton.map((p) => p.name)));
  const candidates = new Map<string, ClickHouseFunction[]>();
  for (const f of clickhouse) {
    for (const p of new Set([f.name, protonNameOf(f.name)])) candidates.set(p, [...(candidates.get(p) ?? []), f]);
  }
  const byName = new Map([...clickhouse].sort((a, b) => Number(b.table) - Number(a.table)).map((f) => [f.name, f]));
  const decided = new Map<string, ProtonFunction>();
  const derivation = new Map<string, Derivation>();
  const decide = (p: ProtonName, entry: ProtonFunction, how: Derivation): void => {
    decided.set(p.name, entry);
    derivation.set(p.name, how);
  };
  for (const p of proton) {
    const exception = exceptionFor(p, byName, problems);
    if (exception) decide(p, exception, 'exception');
    else {
      const best = [...(candidates.get(p.name) ?? [])].sort((a, b) => rank(p, a) - rank(p, b) || compare(a.name, b.name))[0];
      if (best) decide(p, mapping(best), best.name === p.name ? 'same name' : 'naming rule');
    }
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const p of proton) {
      const target = decided.get(p.aliasTo);
      if (decided.has(p.name) || !target) continue;
      decide(p, target, 'Proton alias');
      changed = true;
    }
  }
  // Proton's alias wins where ClickHouse gives the name other semantics (locate: ClickHouse 24.3 swapped its
  // arguments; Proton's locate is position).
  const canonical = (n: string): string => byName.get(n)?.aliasTo || n;
  for (const p of proton) {
    const own = decided.get(p.name);
    const target = decided.get(p.aliasTo);
    if (own?.kind !== 'function' || target?.kind !== 'function' || derivation.get(p.name) === 'exception') continue;
    if (canonical(own.clickhouse) !== canonical(target.clickhouse)) decide(p, target, 'Proton alias');
  }
  for (const name of Object.keys({ ...trailingParameters, ...mappingNotes, ...streamingVariants })) {
    const kind = decided.get(name)?.kind;
    if (kind !== undefined && kind !== 'function') problems.push(`${name}: decorated in function-rules.ts but is ${kind}`);
  }
  const entries = proton.flatMap((p) => {
    const entry = decided.get(p.name);
    return entry ? [[p.name, entry.kind === 'function' ? decorate(p.name, entry) : entry] as const] : [];
  });
  return {
    entries,
    derivation,
    caseSensitive: proton.filter((p) => !p.caseInsensitive).map((p) => p.name),
    unaccounted: proton.filter((p) => !decided.has(p.name)).map((p) => p.name),
    problems,
  };
}

function exceptionFor(p: ProtonName, byName: ReadonlyMap<string, ClickHouseFunction>, problems: string[]): ProtonFunction | undefined {
  const found: ProtonFunction[] = [];
  const owned = streamingOwned[p.name] ?? streamingPatterns.find((s) => s.pattern.test(p.name))?.reason;
  if (owned !== undefined) found.push({ kind: 'streaming', reason: owned, aggregate: p.aggregate });
  const reason = unsupported[p.name];
  if (reason !== undefined) found.push({ kind: 'unsupported', reason });
  const rewrite = rewritten[p.name];
  if (rewrite) found.push({ kind: 'expression', template: rewrite.template, aggregate: p.aggregate, ...(rewrite.note ? { note: rewrite.note } : {}) });
  const target = renamed[p.name];
  if (target !== undefined) {
    const f = byName.get(target);
    if (f) found.push(mapping(f));
    else problems.push(`renamed.${p.name}: ClickHouse has no function ${target}`);
  }
  if (found.length > 1) problems.push(`${p.name} has ${found.length} exceptions in function-rules.ts`);
  return found[0];
}

/** Lower is better: same aggregate-ness as Proton's, same table-ness, the very same name, not an alias. */
function rank(p: ProtonName, f: ClickHouseFunction): number {
  return (f.aggregate === p.aggregate ? 0 : 8) + (f.table === p.table ? 0 : 4) + (f.name === p.name ? 0 : 2) + (f.aliasTo === '' ? 0 : 1);
}

function mapping(f: ClickHouseFunction): FunctionMapping {
  return { kind: 'function', clickhouse: f.name, aggregate: f.aggregate, ...(f.table ? { table: true as const } : {}) };
}

function decorate(name: string, entry: FunctionMapping): FunctionMapping {
  const parameters = trailingParameters[name];
  const streaming = streamingVariants[name];
  const note = mappingNotes[name];
  return {
    ...entry,
    ...(parameters !== undefined ? { parameters } : {}),
    ...(streaming !== undefined ? { streaming } : {}),
    ...(note !== undefined ? { note } : {}),
  };
}

function staleRules(names: ReadonlySet<string>): string[] {
  const tables = { renamed, rewritten, streamingOwned, unsupported, trailingParameters, mappingNotes, streamingVariants };
  return Object.entries(tables).flatMap(([table, rules]) =>
    Object.keys(rules).filter((n) => !names.has(n)).map((n) => `${table}.${n}: not a Proton function name`));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- Rendering ----

export interface Counts {
  readonly total: number;
  readonly function: number;
  readonly expression: number;
  readonly streaming: number;
  readonly unsupported: number;
  readonly derivation: Readonly<Record<Derivation, number>>;
}

export function countsOf(map: FunctionMap): Counts {
  const kinds = { function: 0, expression: 0, streaming: 0, unsupported: 0 };
  const derivation: Record<Derivation, number> = { 'same name': 0, 'naming rule': 0, 'Proton alias': 0, exception: 0 };
  for (const [name, entry] of map.entries) {
    kinds[entry.kind]++;
    if (entry.kind === 'function') derivation[map.derivation.get(name) ?? 'exception']++;
  }
  return { total: map.entries.length, ...kinds, derivation };
}

const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const key = (s: string): string => (/^[A-Za-z_$][\w$]*$/.test(s) ? s : quote(s));

function literal(entry: ProtonFunction): string {
  const fields = Object.entries(entry).map(([k, v]) => `${k}: ${typeof v === 'string' ? quote(v) : String(v)}`);
  return `{ ${fields.join(', ')} }`;
}

function summary(c: Counts, version: string): string[] {
  const d = c.derivation;
  return [
    `Source: system.functions of the embedded ClickHouse ${version} and the ${c.total} names of reference/proton-functions.csv.`,
    `${c.function} mapped to ClickHouse functions (${d['same name']} by the same name, ${d['naming rule']} by the naming rule,`,
    `${d['Proton alias']} through a Proton alias, ${d.exception} by exception), ${c.expression} rewritten to expressions,`,
    `${c.streaming} owned by the streaming engine, ${c.unsupported} unsupported.`,
  ];
}

export function renderModule(map: FunctionMap, version: string): string {
  const c = countsOf(map);
  const header = [
    'Generated by scripts/generate-function-map.ts; do not edit. Change src/rewrite/function-rules.ts and run',
    '`npx node scripts/generate-function-map.ts`.',
    ...summary(c, version),
  ].map((l) => `// ${l}`);
  const entries = map.entries.map(([name, entry]) => `  ${key(name)}: ${literal(entry)},`);
  const sensitive = map.caseSensitive.map((n) => `  ${quote(n)},`);
  return `${header.join('\n')}
import type { ProtonFunction } from './function-rules.ts';

export type { ProtonFunction } from './function-rules.ts';

/** Proton function name → what Hadron does with it. Look names up with protonFunction() (function-lookup.ts). */
export const protonFunctions: Readonly<Record<string, ProtonFunction>> = {
${entries.join('\n')}
};

export const protonFunctionCounts = { function: ${c.function}, expression: ${c.expression}, streaming: ${c.streaming}, unsupported: ${c.unsupported} } as const;

/** Names Proton matches case-sensitively; every other name is case-insensitive (Proton 1.3.28+). */
export const caseSensitive: ReadonlySet<string> = new Set([
${sensitive.join('\n')}
]);
`;
}


const cell = (s: string): string => s.replace(/\|/g, '\\|');

function docsRow(name: string, entry: ProtonFunction, how: Derivation): string {
  const code = (s: string): string => `\`${cell(s)}\``;
  switch (entry.kind) {
    case 'function': {
      const extras = [
        entry.table ? 'table function' : '',
        entry.parameters !== undefined ? `arguments from #${entry.parameters + 1} are parameters` : '',
        entry.streaming ? `streaming: ${entry.streaming}` : '',
        entry.note ?? '',
      ].filter((s) => s !== '');
      return `| ${code(name)} | function | ${code(entry.clickhouse)} | ${how} | ${cell(extras.join('; '))} |`;
    }
    case 'expression':
      return `| ${code(name)} | rewrite | ${code(entry.template)} | exception | ${cell(entry.note ?? '')} |`;
    case 'streaming':
      return `| ${code(name)} | streaming | — | exception | ${cell(entry.reason)} |`;
    case 'unsupported':
      return `| ${code(name)} | unsupported | — | exception | ${cell(entry.reason)} |`;
  }
}

export function renderDocs(map: FunctionMap, version: string): string {
  const c = countsOf(map);
  const rows = map.entries.map(([name, entry]) => docsRow(name, entry, map.derivation.get(name) ?? 'exception'));
  return `# Functions

<!-- Generated by scripts/generate-function-map.ts; do not edit. -->

Hadron accepts Proton's snake_case function names and sends their ClickHouse equivalents to the store.
ClickHouse's own names (\`toUInt8\`, \`arrayUnion\`, ...) pass through untouched, so every function of the
embedded ClickHouse is callable by its ClickHouse name as well. Proton names are case-insensitive except the
${map.caseSensitive.length} that Proton registers case-sensitively.
Aggregate combinators work on every mapped aggregate: \`sum_if\` → \`sumIf\`, \`unique_exact_state\` → \`uniqExactState\`.

${summary(c, version).join('\n')}

Kinds:

- **function** — the same function under its ClickHouse name. Parametric aggregates take their parameters as
  trailing arguments, as in Proton: \`quantile(x, 0.9)\` runs as \`quantile(0.9)(x)\`.
- **rewrite** — a Proton-only function, run as a ClickHouse expression. In the template, \`$n\` is the n-th
  argument, \`$n...\` the arguments from n on, \`$n...<p>\` repeats \`p\` for each of them (\`$\` is that argument),
  \`{a}\` is printed only when the arguments it uses were passed, and \`{a|b}\` falls back to \`b\` otherwise.
- **streaming** — owned by Hadron's streaming engine or planner (window table functions, \`lag\`, \`latest\`,
  \`emit_version\`, join predicates); it is never sent to ClickHouse under this name.
- **unsupported** — rejected with the reason shown.

"Derived by": *same name* — ClickHouse has the function under the Proton name; *naming rule* — the ClickHouse
name converted to snake_case by the rule of proton-semantics.md §1.15; *Proton alias* — Proton's own alias of a
mapped name; *exception* — listed in \`src/rewrite/function-rules.ts\`.

| Proton | Kind | ClickHouse | Derived by | Notes |
|---|---|---|---|---|
${rows.join('\n')}
`;
}

if (import.meta.main) {
  const { functions, version } = await readClickHouseFunctions();
  const map = deriveFunctionMap(functions, parseProtonFunctions(readFileSync(csvPath, 'utf8')));
  const errors = [...map.problems, ...map.unaccounted.map((n) => `${n}: unaccounted; add it to src/rewrite/function-rules.ts`)];
  if (errors.length > 0) {
    console.error(errors.join('\n'));
    process.exit(1);
  }
  writeFileSync(modulePath, renderModule(map, version));
  writeFileSync(docsPath, renderDocs(map, version));
  const c = countsOf(map);
  console.log(`wrote ${c.total} names: ${c.function} functions, ${c.expression} rewrites, ${c.streaming} streaming, ${c.unsupported} unsupported`);
}
