// The composition root (with main.ts, the only module that knows every part): store, executor,
// sessions and listeners, started and stopped as one. Tests start Hadron in-process through it.
import { Admission } from './admission.ts';
import { Catalog } from './catalog.ts';
import type { Config } from './config.ts';
import { Executor } from './execute.ts';
import type { Logger } from './logger.ts';
import { ProcessList } from './processes.ts';
import { SessionRegistry } from './session.ts';
import { Users } from './users.ts';
import type { Backend } from './history/backend.ts';
import { InsertCoalescer } from './history/coalescer.ts';
import { MetaStore } from './history/meta.ts';
import { listenHttp, type HttpListener } from './protocol/http/server.ts';
import { listenNative, type NativeListener } from './protocol/native/server.ts';

export type Hadron = {
  config: Config;
  backend: Backend;
  executor: Executor;
  http: HttpListener;
  streamingHttp: HttpListener;
  /** Native TCP: snapshot (7587), streaming (8463) and, when configured, ClickHouse (9000). */
  native: NativeListener[];
  stop(): Promise<void>;
};

async function openBackend(config: Config): Promise<Backend> {
  if (config.store.kind === 'remote') {
    const { RemoteBackend } = await import('./history/remote.ts');
    return RemoteBackend.open({ url: config.store.url, user: config.store.user, password: config.store.password, database: config.store.database });
  }
  const { EmbeddedBackend } = await import('./history/embedded.ts');
  return EmbeddedBackend.open({ path: config.store.path, poolSize: config.store.pool_size, spoolDir: config.insert.spool_dir });
}

export async function startHadron(config: Config, log: Logger): Promise<Hadron> {
  const t0 = performance.now();
  const backend = await openBackend(config);
  const processes = new ProcessList();
  const admission = new Admission({ maxRunning: config.limits.max_concurrent_queries, maxQueued: config.limits.max_queued_queries, queueTimeoutMs: config.limits.queue_timeout_ms });
  const coalescer = new InsertCoalescer(backend, { maxDelayMs: config.insert.coalesce_ms, maxBytes: config.insert.coalesce_bytes, maxRows: config.insert.coalesce_rows });
  const meta = new MetaStore(backend);
  await meta.open();
  if (backend.kind === 'embedded') {
    const dropped = await meta.dropLeftoverStages();
    if (dropped > 0) log.info({ dropped }, 'dropped the stage streams of queries a previous run left behind');
  }
  const catalog = new Catalog(await meta.load());
  const executor = new Executor(backend, processes, admission, coalescer, catalog, meta, {
    maxBodyBytes: config.limits.max_body_bytes,
    maxCoalescedBodyBytes: config.insert.max_coalesced_body_bytes,
    spoolDir: config.insert.spool_dir,
  });
  const sessions = new SessionRegistry({ defaultTimeoutS: config.sessions.default_timeout_s, maxTimeoutS: config.sessions.max_timeout_s });
  const deps = { executor, sessions, users: new Users(config.users), config, log, info: backend.info };
  const http = await listenHttp(deps, config.listen_host, config.http_port, 'snapshot');
  const streamingHttp = await listenHttp(deps, config.listen_host, config.streaming_http_port, 'streaming');
  const native = [
    await listenNative(deps, config.listen_host, config.snapshot_tcp_port, 'snapshot'),
    await listenNative(deps, config.listen_host, config.tcp_port, 'streaming'),
    ...(config.clickhouse_tcp_port > 0 ? [await listenNative(deps, config.listen_host, config.clickhouse_tcp_port, 'clickhouse')] : []),
  ];
  log.info({ store: backend.kind, version: backend.info.version, startMs: Math.round(performance.now() - t0) }, 'hadron ready');
  let stopped: Promise<void> | null = null;
  return {
    config, backend, executor, http, streamingHttp, native,
    stop: () => (stopped ??= (async () => {
      const closing = Promise.all([http.close(), streamingHttp.close(), ...native.map((l) => l.close())]);
      await executor.drain();
      await processes.cancelAll(config.shutdown_grace_ms);
      await closing;
      sessions.stop();
      await backend.close();
    })()),
  };
}
