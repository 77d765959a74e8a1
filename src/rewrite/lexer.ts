// A ClickHouse/Proton SQL lexer over text whose characters are bytes (the request decoded as latin1),
// so token offsets are byte offsets into the request body. Non-ASCII bytes only occur inside
// identifiers, strings and comments; `text()` re-decodes a token as UTF-8.

export type TokenKind = 'word' | 'quoted_id' | 'string' | 'number' | 'punct' | 'param' | 'end';

export type Token = {
  kind: TokenKind;
  /** Byte offsets into the source: [start, end). */
  start: number;
  end: number;
  /** Raw token text (latin1 view of the bytes). */
  raw: string;
};

export class LexError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.name = 'LexError';
    this.position = position;
  }
}

const isWordStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
const isWordPart = (c: number): boolean => isWordStart(c) || (c >= 48 && c <= 57) || c === 36;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;

const twoCharPuncts = new Set(['<=', '>=', '!=', '<>', '==', '||', '->', '::', '<=>']);
/** Second characters of the multi-character punctuation above: any other one ends a punct token. */
const punctSeconds = new Set([...twoCharPuncts].map((p) => p.charCodeAt(1)));

/** Pull lexer; `incomplete` is set when a token ran into the end of a source that may still grow. */
export class Lexer {
  readonly source: string;
  pos = 0;
  incomplete = false;

  constructor(source: string, start = 0) {
    this.source = source;
    this.pos = start;
  }

  /** Skips whitespace and comments: line comments (`--`, `# `, `#!`) and block comments. */
  skipTrivia(): void {
    const s = this.source;
    for (;;) {
      const c = s.charCodeAt(this.pos);
      if (isSpace(c)) {
        this.pos++;
      } else if ((c === 45 && s.charCodeAt(this.pos + 1) === 45) || (c === 35 && (s[this.pos + 1] === ' ' || s[this.pos + 1] === '!'))) {
        const nl = s.indexOf('\n', this.pos);
        if (nl === -1) {
          this.incomplete = true;
          this.pos = s.length;
          return;
        }
        this.pos = nl + 1;
      } else if (c === 47 && s.charCodeAt(this.pos + 1) === 42) {
        const close = s.indexOf('*/', this.pos + 2);
        if (close === -1) {
          this.incomplete = true;
          this.pos = s.length;
          return;
        }
        this.pos = close + 2;
      } else {
        return;
      }
    }
  }

  next(): Token {
    this.skipTrivia();
    const s = this.source;
    const start = this.pos;
    if (start >= s.length) return { kind: 'end', start, end: start, raw: '' };
    const c = s.charCodeAt(start);
    if (isWordStart(c)) {
      let i = start + 1;
      while (i < s.length && isWordPart(s.charCodeAt(i))) i++;
      if (i === s.length) this.incomplete = true;
      return this.take('word', start, i);
    }
    if (isDigit(c) || (c === 46 && isDigit(s.charCodeAt(start + 1)))) {
      let i = start + 1;
      while (i < s.length && (isWordPart(s.charCodeAt(i)) || s[i] === '.' || ((s[i] === '+' || s[i] === '-') && /[eEpP]/.test(s[i - 1] ?? '')))) i++;
      if (i === s.length) this.incomplete = true;
      return this.take('number', start, i);
    }
    if (c === 39) return this.quoted('string', start, "'");
    if (c === 36) {
      const heredoc = this.heredoc(start);
      if (heredoc !== null) return heredoc;
    }
    if (c === 96 || c === 34) return this.quoted('quoted_id', start, s[start] as string);
    if (c === 123) {
      const close = s.indexOf('}', start);
      if (close !== -1 && /^\{\s*[A-Za-z_][A-Za-z0-9_]*\s*:/.test(s.slice(start, close + 1))) return this.take('param', start, close + 1);
    }
    if (!punctSeconds.has(s.charCodeAt(start + 1))) return this.take('punct', start, start + 1);
    const three = s.slice(start, start + 3);
    if (twoCharPuncts.has(three)) return this.take('punct', start, start + 3);
    const two = s.slice(start, start + 2);
    if (twoCharPuncts.has(two)) return this.take('punct', start, start + 2);
    return this.take('punct', start, start + 1);
  }

  private take(kind: TokenKind, start: number, end: number): Token {
    this.pos = end;
    return { kind, start, end, raw: this.source.slice(start, end) };
  }

  /** A heredoc string `$$…$$` or `$tag$…$tag$` (ClickHouse's; Proton's UDF bodies); null when `$` starts none. */
  private heredoc(start: number): Token | null {
    const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(this.source.slice(start, start + 66));
    if (tag === null) return null;
    const close = this.source.indexOf(tag[0], start + tag[0].length);
    if (close === -1) {
      this.incomplete = true;
      throw new LexError('Unterminated heredoc', start);
    }
    return this.take('string', start, close + tag[0].length);
  }

  /** A quoted token; backslash escapes and doubled quotes both continue it. */
  private quoted(kind: TokenKind, start: number, quote: string): Token {
    const s = this.source;
    let i = start + 1;
    for (;;) {
      if (i >= s.length) {
        this.incomplete = true;
        throw new LexError(`Unterminated ${kind === 'string' ? 'string literal' : 'quoted identifier'}`, start);
      }
      const ch = s[i];
      if (ch === '\\') {
        i += 2;
      } else if (ch === quote) {
        if (s[i + 1] === quote) i += 2;
        else return this.take(kind, start, i + 1);
      } else {
        i++;
      }
    }
  }
}

const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0', a: '\x07', e: '\x1b' };

const nonAscii = /[^\x00-\x7f]/;
/** Bytes held as latin1 → the UTF-8 text they encode (ASCII is both, so it is returned as is). */
const utf8 = (latin1: string): string => (nonAscii.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1);

/** The value of a string or quoted-identifier token, decoded as UTF-8. */
export function tokenValue(token: Token): string {
  if (token.kind !== 'string' && token.kind !== 'quoted_id') return utf8(token.raw);
  if (token.raw.startsWith('$')) {
    const tag = token.raw.indexOf('$', 1) + 1;
    return utf8(token.raw.slice(tag, token.raw.length - tag));
  }
  const quote = token.raw[0] as string;
  const body = token.raw.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch === '\\' && i + 1 < body.length) {
      const e = body[++i] as string;
      if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(body.slice(i + 1, i + 3))) {
        out += String.fromCharCode(parseInt(body.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        out += escapes[e] ?? e;
      }
    } else if (ch === quote && body[i + 1] === quote) {
      out += quote;
      i++;
    } else {
      out += ch;
    }
  }
  return utf8(out);
}

/** Upper-cased word, for keyword comparison. */
export function keyword(token: Token): string {
  return token.kind === 'word' ? token.raw.toUpperCase() : '';
}
