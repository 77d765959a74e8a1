// Output format facts the protocols need: the HTTP Content-Type of each format family.

const jsonFamily = /^JSON/;
const binary = new Set(['Native', 'RowBinary', 'RowBinaryWithNames', 'RowBinaryWithNamesAndTypes', 'RowBinaryWithDefaults', 'Parquet', 'Arrow', 'ArrowStream', 'ORC', 'Avro', 'Protobuf', 'ProtobufSingle', 'CapnProto', 'MsgPack', 'ODBCDriver2', 'BSONEachRow', 'Npy']);

/** Content-Type as ClickHouse sends it for results in `format`. */
export function contentType(format: string): string {
  if (format === 'TabSeparated' || format === 'TSV' || format.startsWith('TabSeparated') || format.startsWith('TSV')) return 'text/tab-separated-values; charset=UTF-8';
  if (format === 'JSONEachRow' || format === 'JSONLines' || format === 'NDJSON') return 'application/x-ndjson; charset=UTF-8';
  if (jsonFamily.test(format)) return 'application/json; charset=UTF-8';
  if (format === 'CSV') return 'text/csv; charset=UTF-8; header=absent';
  if (format.startsWith('CSVWithNames')) return 'text/csv; charset=UTF-8; header=present';
  if (binary.has(format)) return 'application/octet-stream';
  if (format === 'XML') return 'application/xml; charset=UTF-8';
  return 'text/plain; charset=UTF-8';
}
