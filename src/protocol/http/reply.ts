// One HTTP response (protocols.md §4.4–§4.6): headers in the ClickHouse, Timeplus and Proton spellings,
// the first `buffer_size` bytes (or the whole result with wait_end_of_query=1) held back so an early
// error still gets a proper status, optional response compression or native frames, progress headers,
// and errors rendered before headers (status + code header + body) or after (in-band, then close).
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Writable, type Transform } from 'node:stream';
import { frameEncodeStream } from '../../compression.ts';
import { reframeBlock } from '../../native.ts';
import { NativeBlockWalker } from '../../native-walker.ts';
import { protonResultTypes, protonTypeName, type ResultTransform } from '../../result-types.ts';
import { renderError, type Dialect, type GatewayError } from '../../errors.ts';
import { contentType } from '../../formats.ts';
import type { Summary } from '../../execute.ts';
import { encodeBody, type BodyEncoding } from './content-encoding.ts';

export type ReplyOptions = {
  displayName: string;
  timezone: string;
  version: string;
  queryId: string;
  dialect: Dialect;
  /** compress=1: body as ClickHouse native LZ4 frames. */
  frames: boolean;
  /** enable_http_compression=1 with an acceptable Accept-Encoding. */
  encoding: BodyEncoding | null;
  /** Hold the whole result before sending (wait_end_of_query=1), else hold up to bufferSize bytes. */
  waitEnd: boolean;
  bufferSize: number;
  /**
   * client_protocol_version > 0: Native results get the TCP block layout of that revision (BlockInfo,
   * custom-serialization bytes from 54454), as ClickHouse's HTTP Native output does; clickhouse-connect
   * probes for it.
   */
  nativeRevision: number;
  /** send_progress_in_http_headers=1: X-ClickHouse-Progress lines every intervalMs until the body starts. */
  progressIntervalMs: number | null;
  keepAliveS: number;
};

/** The native protocol revision Hadron speaks (protocols.md §0.1): R = min(client, server). */
const SERVER_REVISION = 54460;

/** Everything buffered beyond this is streamed even with wait_end_of_query=1 (memory bound). */
const maxHeldBytes = 64 * 1024 * 1024;

const families = ['X-ClickHouse-', 'X-Timeplus-', 'X-Proton-'];

export type Progress = { readRows: number; readBytes: number; writtenRows: number; writtenBytes: number; elapsedNs: number; resultRows: number; resultBytes: number };

function progressJson(p: Progress): string {
  return JSON.stringify({
    read_rows: String(p.readRows), read_bytes: String(p.readBytes), written_rows: String(p.writtenRows), written_bytes: String(p.writtenBytes),
    total_rows_to_read: '0', result_rows: String(p.resultRows), result_bytes: String(p.resultBytes), elapsed_ns: String(p.elapsedNs),
  });
}

export function summaryProgress(s: Summary, startedAt: bigint): Progress {
  return { ...s, elapsedNs: Number(process.hrtime.bigint() - startedAt) };
}

export class Reply {
  private readonly res: ServerResponse;
  private readonly options: ReplyOptions;
  private format = 'TabSeparated';
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private body: Writable | null = null;
  /** The last encoder of the body chain, piped into the response without ending it; null if none. */
  private chainTail: Transform | null = null;
  /** The body's encoders in write order (chain[0] is written first; the last writes into the response). */
  private chain: Transform[] = [];
  private raw: RawHead | null = null;
  private progressTimer: NodeJS.Timeout | null = null;
  private reframer: NativeBlockWalker | null = null;
  /** Proton clients: ClickHouse type names in the format's type headers become Proton names. */
  private types: ResultTransform | null = null;

  constructor(res: ServerResponse, options: ReplyOptions) {
    this.res = res;
    this.options = options;
  }

  /** Starts the progress-header clock; `progress` reports what is known so far. */
  watchProgress(progress: () => Progress): void {
    const interval = this.options.progressIntervalMs;
    if (interval === null) return;
    this.progressTimer = setInterval(() => {
      if (this.body !== null) return this.stopProgress();
      this.raw ??= new RawHead(this.res.socket as Socket, this.commonHeaders());
      this.raw.progress(progressJson(progress()));
    }, Math.max(10, interval));
    this.progressTimer.unref();
    // A client that goes away before the end gets neither finish() nor fail().
    this.res.once('close', () => this.stopProgress());
  }

  private stopProgress(): void {
    if (this.progressTimer) clearInterval(this.progressTimer);
    this.progressTimer = null;
  }

  start(format: string): void {
    this.format = format;
    if (format === 'Native' && this.options.nativeRevision > 0) this.reframer = new NativeBlockWalker();
    else if (this.options.dialect === 'proton') this.types = protonResultTypes(format);
  }

  async write(chunk: Uint8Array, progress: () => Progress): Promise<void> {
    if (this.reframer) {
      const revision = Math.min(this.options.nativeRevision, SERVER_REVISION);
      const typeName = this.options.dialect === 'proton' ? protonTypeName : undefined;
      for (const block of this.reframer.push(chunk)) await this.writeBytes(reframeBlock(block, { revision, typeName }), progress);
      return;
    }
    if (this.types) {
      for (const out of this.types.push(chunk)) await this.writeBytes(out, progress);
      return;
    }
    return this.writeBytes(chunk, progress);
  }

  private async writeBytes(chunk: Uint8Array, progress: () => Progress): Promise<void> {
    if (this.body) return writeTo(this.body, chunk);
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    const limit = this.options.waitEnd ? maxHeldBytes : this.options.bufferSize;
    if (this.heldBytes >= limit) await this.openBody(200, progress(), null);
  }

  /**
   * Sends what is held now and from here on as it comes (a streaming query's emit): opens the body if
   * needed and flushes compressing encoders, so the client sees each emit at once.
   */
  async flush(progress: () => Progress): Promise<void> {
    if (!this.body) await this.openBody(200, progress(), null);
    for (const t of this.chain) {
      const flushable = t as Transform & { flush?: (cb: () => void) => void };
      if (typeof flushable.flush === 'function') await new Promise<void>((resolve) => flushable.flush?.(() => resolve()));
    }
  }

  /** Ends a successful response: headers (with the summary) if not yet sent, held bytes, end. */
  async finish(summary: Progress): Promise<void> {
    this.stopProgress();
    this.reframer?.end();
    if (this.types) for (const out of this.types.end()) await this.writeBytes(out, () => summary);
    if (!this.body && !this.raw && !this.options.frames && this.options.encoding === null) return this.sendWhole(summary);
    if (!this.body) await this.openBody(200, summary, null);
    await this.endChain();
    await this.endTarget();
    if (this.raw) this.res.socket?.end();
  }

  /** Ends what the body chain writes into (the response, or the raw sink after progress headers). */
  private async endTarget(): Promise<void> {
    const target = this.raw ? (this.raw.sink as Writable) : this.res;
    target.end();
    await finished(target);
  }

  /** Ends the body chain (flushing every encoder) and waits until its bytes reached the target. */
  private async endChain(last?: Uint8Array): Promise<void> {
    const tail = this.chainTail;
    const ended = tail === null || tail.readableEnded ? null : firstOf(tail, ['end', 'close', 'error']);
    if (tail !== null) (this.body as Writable).end(last);
    else if (last !== undefined) await writeTo(this.body as Writable, last);
    await ended;
  }

  /** Ends with an error: a proper status if nothing was sent, else the in-band message, then close. */
  async fail(err: GatewayError): Promise<void> {
    this.stopProgress();
    const text = `${renderError(err, this.options.dialect, this.options.version)}\n`;
    const socket = this.res.socket;
    const midStream = this.body !== null;
    try {
      if (!midStream) {
        this.held = [];
        this.heldBytes = 0;
        const status = this.raw ? 200 : err.httpStatus;
        const auth = err.code === 516 || err.code === 192 || err.code === 193 || err.code === 194;
        await this.openBody(status, null, err, auth);
        await this.endChain(Buffer.from(text));
        await this.endTarget();
      } else {
        // The text follows the data as upstream writes it; the response is left unterminated so the
        // client sees a broken stream and does not reuse the connection.
        await this.endChain(Buffer.from(text));
        // The raw head said Connection: close, so ending that body properly is safe.
        if (this.raw) await this.endTarget();
      }
    } catch {
      // the client is gone; nothing more to tell it
    }
    if (midStream || this.raw) closeSocket(socket);
  }

  private commonHeaders(): Array<[string, string]> {
    const o = this.options;
    const h: Array<[string, string]> = [];
    for (const f of families) {
      h.push([`${f}Server-Display-Name`, o.displayName], [`${f}Query-Id`, o.queryId], [`${f}Timezone`, o.timezone]);
    }
    return h;
  }

  /** Format, summary, exception code, content type and encoding headers of the result. */
  private resultHeaders(summary: Progress | null, err: GatewayError | null, plainError: boolean): Array<[string, string]> {
    const headers: Array<[string, string]> = [];
    const format = err ? 'TabSeparated' : this.format;
    for (const f of families) headers.push([`${f}Format`, format]);
    if (summary) for (const f of families) headers.push([`${f}Summary`, progressJson(summary)]);
    if (err) for (const f of families) headers.push([`${f}Exception-Code`, String(err.code)]);
    headers.push(['Content-Type', err ? 'text/plain; charset=UTF-8' : contentType(format)]);
    if (err?.code === 194) headers.push(['WWW-Authenticate', 'Basic realm="ClickHouse server HTTP API"']);
    const encoding = plainError ? null : this.options.encoding;
    if (encoding) headers.push(['Content-Encoding', encoding]);
    return headers;
  }

  /** A whole result held in memory and no encoder: one write with a Content-Length. */
  private sendWhole(summary: Progress): void {
    const body = this.held.length === 1 ? (this.held[0] as Uint8Array) : Buffer.concat(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    const all = [...this.commonHeaders(), ...this.resultHeaders(summary, null, false), ['Keep-Alive', `timeout=${this.options.keepAliveS}`], ['Content-Length', String(body.length)]];
    this.res.writeHead(200, all.flat());
    this.res.end(body);
  }

  /** Sends the status line and headers, then the held bytes through the body chain. */
  private async openBody(status: number, summary: Progress | null, err: GatewayError | null, plainError = false): Promise<void> {
    this.stopProgress();
    const headers = this.resultHeaders(summary, err, plainError);
    const encoding = plainError ? null : this.options.encoding;
    let target: Writable;
    if (this.raw) {
      target = this.raw.finishHead(headers);
    } else {
      const all = [...this.commonHeaders(), ...headers, ['Keep-Alive', `timeout=${this.options.keepAliveS}`]];
      this.res.writeHead(status, all.flat());
      // Sent now: a streaming query's client learns it was accepted before its first emit (Node
      // holds the head until the first body byte, which an uncompressed, quiet stream may not have).
      this.res.flushHeaders();
      target = this.res;
    }
    const chain: Transform[] = [];
    if (this.options.frames && !plainError) chain.push(frameEncodeStream('lz4'));
    if (encoding) chain.push(encodeBody(encoding));
    let head: Writable = target;
    for (let i = chain.length - 1; i >= 0; i--) {
      const t = chain[i] as Transform;
      t.pipe(head, { end: head !== target });
      head = t;
    }
    this.chainTail = chain.at(-1) ?? null;
    this.chain = chain;
    // pipe() does not pass a closed connection back up the chain: without this a writer waiting for
    // 'drain' on the first encoder would wait forever.
    if (chain.length > 0) target.once('close', () => chain.forEach((t) => t.destroy()));
    this.body = head;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const chunk of held) await writeTo(head, chunk);
  }
}

async function writeTo(stream: Writable, chunk: Uint8Array): Promise<void> {
  if (stream.destroyed) throw new Error('client closed the connection');
  if (!stream.write(chunk)) await firstOf(stream, ['drain', 'close']);
}

async function finished(stream: Writable): Promise<void> {
  if (stream.writableFinished || stream.destroyed) return;
  await firstOf(stream, ['finish', 'close']);
}

/** Closes after the written bytes are flushed; a client that stops reading is cut off after a while. */
function closeSocket(socket: Socket | null): void {
  if (!socket || socket.destroyed) return;
  socket.end();
  setTimeout(() => socket.destroy(), 10_000).unref();
}

/** Resolves on the first of `events`, removing every listener it added (a response may wait often). */
function firstOf(stream: Writable, events: readonly string[]): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      for (const e of events) stream.off(e, done);
      resolve();
    };
    for (const e of events) stream.on(e, done);
  });
}

/**
 * The response head written straight to the socket, so X-ClickHouse-Progress lines can be added
 * while the query runs (Node's ServerResponse sends all headers at once). The response then uses
 * chunked encoding written here too, and the connection closes after it.
 */
class RawHead {
  private readonly socket: Socket;
  sink: Writable | null = null;

  constructor(socket: Socket, common: Array<[string, string]>) {
    this.socket = socket;
    const lines = ['HTTP/1.1 200 OK', ...common.map(([k, v]) => `${k}: ${v}`), 'Connection: close', 'Transfer-Encoding: chunked'];
    socket.write(`${lines.join('\r\n')}\r\n`);
  }

  progress(json: string): void {
    const line = families.map((f) => `${f}Progress: ${json}\r\n`).join('');
    this.socket.write(line);
  }

  finishHead(headers: Array<[string, string]>): Writable {
    this.socket.write(`${headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
    const socket = this.socket;
    this.sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (chunk.length === 0) return cb();
        socket.write(`${chunk.length.toString(16)}\r\n`);
        socket.write(chunk);
        socket.write('\r\n', cb);
      },
      final(cb) {
        socket.write('0\r\n\r\n', () => cb());
      },
    });
    return this.sink;
  }
}
