// Types for native clients older than them (protocols.md §2.3).
import { dispatch, type ByKind, type DataType, type GeoShape, type Of } from './types.ts';

// ---------------------------------------------------------------------------------------------
// Old native clients (protocols.md §2.3).

/** Below this client revision LowCardinality columns are sent as their dictionary type (ProtocolDefines.h). */
export const REVISION_WITH_LOW_CARDINALITY_TYPE = 54405;
/** Below this client revision DateTime carries no time zone in its name (ProtocolDefines.h). */
export const REVISION_WITH_TIME_ZONE_PARAMETER_IN_DATETIME_DATA_TYPE = 54337;
/**
 * Below this client revision only ClickHouse 18.x type families are announced. The protocol has no
 * revision for data types; 54429 is the first revision after clickhouse-client 18.16 (54412) and below
 * every other supported client (Proton drivers 54453, clickhouse-go 54460, clickhouse-driver 54468)
 * — protocols.md §2.3 [?].
 */
export const REVISION_WITH_MODERN_TYPES = 54429;

export const UINT8: DataType = { kind: 'int', signed: false, bits: 8 };
export const UINT32: DataType = { kind: 'int', signed: false, bits: 32 };
export const INT64: DataType = { kind: 'int', signed: true, bits: 64 };
export const FLOAT32: DataType = { kind: 'float', bits: 32 };
export const STRING: DataType = { kind: 'string' };
export const IPV6_BYTES: DataType = { kind: 'fixedString', length: 16 };
export const POINT: DataType = { kind: 'tuple', elements: [{ kind: 'float', bits: 64 }, { kind: 'float', bits: 64 }], names: null };
export const arrayOf = (element: DataType, depth = 1): DataType => (depth === 0 ? element : arrayOf({ kind: 'array', element }, depth - 1));
/** Geo domains by the Array/Tuple shape they are stored as (same bytes). */
export const geoStorage: Readonly<Record<GeoShape, DataType>> = {
  Point: POINT, Ring: arrayOf(POINT), LineString: arrayOf(POINT), MultiLineString: arrayOf(POINT, 2),
  Polygon: arrayOf(POINT, 2), MultiPolygon: arrayOf(POINT, 3), Geometry: STRING,
};

/** Rewrites the children of t with f, returning t itself when no child changed. */
export function mapChildren(t: DataType, f: (child: DataType) => DataType): DataType {
  const all = (types: readonly DataType[]): readonly DataType[] => {
    const mapped = types.map(f);
    return mapped.every((m, k) => m === types[k]) ? types : mapped;
  };
  switch (t.kind) {
    case 'nullable':
    case 'lowCardinality': { const inner = f(t.inner); return inner === t.inner ? t : { ...t, inner }; }
    case 'array': { const element = f(t.element); return element === t.element ? t : { ...t, element }; }
    case 'map': { const [key, value] = [f(t.key), f(t.value)]; return key === t.key && value === t.value ? t : { ...t, key, value }; }
    case 'tuple': { const elements = all(t.elements); return elements === t.elements ? t : { ...t, elements }; }
    default: return t;
  }
}

/**
 * What 18.16-era clients get instead of each family: `same` keeps the wire bytes, `convert` needs
 * the values cast to the new type (CAST(x AS String) gives the text a newer client would show).
 */
export const oldClientTypes = (revision: number, down: (t: DataType) => DataType): ByKind<DataType> => ({
  int: (t) => (t.bits > 64 ? STRING : t), // convert: Int128/256, UInt128/256 → decimal text
  float: (t) => t,
  bfloat16: () => FLOAT32, // convert: exact
  decimal: (t) => (t.precision > 38 ? STRING : t), // convert: Decimal256 came after 18.16
  bool: () => UINT8, // same bytes
  string: (t) => t, fixedString: (t) => t, uuid: (t) => t, date: (t) => t,
  date32: () => STRING, // convert: 'YYYY-MM-DD' text (Date's range is narrower)
  dateTime: (t) => (t.timeZone !== null && revision < REVISION_WITH_TIME_ZONE_PARAMETER_IN_DATETIME_DATA_TYPE ? { kind: 'dateTime', timeZone: null } : t),
  dateTime64: () => STRING, // convert: keeps the sub-second digits DateTime would drop
  time: () => STRING, time64: () => STRING, // convert
  ipv4: () => UINT32, // same bytes
  ipv6: () => IPV6_BYTES, // same bytes
  enum: (t) => t,
  nullable: (t) => {
    const inner = down(t.inner);
    if (inner.kind === 'tuple') return { kind: 'nullable', inner: STRING }; // convert: Nullable(Tuple) is 25.x
    return inner === t.inner ? t : { kind: 'nullable', inner };
  },
  lowCardinality: (t) => (revision < REVISION_WITH_LOW_CARDINALITY_TYPE ? down(t.inner) : mapChildren(t, down)),
  array: (t) => mapChildren(t, down),
  map: (t) => arrayOf(down({ kind: 'tuple', elements: [t.key, t.value], names: null })), // same bytes
  tuple: (t) => { const unnamed = mapChildren(t, down); return t.names === null ? unnamed : { ...(unnamed as Of<'tuple'>), names: null }; }, // same bytes; [?] named tuples on 18.16
  nested: (t) => arrayOf(down({ kind: 'tuple', elements: t.fields.map((f) => f.type), names: null })), // same bytes
  nothing: (t) => t,
  interval: () => INT64, // same bytes; 18.16 lacks the sub-second and Quarter interval families
  geo: (t) => geoStorage[t.shape], // same bytes, except Geometry (a Variant) → text
  json: () => STRING, dynamic: () => STRING, variant: () => STRING, opaque: () => STRING, // convert: text
  aggregateFunction: (t) => t, // states are version-specific anyway; sent unchanged
  simpleAggregateFunction: (t) => (t.arguments.length === 1 ? down(t.arguments[0] as DataType) : STRING), // same bytes as its argument
});

/**
 * The type to announce to a native client of the given protocol revision (the client's own, not
 * min(client, server)). From REVISION_WITH_MODERN_TYPES on it returns `t` itself. Below it —
 * clickhouse-client 18.16 (54412), which answers "Unknown data type family" to Bool, Date32,
 * DateTime64, IPv4, IPv6, Map, Int128 and newer families — every part the client cannot read is replaced:
 *
 * * same bytes, only the name changes: Bool → UInt8, IPv4 → UInt32, IPv6 → FixedString(16),
 *   Map(K, V) → Array(Tuple(K, V)), Nested(…) → Array(Tuple(…)), geo domains → their Array/Tuple
 *   of Float64, SimpleAggregateFunction(f, T) → T, Interval* → Int64, named Tuple → unnamed Tuple;
 * * values must be converted (CAST to the returned type): DateTime64, Date32, Time, Time64,
 *   Int128/Int256/UInt128/UInt256, Decimal with precision > 38, JSON, Dynamic, Variant, Geometry,
 *   Object, QBit and Nullable(Tuple) → String (Nullable(String) for the last); BFloat16 → Float32;
 * * kept: integers to 64 bits, floats, Decimal(P ≤ 38), String, FixedString, UUID, Date, DateTime('tz'),
 *   Enum8/16, Array, Tuple, Nullable, LowCardinality, Nothing, AggregateFunction.
 *
 * Independently, below 54405 LowCardinality(T) becomes T and below 54337 DateTime('tz') becomes DateTime
 * (both value-preserving: the server sends full columns, as upstream does).
 */
export function downgradeForOldClient(t: DataType, revision: number): DataType {
  if (revision >= REVISION_WITH_MODERN_TYPES) return t;
  const handlers: ByKind<DataType> = oldClientTypes(revision, (child) => dispatch(child, handlers));
  return dispatch(t, handlers);
}

