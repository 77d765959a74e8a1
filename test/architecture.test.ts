// Enforces the import table of DESIGN.md §1 by reading every import in src/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = resolve(import.meta.dirname, '../src');

type Module = 'kernel' | 'rewrite' | 'history' | 'streaming' | 'external' | 'protocol' | 'session' | 'execute' | 'main';

/** Which module a file under src/ belongs to. */
function moduleOf(file: string): Module {
  const rel = relative(src, file);
  const top = rel.split('/')[0] as string;
  if (['rewrite', 'history', 'streaming', 'external', 'protocol'].includes(top)) return top as Module;
  if (rel === 'session.ts') return 'session';
  // execute.ts and the parts it is split into (execute-stream.ts) are one module.
  if (rel === 'execute.ts' || /^execute-[a-z-]+\.ts$/.test(rel)) return 'execute';
  if (rel === 'main.ts' || rel === 'hadron.ts') return 'main';
  return 'kernel';
}

const capabilities: Module[] = ['rewrite', 'history', 'streaming', 'external'];
/** module → what it may import (itself always allowed); from DESIGN.md §1. */
const allowed: Record<Module, readonly Module[]> = {
  kernel: ['kernel'],
  rewrite: ['kernel'],
  history: ['kernel'],
  streaming: ['kernel'],
  external: ['kernel', 'streaming', 'history'],
  session: ['kernel', ...capabilities],
  execute: ['kernel', 'session', ...capabilities],
  protocol: ['kernel', 'session', 'execute'],
  main: ['kernel', 'session', 'execute', 'protocol', ...capabilities],
};
/** Packages a module may use beyond node: builtins and small general-purpose libraries. */
const packagesOnlyFor: Record<string, readonly Module[]> = {
  chdb: ['history'],
  '@clickhouse/client': ['history'],
};
/** Files of other modules that are importable from one that may not import the whole module. */
const fileExceptions: Record<string, readonly Module[]> = {
  'streaming/operator.ts': ['external'],
  'history/backend.ts': ['external', 'execute'],
  'rewrite/ast.ts': ['streaming'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
    out.push((m[1] ?? m[2]) as string);
  }
  return out;
}

describe('architecture (DESIGN.md §1)', () => {
  const all = files(src);

  it('finds the source tree', () => {
    expect(all.length).toBeGreaterThan(10);
  });

  for (const file of all) {
    const from = moduleOf(file);
    it(`${relative(src, file)} (${from}) imports only what it may`, () => {
      const violations: string[] = [];
      for (const spec of imports(file)) {
        if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec);
          const to = moduleOf(target);
          const rel = relative(src, target);
          if (to === from || allowed[from].includes(to) || fileExceptions[rel]?.includes(from)) continue;
          violations.push(`${spec} (${to})`);
        } else {
          const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string);
          const only = packagesOnlyFor[pkg];
          if (only && !only.includes(from)) violations.push(`${spec} (package reserved for ${only.join(', ')})`);
        }
      }
      expect(violations).toEqual([]);
    });
  }

  it('has no barrels, utils or helpers files in src/', () => {
    const bad = all.filter((f) => /(^|\/)(index|utils|helpers|misc|common)\.ts$/.test(relative(src, f)));
    expect(bad).toEqual([]);
  });

  it('has a README in every src/ folder', () => {
    const dirs = [src, ...all.map((f) => dirname(f))].filter((d, i, a) => a.indexOf(d) === i && d !== src);
    const missing = dirs.filter((d) => !statSync(d).isDirectory() || !readdirSync(d).includes('README.md')).map((d) => relative(src, d));
    expect(missing).toEqual([]);
  });
});
