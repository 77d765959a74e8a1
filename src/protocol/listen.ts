// Binding a listener (HTTP or native): listen on host:port, resolve with the port actually bound
// (0 asks the system for a free one), reject when the address cannot be taken.
import type { Server } from 'node:net';

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
