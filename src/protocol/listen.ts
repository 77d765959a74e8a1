// What the listeners (HTTP and native) share: their dependencies, and binding one: listen on
// host:port, resolve with the port actually bound (0 asks the system for a free one), reject when
// the address cannot be taken.
import type { Server } from 'node:net';
import type { Config } from '../config.ts';
import type { Executor } from '../execute.ts';
import type { Logger } from '../logger.ts';
import type { SessionRegistry } from '../session.ts';
import type { Users } from '../users.ts';

/** What every listener (HTTP and native) serves its clients with. */
export type ListenerDeps = {
  executor: Executor;
  sessions: SessionRegistry;
  users: Users;
  config: Config;
  log: Logger;
  info: { version: string; timezone: string };
};

export async function bind(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : port;
}
