// `POST /proton/v1/ingest/streams/{stream}` (protocols.md §5.5): Proton's compact body
// `{"columns":["id","name"],"data":[[1,"hello"],[2,"world"]]}` becomes
// `INSERT INTO db.`stream` (`id`, `name`) FORMAT JSONCompactEachRow` with the rows of `data` streamed
// in as its data, parsed with date_time_input_format=best_effort. The body is read incrementally:
// `data` is never held whole (unless it precedes `columns`), so memory stays bounded.
import { Code, GatewayError } from '../../errors.ts';
import { quoteIdentifier } from '../../sql-literal.ts';
import { requestBody } from './request-body.ts';
import { runSql, sendJson, type RestCall } from './rest-call.ts';

/** Ingest modes Proton accepts; Hadron runs every one synchronously (see docs/rest.md). */
const ingestModes: ReadonlySet<string> = new Set(['', 'async', 'sync', 'fire_and_forget', 'ordered']);

/** Modes whose answer carries `poll_id` and `channel` (Proton: async ingests). */
const pollModes: ReadonlySet<string> = new Set(['async']);

const insertSettings: ReadonlyMap<string, string> = new Map([['date_time_input_format', 'best_effort']]);

export async function ingest(call: RestCall, params: readonly string[]): Promise<void> {
  const stream = params[0] ?? '';
  if (stream === '') throw new GatewayError(Code.BAD_ARGUMENTS, 'Stream is empty');
  const mode = call.url.searchParams.get('mode') ?? '';
  if (!ingestModes.has(mode)) throw new GatewayError(Code.BAD_ARGUMENTS, `No support ingest mode: ${mode}`);
  const chunks = bodyChunks(call);
  const scanner = new CompactBody();
  // Read until the columns are known and the data has begun (or the body ended).
  const pending: Uint8Array[] = [];
  let ended = false;
  while (!ended && (scanner.columns === null || !scanner.dataStarted)) {
    const next = await chunks.next();
    if (next.done) {
      scanner.end();
      ended = true;
    } else {
      for (const out of scanner.push(next.value)) pending.push(out);
    }
  }
  if (scanner.columns === null) throw new GatewayError(Code.INCORRECT_DATA, "Invalid Request, 'columns' field is missing");
  if (!scanner.dataStarted) throw new GatewayError(Code.INCORRECT_DATA, "Invalid Request, missing 'data' field");
  const columns = scanner.columns.map(quoteIdentifier).join(', ');
  const sql = `INSERT INTO ${quoteIdentifier(call.database)}.${quoteIdentifier(stream)} (${columns}) FORMAT JSONCompactEachRow\n`;
  await runSql(call, sql, { rest: rows(pending, ended ? null : chunks, scanner), settings: insertSettings });
  const poll = pollModes.has(mode) ? { poll_id: call.queryId, channel: call.deps.config.display_name } : {};
  sendJson(call, 200, { request_id: call.queryId, ...poll });
}

/** The data rows: what was read already, then the rest of the body through the scanner. */
async function* rows(pending: Uint8Array[], chunks: AsyncIterator<Uint8Array> | null, scanner: CompactBody): AsyncGenerator<Uint8Array> {
  yield* pending;
  pending.length = 0;
  if (chunks === null) return;
  for (;;) {
    const next = await chunks.next();
    if (next.done) break;
    yield* scanner.push(next.value);
  }
  scanner.end();
}

/** The request body undone of its Content-Encoding, at most max_body_bytes. */
function bodyChunks(call: RestCall): AsyncIterator<Uint8Array> {
  return requestBody(call.req, call.req.headers['content-encoding'], false, call.deps.config.limits.max_body_bytes);
}

type ScanState = 'start' | 'key' | 'in_key' | 'colon' | 'value' | 'skip' | 'data' | 'next' | 'done';

/** What each one-character state wanted, for the error message. */
const expected: Readonly<Record<ScanState, string>> = {
  start: 'expected {', key: 'expected a member name', in_key: '', colon: 'expected :', value: '', skip: '', data: '',
  next: 'expected , or }', done: 'unexpected text after the object',
};

const maxKeyBytes = 4096;
const maxColumnsBytes = 1024 * 1024;

const [QUOTE, BACKSLASH, COMMA, COLON, LBRACKET, RBRACKET, LBRACE, RBRACE, NEWLINE] = [0x22, 0x5c, 0x2c, 0x3a, 0x5b, 0x5d, 0x7b, 0x7d, 0x0a];
const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * An incremental reader of the compact ingest object. The grammar it accepts:
 *
 *   body    := ws '{' ws [ member (ws ',' ws member)* ] ws '}' ws
 *   member  := string ws ':' ws value        -- "data" must be an array, "columns" an array of strings
 *
 * `push` returns the bytes of `data`'s elements as JSONCompactEachRow text: the array's brackets are
 * dropped and the commas between elements become newlines, in place (the input chunk is reused, no
 * copy). Elements are checked only for balanced brackets and strings; the store parses them. Other
 * members are skipped. Any structural error is 117 INCORRECT_DATA.
 */
export class CompactBody {
  columns: string[] | null = null;
  dataStarted = false;
  private state: ScanState = 'start';
  private key: Uint8Array[] = [];
  private keySize = 0;
  private currentKey = '';
  private captured: Uint8Array[] | null = null;
  private capturedSize = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Before a member (after '{' or ','): '}' is allowed only right after '{'. */
  private firstMember = true;
  private offset = 0;
  /** Within the current chunk: where the rows of `data` / the captured `columns` text begin, or -1. */
  private dataFrom = -1;
  private captureFrom = -1;

  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.dataFrom = this.state === 'data' ? 0 : -1;
    this.captureFrom = this.state === 'skip' && this.captured !== null ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      i = this.step(chunk, i, out);
      // A skipped value that ended in this chunk: the captured 'columns' text is complete.
      if (this.captureFrom !== -1 && this.state !== 'skip') {
        this.capture(chunk.subarray(this.captureFrom, i + 1), i);
        this.columns = this.parseColumns(i);
        this.captureFrom = -1;
      }
    }
    if (this.dataFrom !== -1 && this.state === 'data' && this.dataFrom < chunk.length) out.push(chunk.subarray(this.dataFrom));
    if (this.captureFrom !== -1) this.capture(chunk.subarray(this.captureFrom), chunk.length);
    this.offset += chunk.length;
    return out;
  }

  /** Consumes input from `i` in the current state; returns the index of the last byte consumed. */
  private step(chunk: Uint8Array, i: number, out: Uint8Array[]): number {
    switch (this.state) {
      case 'in_key': {
        const end = this.stringEnd(chunk, i);
        const piece = chunk.subarray(i, end === -1 ? chunk.length : end);
        this.keySize += piece.length;
        if (this.keySize > maxKeyBytes) this.fail(i, 'member name too long');
        this.key.push(piece);
        if (end === -1) return chunk.length - 1;
        this.currentKey = this.decodeKey(end);
        this.state = 'colon';
        return end;
      }
      case 'value':
        return this.value(chunk, i);
      case 'skip':
        return this.skip(chunk, i) - 1;
      case 'data': {
        const end = this.data(chunk, i);
        if (end === -1) return chunk.length - 1;
        if (end > this.dataFrom) out.push(chunk.subarray(this.dataFrom, end));
        this.dataFrom = -1;
        this.state = 'next';
        return end;
      }
      default:
        this.punctuation(chunk[i] as number, i);
        return i;
    }
  }

  /** The states that read one structural character (or whitespace). */
  private punctuation(c: number, i: number): void {
    if (isSpace(c)) return;
    if (this.state === 'start' && c === LBRACE) this.state = 'key';
    else if (this.state === 'key' && c === QUOTE) {
      this.state = 'in_key';
      this.key = [];
      this.keySize = 0;
    } else if (this.state === 'key' && c === RBRACE && this.firstMember) this.state = 'done';
    else if (this.state === 'colon' && c === COLON) this.state = 'value';
    else if (this.state === 'next' && c === COMMA) {
      this.state = 'key';
      this.firstMember = false;
    } else if (this.state === 'next' && c === RBRACE) this.state = 'done';
    else this.fail(i, expected[this.state]);
  }

  /** The first byte of a member's value: `data` starts the rows, anything else is skipped (`columns` captured). */
  private value(chunk: Uint8Array, i: number): number {
    const c = chunk[i] as number;
    if (isSpace(c)) return i;
    this.depth = 0;
    this.inString = false;
    if (this.currentKey === 'data') {
      if (c !== LBRACKET) this.fail(i, "'data' must be an array");
      if (this.dataStarted) this.fail(i, "duplicate 'data'");
      this.dataStarted = true;
      this.state = 'data';
      this.depth = 1;
      this.dataFrom = i + 1;
      return i;
    }
    if (this.currentKey === 'columns') {
      if (this.columns !== null) this.fail(i, "duplicate 'columns'");
      this.captured = [];
      this.capturedSize = 0;
      this.captureFrom = i;
    }
    this.state = 'skip';
    return this.skip(chunk, i) - 1;
  }

  /** The body ended: anything but a complete object is an error. */
  end(): void {
    if (this.state !== 'done') this.fail(0, 'unexpected end of the body');
  }

  /** Index of the closing quote of a string from `from` (escapes honoured), or -1 if not in this chunk. */
  private stringEnd(chunk: Uint8Array, from: number): number {
    for (let i = from; i < chunk.length; i++) {
      const c = chunk[i] as number;
      if (this.escaped) this.escaped = false;
      else if (c === BACKSLASH) this.escaped = true;
      else if (c === QUOTE) return i;
    }
    return -1;
  }

  /** Scans a skipped value from `from`; returns the index after its last byte (state 'next'), or chunk.length. */
  private skip(chunk: Uint8Array, from: number): number {
    for (let i = from; i < chunk.length; i++) {
      const c = chunk[i] as number;
      if (this.inString) {
        const end = this.stringEnd(chunk, i);
        if (end === -1) return chunk.length;
        this.inString = false;
        i = end;
        if (this.depth === 0) return this.endValue(i + 1);
      } else if (c === QUOTE) this.inString = true;
      else if (c === LBRACKET || c === LBRACE) this.depth++;
      else if (c === RBRACKET || c === RBRACE) {
        if (this.depth === 0) return this.endValue(i);
        if (--this.depth === 0) return this.endValue(i + 1);
      } else if (this.depth === 0 && (c === COMMA || isSpace(c))) return this.endValue(i);
    }
    return chunk.length;
  }

  private endValue(at: number): number {
    this.state = 'next';
    return at;
  }

  /** Scans `data` from `from`, turning element commas into newlines; index of its closing ']', or -1. */
  private data(chunk: Uint8Array, from: number): number {
    for (let i = from; i < chunk.length; i++) {
      const c = chunk[i] as number;
      if (this.inString) {
        const end = this.stringEnd(chunk, i);
        if (end === -1) return -1;
        this.inString = false;
        i = end;
      } else if (c === QUOTE) this.inString = true;
      else if (c === LBRACKET || c === LBRACE) this.depth++;
      else if (c === RBRACKET || c === RBRACE) {
        if (--this.depth === 0) {
          if (c !== RBRACKET) this.fail(i, "unbalanced brackets in 'data'");
          return i;
        }
      } else if (c === COMMA && this.depth === 1) chunk[i] = NEWLINE;
    }
    return -1;
  }

  private capture(piece: Uint8Array, at: number): void {
    this.capturedSize += piece.length;
    if (this.capturedSize > maxColumnsBytes) this.fail(at, "'columns' too long");
    this.captured?.push(piece);
  }

  private decodeKey(at: number): string {
    const text = Buffer.concat(this.key, this.keySize).toString('utf8');
    this.key = [];
    try {
      return JSON.parse(`"${text}"`) as string;
    } catch {
      return this.fail(at, 'malformed member name');
    }
  }

  private parseColumns(at: number): string[] {
    const text = Buffer.concat(this.captured ?? [], this.capturedSize).toString('utf8');
    this.captured = null;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return this.fail(at, "Invalid Request, 'columns' field is invalid");
    }
    if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && v !== '')) {
      return this.fail(at, "Invalid Request, 'columns' field is invalid: expected a non-empty array of column names");
    }
    return value as string[];
  }

  private fail(at: number, message: string): never {
    const text = message.startsWith('Invalid Request') ? message : `Invalid JSON request: ${message} at byte ${this.offset + at}`;
    throw new GatewayError(Code.INCORRECT_DATA, text);
  }
}
