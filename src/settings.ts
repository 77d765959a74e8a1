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
]);

/** Settings passed to the store: everything but the gateway's own. */
export function storeSettings(settings: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of settings) if (!gatewaySettings.has(k)) out.set(k, v);
  return out;
}
