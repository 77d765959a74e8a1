// The remote store over HTTP: the backend contract against Debian's ClickHouse 18.16 (old) and
// against a bare HTTP front over chDB (modern ClickHouse 26.x).
import { RemoteBackend } from '../../../src/history/remote.ts';
import { startChdbFixture } from '../../support/chdb-http-fixture.ts';
import { startClickHouse18 } from '../../support/clickhouse-server.ts';
import { backendContract } from './backend-contract.ts';

async function openRemote(server: { url: string; stop(): Promise<void> }, modern: boolean) {
  try {
    const backend = await RemoteBackend.open({ url: server.url, user: 'default', password: '', database: 'default' });
    return {
      backend,
      modern,
      close: async () => {
        await backend.close();
        await server.stop();
      },
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

backendContract('remote ClickHouse 18.16', false, async () => openRemote(await startClickHouse18(), false));
backendContract('remote modern ClickHouse (chDB HTTP fixture)', true, async () => openRemote(await startChdbFixture(), true));
