// Insert staging files: `hadron-<pid>-<kind>-<n>` in the spool directory. Files of processes that
// are gone (a kill -9 leaves them behind) are removed at start-up.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

let counter = 0;

/** A fresh spool file path (no extension, so nothing guesses a compression from the name). */
export function spoolPath(dir: string, kind: string): string {
  return join(dir, `hadron-${process.pid}-${kind}-${++counter}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes spool files left by Hadron processes that no longer run; returns how many. */
export function removeStaleSpoolFiles(dir: string): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const m = /^hadron-(\d+)-/.exec(name);
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    rmSync(join(dir, name), { force: true });
    removed++;
  }
  return removed;
}
