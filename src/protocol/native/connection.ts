// One native TCP connection (reference/protocols.md §1.3, §1.4, §1.8): socket bytes into the
// incremental ClientPacketDecoder, packets into a bounded queue (the socket is paused while it is
// full), the handshake (Hello, authentication, server Hello, R), then the idle loop: Ping → Pong,
// Query → query.ts, nothing is ever written unasked. A malformed or out-of-state packet is answered
// with an Exception and closes this connection only.
import type { Socket } from 'node:net';
import { Code, GatewayError, toGatewayError, type Dialect } from '../../errors.ts';
import { exceptionPacket, ProtocolViolation, type Channel, type Negotiated, type NativeDeps } from './channel.ts';
import { clientDialect, listenerProfiles, type NativeMode } from './client-profile.ts';
import { ClientPacketDecoder, type ClientPacket, type HelloPacket } from './packets.ts';
import { runQueryPacket } from './query.ts';

/** ClickHouse's `send_timeout` default: how long a write may wait for the client to read. */
const sendTimeoutMs = 300_000;
import { encodeHello, encodePong, negotiatedRevision } from './server-packets.ts';

/** Packets held before the socket is paused (one query at a time: only Cancel/Data pile up). */
const MAX_QUEUED_PACKETS = 64;
const MAX_QUEUED_BYTES = 32 * 2 ** 20;
/** Upstream's idle_connection_timeout. */
const IDLE_TIMEOUT_MS = 3600_000;

export class NativeConnection implements Channel {
  readonly #deps: NativeDeps;
  readonly #socket: Socket;
  readonly #mode: NativeMode;
  readonly #decoder: ClientPacketDecoder;
  readonly #queue: ClientPacket[] = [];
  #queuedBytes = 0;
  #ended = false;
  #failure: unknown = null;
  #wake: (() => void) | null = null;
  #drained: Promise<void> | null = null;
  #skipping = false;
  #sawData = false;
  #dialect: Dialect;

  constructor(deps: NativeDeps, socket: Socket, mode: NativeMode) {
    this.#deps = deps;
    this.#socket = socket;
    this.#mode = mode;
    this.#dialect = listenerProfiles[mode].dialect ?? 'proton';
    const limits = deps.config.limits;
    this.#decoder = new ClientPacketDecoder({
      maxStringBytes: Math.max(16 * 2 ** 20, limits.max_query_size),
      maxBlockBytes: Math.min(2 ** 30, limits.max_body_bytes),
    });
    socket.setNoDelay(true);
    socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#onEnd(true));
    socket.on('close', () => this.#onEnd(false));
    socket.on('error', () => this.#onEnd(false));
  }

  get closed(): boolean {
    return this.#socket.destroyed || !this.#socket.writable;
  }

  // ---- Channel ------------------------------------------------------------------------------------

  wait(): Promise<void> {
    if (this.#queue.length > 0 || this.#ended || this.#failure !== null) return Promise.resolve();
    return new Promise<void>((resolve) => (this.#wake = resolve));
  }

  async next(): Promise<ClientPacket | null> {
    await this.wait();
    const packet = this.#queue.shift();
    if (packet !== undefined) {
      this.#queuedBytes -= packetSize(packet);
      if (this.#socket.isPaused() && this.#queue.length < MAX_QUEUED_PACKETS / 2 && this.#queuedBytes < MAX_QUEUED_BYTES / 2) this.#socket.resume();
      return packet;
    }
    if (this.#failure !== null) throw this.#failure;
    return null;
  }

  send(parts: readonly Uint8Array[]): Promise<void> {
    if (this.closed) return Promise.resolve();
    let ok = true;
    for (const part of parts) if (part.byteLength > 0) ok = this.#socket.write(part);
    if (ok) return this.#drained ?? Promise.resolve();
    this.#drained ??= new Promise<void>((resolve) => {
      // A client that stops reading (a leaked driver connection) must not keep its query forever:
      // after ClickHouse's send_timeout the connection is closed, which cancels the query.
      const timer = setTimeout(() => this.#socket.destroy(), sendTimeoutMs);
      timer.unref();
      const done = (): void => {
        clearTimeout(timer);
        this.#socket.off('drain', done);
        this.#socket.off('close', done);
        this.#drained = null;
        resolve();
      };
      this.#socket.on('drain', done);
      this.#socket.on('close', done);
    });
    return this.#drained;
  }

  skipData(): void {
    this.#skipping = true;
  }

  // ---- the connection's life ----------------------------------------------------------------------

  /** Runs the connection until the client leaves or a protocol error closes it; never throws. */
  async serve(): Promise<void> {
    try {
      const first = await this.next();
      if (first === null || first.kind !== 'hello') return;
      const conn = await this.#handshake(first);
      if (conn === null) return;
      for (;;) {
        const packet = await this.next();
        if (packet === null) return;
        await this.#idle(conn, packet);
      }
    } catch (err) {
      const error = toGatewayError(err);
      this.#deps.log.debug({ err: error.message, code: error.code }, 'native connection closed on error');
      await this.send([exceptionPacket(error, this.#dialect)]);
    } finally {
      this.#close();
    }
  }

  /** Authenticates, answers the Hello and sets R; null after an authentication failure (answered). */
  async #handshake(hello: HelloPacket): Promise<Negotiated | null> {
    const deps = this.#deps;
    this.#dialect = clientDialect(this.#mode, hello.clientName);
    let user;
    try {
      if (hello.user === '') throw new GatewayError(Code.AUTHENTICATION_FAILED, 'Authentication failed: the user name is empty');
      user = deps.users.authenticate(hello.user, hello.password);
    } catch (err) {
      await this.send([exceptionPacket(toGatewayError(err), this.#dialect)]);
      return null;
    }
    const profile = listenerProfiles[this.#mode];
    const [major = 0, minor = 0, patch = 0] = deps.info.version.split('.').map((n) => Number(n) || 0);
    await this.send([encodeHello({
      name: profile.serverName, versionMajor: major, versionMinor: minor, versionPatch: patch,
      timeZone: deps.info.timezone, displayName: deps.config.display_name,
    }, hello.revision)]);
    const revision = negotiatedRevision(hello.revision);
    this.#enqueue(this.#decoder.setRevision(revision));
    return {
      revision, clientRevision: hello.revision, clientName: hello.clientName, dialect: this.#dialect, mode: this.#mode,
      queryMode: profile.queryMode, user: user.name, readonly: user.readonly, address: this.#socket.remoteAddress ?? '',
      session: deps.sessions.ephemeral(user.name, hello.database === '' ? 'default' : hello.database),
    };
  }

  /** Between queries only Query, Ping and (ignored) Cancel are valid (§1.4). */
  async #idle(conn: Negotiated, packet: ClientPacket): Promise<void> {
    switch (packet.kind) {
      case 'ping':
        return this.send([encodePong()]);
      case 'query':
        return runQueryPacket(this.#deps, this, conn, packet);
      case 'cancel':
      case 'addendum':
        return;
      case 'data':
        if (!this.#skipping) throw new ProtocolViolation('Unexpected packet Data received from client');
        if (packet.block.columns.length === 0) this.#skipping = false;
        return;
      case 'hello':
        throw new ProtocolViolation('Unexpected packet Hello received from client');
    }
  }

  // ---- socket input -------------------------------------------------------------------------------

  #onData(chunk: Buffer): void {
    if (this.#failure !== null || this.#ended) return;
    if (!this.#sawData) {
      this.#sawData = true;
      if (chunk[0] === 0x47 || chunk[0] === 0x50) return this.#httpOnNativePort();
    }
    try {
      this.#enqueue(this.#decoder.push(chunk));
    } catch (err) {
      this.#failure = err;
      this.#socket.pause();
      this.#notify();
    }
    if (this.#queue.length >= MAX_QUEUED_PACKETS || this.#queuedBytes >= MAX_QUEUED_BYTES) this.#socket.pause();
  }

  #enqueue(packets: readonly ClientPacket[]): void {
    for (const p of packets) {
      this.#queue.push(p);
      this.#queuedBytes += packetSize(p);
    }
    if (packets.length > 0) this.#notify();
  }

  #onEnd(halfClose: boolean): void {
    if (this.#ended) return;
    if (halfClose && this.#failure === null) {
      try {
        this.#decoder.end();
      } catch (err) {
        this.#failure = err;
      }
    }
    this.#ended = true;
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** As upstream: a plain-text HTTP 400 naming the HTTP port, then close. */
  #httpOnNativePort(): void {
    const port = this.#socket.localPort ?? 0;
    const http = this.#mode === 'clickhouse' ? 8123 : this.#deps.config.http_port;
    this.#socket.end(`HTTP/1.0 400 Bad Request\r\n\r\nPort ${port} is for clickhouse-client program\r\nYou must use port ${http} for HTTP.\r\n`);
    this.#ended = true;
    this.#notify();
  }

  #close(): void {
    const socket = this.#socket;
    if (socket.destroyed) return;
    socket.end();
    setTimeout(() => socket.destroy(), 1000).unref();
  }
}

function packetSize(packet: ClientPacket): number {
  return packet.kind === 'data' ? packet.block.bytes.byteLength + 64 : 64;
}
