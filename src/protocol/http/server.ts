// HTTP listeners. Each listener is a node:http server running the same handler; the snapshot (8123)
// and streaming (3218) listeners differ only in their default query mode, which matters once the
// streaming engine lands.
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { bind } from '../listen.ts';
import { handleRequest, type HttpDeps } from './handler.ts';

export type HttpListener = { server: Server; port: number; close(): Promise<void> };

export async function listenHttp(shared: HttpDeps, host: string, port: number, mode: 'snapshot' | 'streaming'): Promise<HttpListener> {
  const deps: HttpDeps = { ...shared, mode };
  const sockets = new Set<Socket>();
  const server = createServer({ keepAliveTimeout: 10_000, requestTimeout: 0, headersTimeout: 60_000 }, (req, res) => {
    handleRequest(deps, req, res).catch((err: unknown) => {
      deps.log.error({ err }, 'unhandled error in HTTP handler');
      res.destroy();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  const bound = await bind(server, host, port);
  deps.log.info({ host, port: bound, mode }, 'HTTP listener ready');
  return {
    server,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => {
          for (const s of sockets) s.destroy();
        }, 2000).unref();
      }),
  };
}
