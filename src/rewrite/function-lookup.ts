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

/**
 * Proton names close to `name` (for "Maybe you meant" in UNKNOWN_FUNCTION): edit distance ≤ 2, or
 * the same name without underscores and case (`tostring` → to_string), nearest first, at most 3.
 */
export function suggestFunctions(name: string, extra: readonly string[] = []): string[] {
  const folded = name.toLowerCase().replace(/_/g, '');
  const scored: [number, string][] = [];
  for (const candidate of [...Object.keys(protonFunctions), ...extra]) {
    if (candidate.startsWith('__')) continue;
    const f = candidate.toLowerCase().replace(/_/g, '');
    const d = f === folded ? 0 : distance(name.toLowerCase(), candidate.toLowerCase(), 2);
    if (d <= 2) scored.push([d, candidate]);
  }
  return scored.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1])).slice(0, 3).map(([, n]) => n);
}

/** Levenshtein distance, or limit + 1 once it is certainly above `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(v);
      best = Math.min(best, v);
    }
    if (best > limit) return limit + 1;
    prev = row;
  }
  return prev[b.length] as number;
}
