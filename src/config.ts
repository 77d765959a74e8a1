// The only reader of configuration: defaults < config/hadron.yaml < HADRON_* environment < CLI flags.
// Every leaf key `a.b_c` is also `HADRON_A_B_C` and `--a.b_c=value` (or `--a.b_c value`).
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

export type UserConfig = {
  /** sha256 of the password, lowercase hex; empty string = no password. */
  password_sha256_hex: string;
  /** 1 = readonly profile (no writes, no SET), 2 = no writes but SET allowed, 0 = full access. */
  readonly: 0 | 1 | 2;
};

export type Config = {
  listen_host: string;
  /** Snapshot (historical) HTTP port, Proton's `snapshot_server_http_port`. */
  http_port: number;
  /** Streaming HTTP port, Proton's `http_port`: queries over streams stream. */
  streaming_http_port: number;
  /** Streaming native TCP port, Proton's `tcp_port`: queries over streams stream. */
  tcp_port: number;
  /** Snapshot (historical) native TCP port, Proton's `snapshot_server_tcp_port`. */
  snapshot_tcp_port: number;
  /** ClickHouse-dialect native TCP port (ClickHouse type and error names always); 0 = off, 9000 when enabled. */
  clickhouse_tcp_port: number;
  display_name: string;
  log_level: string;
  store: {
    kind: 'embedded' | 'remote';
    /** Embedded data directory (one process per directory). */
    path: string;
    /** Embedded: concurrent chDB sessions (query lanes). */
    pool_size: number;
    /** Remote ClickHouse HTTP URL, user, password, database. */
    url: string;
    user: string;
    password: string;
    database: string;
  };
  limits: {
    /** Queries running at once; more wait in a queue. */
    max_concurrent_queries: number;
    /** Queries waiting for a lane; past this, 202 TOO_MANY_SIMULTANEOUS_QUERIES. */
    max_queued_queries: number;
    /** How long a queued query waits for a lane before 202. */
    queue_timeout_ms: number;
    /** Largest accepted request body (after decompression), bytes. */
    max_body_bytes: number;
    /** Largest query text, bytes (ClickHouse max_query_size). */
    max_query_size: number;
  };
  insert: {
    /** Concurrent small inserts into one table are held at most this long to be written together. */
    coalesce_ms: number;
    /** A batch is written once it holds this many bytes... */
    coalesce_bytes: number;
    /** ...or this many rows (counted for row-per-line formats), whichever comes first. */
    coalesce_rows: number;
    /** Bodies larger than this are written on their own, streamed. */
    max_coalesced_body_bytes: number;
    /** Directory for insert staging files; tmpfs is fastest. */
    spool_dir: string;
  };
  sessions: { default_timeout_s: number; max_timeout_s: number };
  shutdown_grace_ms: number;
  users: Record<string, UserConfig>;
};

export const defaultConfig: Config = {
  listen_host: '127.0.0.1',
  http_port: 8123,
  streaming_http_port: 3218,
  tcp_port: 8463,
  snapshot_tcp_port: 7587,
  clickhouse_tcp_port: 0,
  display_name: 'hadron',
  log_level: 'info',
  store: {
    kind: 'embedded',
    path: './data',
    pool_size: 8,
    url: 'http://127.0.0.1:8123',
    user: 'default',
    password: '',
    database: 'default',
  },
  limits: {
    max_concurrent_queries: 64,
    max_queued_queries: 256,
    queue_timeout_ms: 10_000,
    max_body_bytes: 1024 * 1024 * 1024,
    max_query_size: 262_144,
  },
  insert: {
    coalesce_ms: 4,
    coalesce_bytes: 1024 * 1024,
    coalesce_rows: 100_000,
    max_coalesced_body_bytes: 256 * 1024,
    spool_dir: existsSync('/dev/shm') ? '/dev/shm' : './data/tmp',
  },
  sessions: { default_timeout_s: 60, max_timeout_s: 3600 },
  shutdown_grace_ms: 10_000,
  users: { default: { password_sha256_hex: '', readonly: 0 } },
};

type Leaf = { path: string[]; kind: 'number' | 'string' };

function leaves(obj: Record<string, unknown>, prefix: string[] = []): Leaf[] {
  const out: Leaf[] = [];
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'users') continue;
    const path = [...prefix, key];
    if (typeof value === 'number') out.push({ path, kind: 'number' });
    else if (typeof value === 'string') out.push({ path, kind: 'string' });
    else if (value !== null && typeof value === 'object') out.push(...leaves(value as Record<string, unknown>, path));
  }
  return out;
}

const configLeaves = leaves(defaultConfig);

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function setLeaf(target: Record<string, unknown>, leaf: Leaf, raw: string, source: string): void {
  let node = target;
  for (const key of leaf.path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = leaf.path[leaf.path.length - 1] as string;
  if (leaf.kind === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`${source}: ${leaf.path.join('.')} must be a number, got '${raw}'`);
    node[last] = n;
  } else {
    node[last] = raw;
  }
}

function mergeFile(target: Record<string, unknown>, file: Record<string, unknown>, prefix: string[] = []): void {
  for (const [key, value] of Object.entries(file)) {
    const path = [...prefix, key];
    if (path.length === 1 && key === 'users') {
      target.users = normalizeUsers(value);
      continue;
    }
    const leaf = configLeaves.find((l) => l.path.join('.') === path.join('.'));
    if (leaf) {
      setLeaf(target, leaf, String(value), 'config file');
    } else if (value !== null && typeof value === 'object' && configLeaves.some((l) => l.path.join('.').startsWith(`${path.join('.')}.`))) {
      mergeFile(target, value as Record<string, unknown>, path);
    } else {
      throw new ConfigError(`config file: unknown key '${path.join('.')}'`);
    }
  }
}

function normalizeUsers(value: unknown): Record<string, UserConfig> {
  if (value === null || typeof value !== 'object') throw new ConfigError('config file: users must be a map');
  const users: Record<string, UserConfig> = {};
  for (const [name, raw] of Object.entries(value as Record<string, unknown>)) {
    const u = (raw ?? {}) as Record<string, unknown>;
    const hash = String(u.password_sha256_hex ?? '').toLowerCase();
    if (hash !== '' && !/^[0-9a-f]{64}$/.test(hash)) throw new ConfigError(`users.${name}.password_sha256_hex must be 64 hex digits`);
    const readonly = Number(u.readonly ?? 0);
    if (readonly !== 0 && readonly !== 1 && readonly !== 2) throw new ConfigError(`users.${name}.readonly must be 0, 1 or 2`);
    users[name] = { password_sha256_hex: hash, readonly };
  }
  return users;
}

function envName(leaf: Leaf): string {
  return `HADRON_${leaf.path.join('_').toUpperCase()}`;
}

/** Parses `--key=value`, `--key value` and `--config path`; keys use dots or dashes for nesting. */
function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const key = (eq === -1 ? arg.slice(2) : arg.slice(2, eq)).replaceAll('-', '_');
    let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new ConfigError(`flag --${key} needs a value`);
      i++;
    }
    flags.set(key, value);
  }
  return flags;
}

export function loadConfig(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Config {
  const config = structuredClone(defaultConfig) as unknown as Record<string, unknown>;
  const flags = parseFlags(argv);
  const explicitFile = flags.get('config') ?? env.HADRON_CONFIG;
  const file = explicitFile ?? 'config/hadron.yaml';
  if (explicitFile !== undefined && !existsSync(file)) throw new ConfigError(`config file '${file}' not found`);
  if (existsSync(file)) {
    const parsed: unknown = parseYaml(readFileSync(file, 'utf8'));
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object') throw new ConfigError(`config file '${file}' must hold a map`);
      mergeFile(config, parsed as Record<string, unknown>);
    }
  }
  for (const leaf of configLeaves) {
    const value = env[envName(leaf)];
    if (value !== undefined) setLeaf(config, leaf, value, envName(leaf));
  }
  if (env.HADRON_USERS !== undefined) config.users = normalizeUsers(JSON.parse(env.HADRON_USERS));
  for (const [key, value] of flags) {
    if (key === 'config') continue;
    const leaf = configLeaves.find((l) => l.path.join('.') === key || l.path.join('_') === key);
    if (!leaf) throw new ConfigError(`unknown flag --${key}`);
    setLeaf(config, leaf, value, `--${key}`);
  }
  const result = config as unknown as Config;
  if (result.store.kind !== 'embedded' && result.store.kind !== 'remote') throw new ConfigError(`store.kind must be embedded or remote`);
  return result;
}
