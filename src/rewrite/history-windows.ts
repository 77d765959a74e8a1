// Proton's window and dedup table functions over history (proton-semantics §1.11, §1.12, §1.20):
// `tumble`/`hop` over `table(s)` become subqueries adding `window_start` / `window_end` (hop with one
// row per window through arrayJoin), `dedup` becomes LIMIT 1 BY. Arguments arrive already rewritten.
import { Code, GatewayError } from '../errors.ts';
import type { Expr, Interval, Select, TableExpr } from './ast.ts';
import { emptySelect } from './ast.ts';
import { NeedsStreaming } from './to-clickhouse.ts';

const star: Expr = { kind: 'star', qualifier: [], except: [] };
const id = (name: string): Expr => ({ kind: 'identifier', parts: [name] });
const fn = (name: string, ...args: Expr[]): Expr => ({ kind: 'function', name, params: null, args, distinct: false });

/**
 * `tumble(src, [time_col,] size, [tz])` → `(SELECT *, toStartOfInterval(col, size[, tz]) AS window_start,
 * window_start + size AS window_end FROM src)`; `hop(src, [time_col,] slide, size)` adds one row per
 * window a row falls in (arrayJoin over the size/slide starts; sizes must be whole multiples).
 */
export function windowed(name: 'tumble' | 'hop', all: readonly Expr[], src: TableExpr, alias: string | null): TableExpr {
  const { time, slide, size, zone, extra } = windowArgs(name, all);
  if (slide?.kind !== 'interval' || size?.kind !== 'interval' || time.kind === 'interval' || extra) {
    throw new GatewayError(Code.BAD_ARGUMENTS, `${name}(stream, [time_column,] ${name === 'hop' ? 'hop_interval, window_size' : 'window_size'}, ['time_zone']) takes interval literals (e.g. 5s)`);
  }
  // window_start has the time column's type (toStartOfInterval alone turns datetime64 into datetime).
  let start: Expr = fn('CAST', fn('toStartOfInterval', time, slide, ...zone), fn('toTypeName', time));
  if (name === 'hop') {
    const count = windowCount(slide, size);
    const offset: Interval = { kind: 'interval', unit: slide.unit, value: { kind: 'binary', op: '*', left: id('__hadron_hop'), right: slide.value } };
    start = fn('arrayJoin', fn('arrayMap', { kind: 'lambda', params: ['__hadron_hop'], body: { kind: 'binary', op: '-', left: start, right: offset } }, fn('range', { kind: 'number', text: String(count) })));
  }
  const columns: Expr[] = [
    star,
    { kind: 'alias', expr: start, name: 'window_start' },
    { kind: 'alias', expr: { kind: 'binary', op: '+', left: id('window_start'), right: size }, name: 'window_end' },
  ];
  return { kind: 'table_subquery', query: { ...emptySelect, columns, from: src }, alias };
}

/**
 * The arguments of `tumble(s, [time,] size [, tz])` / `hop(s, [time,] slide, size [, tz])` after the
 * source (tumble: slide = size); `extra`: more arguments than the form takes. The caller checks that
 * slide and size are interval literals.
 */
export function windowArgs(name: 'tumble' | 'hop', all: readonly Expr[]): { time: Expr; slide: Expr | undefined; size: Expr | undefined; zone: Expr[]; extra: boolean } {
  const last = all[all.length - 1];
  const zone = last?.kind === 'string' ? [last] : [];
  const rest = all.slice(0, all.length - zone.length);
  const intervals = name === 'tumble' ? 1 : 2;
  const hasColumn = rest.length > intervals;
  const time = hasColumn ? (rest[0] as Expr) : id('_tp_time');
  const [slide, size] = hasColumn ? [rest[1], rest[intervals]] : [rest[0], rest[intervals - 1]];
  return { time, slide, size, zone, extra: rest.length > intervals + 1 };
}

function windowCount(slide: Interval, size: Interval): number {
  const a = slide.value.kind === 'number' ? Number(slide.value.text) : NaN;
  const b = size.value.kind === 'number' ? Number(size.value.text) : NaN;
  if (slide.unit !== size.unit || !Number.isInteger(a) || !Number.isInteger(b) || a <= 0 || b % a !== 0) {
    throw new GatewayError(Code.BAD_ARGUMENTS, 'hop() over history needs a window size that is a whole multiple of the hop interval, in the same unit');
  }
  return b / a;
}

/**
 * `dedup(src, k1, …, [ttl], [max_keys])` over history: the first stored row per key (by `_tp_sn` when
 * the source is a stream). TTL and max_keys bound the streaming operator's memory; history needs neither.
 */
export function dedup(keys: readonly Expr[], src: TableExpr, alias: string | null, sequenced: boolean): TableExpr {
  if (keys.length === 0) throw new GatewayError(Code.NUMBER_OF_ARGUMENTS_DOESNT_MATCH, 'dedup(stream, key, ...) needs at least one key column');
  const query: Select = {
    ...emptySelect,
    columns: [star],
    from: src,
    orderBy: sequenced ? [{ kind: 'order_item', expr: id('_tp_sn'), direction: null, nulls: null }] : [],
    limitBy: { limit: { kind: 'number', text: '1' }, offset: null, by: keys },
  };
  return { kind: 'table_subquery', query, alias };
}

/**
 * `session(src, …)` outside the streaming engine: NeedsStreaming, so that over a stream read bare the
 * streaming planner (streaming-session-plan.ts) runs it, and over history (`table(s)`, a subquery)
 * it is refused with 48. Why not a rewrite: a row's session depends on where the previous session
 * started (max length, default 5 × idle, and the start/end predicates), a recursion that window
 * functions cannot express (a lag-and-running-sum only splits on idle gaps). It would take an
 * `arrayFold` over every row of a key gathered into one array, then re-expanding rows whose columns
 * the rewrite does not know — the whole history in one aggregate state.
 */
export function sessionWindows(src: TableExpr): never {
  throw new NeedsStreaming(`session() windows over ${src.kind === 'table_subquery' ? 'a subquery' : 'history (table())'}`);
}
