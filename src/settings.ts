// Settings the gateway itself implements: kept in sessions like any setting, never sent to the store.

/** Protocol-level settings (HTTP response shaping, keep-alive, cancellation), handled by Hadron. */
export const gatewaySettings: ReadonlySet<string> = new Set([
  'enable_http_compression',
  'http_zlib_compression_level',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'cancel_http_readonly_queries_on_client_close',
  'http_native_compression_disable_checksumming_on_decompress',
  'http_response_buffer_size',
  'http_wait_end_of_query',
  'add_http_cors_header',
  'readonly',
  'network_compression_method',
  'network_zstd_compression_level',
  'output_format_json_named_tuples_as_objects_http',
  'hadron_client_dialect',
]);

/**
 * Proton query settings (proton-semantics §1.9, §1.19) that Hadron's planner and engine own; the
 * store has no such settings, so they never reach it.
 */
export const protonQuerySettings: ReadonlySet<string> = new Set([
  'query_mode', 'seek_to', 'enable_backfill_from_historical_store', 'emit_during_backfill', 'force_backfill_in_order',
  'keep_versions', 'join_max_buffered_bytes', 'max_windows', 'keep_windows', 'checkpoint_interval', 'recovery_policy',
  'replay_speed', 'replay_time_column', 'eps', 'max_events', 'shards', 'asterisk_include_reserved_columns',
  'include_internal_streams', 'enforce_append_only', 'compact_kv_stream', 'synchronous_ddl', 'idempotent_id',
  'force_drop_big_stream', 'max_join_range', 'pause_on_start', 'enable_dlq', 'default_hash_join',
]);

export const isProtonQuerySetting = (name: string): boolean => protonQuerySettings.has(name);

/** Settings passed to the store: everything but the gateway's and Proton's own. */
export function storeSettings(settings: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of settings) if (!gatewaySettings.has(k) && !protonQuerySettings.has(k)) out.set(k, v);
  return out;
}
