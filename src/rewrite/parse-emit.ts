// Proton's EMIT clause, both the 1.6 and the 3.x grammars, normalised to one Emit node (§1.10).
import type { Emit } from './ast.ts';
import { emptyEmit } from './ast.ts';
import { Cursor, precedence } from './parse-cursor.ts';
import { parseExpr } from './parse-expression.ts';

// emit := [STREAM | CHANGELOG] [emit_item ([AND] emit_item)*]
// emit_item := AFTER WATERMARK | AFTER WINDOW CLOSE | WITH DELAY i | PERIODIC i [REPEAT]
//            | ON UPDATE [WITH BATCH i] | PER EVENT | TIMEOUT i | LAST i [ON PROCTIME]
//            | AFTER KEY EXPIRE [IDENTIFIED BY expr] WITH [ONLY] MAXSPAN i
//            | AFTER SESSION CLOSE [IDENTIFIED BY expr] WITH MAXSPAN i
// (each item at most once; i is an interval; option combinations are the planner's to validate)
export function parseEmit(c: Cursor): Emit {
  const changelog = c.acceptKw('CHANGELOG');
  if (!changelog) c.acceptKw('STREAM');
  let emit: Emit = { ...emptyEmit, changelog };
  let first = true;
  for (;;) {
    const at = c.i;
    if (!first && c.acceptKw('AND') && !isEmitItem(c)) {
      c.i = at + 1;
      c.fail(['TIMEOUT', 'LAST', 'PERIODIC', 'ON UPDATE']);
    }
    if (!isEmitItem(c)) return emit;
    emit = parseEmitItem(c, emit);
    first = false;
  }
}

const emitStarts = ['AFTER', 'WITH', 'PERIODIC', 'ON', 'PER', 'TIMEOUT', 'LAST'];
function isEmitItem(c: Cursor): boolean {
  return emitStarts.some((w) => c.isKw(w));
}

function parseEmitItem(c: Cursor, emit: Emit): Emit {
  const interval = () => parseExpr(c, precedence.unaryMinus);
  const start = c.peek();
  const once = <K extends keyof Emit>(key: K, value: Emit[K]): Emit => {
    if (emit[key] !== emptyEmit[key]) throw c.syntaxError(start.start, start.raw, `EMIT sets ${String(key)} twice`);
    return { ...emit, [key]: value };
  };
  if (c.acceptKw('AFTER', 'WATERMARK') || c.acceptKw('AFTER', 'WINDOW', 'CLOSE')) return once('afterWindowClose', true);
  if (c.isKw('AFTER', 'KEY', 'EXPIRE') || c.isKw('AFTER', 'SESSION', 'CLOSE')) {
    const key = c.kw(1) === 'KEY' ? 'afterKeyExpire' : 'afterSessionClose';
    once('maxSpan', null); // one close policy per EMIT: the first one set maxSpan
    c.i += 3;
    return parseCloseBy(c, once(key, true), key === 'afterKeyExpire');
  }
  if (c.acceptKw('WITH', 'DELAY')) return once('delay', interval());
  if (c.acceptKw('PERIODIC')) {
    const next = once('periodic', interval());
    return c.acceptKw('REPEAT') ? { ...next, repeat: true } : next;
  }
  if (c.acceptKw('ON', 'UPDATE')) {
    const next = once('onUpdate', true);
    if (!c.acceptKw('WITH', 'BATCH')) return next;
    emit = next;
    return once('periodic', interval());
  }
  if (c.acceptKw('PER', 'EVENT')) return once('perEvent', true);
  if (c.acceptKw('TIMEOUT')) return once('timeout', interval());
  if (c.acceptKw('LAST')) {
    const next = once('last', interval());
    return c.acceptKw('ON', 'PROCTIME') ? { ...next, lastOnProctime: true } : next;
  }
  c.fail();
}

// close_by := [IDENTIFIED BY expr] WITH [ONLY] MAXSPAN i        (ONLY for KEY EXPIRE)
function parseCloseBy(c: Cursor, emit: Emit, onlyAllowed: boolean): Emit {
  const identifiedBy = c.acceptKw('IDENTIFIED', 'BY') ? parseExpr(c) : null;
  c.expectKw('WITH');
  const onlyMaxSpan = onlyAllowed && c.acceptKw('ONLY');
  c.expectKw('MAXSPAN');
  return { ...emit, identifiedBy, onlyMaxSpan, maxSpan: parseExpr(c, precedence.unaryMinus) };
}
