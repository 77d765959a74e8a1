// Debian's clickhouse-client 18.16 (revision 54412: old binary settings, no custom byte, Ping before
// every query, LZ4 frames, older type families) against Hadron's native listeners, plus hostile
// input on a raw socket: a malformed or oversized packet closes that connection only.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHadron, type HadronProcess } from '../support/hadron.ts';

const CLIENT = '/usr/bin/clickhouse-client';
let server: HadronProcess;

beforeAll(async () => {
  server = await startHadron();
});

afterAll(async () => {
  await server?.stop();
});

function client(port: number, args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(CLIENT, ['--host', '127.0.0.1', '--port', String(port), ...args], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stdout, stderr });
    });
    child.stdin?.end(stdin);
  });
}

/** Sends raw bytes, collects what the server writes until it closes (or `ms` passes). */
function raw(port: number, bytes: Uint8Array, ms = 3000): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ data: Buffer.concat(parts), closed: false });
    }, ms);
    socket.on('data', (d) => parts.push(d));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ data: Buffer.concat(parts), closed: true });
    });
    socket.on('error', () => undefined);
    socket.write(bytes);
  });
}

describe.skipIf(!existsSync(CLIENT))('clickhouse-client 18.16', () => {
  it('reads types it has no family for as CAST values (DateTime64 → DateTime, Int128 and Date32 → String)', async () => {
    const out = await client(server.snapshotTcpPort, ['--query', "SELECT toDateTime64('2024-01-02 03:04:05.678', 3, 'UTC') AS t, toInt128(-5) AS i, toDate32('2024-01-02') AS d, 1 AS n FORMAT TSVWithNamesAndTypes"]);
    expect(out.stderr).toBe('');
    const [names, types, row] = out.stdout.trimEnd().split('\n');
    expect(names).toBe('t\ti\td\tn');
    expect(types?.split('\t').slice(1, 4)).toEqual(['String', 'String', 'UInt8']);
    expect(row?.split('\t').slice(1)).toEqual(['-5', '2024-01-02', '1']);
    expect(row?.split('\t')[0]).toMatch(/^2024-01-02 03:04:05/);
  });

  it('runs DDL, inserts rows of the common types and reads them back exactly', async () => {
    const port = server.clickhouseTcpPort;
    const ddl = await client(port, ['--query', 'CREATE TABLE c18 (a UInt64, s String, b Bool, ip IPv4, m Map(String, UInt8), d Date, dt DateTime(\'UTC\'), dec Decimal(9, 2), u UUID, n Nullable(Int32), arr Array(String), lc LowCardinality(String)) ENGINE = MergeTree ORDER BY a']);
    expect(ddl.stderr).toBe('');
    const values = "(1, 'a\\tb', 1, 16909060, [('k', 1)], '2024-01-02', '2024-01-02 03:04:05', 1.5, '61f0c404-5cb3-11e7-907b-a6006ad3dba0', NULL, ['x', 'y'], 'lc')";
    const ins = await client(port, ['--query', `INSERT INTO c18 VALUES ${values}`]);
    expect(ins.stderr).toBe('');
    const tsv = await client(port, ['--query', 'INSERT INTO c18 (a, s, n) FORMAT TSV'], '2\tbb\t-7\n3\tccc\t\\N\n');
    expect(tsv.stderr).toBe('');
    const out = await client(port, ['--query', 'SELECT * FROM c18 ORDER BY a']);
    expect(out.stderr).toBe('');
    expect(out.stdout.split('\n')[0]).toBe("1\ta\\tb\t1\t16909060\t[('k',1)]\t2024-01-02\t2024-01-02 03:04:05\t1.50\t61f0c404-5cb3-11e7-907b-a6006ad3dba0\t\\N\t['x','y']\tlc");
    expect(out.stdout.split('\n').slice(1, 3).map((l) => l.split('\t').slice(0, 2).join(' '))).toEqual(['2 bb', '3 ccc']);
  });

  it('runs a multi-statement script on the Proton port', async () => {
    const script = 'SELECT 1;\nSELECT to_string(41 + 1) AS s;\nSELECT sum(number) FROM numbers(1000000);\n';
    const r = await client(server.snapshotTcpPort, ['--multiquery'], script);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1\n42\n499999500000\n');
    // Inline INSERT data in a script: the client sends it in the text and again as Data blocks.
    const inserts = "CREATE TABLE mq (a UInt8, s String) ENGINE = MergeTree ORDER BY a;\nINSERT INTO mq VALUES (1, 'x'), (2, 'y');\nINSERT INTO mq (a) VALUES (3);\nSELECT a, s FROM mq ORDER BY a;\n";
    const w = await client(server.clickhouseTcpPort, ['--multiquery'], inserts);
    expect(w.stderr).toBe('');
    expect(w.stdout).toBe('1\tx\n2\ty\n3\t\n');
  });

  it('reads a 1 M-row result', async () => {
    const r = await client(server.clickhouseTcpPort, ['--query', 'SELECT number FROM system.numbers LIMIT 1000000']);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBe(1_000_000);
    expect(lines[999_999]).toBe('999999');
  });

  it('shows an error with its code', async () => {
    const r = await client(server.clickhouseTcpPort, ['--query', 'SELECT * FROM no_such_table']);
    expect(r.code).toBe(60);
    expect(r.stderr).toContain('Code: 60.');
    expect(r.stderr).toContain('(UNKNOWN_TABLE)');
  });

  it('cancels a long query on SIGINT, and KILL QUERY stops one from another connection', async () => {
    const long = 'SELECT number, sleepEachRow(0.05) FROM numbers(100000) SETTINGS max_block_size = 10';
    const child = spawn(CLIENT, ['--port', String(server.clickhouseTcpPort), '--query', long], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = Date.now();
    child.kill('SIGINT');
    await exited;
    expect(Date.now() - t0).toBeLessThan(10_000);

    const killed = spawn(CLIENT, ['--port', String(server.snapshotTcpPort), '--query_id', 'native-kill-me', '--query', long], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    killed.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killedExit = new Promise<number | null>((resolve) => killed.once('exit', (code) => resolve(code)));
    await new Promise((r) => setTimeout(r, 1500));
    const ps = await client(server.clickhouseTcpPort, ['--query', "SELECT interface FROM system.processes WHERE query_id = 'native-kill-me'"]);
    expect(ps.stdout.trim()).toBe('1');
    const kill = await client(server.clickhouseTcpPort, ['--query', "KILL QUERY WHERE query_id = 'native-kill-me' SYNC"]);
    expect(kill.stderr).toBe('');
    expect(await killedExit).not.toBe(0);
    expect(stderr).toContain('394');
  }, 60_000);
});

describe('hostile input', () => {
  const healthy = async (): Promise<void> => {
    const ok = await fetch(`${server.url}/?query=SELECT%201`);
    expect(await ok.text()).toBe('1\n');
  };

  it('answers an HTTP request on the native port with a 400 and closes', async () => {
    const r = await raw(server.snapshotTcpPort, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(r.closed).toBe(true);
    expect(r.data.toString()).toMatch(/^HTTP\/1\.0 400 Bad Request\r\n\r\nPort \d+ is for clickhouse-client program/);
    await healthy();
  });

  it('refuses a declared length beyond the limits without waiting for it, and closes that connection only', async () => {
    // Hello: type 0, client name declaring 2^40 bytes.
    const r = await raw(server.clickhouseTcpPort, Uint8Array.of(0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20));
    expect(r.closed).toBe(true);
    expect(r.data[0]).toBe(2); // Exception
    expect(r.data.readInt32LE(1)).toBe(117);
    await healthy();
  });

  it('closes on an unknown packet after a valid Hello, and on garbage', async () => {
    const name = Buffer.from('raw');
    const hello = Buffer.concat([Buffer.of(0x00, name.length), name, Buffer.of(1, 1), Buffer.of(0xbc, 0xa9, 0x03), Buffer.of(0), Buffer.of(7), Buffer.from('default'), Buffer.of(0)]);
    const r = await raw(server.clickhouseTcpPort, Buffer.concat([hello, Buffer.of(0x00), Buffer.of(0x63)]));
    expect(r.closed).toBe(true);
    expect(r.data[0]).toBe(0); // Hello
    expect(r.data.includes(Buffer.from('Unknown packet 99'))).toBe(true);
    const garbage = await raw(server.tcpPort, Buffer.alloc(4096, 0xff));
    expect(garbage.closed).toBe(true);
    await healthy();
  });
});
