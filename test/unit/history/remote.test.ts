// The remote store over HTTP: the backend contract against Debian's ClickHouse 18.16 (old) and
// against a bare HTTP front over chDB (modern ClickHouse 26.x).
import { describe, expect, it } from 'vitest';
import { capabilitiesOf, paramValue, RemoteBackend } from '../../../src/history/remote.ts';
import { storeParams } from '../../../src/query-params.ts';
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
// A real server's input('structure') fills omitted fields with type defaults, as the fixture's file() does.
backendContract('remote modern ClickHouse (chDB HTTP fixture)', true, async () => openRemote(await startChdbFixture(), true), { omittedDefaults: false });

describe('remote store parameters and capabilities', () => {
  it('TSV-escapes parameter values for param_<name> and keeps the NULL marker', () => {
    expect(paramValue('a\tb\nc\rd\\e\'f')).toBe("a\\tb\\nc\\rd\\\\e'f");
    expect(paramValue('\\N')).toBe('\\N');
    expect(paramValue("['it''s','back\\']")).toBe("['it''s','back\\\\']");
    expect(paramValue('ünï 🙂')).toBe('ünï 🙂');
  });

  it("undoes the executor's unescaping: a client's escaped scalar reaches the server as sent", () => {
    const types = new Map([['s', 'String']]);
    for (const sent of ['a\\tb', 'x\\\\y', 'line\\nbreak\\r', '\\N', 'plain']) {
      expect(paramValue(storeParams(new Map([['s', sent]]), types).get('s') as string)).toBe(sent);
    }
  });

  it('derives capabilities from the server version', () => {
    expect(capabilitiesOf('18.16.1')).toEqual({ queryParameters: false, writtenRows: false, sequencedInserts: false });
    expect(capabilitiesOf('19.8.3.8')).toEqual({ queryParameters: false, writtenRows: true, sequencedInserts: false });
    expect(capabilitiesOf('19.11.3.11')).toEqual({ queryParameters: true, writtenRows: true, sequencedInserts: false });
    expect(capabilitiesOf('19.15.2.2')).toEqual({ queryParameters: true, writtenRows: true, sequencedInserts: true });
    expect(capabilitiesOf('24.8.4.13')).toEqual({ queryParameters: true, writtenRows: true, sequencedInserts: true });
    expect(capabilitiesOf('')).toEqual({ queryParameters: false, writtenRows: false, sequencedInserts: false });
  });
});
