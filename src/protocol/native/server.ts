// Native TCP listeners (reference/protocols.md §5.1): 7587 snapshot and 8463 streaming (Proton;
// 8463 answers as 7587 until the streaming engine lands) and the optional ClickHouse-dialect 9000.
// Each accepted socket is one NativeConnection; a connection's failure never reaches the listener.
import { createServer, type Server, type Socket } from 'node:net';
import type { NativeDeps } from './channel.ts';
import type { NativeMode } from './client-profile.ts';
import { bind } from '../listen.ts';
import { NativeConnection } from './connection.ts';

export type NativeListener = { server: Server; port: number; close(): Promise<void> };

export async function listenNative(deps: NativeDeps, host: string, port: number, mode: NativeMode): Promise<NativeListener> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    new NativeConnection(deps, socket, mode).serve().catch((err: unknown) => {
      deps.log.error({ err }, 'unhandled error in native connection');
      socket.destroy();
    });
  });
  const bound = await bind(server, host, port);
  deps.log.info({ host, port: bound, mode }, 'native listener ready');
  return {
    server,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle connections have nothing to finish; running queries are cancelled by the caller.
        for (const s of sockets) s.end();
        setTimeout(() => {
          for (const s of sockets) s.destroy();
        }, 2000).unref();
      }),
  };
}
