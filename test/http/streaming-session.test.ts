// Session windows over HTTP 3218 (proton-semantics §4 D41), in real time: a session of a key is emitted
// once a later row of the same key arrives after the idle gap; other keys' sessions stay open.
import { describe, expect, it } from 'vitest';
import { pause, streamingServer } from '../support/streaming-http.ts';

const hadron = streamingServer();
const { q, stream } = hadron;

describe('§4 D41 on the streaming port', () => {
  it('a PARTITION BY session closes on inactivity when a later row of its key arrives', async () => {
    await q('CREATE STREAM hs10 (uid string)');
    const s = stream('SELECT uid, window_start, window_end, count() AS c FROM session(hs10, 5s) PARTITION BY uid GROUP BY uid, window_start, window_end');
    await pause(300);
    await q("INSERT INTO hs10 (uid, _tp_time) VALUES ('u1', '2024-01-01 00:00:00')");
    await q("INSERT INTO hs10 (uid, _tp_time) VALUES ('u2', '2024-01-01 00:00:01')");
    await q("INSERT INTO hs10 (uid, _tp_time) VALUES ('u1', '2024-01-01 00:00:03')");
    await pause(300);
    expect(s.lines).toEqual([]);
    await q("INSERT INTO hs10 (uid, _tp_time) VALUES ('u1', '2024-01-01 00:00:10')");
    expect(await s.until(1)).toEqual(['u1\t2024-01-01 00:00:00.000\t2024-01-01 00:00:08.000\t2']);
    await pause(300);
    expect(s.lines).toHaveLength(1);
    await s.stop();
  });
});
