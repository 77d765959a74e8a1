// Identity-preserving bottom-up transform over the AST (STYLE 3): a node whose children did not
// change is returned as the same object, so a pass that changes nothing returns its input.
// The walk is structural — every property holding a node (an object with a `kind`) or an array of
// nodes is visited — so node kinds added to ast.ts are traversed without touching this file.

type AnyNode = { readonly kind: string };

const isNode = (v: unknown): v is AnyNode => typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string';

/**
 * Rebuilds `node` with `visit` applied to every node below it (children first), then to the node.
 * `visit` returns its argument unchanged to keep a node. `enter` may return false to skip a subtree
 * (its node is still offered to `visit`).
 */
export function transform<T extends AnyNode>(node: T, visit: (n: AnyNode) => AnyNode, enter?: (n: AnyNode) => boolean): T {
  const walk = (n: AnyNode): AnyNode => {
    const inner = enter === undefined || enter(n) ? children(n, walk) : n;
    return visit(inner);
  };
  return walk(node) as T;
}

function children(n: AnyNode, walk: (n: AnyNode) => AnyNode): AnyNode {
  let out: Record<string, unknown> | null = null;
  for (const [key, value] of Object.entries(n)) {
    const next = mapValue(value, walk);
    if (next !== value) {
      out ??= { ...n };
      out[key] = next;
    }
  }
  return (out ?? n) as AnyNode;
}

function mapValue(value: unknown, walk: (n: AnyNode) => AnyNode): unknown {
  if (isNode(value)) return walk(value);
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v = value[i] as unknown;
      const next = mapValue(v, walk);
      if (next !== v) {
        out ??= value.slice();
        out[i] = next;
      }
    }
    return out ?? value;
  }
  if (typeof value === 'object' && value !== null) {
    // Plain records holding nodes (`{ when, then }`, `{ key, value }`, `{ limit, offset }`).
    let out: Record<string, unknown> | null = null;
    for (const [k, v] of Object.entries(value)) {
      const next = mapValue(v, walk);
      if (next !== v) {
        out ??= { ...(value as Record<string, unknown>) };
        out[k] = next;
      }
    }
    return out ?? value;
  }
  return value;
}

/** Calls `f` on every node below and including `node` (parents first). */
export function visitAll(node: AnyNode, f: (n: AnyNode) => void): void {
  const seen = (v: unknown): void => {
    if (isNode(v)) visitAll(v, f);
    else if (Array.isArray(v)) for (const x of v) seen(x);
    else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) seen(x);
  };
  f(node);
  for (const value of Object.values(node)) seen(value);
}
