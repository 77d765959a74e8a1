// The real-time subset of the streaming scenarios over native 8463 (issue 6 tests): each kind of
// streaming query once, read by the Python proton-driver as its rows come (`execute_iter` on a
// thread) while a second connection writes — a tail, a global aggregation, a tumble window closed by
// a later row, a session window, a versioned_kv tail (snapshot first), a UNION, a stage (global over
// window) and a kv ⨝ kv changelog join. The same scenarios run over HTTP 3218 in test/http/.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHadron, type HadronProcess } from '../support/hadron.ts';

let server: HadronProcess;

beforeAll(async () => {
  server = await startHadron();
}, 90_000);

afterAll(async () => {
  await server?.stop();
});

/** Each scenario: setup statements, the streaming query, the writes (after the reader started), rows to wait for. */
const scenarios = {
  tail: {
    setup: ['CREATE STREAM nt1 (k string, v int32)'],
    query: 'SELECT k, v * 10 AS v10 FROM nt1 WHERE v > 1',
    writes: ["INSERT INTO nt1 (k, v) VALUES ('a', 1), ('b', 2), ('c', 3)"],
    rows: 2,
  },
  aggregation: {
    setup: ['CREATE STREAM nt2 (k string, v int32)'],
    query: 'SELECT k, count() AS c, sum(v) AS s FROM nt2 GROUP BY k ORDER BY k EMIT PERIODIC 500ms',
    writes: ["INSERT INTO nt2 (k, v) VALUES ('x', 1), ('y', 2), ('x', 3)"],
    rows: 2,
  },
  tumble: {
    setup: ['CREATE STREAM nt3 (dev string, val int32)'],
    query: 'SELECT window_start, dev, count() AS c, sum(val) AS s FROM tumble(nt3, 5s) GROUP BY window_start, dev ORDER BY dev',
    writes: [
      "INSERT INTO nt3 (dev, val, _tp_time) VALUES ('a', 1, '2024-01-01 00:00:01'), ('b', 2, '2024-01-01 00:00:02')",
      "INSERT INTO nt3 (dev, val, _tp_time) VALUES ('a', 4, '2024-01-01 00:00:06')",
    ],
    rows: 2,
  },
  session: {
    setup: ['CREATE STREAM nt4 (uid string)'],
    query: 'SELECT uid, window_start, window_end, count() AS c FROM session(nt4, 5s) PARTITION BY uid GROUP BY uid, window_start, window_end',
    writes: [
      "INSERT INTO nt4 (uid, _tp_time) VALUES ('u1', '2024-01-01 00:00:00')",
      "INSERT INTO nt4 (uid, _tp_time) VALUES ('u1', '2024-01-01 00:00:03')",
      "INSERT INTO nt4 (uid, _tp_time) VALUES ('u1', '2024-01-01 00:00:10')",
    ],
    rows: 1,
  },
  keyed: {
    setup: ["CREATE STREAM nt5 (product_id string, price float32) PRIMARY KEY (product_id) SETTINGS mode='versioned_kv'", "INSERT INTO nt5 (product_id, price) VALUES ('iPhone15', 799), ('iPhone15_Plus', 899)"],
    query: 'SELECT product_id, price FROM nt5',
    writes: ["INSERT INTO nt5 (product_id, price) VALUES ('iPhone15', 800)"],
    rows: 3,
  },
  union: {
    setup: ['CREATE STREAM nt6a (k string)', 'CREATE STREAM nt6b (name string)'],
    query: 'SELECT k AS key FROM nt6a UNION ALL SELECT name FROM nt6b',
    writes: ["INSERT INTO nt6a (k) VALUES ('a')", "INSERT INTO nt6b (name) VALUES ('b')"],
    rows: 2,
  },
  stage: {
    setup: ['CREATE STREAM nt7 (v int32)'],
    query: 'SELECT max(c) AS busiest FROM (SELECT window_start, count() AS c FROM tumble(nt7, 5s) GROUP BY window_start) EMIT PERIODIC 500ms',
    writes: ["INSERT INTO nt7 (v, _tp_time) VALUES (1, '2024-01-01 00:00:01'), (1, '2024-01-01 00:00:02'), (1, '2024-01-01 00:00:06')", "INSERT INTO nt7 (v, _tp_time) VALUES (1, '2024-01-01 00:00:11')"],
    rows: 1,
  },
  kv_join: {
    setup: ["CREATE STREAM nt8l (i int32, s string) PRIMARY KEY s SETTINGS mode='versioned_kv'", "CREATE STREAM nt8r (ii int32, ss string) PRIMARY KEY ss SETTINGS mode='versioned_kv'"],
    query: 'SELECT i, ii, s, _tp_delta FROM nt8l INNER JOIN nt8r ON s = ss',
    writes: ["INSERT INTO nt8r (ii, ss) VALUES (1, 's1')", "INSERT INTO nt8l (i, s) VALUES (3, 's1')", "INSERT INTO nt8l (i, s) VALUES (2, 's1')"],
    rows: 3,
  },
};

const script = `
import json, sys, threading, time
from proton_driver import Client
port = int(sys.argv[1])
scenarios = json.loads(sys.argv[2])
out = {}
for name, s in scenarios.items():
    ddl = Client('127.0.0.1', port=port)
    for q in s['setup']:
        ddl.execute(q)
    rows = []
    reader = Client('127.0.0.1', port=port, send_receive_timeout=30)
    def read(query=s['query'], want=s['rows'], rows=rows, reader=reader):
        try:
            for row in reader.execute_iter(query):
                rows.append([str(x) for x in row])
                if len(rows) >= want:
                    break
        except Exception as e:
            rows.append(['error', repr(e)])
    t = threading.Thread(target=read, daemon=True)
    t.start()
    time.sleep(1)
    for q in s['writes']:
        ddl.execute(q)
        time.sleep(0.3)
    t.join(15)
    out[name] = rows
    reader.disconnect()
    ddl.disconnect()
print(json.dumps(out), flush=True)
`;

describe('streaming scenario kinds over native 8463 (proton-driver)', () => {
  it('each kind emits its rows as they come', async () => {
    const root = new URL('../..', import.meta.url).pathname;
    const python = join(root, '.venv/bin/python');
    expect(existsSync(python), `${python} is missing: python3 -m venv .venv && .venv/bin/pip install -r test/python/requirements.txt`).toBe(true);
    const output = await new Promise<string>((resolve, reject) => {
      execFile(python, ['-c', script, String(server.tcpPort), JSON.stringify(scenarios)], { timeout: 150_000 }, (err, stdout, stderr) => (err === null ? resolve(stdout) : reject(new Error(`${err.message}\n${stderr}`))));
    });
    const got = JSON.parse(output.trim()) as Record<keyof typeof scenarios, string[][]>;
    expect(got.tail.sort()).toEqual([['b', '20'], ['c', '30']]);
    expect(got.aggregation).toEqual([['x', '2', '4'], ['y', '1', '2']]);
    expect(got.tumble).toEqual([['2024-01-01 00:00:00+00:00', 'a', '1', '1'], ['2024-01-01 00:00:00+00:00', 'b', '1', '2']]);
    expect(got.session).toEqual([['u1', '2024-01-01 00:00:00+00:00', '2024-01-01 00:00:08+00:00', '2']]);
    expect(got.keyed.slice(0, 2).sort()).toEqual([['iPhone15', '799.0'], ['iPhone15_Plus', '899.0']]);
    expect(got.keyed[2]).toEqual(['iPhone15', '800.0']);
    expect(got.union.sort()).toEqual([['a'], ['b']]);
    expect(got.stage).toEqual([['2']]);
    expect(got.kv_join).toEqual([['3', '1', 's1', '1'], ['3', '1', 's1', '-1'], ['2', '1', 's1', '1']]);
  }, 180_000);
});
