// The contract between a native connection (connection.ts: socket, packet queue, handshake) and
// the query lifecycles that run on it (query.ts, insert.ts, result-blocks.ts): how packets are
// pulled and written, what was negotiated, and how an error becomes an Exception packet.
import type { CompressionMethodName } from '../../compression.ts';
import { errorName, GatewayError, type Dialect } from '../../errors.ts';
import type { SessionState } from '../../session.ts';
import type { ListenerDeps } from '../listen.ts';
import type { NativeMode } from './client-profile.ts';
import type { ClientPacket } from './packets.ts';
import { encodeException } from './server-packets.ts';

export type NativeDeps = ListenerDeps;

/** What the Hello settled for the whole connection. */
export interface Negotiated {
  /** R = min(client revision, 54460). */
  readonly revision: number;
  /** The client's own revision (old-client type downgrades key on it). */
  readonly clientRevision: number;
  readonly clientName: string;
  /** The listener's and client's dialect (a query may force another with hadron_client_dialect). */
  readonly dialect: Dialect;
  readonly mode: NativeMode;
  readonly queryMode: 'table' | 'streaming';
  readonly user: string;
  readonly readonly: number;
  readonly address: string;
  /** SET and USE persist here for the connection's life. */
  readonly session: SessionState;
}

/** How a query's Data blocks go out: R, type names in the client's spelling, frames if asked. */
export interface Framing {
  readonly revision: number;
  readonly typeName: (clickhouseType: string) => string;
  /** null: uncompressed; else the frame method (lz4, or zstd when `network_compression_method` says so). */
  readonly compression: CompressionMethodName | null;
}

/**
 * One connection's packets, pulled one at a time (one query at a time per connection, §1.4).
 * `wait` resolves, without consuming, once a packet or the end is there; `next` takes it (null at
 * EOF; a decoding failure is thrown). `send` writes whole packets in order and resolves when the
 * socket can take more (backpressure); after the socket closed it does nothing.
 */
export interface Channel {
  wait(): Promise<void>;
  next(): Promise<ClientPacket | null>;
  send(parts: readonly Uint8Array[]): Promise<void>;
  /** After a failed INSERT: drop the client's Data packets up to and including the 0-column block. */
  skipData(): void;
  readonly closed: boolean;
}

/** A packet the connection's state does not allow (UNEXPECTED_PACKET_FROM_CLIENT): answered, then the connection closes. */
export class ProtocolViolation extends GatewayError {
  constructor(message: string) {
    super(101, message);
  }
}

/** The Exception packet for `err`: `DB::Exception: <text> (<NAME>)` with the name in the client's dialect (§1.6). */
export function exceptionPacket(err: GatewayError, dialect: Dialect): Uint8Array {
  const text = err.message.endsWith('.') ? err.message : `${err.message}.`;
  return encodeException([{ code: err.code, message: `DB::Exception: ${text} (${errorName(err.code, dialect)})` }]);
}
