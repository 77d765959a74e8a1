// Proton's to_type_name(x) in ClickHouse SQL: the store's toTypeName(x) gives ClickHouse spellings
// (`Array(UInt8)`), Proton gives its own (`array(uint8)`, reference/proton-semantics.md §1.14, §4 J70).
// The expression rewrites the store's text with one regular-expression rule per family that Proton
// spells differently, generated from the families table of ../types.ts, as printType would print it.
// Known gap: Variant members stay in ClickHouse's order, where Proton sorts by its own names
// (`Variant(IPv4, Int8)` → `variant(ipv4, int8)`, Proton `variant(int8, ipv4)`).
import { families } from '../types.ts';
import type { Expr, FunctionCall, Lambda } from './ast.ts';
import { printOnce } from './printer.ts';

const call = (name: string, ...args: Expr[]): FunctionCall => ({ kind: 'function', name, params: null, args, distinct: false });
const text = (value: string): Expr => ({ kind: 'string', value });
const PART = '__type_name_part';
const part: Expr = { kind: 'identifier', parts: [PART] };

/**
 * [ClickHouse pattern, Proton replacement] per family, longest ClickHouse names first. A family
 * name is a whole word followed by `(`, `,`, `)` or the end, so `DateTime` does not hit `DateTime64`,
 * `Int8` does not hit `UInt8`, and a named tuple's element name (followed by a space) is kept.
 */
export const familyRules: readonly (readonly [pattern: string, replacement: string])[] = Object.values(families)
  .filter(([clickhouse, proton]) => (clickhouse as string) !== proton)
  .sort(([a], [b]) => b.length - a.length || (a < b ? -1 : 1))
  .map(([clickhouse, proton]) => [`\\b${clickhouse}([(,)]|$)`, `${proton}\\1`] as const);

/** Quoted strings and backquoted names (kept as they are) and the runs of type syntax between them. */
const TOKENS = "'(?:[^'\\\\]|\\\\.)*'|`(?:[^`\\\\]|\\\\.)*`|[^'`]+";

/**
 * ClickHouse's toTypeName prints named tuples on several lines (print_pretty_type_names); Proton
 * on one: `Tuple(\n    a Int8,\n    b String)` → `Tuple(a Int8, b String)`.
 */
const oneLine = (e: Expr): Expr => call('replaceRegexpAll', call('replaceRegexpAll', e, text(',\\n\\s*'), text(', ')), text('\\n\\s*'), text(''));

/**
 * A ClickHouse expression giving Proton's `to_type_name(inner)`:
 * `arrayStringConcat(arrayMap(p -> if(match(p, '^['`]'), p, <rules>(p)), extractAll(<one line>(toTypeName(inner)), <tokens>)))`,
 * so enum names and time zones inside quotes are never renamed.
 */
export function protonTypeNameSql(inner: Expr): Expr {
  return protonTypeText(call('toTypeName', inner));
}

/** The same rewrite over any ClickHouse type name text (e.g. `system.columns.type`). */
export function protonTypeText(typeName: Expr): Expr {
  const tokens = call('extractAll', oneLine(typeName), text(TOKENS));
  return call('arrayStringConcat', call('arrayMap', renameTokens, tokens));
}

/** The per-token renaming, one shared tree (printed once per dialect). */
const renameTokens = printOnce<Lambda>({
  kind: 'lambda',
  params: [PART],
  body: call('if', call('match', part, text("^['`]")), part,
    familyRules.reduce<Expr>((e, [pattern, replacement]) => call('replaceRegexpAll', e, text(pattern), text(replacement)), part)),
});
