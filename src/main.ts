// Composes Hadron: config → store → executor → listeners; clean shutdown on SIGINT/SIGTERM.
// chDB runs its queries on libuv's pool: widen it before anything uses the pool.
process.env.UV_THREADPOOL_SIZE = String(Math.max(16, Number(process.env.UV_THREADPOOL_SIZE ?? 0) || 0));

const { loadConfig, ConfigError } = await import('./config.ts');
const { createLogger } = await import('./logger.ts');
const { startHadron } = await import('./hadron.ts');

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`hadron: ${err.message}`);
    process.exit(2);
  }
  throw err;
}
const log = createLogger(config.log_level);
const hadron = await startHadron(config, log).catch((err: unknown) => {
  log.fatal({ err }, 'cannot start');
  process.exit(1);
});

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  hadron.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      log.error({ err }, 'unclean shutdown');
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
