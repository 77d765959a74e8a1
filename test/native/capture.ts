// A loopback TCP recording proxy: real native clients talk to Hadron through it and the bytes each
// client connection sent (client → server only) are kept, one Uint8Array per connection, in the
// order the connections were accepted. Run as a script it regenerates test/fixtures/native/ from
// the clients installed on this machine (Python clickhouse-driver and proton-driver in .venv,
// Debian clickhouse-client 18.16), against a Hadron process started for the purpose:
//
//   npx node test/native/capture.ts            (writes <client>-<version>-<scenario>.bin)
//
// The captured bytes include the client's host name, OS user and (Python) query start times; the
// fixtures are fixed once written, their tests compare decoded packets, not fresh captures.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RecordingProxy {
  /** The loopback port clients connect to. */
  readonly port: number;
  /** Client → server bytes of every connection so far (closed or not), in accept order. */
  sessions(): Uint8Array[];
  /** Stops listening and destroys every proxied connection. */
  close(): Promise<void>;
}

/** Listens on a free loopback port and forwards every connection to `127.0.0.1:targetPort`. */
export async function recordingProxy(targetPort: number): Promise<RecordingProxy> {
  const recorded: Buffer[][] = [];
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const chunks: Buffer[] = [];
    recorded.push(chunks);
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (d: Buffer) => chunks.push(d));
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    sessions: () => recorded.map((chunks) => new Uint8Array(Buffer.concat(chunks))),
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---- the capture script ------------------------------------------------------------------------

const root = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = join(root, 'test/fixtures/native');
const PYTHON = join(root, '.venv/bin/python');
const CLIENT = '/usr/bin/clickhouse-client';

/**
 * One connection of clickhouse-driver or proton-driver: SELECT 1, a 10-row SELECT, DDL, an INSERT
 * of 3 rows (UInt64, String, Nullable, Array, LowCardinality), the rows read back.
 */
const PYTHON_SESSION = `
import sys
flavour, port, compression, table = sys.argv[1], int(sys.argv[2]), sys.argv[3] == 'lz4', sys.argv[4]
if flavour == 'proton':
    from proton_driver import Client
    ddl = f'CREATE STREAM {table} (a uint64, s string, n nullable(int32), arr array(string), lc low_cardinality(string))'
    read = f'SELECT a, s, n, arr, lc FROM table({table}) ORDER BY a'
    ten = 'SELECT number, to_string(number) FROM numbers(10)'
else:
    from clickhouse_driver import Client
    ddl = f'CREATE TABLE {table} (a UInt64, s String, n Nullable(Int32), arr Array(String), lc LowCardinality(String)) ENGINE = MergeTree ORDER BY a'
    read = f'SELECT a, s, n, arr, lc FROM {table} ORDER BY a'
    ten = 'SELECT number, toString(number) FROM numbers(10)'
c = Client('127.0.0.1', port=port, compression='lz4' if compression else False, send_receive_timeout=30)
assert c.execute('SELECT 1') == [(1,)]
assert len(c.execute(ten)) == 10
c.execute(ddl)
rows = [(1, 'a', None, ['x'], 'k'), (2, 'bb', -7, [], 'k'), (3, "it's", 42, ['y', 'z'], 'l')]
assert c.execute(f'INSERT INTO {table} (a, s, n, arr, lc) VALUES', rows) == 3
got = []
for _ in range(50):
    got = c.execute(read)
    if len(got) == 3:
        break
assert got == rows, got
c.disconnect()
print('ok')
`;

/**
 * 18.16 in one connection (--multiquery): SELECT 1, DDL, a 10-row SELECT, the (empty) table read.
 * Its INSERT with inline VALUES in --multiquery mode sends the whole text and then waits for a
 * header block (see README.md), so the INSERT is captured on its own: `FORMAT TSV` with stdin rows.
 */
const CLIENT_SCRIPT = (table: string): string =>
  `SELECT 1;\nCREATE TABLE ${table} (a UInt64, s String) ENGINE = MergeTree ORDER BY a;\n`
  + `SELECT number, toString(number) FROM numbers(10);\nSELECT * FROM ${table} ORDER BY a;\n`;

function run(file: string, args: string[], stdin = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${file} ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
    child.stdin?.end(stdin);
  });
}

interface Scenario {
  readonly fixture: string;
  /** Which Hadron listener the proxy forwards to. */
  readonly listener: 'clickhouseTcpPort' | 'snapshotTcpPort' | 'tcpPort';
  /** Runs the client through the proxy on `port`; `direct` is the listener itself, for set-up. */
  readonly drive: (port: number, table: string, direct: number) => Promise<string>;
}

const python = (flavour: string, lz4: boolean) => (port: number, table: string) =>
  run(PYTHON, ['-c', PYTHON_SESSION, flavour, String(port), lz4 ? 'lz4' : 'none', table]);
const chClient = (extra: string[]) => (port: number, table: string) =>
  run(CLIENT, ['--host', '127.0.0.1', '--port', String(port), '--multiquery', ...extra], CLIENT_SCRIPT(table));
const chInsert = (extra: string[]) => async (port: number, table: string, direct: number) => {
  await run(CLIENT, ['--host', '127.0.0.1', '--port', String(direct), '--query', `CREATE TABLE ${table} (a UInt64, s String, n Nullable(Int32)) ENGINE = MergeTree ORDER BY a`]);
  return run(CLIENT, ['--host', '127.0.0.1', '--port', String(port), ...extra, '--query', `INSERT INTO ${table} FORMAT TSV`], '1\ta\t\\N\n2\tbb\t-7\n3\tccc\t42\n');
};

export const scenarios: readonly Scenario[] = [
  { fixture: 'clickhouse-driver-0.2.11-session.bin', listener: 'clickhouseTcpPort', drive: python('clickhouse', false) },
  { fixture: 'clickhouse-driver-0.2.11-session-lz4.bin', listener: 'clickhouseTcpPort', drive: python('clickhouse', true) },
  { fixture: 'proton-driver-0.3.0-session.bin', listener: 'snapshotTcpPort', drive: python('proton', false) },
  { fixture: 'proton-driver-0.3.0-session-lz4.bin', listener: 'tcpPort', drive: python('proton', true) },
  { fixture: 'clickhouse-client-18.16-session-lz4.bin', listener: 'clickhouseTcpPort', drive: chClient([]) },
  { fixture: 'clickhouse-client-18.16-session.bin', listener: 'clickhouseTcpPort', drive: chClient(['--compression', '0']) },
  { fixture: 'clickhouse-client-18.16-insert-tsv-lz4.bin', listener: 'clickhouseTcpPort', drive: chInsert([]) },
  { fixture: 'clickhouse-client-18.16-insert-tsv.bin', listener: 'clickhouseTcpPort', drive: chInsert(['--compression', '0']) },
];

async function captureAll(): Promise<void> {
  const { startHadron } = await import('../support/hadron.ts');
  const hadron = await startHadron();
  try {
    let n = 0;
    for (const scenario of scenarios) {
      const proxy = await recordingProxy(hadron[scenario.listener]);
      try {
        await scenario.drive(proxy.port, `capture_${n++}`, hadron[scenario.listener]);
        await new Promise((r) => setTimeout(r, 200));
        const sessions = proxy.sessions();
        if (sessions.length !== 1) throw new Error(`${scenario.fixture}: ${sessions.length} connections, expected 1`);
        writeFileSync(join(FIXTURES, scenario.fixture), sessions[0] as Uint8Array);
        console.log(`${scenario.fixture}: ${(sessions[0] as Uint8Array).byteLength} bytes`);
      } finally {
        await proxy.close();
      }
    }
  } finally {
    await hadron.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await captureAll();
