import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, loadConfig } from '../../src/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'hadron-config-'));
const file = (text: string): string => {
  const p = join(dir, `c${Math.random()}.yaml`);
  writeFileSync(p, text);
  return p;
};

describe('config', () => {
  it('uses the defaults without a file', () => {
    const c = loadConfig([], { HADRON_CONFIG: file('') });
    expect(c).toEqual(defaultConfig);
    expect(c.http_port).toBe(8123);
    expect(c.streaming_http_port).toBe(3218);
    expect(c.store.path).toBe('./data');
  });

  it('the shipped example is the defaults', () => {
    const c = loadConfig([], { HADRON_CONFIG: new URL('../../config/hadron.yaml', import.meta.url).pathname });
    expect({ ...c, insert: { ...c.insert, spool_dir: defaultConfig.insert.spool_dir } }).toEqual(defaultConfig);
  });

  it('layers file < environment < flags', () => {
    const path = file('http_port: 9001\nstore:\n  pool_size: 3\n  kind: remote\n');
    const c = loadConfig(['--http_port=9003', '--store.url', 'http://x:1'], { HADRON_CONFIG: path, HADRON_HTTP_PORT: '9002', HADRON_STORE_POOL_SIZE: '5' });
    expect(c.http_port).toBe(9003);
    expect(c.store.pool_size).toBe(5);
    expect(c.store.kind).toBe('remote');
    expect(c.store.url).toBe('http://x:1');
    expect(loadConfig(['--config', path, '--store-pool-size=7'], {}).store.pool_size).toBe(7);
  });

  it('reads users with sha256 passwords', () => {
    const hash = 'a'.repeat(64);
    const c = loadConfig([], { HADRON_CONFIG: file(`users:\n  ro:\n    password_sha256_hex: ${hash}\n    readonly: 1\n`) });
    expect(c.users).toEqual({ ro: { password_sha256_hex: hash, readonly: 1 } });
  });

  it('refuses what it does not understand', () => {
    expect(() => loadConfig([], { HADRON_CONFIG: file('nope: 1\n') })).toThrow(ConfigError);
    expect(() => loadConfig([], { HADRON_CONFIG: file(''), HADRON_HTTP_PORT: 'eighty' })).toThrow(/must be a number/);
    expect(() => loadConfig(['--bogus=1'], { HADRON_CONFIG: file('') })).toThrow(/unknown flag/);
    expect(() => loadConfig([], { HADRON_CONFIG: join(dir, 'missing.yaml') })).toThrow(/not found/);
    expect(() => loadConfig([], { HADRON_CONFIG: file('users:\n  u:\n    password_sha256_hex: xyz\n') })).toThrow(/64 hex/);
  });
});
