// Test fixtures over the embedded ClickHouse and GatewayError codes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'chdb';
import { afterAll, beforeAll } from 'vitest';
import { GatewayError } from '../../src/errors.ts';

/**
 * A chDB Session on a fresh temporary directory for the enclosing describe (or file): opened before
 * its tests, closed and removed after. Read `.session` inside tests and hooks.
 */
export function tempSession(prefix: string): { readonly session: Session } {
  let dir = '';
  let session: Session | null = null;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `hadron-${prefix}-`));
    session = new Session(dir);
  });
  afterAll(() => {
    session?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get session(): Session {
      if (session === null) throw new Error('tempSession used outside its tests');
      return session;
    },
  };
}

/** The GatewayError code `fn` throws, or undefined when it returns; other errors are rethrown. */
export function thrownCode(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof GatewayError) return error.code;
    throw error;
  }
  return undefined;
}
