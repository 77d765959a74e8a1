// What a native connection speaks, decided once after the Hello (reference/protocols.md §0.7, §2.3,
// §5.1–§5.3): the SQL/type/error dialect by listener and client name, the server Hello by listener,
// and the type names a client can read (Proton spelling; 18.16's older type families).
import { Code, GatewayError, type Dialect } from '../../errors.ts';
import { nativeLayout } from '../../native-layout.ts';
import { protonTypeName } from '../../result-types.ts';
import { downgradeForOldClient, REVISION_WITH_MODERN_TYPES } from '../../type-downgrade.ts';
import { parseType } from '../../type-parser.ts';
import { printType } from '../../types.ts';

/** The three native listeners: 7587 snapshot, 8463 streaming (Proton), 9000 ClickHouse. */
export type NativeMode = 'snapshot' | 'streaming' | 'clickhouse';

/** Per listener: the dialect when the client name says nothing, the server name in Hello, the query mode. */
export const listenerProfiles: Readonly<Record<NativeMode, { readonly dialect: Dialect | null; readonly serverName: string; readonly queryMode: 'table' | 'streaming' }>> = {
  // On Proton's ports the client name decides; unknown clients get Proton names.
  snapshot: { dialect: null, serverName: 'proton', queryMode: 'table' },
  streaming: { dialect: null, serverName: 'proton', queryMode: 'streaming' },
  // Port 9000: ClickHouse names always.
  clickhouse: { dialect: 'clickhouse', serverName: 'ClickHouse', queryMode: 'table' },
};

/**
 * Client names (Hello) by dialect, first match wins: the Proton drivers and CLI (`Proton
 * python-driver`, `Golang SQLDriver` = proton-go-driver, `proton client`) want Proton type names and
 * fail on ClickHouse ones; ClickHouse clients (`ClickHouse client` 18.16, `ClickHouse python-driver`,
 * `clickhouse-go/…`) want ClickHouse names.
 */
export const clientNameDialects: readonly (readonly [RegExp, Dialect])[] = [
  [/proton|timeplus|golang sqldriver/i, 'proton'],
  [/clickhouse/i, 'clickhouse'],
];

/** The dialect of a client: the `hadron_client_dialect` setting, else the listener's, else the client name's, else Proton. */
export function clientDialect(mode: NativeMode, clientName: string, forced?: string): Dialect {
  if (forced === 'proton' || forced === 'clickhouse') return forced;
  if (forced !== undefined && forced !== '' && forced !== 'auto') {
    throw new GatewayError(Code.BAD_ARGUMENTS, `Setting hadron_client_dialect must be 'auto', 'proton' or 'clickhouse', got '${forced}'`);
  }
  const fixed = listenerProfiles[mode].dialect;
  if (fixed !== null) return fixed;
  for (const [pattern, dialect] of clientNameDialects) if (pattern.test(clientName)) return dialect;
  return 'proton';
}

const sameLayout = (a: string, b: string): boolean => JSON.stringify(nativeLayout(a)) === JSON.stringify(nativeLayout(b));

/**
 * For clients older than REVISION_WITH_MODERN_TYPES: the type a column of `clickhouseType` must be
 * CAST to before its bytes can be sent (DateTime64 → DateTime, Int128 → String, …), or null when the
 * wire bytes can stay (Bool → UInt8 is a rename). Null for every type on newer clients.
 */
export function valueDowngrade(clientRevision: number): ((clickhouseType: string) => string | null) | undefined {
  if (clientRevision >= REVISION_WITH_MODERN_TYPES) return undefined;
  return (type) => {
    const down = printType(downgradeForOldClient(parseType(type), clientRevision), 'clickhouse');
    return down !== type && !sameLayout(type, down) ? down : null;
  };
}

/**
 * Renames a store (ClickHouse) type for the client: Proton spelling for Proton clients and, for
 * clients older than REVISION_WITH_MODERN_TYPES (18.16), the downgrade of type-downgrade.ts. Only
 * downgrades that keep the wire bytes are possible here (column bytes are copied through): a type
 * whose downgrade needs converted values (DateTime64, Date32, Int128, …) has been CAST by the executor
 * (`valueDowngrade`); one that still arrives (a statement passed through unplanned) is refused with
 * NOT_IMPLEMENTED, naming the CAST that makes the query readable by the client.
 */
export function typeNamer(dialect: Dialect, clientRevision: number): (clickhouseType: string) => string {
  const cache = new Map<string, string>();
  const rename = (type: string): string => {
    let out = type;
    if (clientRevision < REVISION_WITH_MODERN_TYPES) {
      const down = printType(downgradeForOldClient(parseType(type), clientRevision), 'clickhouse');
      if (down !== type && !sameLayout(type, down)) {
        throw new GatewayError(Code.NOT_IMPLEMENTED, `Type ${type} cannot be sent to a client of protocol revision ${clientRevision}: CAST the column to ${down}`);
      }
      out = down;
    }
    return dialect === 'proton' ? protonTypeName(out) : out;
  };
  return (type) => {
    const known = cache.get(type);
    if (known !== undefined) return known;
    const renamed = rename(type);
    if (cache.size < 1000) cache.set(type, renamed);
    return renamed;
  };
}
