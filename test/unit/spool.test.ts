import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeStaleSpoolFiles, spoolPath } from '../../src/spool.ts';

describe('spool files', () => {
  it('names files by process and removes those of dead processes only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hadron-spool-'));
    const mine = spoolPath(dir, 'insert');
    expect(mine).toMatch(new RegExp(`hadron-${process.pid}-insert-\\d+$`));
    const dead = join(dir, 'hadron-999999999-body-1');
    const other = join(dir, 'not-ours');
    for (const p of [mine, dead, other]) writeFileSync(p, 'x');
    expect(removeStaleSpoolFiles(dir)).toBe(1);
    expect([existsSync(mine), existsSync(dead), existsSync(other)]).toEqual([true, false, true]);
  });
});
