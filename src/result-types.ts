// Result headers in the client's dialect: the store writes ClickHouse type names (`UInt64`,
// `Nullable(String)`) into the header of every format that carries types; Proton clients expect
// Proton names (`uint64`, `nullable(string)`; reference/proton-semantics.md §1.14, protocols.md
// §0.7 and §2.3). A transform parses only the header bytes, rewrites each type through the type
// tree (parseType → printType 'proton') in the format's own escaping, and then passes the rest of
// the stream through as the chunks it came in. Native is the exception: every block has a header,
// so every block is walked and re-emitted with renamed types (data bytes untouched).
import { Code, GatewayError } from './errors.ts';
import { encodeString, readString, readVarUInt, reframeBlock, utf8Decoder } from './native.ts';
import { NativeBlockWalker } from './native-walker.ts';
import { escapes, parseType } from './type-parser.ts';
import { printType } from './types.ts';

export type TypeDialect = 'proton' | 'clickhouse';

/**
 * Incremental transformer of a result byte stream. `push` returns the bytes ready to send (possibly
 * none while a header is incomplete, possibly views of the pushed chunk); `end` returns what is
 * still held. Pushed chunks must not be modified afterwards (outputs may be views of them).
 */
export interface ResultTransform { push(chunk: Uint8Array): Uint8Array[]; end(): Uint8Array[] }

/** A header that grows past this is given up on: the held bytes go out unchanged. */
const MAX_HEADER_BYTES = 16 * 2 ** 20;
const utf8 = new TextEncoder();

// ---- type names -----------------------------------------------------------------------------------

const translated = new Map<string, string>();

/** The Proton spelling of a ClickHouse type name; text the type parser cannot read comes back unchanged. */
export function protonTypeName(clickhouseType: string): string {
  const known = translated.get(clickhouseType);
  if (known !== undefined) return known;
  let proton = clickhouseType;
  try {
    proton = printType(parseType(clickhouseType), 'proton');
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
  }
  if (translated.size >= 10_000) translated.clear();
  translated.set(clickhouseType, proton);
  return proton;
}

// ---- where a header ends ----------------------------------------------------------------------------

/** Finds the end of a header in chunks pushed one after another: the offset after it in `chunk`, or -1. */
interface Scanner { scan(chunk: Uint8Array): number }

const NL = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The end of the `count`-th line; newlines inside `quote`d fields (CSV) do not count. */
function lines(count: number, quote: number | null): Scanner {
  let seen = 0;
  let quoted = false;
  return {
    scan(chunk) {
      for (let i = 0; i < chunk.byteLength; i++) {
        const b = chunk[i];
        if (b === quote) quoted = !quoted;
        else if (b === NL && !quoted && ++seen === count) return i + 1;
      }
      return -1;
    },
  };
}

/** JSON: the end of the first value nested in the top-level object (`{"meta": [ … ]`), or of the object. */
function firstNested(): Scanner {
  let depth = 0;
  let inString = false;
  let escaped = false;
  return {
    scan(chunk) {
      for (let i = 0; i < chunk.byteLength; i++) {
        const b = chunk[i] as number;
        if (inString) {
          if (escaped) escaped = false;
          else if (b === BACKSLASH) escaped = true;
          else if (b === QUOTE) inString = false;
        } else if (b === QUOTE) inString = true;
        else if (b === 0x7b || b === 0x5b) depth++;
        else if ((b === 0x7d || b === 0x5d) && --depth <= 1) return i + 1;
      }
      return -1;
    },
  };
}

/** The end of the first occurrence of `marker` (whose first byte occurs in it only once). */
function until(marker: string): Scanner {
  const bytes = utf8.encode(marker);
  let matched = 0;
  return {
    scan(chunk) {
      for (let i = 0; i < chunk.byteLength; i++) {
        const b = chunk[i];
        matched = b === bytes[matched] ? matched + 1 : b === bytes[0] ? 1 : 0;
        if (matched === bytes.byteLength) return i + 1;
      }
      return -1;
    },
  };
}

/** RowBinaryWithNamesAndTypes: VarUInt n, then 2n Strings (VarUInt length, bytes): n names, n types. */
function rowBinaryHeader(): Scanner {
  let value = 0;
  let scale = 1;
  let strings = -1; // Strings still to read; -1 while reading n
  let skip = -1; // bytes of the current String still to skip; -1 while reading its length
  return {
    scan(chunk) {
      let i = 0;
      for (;;) {
        if (skip > 0) {
          const step = Math.min(skip, chunk.byteLength - i);
          skip -= step;
          i += step;
          if (skip > 0) return -1;
          skip = -1;
          if (--strings === 0) return i;
          continue;
        }
        if (i >= chunk.byteLength) return -1;
        const b = chunk[i++] as number;
        value += (b & 0x7f) * scale;
        scale *= 0x80;
        if (b >= 0x80) continue;
        const read = value;
        value = 0;
        scale = 1;
        if (strings < 0) strings = read * 2;
        else if (read > 0) skip = read;
        else strings--;
        if (strings === 0) return i;
      }
    },
  };
}

// ---- rewriting a complete header ----------------------------------------------------------------------

/** TSV `Escaped` text: ClickHouse's readEscapedString / writeEscapedString. */
const tsvField = {
  decode: (text: string): string => text.replace(/\\(x[0-9a-fA-F]{2}|.)/gs, (all, e: string) =>
    (e.length === 3 ? String.fromCharCode(parseInt(e.slice(1), 16)) : escapes[e] ?? all)),
  encode: (text: string): string => text.replace(/[\b\f\n\r\t\0\\']/g, (c) =>
    ({ '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0', '\\': '\\\\', "'": "\\'" })[c] as string),
};
const rawField = { decode: (text: string): string => text, encode: (text: string): string => text };

/** ClickHouse's writeJSONString; `/` escaped as `\/` when the original was (output_format_json_escape_forward_slashes). */
function jsonString(value: string, slashes: boolean): string {
  const special: Readonly<Record<string, string>> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '/': slashes ? '\\/' : '/' };
  return `"${value.replace(/["\\/\u0000-\u001f\u2028\u2029]/g, (c) =>
    special[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)}"`;
}
const JSON_STRING = /"(?:[^"\\]|\\.)*"/gs;
const translateJson = (token: string): string => {
  const type = JSON.parse(token) as string;
  const proton = protonTypeName(type);
  return proton === type ? token : jsonString(proton, token.includes('\\/'));
};

/** Line `index` (0-based) of `text` with each field separated by `\t` rewritten; `\r` before `\n` kept. */
function rewriteTsvLine(text: string, index: number, field: typeof rawField): string {
  const rows = text.split('\n');
  const row = rows[index];
  if (row === undefined) return text;
  const cr = row.endsWith('\r') ? '\r' : '';
  rows[index] = row.slice(0, row.length - cr.length).split('\t').map((raw) => {
    const type = field.decode(raw);
    const proton = protonTypeName(type);
    return proton === type ? raw : field.encode(proton);
  }).join('\t') + cr;
  return rows.join('\n');
}

/** CSV: the second line's `"quoted"` fields (doubled quotes inside); unquoted fields are kept. */
function rewriteCsv(text: string): string {
  const first = /^(?:"(?:[^"]|"")*"|[^"\n])*\n/.exec(text);
  if (first === null) return text;
  const types = text.slice(first[0].length).replace(/"((?:[^"]|"")*)"/g, (all, inner: string) => {
    const type = inner.replaceAll('""', '"');
    const proton = protonTypeName(type);
    return proton === type ? all : `"${proton.replaceAll('"', '""')}"`;
  });
  return first[0] + types;
}

/** JSON header `{"meta": [{"name": …, "type": …}, …]`: each value of a `"type"` key. */
function rewriteJsonMeta(text: string): string {
  if (!/^\s*\{\s*"meta"\s*:\s*\[/.test(text)) return text;
  let typeNext = false;
  return text.replace(JSON_STRING, (token, offset: number) => {
    if (typeNext) {
      typeNext = false;
      return translateJson(token);
    }
    typeNext = token === '"type"' && /^\s*:/.test(text.slice(offset + token.length, offset + token.length + 8));
    return token;
  });
}

/** JSONCompact…WithNamesAndTypes: every string of the second line `["UInt8", "String"]`. */
function rewriteJsonRows(text: string): string {
  const split = text.indexOf('\n') + 1;
  return text.slice(0, split) + text.slice(split).replace(JSON_STRING, translateJson);
}

/** XML `<type>…</type>` elements of `<meta>`; text escaped as ClickHouse's writeXMLStringForTextElement does. */
function rewriteXml(text: string): string {
  const entities: Readonly<Record<string, string>> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&apos;': "'" };
  return text.replace(/<type>([^<]*)<\/type>/g, (all, inner: string) => {
    const type = inner.replace(/&(?:lt|gt|amp|quot|apos);/g, (e) => entities[e] ?? e);
    const proton = protonTypeName(type);
    return proton === type ? all : `<type>${proton.replace(/[&<]/g, (c) => (c === '&' ? '&amp;' : '&lt;'))}</type>`;
  });
}

/** RowBinaryWithNamesAndTypes: the n type Strings after the n names. */
function rewriteRowBinary(header: Uint8Array): Uint8Array {
  const count = readVarUInt(header, 0);
  if (count === null) return header;
  let at = count[1];
  for (let k = 0; k < count[0]; k++) at = (readString(header, at) as [Uint8Array, number])[1];
  const parts: Uint8Array[] = [header.subarray(0, at)];
  let changed = false;
  for (let k = 0; k < count[0]; k++) {
    const [bytes, end] = readString(header, at) as [Uint8Array, number];
    const type = utf8Decoder.decode(bytes);
    const proton = protonTypeName(type);
    changed ||= proton !== type;
    parts.push(proton === type ? header.subarray(at, end) : encodeString(proton));
    at = end;
  }
  return changed ? Buffer.concat(parts) : header;
}

/** A text header rewriter: decoded as UTF-8, re-encoded only when something changed. */
const asText = (rewrite: (text: string) => string) => (header: Uint8Array): Uint8Array => {
  const text = utf8Decoder.decode(header);
  const out = rewrite(text);
  return out === text ? header : utf8.encode(out);
};

interface HeaderFormat { readonly scanner: () => Scanner; readonly rewrite: (header: Uint8Array) => Uint8Array }

const headerFormats = {
  jsonMeta: { scanner: firstNested, rewrite: asText(rewriteJsonMeta) },
  xml: { scanner: () => until('</meta>'), rewrite: asText(rewriteXml) },
  tsv: { scanner: () => lines(2, null), rewrite: asText((text) => rewriteTsvLine(text, 1, tsvField)) },
  tsvRaw: { scanner: () => lines(2, null), rewrite: asText((text) => rewriteTsvLine(text, 1, rawField)) },
  csv: { scanner: () => lines(2, QUOTE), rewrite: asText(rewriteCsv) },
  jsonRows: { scanner: () => lines(2, null), rewrite: asText(rewriteJsonRows) },
  rowBinary: { scanner: rowBinaryHeader, rewrite: rewriteRowBinary },
} as const satisfies Record<string, HeaderFormat>;
type HeaderKind = keyof typeof headerFormats | 'native';

/**
 * The formats that carry type names, by lowercase name (ClickHouse resolves format names
 * case-insensitively), aliases included. CustomSeparated assumes the default escaping rule and
 * delimiters (those of TSV).
 */
const typedFormats: ReadonlyMap<string, HeaderKind> = new Map(Object.entries({
  JSON: 'jsonMeta', JSONStrings: 'jsonMeta', JSONCompact: 'jsonMeta', JSONCompactStrings: 'jsonMeta',
  JSONColumnsWithMetadata: 'jsonMeta', JSONEachRowWithProgress: 'jsonMeta', JSONStringsEachRowWithProgress: 'jsonMeta',
  JSONCompactEachRowWithProgress: 'jsonMeta', JSONCompactStringsEachRowWithProgress: 'jsonMeta',
  XML: 'xml',
  TabSeparatedWithNamesAndTypes: 'tsv', TSVWithNamesAndTypes: 'tsv', CustomSeparatedWithNamesAndTypes: 'tsv',
  TabSeparatedRawWithNamesAndTypes: 'tsvRaw', TSVRawWithNamesAndTypes: 'tsvRaw', RawWithNamesAndTypes: 'tsvRaw',
  CSVWithNamesAndTypes: 'csv',
  JSONCompactEachRowWithNamesAndTypes: 'jsonRows', JSONCompactStringsEachRowWithNamesAndTypes: 'jsonRows',
  RowBinaryWithNamesAndTypes: 'rowBinary',
  Native: 'native',
} satisfies Record<string, HeaderKind>).map(([name, kind]) => [name.toLowerCase(), kind]));

// ---- transforms ---------------------------------------------------------------------------------------

/** Holds chunks until the header is complete, emits it rewritten, then passes chunks through. */
class HeaderTransform implements ResultTransform {
  readonly #scanner: Scanner;
  readonly #rewrite: (header: Uint8Array) => Uint8Array;
  #held: Uint8Array[] = [];
  #heldBytes = 0;
  #done = false;

  constructor(format: HeaderFormat) {
    this.#scanner = format.scanner();
    this.#rewrite = format.rewrite;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#done) return [chunk];
    if (chunk.byteLength === 0) return [];
    const end = this.#scanner.scan(chunk);
    if (end < 0) {
      this.#held.push(chunk);
      this.#heldBytes += chunk.byteLength;
      return this.#heldBytes > MAX_HEADER_BYTES ? this.end() : [];
    }
    this.#done = true;
    const head = chunk.subarray(0, end);
    const header = this.#held.length === 0 ? head : Buffer.concat([...this.#held, head]);
    this.#held = [];
    const out = [this.#rewrite(header)];
    if (end < chunk.byteLength) out.push(chunk.subarray(end));
    return out;
  }

  /** A stream that ended inside its header goes out as it came. */
  end(): Uint8Array[] {
    this.#done = true;
    const held = this.#held;
    this.#held = [];
    return held;
  }
}

/** Native: every block re-emitted with Proton type names (every ClickHouse family is spelled differently in Proton). */
class NativeTransform implements ResultTransform {
  readonly #walker: NativeBlockWalker;
  readonly #revision: number;

  constructor(revision: number) {
    this.#walker = new NativeBlockWalker({ revision });
    this.#revision = revision;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    return this.#walker.push(chunk).map((block) => reframeBlock(block, { revision: this.#revision, typeName: protonTypeName }));
  }

  end(): Uint8Array[] {
    this.#walker.end();
    return [];
  }
}

/**
 * Rewrites ClickHouse type names to Proton names in the parts of `format` that carry types; null
 * when the format carries none (bytes then pass through untouched). `nativeLayout` = 'http' (plain
 * Native, the default) or 'tcp' (each block with BlockInfo, as after client_protocol_version
 * re-framing); with 'tcp', `revision` is R = min(client, server revision) the blocks were framed
 * for (> 0; from 54454 a custom-serialization byte follows each type). Native errors are the
 * walker's (NativeBlockWalker): 117, 50, 48 from push, 33 from end.
 */
export function protonResultTypes(format: string, options: { nativeLayout?: 'http' | 'tcp'; revision?: number } = {}): ResultTransform | null {
  const kind = typedFormats.get(format.toLowerCase());
  if (kind === undefined) return null;
  if (kind !== 'native') return new HeaderTransform(headerFormats[kind]);
  if (options.nativeLayout !== 'tcp') return new NativeTransform(0);
  const revision = options.revision ?? 0;
  if (revision <= 0) throw new GatewayError(Code.LOGICAL_ERROR, 'Native TCP layout needs the revision the blocks were framed for');
  return new NativeTransform(revision);
}

/** The transform a client of `dialect` needs (the table the integrator dispatches on): ClickHouse clients get the store's bytes. */
export const resultTypesFor: Readonly<Record<TypeDialect, typeof protonResultTypes>> = {
  proton: protonResultTypes,
  clickhouse: () => null,
};
