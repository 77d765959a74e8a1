// Hand-written half of the Proton → ClickHouse function table: the entry types, the template grammar of
// expression rewrites, and the exceptions of proton-semantics.md §1.15 that the naming rule cannot produce.
// scripts/generate-function-map.ts combines these with the embedded ClickHouse's system.functions into
// functions.ts; edit here, then rerun the generator.

/** What Hadron does with one Proton function name. */
export type ProtonFunction = FunctionMapping | ExpressionRewrite | StreamingFunction | UnsupportedFunction;

/** The same function under its ClickHouse name. */
export interface FunctionMapping {
  readonly kind: 'function';
  /** Name in the embedded ClickHouse's `system.functions` (or `system.table_functions` when `table`). */
  readonly clickhouse: string;
  readonly aggregate: boolean;
  /** A table function: valid only in FROM. */
  readonly table?: true;
  /**
   * Proton passes aggregate parameters as trailing arguments; arguments from this 0-based index on are
   * ClickHouse parameters: `quantile(x, 0.9)` with `parameters: 1` prints `quantile(0.9)(x)`.
   */
  readonly parameters?: number;
  /** Streaming queries use the engine's own stateful version instead (`now`, `neighbor`, `row_number`). */
  readonly streaming?: string;
  /** A difference the printer must know about. */
  readonly note?: string;
}

/**
 * A Proton function with no ClickHouse twin, printed as a ClickHouse expression over its arguments.
 * Template grammar (arguments are the printed SQL of each argument):
 *   $n          the n-th argument (1-based); the call must pass it
 *   $n...       arguments n..last joined by ", " (at least one)
 *   $n...<p>    p once per argument n..last, `$` in p standing for that argument, joined by ", "
 *   {a}         a if every argument a needs was passed, else nothing
 *   {a|b}       a if every argument a needs was passed, else b
 * A call with an argument the template never uses is an arity error (see applyTemplate).
 */
export interface ExpressionRewrite {
  readonly kind: 'expression';
  readonly template: string;
  readonly aggregate: boolean;
  readonly note?: string;
}

/** Owned by Hadron's streaming engine or planner; never sent to ClickHouse under this name. */
export interface StreamingFunction {
  readonly kind: 'streaming';
  readonly reason: string;
  readonly aggregate: boolean;
}

/** Rejected with a clear error: no ClickHouse equivalent and no engine implementation. */
export interface UnsupportedFunction {
  readonly kind: 'unsupported';
  readonly reason: string;
}

/**
 * Prints a template over printed arguments; undefined when the argument count does not fit. Throws on a
 * malformed template (a bug in the table, caught by the unit tests).
 */
export function applyTemplate(template: string, args: readonly string[]): string | undefined {
  const used = new Set<number>();
  const out = expand(template, args, used);
  if (out === undefined || used.size !== args.length) return undefined;
  return out;
}

/**
 * Expands one template level; undefined when a required argument is missing. Marks the arguments it uses.
 * `current` is the argument a `$n...<p>` repetition is on, which a bare `$` in p stands for.
 */
function expand(template: string, args: readonly string[], used: Set<number>, current?: string): string | undefined {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i] as string;
    if (c === '{') {
      const end = closing(template, i);
      const [first, second] = splitAlternatives(template.slice(i + 1, end));
      const tried = new Set(used);
      const a = expand(first, args, tried, current);
      const b = a === undefined && second !== undefined ? expand(second, args, used, current) : '';
      if (a !== undefined) for (const n of tried) used.add(n);
      if (b === undefined) return undefined;
      out += a ?? b;
      i = end + 1;
      continue;
    }
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const m = /^\$(\d+)(\.\.\.(?:<([^>]*)>)?)?/.exec(template.slice(i));
    if (!m) {
      if (current === undefined) throw new Error(`malformed function template ${template}`);
      out += current;
      i++;
      continue;
    }
    const n = Number(m[1]);
    if (n < 1 || n > args.length) return undefined;
    const each = m[3];
    if (m[2] === undefined) {
      used.add(n - 1);
      out += args[n - 1] as string;
    } else {
      const parts: string[] = [];
      for (let k = n - 1; k < args.length; k++) {
        used.add(k);
        const part = each === undefined ? args[k] : expand(each, args, used, args[k]);
        if (part === undefined) return undefined;
        parts.push(part);
      }
      out += parts.join(', ');
    }
    i += m[0].length;
  }
  return out;
}

function closing(template: string, open: number): number {
  let depth = 0;
  for (let i = open; i < template.length; i++) {
    if (template[i] === '{') depth++;
    else if (template[i] === '}' && --depth === 0) return i;
  }
  throw new Error(`unbalanced { in function template ${template}`);
}

function splitAlternatives(group: string): [string, string | undefined] {
  let depth = 0;
  for (let i = 0; i < group.length; i++) {
    if (group[i] === '{') depth++;
    else if (group[i] === '}') depth--;
    else if (group[i] === '|' && depth === 0) return [group.slice(0, i), group.slice(i + 1)];
  }
  return [group, undefined];
}

// ---- Exceptions to the naming rule, keyed by Proton name. Each wins over what the rule derives. ----

/** Renamed: Proton name → ClickHouse function (§1.15 override table, plus Proton-only aliases with a twin). */
export const renamed: Readonly<Record<string, string>> = {
  __to_time: 'toTime',
  approx_top_k_count: 'approx_top_count',
  approx_top_k_sum: 'approx_top_sum',
  generate_uuidv7_non_monotonic: 'generateUUIDv7',
  generate_uuidv7_thread_monotonic: 'generateUUIDv7',
  to_date16: 'toDate',
  to_decimal: 'toDecimal32',
  to_float: 'toFloat32',
  to_int: 'toInt32',
  unique: 'uniq',
  unique_combined: 'uniqCombined',
  unique_combined64: 'uniqCombined64',
  unique_exact: 'uniqExact',
  unique_hll12: 'uniqHLL12',
  unique_up_to: 'uniqUpTo',
  uuid: 'generateUUIDv4',
};

/** Proton aggregates that take ClickHouse parameters as trailing arguments: name → index of the first one. */
export const trailingParameters: Readonly<Record<string, number>> = {
  approx_top_k: 1,
  approx_top_k_count: 1,
  approx_top_k_sum: 2,
  group_array: 1,
  group_array_last: 1,
  group_array_moving_avg: 1,
  group_array_moving_sum: 1,
  group_array_sample: 1,
  group_array_sorted: 1,
  group_concat: 1,
  group_uniq_array: 1,
  histogram: 1,
  largest_triangle_three_buckets: 2,
  lttb: 2,
  moving_avg: 1,
  moving_sum: 1,
  quantile: 1,
  quantile_b_float16: 1,
  quantile_b_float16_weighted: 2,
  quantile_deterministic: 2,
  quantile_exact: 1,
  quantile_exact_exclusive: 1,
  quantile_exact_high: 1,
  quantile_exact_inclusive: 1,
  quantile_exact_low: 1,
  quantile_exact_weighted: 2,
  quantile_t_digest: 1,
  quantile_t_digest_weighted: 2,
  quantile_timing: 1,
  quantile_timing_weighted: 2,
  quantiles: 1,
  quantiles_b_float16: 1,
  quantiles_b_float16_weighted: 2,
  quantiles_deterministic: 2,
  quantiles_exact: 1,
  quantiles_exact_exclusive: 1,
  quantiles_exact_high: 1,
  quantiles_exact_inclusive: 1,
  quantiles_exact_low: 1,
  quantiles_exact_weighted: 2,
  quantiles_t_digest: 1,
  quantiles_t_digest_weighted: 2,
  quantiles_timing: 1,
  quantiles_timing_weighted: 2,
  top_k: 1,
  top_k_weighted: 2,
  unique_up_to: 1,
};

/** Notes attached to function mappings. */
export const mappingNotes: Readonly<Record<string, string>> = {
  generate_uuidv7_non_monotonic: 'ClickHouse 26.7 has one UUIDv7 generator; it is monotonic',
  generate_uuidv7_thread_monotonic: 'ClickHouse 26.7 has one UUIDv7 generator; it is monotonic',
  json_value: 'objects and arrays need SETTINGS function_json_value_return_type_allow_complex = 1 to match Proton',
  to_date16: 'Date, the 16-bit day number (Proton 1.6 to_date)',
  to_decimal: 'Proton 1.6 returns decimal32(scale)',
  to_float: 'Proton 1.6 returns float32',
  to_int: 'Proton 1.6 returns int32',
  top_k: "a true with_count (3rd argument) prints topK(k, load_factor or 3, 'counts')(x); false is dropped",
  top_k_weighted: "a true with_count (4th argument) prints topKWeighted(k, load_factor or 3, 'counts')(x, w); false is dropped",
};

/** Functions ClickHouse has, that streaming queries replace with the engine's stateful version. */
export const streamingVariants: Readonly<Record<string, string>> = {
  neighbor: 'per-substream neighbor carried across blocks (__streaming_neighbor); bounded queries use ClickHouse neighbor',
  now: 'evaluated per emit (__streaming_now)',
  now64: 'evaluated per emit (__streaming_now64)',
  row_number: 'a running row number without OVER (__streaming_row_number)',
};

const twitterEpoch = '1288834974657';

/** Proton-only scalars and aggregates rewritten to ClickHouse expressions. */
export const rewritten: Readonly<Record<string, { readonly template: string; readonly note?: string }>> = {
  array_cast: { template: 'array($1...)' },
  dateTime64ToSnowflake: { template: `dateTime64ToSnowflakeID($1, ${twitterEpoch})` },
  dateTimeToSnowflake: { template: `dateTimeToSnowflakeID($1, ${twitterEpoch})` },
  json_cast: { template: "CAST(formatRowNoNewline('JSONEachRow', $1...), 'JSON')", note: 'keys are the argument names' },
  json_encode: { template: "formatRowNoNewline('JSONEachRow', $1...)", note: 'keys are the argument names' },
  json_extract_array: { template: 'JSONExtractArrayRaw($1{, $2})' },
  json_values: { template: '[$2...<JSON_VALUE($1, $)>]', note: 'objects and arrays need function_json_value_return_type_allow_complex = 1' },
  map_cast: { template: 'map($1...)', note: 'map_cast(keys_array, values_array) is mapFromArrays($1, $2): the printer picks it when both arguments are arrays' },
  max_k: { template: 'arraySlice(arrayReverseSort(groupArray({tuple($1, $3...)|$1})), 1, $2)' },
  min_k: { template: 'groupArraySorted($2)({tuple($1, $3...)|$1})' },
  p90: { template: 'quantile(0.9)($1)' },
  p95: { template: 'quantile(0.95)($1)' },
  p99: { template: 'quantile(0.99)($1)' },
  random_in_type: {
    template: 'reinterpret(randomString(byteSize(defaultValueOfTypeName($1))), $1)',
    note: "random bits of a fixed-width type; with a bound, CAST(randCanonical() * $2, type); a string literal type is translated (to-clickhouse.ts shapeRules); no generator lambda",
  },
  snowflakeToDateTime: { template: `snowflakeIDToDateTime(toUInt64($1), ${twitterEpoch}{, $2})` },
  snowflakeToDateTime64: { template: `snowflakeIDToDateTime64(toUInt64($1), ${twitterEpoch}{, $2})` },
  to_time: {
    template: '{ifNull(parseDateTime64BestEffortUSOrNull($1, 3, $2), $3)|parseDateTime64BestEffortUSOrZero($1, 3{, $2})}',
    note: 'not ClickHouse toTime (the Time type); Proton returns datetime64(3)',
  },
  top_k_exact: {
    template: 'arrayMap(p -> p.1, arraySlice(arrayReverseSort(p -> p.2, arrayZip(mapKeys(sumMap(map($1, toUInt64(1)))), mapValues(sumMap(map($1, toUInt64(1)))))), 1, $2))',
    note: 'with_count (3rd argument) is not rewritten',
  },
  top_k_exact_weighted: {
    template: 'arrayMap(p -> p.1, arraySlice(arrayReverseSort(p -> p.2, arrayZip(mapKeys(sumMap(map($1, $2))), mapValues(sumMap(map($1, $2))))), 1, $3))',
    note: 'with_count (4th argument) is not rewritten',
  },
  tuple_cast: { template: 'tuple($1...)' },
  xirr: {
    template: 'financialInternalRateOfReturnExtended(arrayMap(t -> t.1, arraySort(t -> t.2, groupArray(tuple($1, $2)))), arrayMap(t -> t.2, arraySort(t -> t.2, groupArray(tuple($1, $2)))){, $3}{, $4})',
  },
};

/** Owned by the streaming engine or the planner. */
export const streamingOwned: Readonly<Record<string, string>> = {
  changelog: 'table function: append rows to a changelog with _tp_delta (streaming only)',
  date_diff_within: 'range-join predicate of the streaming join',
  dedup: 'table function: drops repeated keys, with ttl and max_keys',
  earliest: 'arrival-order aggregate (first value seen)',
  earliest_timestamp: 'seek marker: rewind the stream to its beginning',
  earliest_ts: 'seek marker: rewind the stream to its beginning',
  emit_version: 'the emit sequence number of a streaming query',
  hop: 'window table function hop(s, [time_col,] slide, size)',
  lag: 'previous row of the streaming input per substream, without OVER (not ClickHouse lag)',
  lag_behind: 'join alignment hint of the streaming join',
  lags: 'array of previous rows of the streaming input',
  latest: 'arrival-order aggregate (last value seen)',
  rowify: 'table function: splits batches into single-row emits',
  session: 'window table function session(s, [time_col,] timeout [, max_length])',
  table: 'bounded read of a stream: the planner replaces table(s) with the stored rows',
  tumble: 'window table function tumble(s, [time_col,] size)',
};

/** Owned by the streaming engine, by pattern: Proton's internal helpers the planner inserts. */
export const streamingPatterns: readonly { readonly pattern: RegExp; readonly reason: string }[] = [
  { pattern: /^__streaming_/, reason: "internal: Proton's streaming version of a function; the engine substitutes its own" },
  { pattern: /^__.+_retract$/, reason: 'internal: retraction state for changelog input; the engine retracts itself' },
];

/** Rejected, with the reason. */
export const unsupported: Readonly<Record<string, string>> = {
  blake3: 'BLAKE3 is not built into the embedded ClickHouse',
  boot_time: 'Proton node identity; Hadron has no node boot time to report yet',
  call: 'Proton table function with no ClickHouse equivalent',
  detect_charset: 'NLP functions are not built into the embedded ClickHouse',
  detect_language_unknown: 'NLP functions are not built into the embedded ClickHouse',
  detect_programming_language: 'NLP functions are not built into the embedded ClickHouse',
  detect_tonality: 'NLP functions are not built into the embedded ClickHouse',
  edition: 'Proton edition string; Hadron is not a Proton edition',
  generate_ulid: 'ULID functions are not built into the embedded ClickHouse',
  grok: 'grok patterns have no ClickHouse function; needs a pattern-to-regex translation',
  hashid: 'Hashids encoding has no ClickHouse function (sqidEncode is a different code)',
  meili_match: 'Meilisearch integration of Proton',
  monotonic: 'Proton-internal helper with no ClickHouse equivalent',
  node_epoch: 'Proton cluster node identity',
  node_id: 'Proton cluster node identity',
  python_status: 'Python UDF runtime of Proton',
  reverse_dns_query: 'reverseDNSQuery is not available in ClickHouse 26.7',
  ulid_string_to_datetime: 'ULID functions are not built into the embedded ClickHouse',
  weak_hash32: "Proton's WeakHash32 of a column has no ClickHouse function",
};
