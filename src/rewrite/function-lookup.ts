// Proton function name lookup over the generated table (functions.ts): case rules and aggregate
// combinators.
import type { ProtonFunction } from './function-rules.ts';
import { caseSensitive, protonFunctions } from './functions.ts';

const byLowerCase: ReadonlyMap<string, ProtonFunction> = new Map(
  Object.entries(protonFunctions).filter(([name]) => !caseSensitive.has(name)).map(([name, f]) => [name.toLowerCase(), f]),
);

/** Proton aggregate combinator suffixes → ClickHouse's; longest first so _simple_state wins over _state. */
const combinators: readonly (readonly [string, string])[] = [
  ['_simple_state', 'SimpleState'], ['_or_default', 'OrDefault'], ['_for_each', 'ForEach'], ['_distinct', 'Distinct'],
  ['_resample', 'Resample'], ['_or_null', 'OrNull'], ['_array', 'Array'], ['_merge', 'Merge'], ['_state', 'State'],
  ['_null', 'Null'], ['_map', 'Map'], ['_if', 'If'],
];

/**
 * What Hadron does with a Proton function name, or undefined when it is no Proton name: ClickHouse names
 * (toUInt8, arrayUnion) and user-defined functions pass through untouched. Names match case-insensitively
 * unless Proton registers them case-sensitively. Aggregate combinators resolve on their base:
 * sum_if → sumIf, unique_exact_if_state → uniqExactIfState; parameters do not carry over to a combinator.
 */
export function protonFunction(name: string): ProtonFunction | undefined {
  if (Object.hasOwn(protonFunctions, name)) return protonFunctions[name];
  return byLowerCase.get(name.toLowerCase()) ?? withCombinator(name.toLowerCase());
}

function withCombinator(name: string): ProtonFunction | undefined {
  for (const [suffix, clickhouse] of combinators) {
    if (!name.endsWith(suffix) || name.length === suffix.length) continue;
    const base = protonFunction(name.slice(0, -suffix.length));
    if (base === undefined || base.kind === 'unsupported') continue;
    if (base.kind === 'function' && base.aggregate) return { kind: 'function', clickhouse: base.clickhouse + clickhouse, aggregate: true };
    if (base.kind === 'streaming' && base.aggregate) return base;
    if (base.kind === 'expression' && base.aggregate) {
      return { kind: 'unsupported', reason: `combinator ${suffix} on ${name.slice(0, -suffix.length)}, which Hadron rewrites to an expression` };
    }
  }
  return undefined;
}
