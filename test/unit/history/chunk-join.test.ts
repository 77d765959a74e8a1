// Joined per-block chunks of the embedded store's streams equal the store's whole result, for every
// format that streams; document formats are refused (run whole).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'chdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkJoiner } from '../../../src/history/chunk-join.ts';

const dir = mkdtempSync(join(tmpdir(), 'hadron-chunks-'));
let session: Session;
// Three parts so the stream has several blocks even for a small result.
const sql = 'SELECT k, s FROM parts ORDER BY k SETTINGS max_block_size = 2, max_threads = 1';

beforeAll(async () => {
  session = new Session(dir);
  await session.queryAsync("CREATE TABLE parts (k UInt32, s String) ENGINE = MergeTree ORDER BY k", { format: 'TSV' });
  for (const rows of ["(1,'a'),(2,'b,\"c\"')", "(3,'line\\nbreak'),(4,'d')", "(5,'e')"]) {
    await session.queryAsync(`INSERT INTO parts VALUES ${rows}`, { format: 'TSV' });
  }
});
afterAll(() => {
  session.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('chunk joiner', () => {
  const formats = ['TSV', 'TSVWithNames', 'TabSeparatedWithNamesAndTypes', 'CSV', 'CSVWithNames', 'CSVWithNamesAndTypes', 'JSONEachRow',
    'JSONCompactEachRowWithNames', 'JSONCompactEachRowWithNamesAndTypes', 'RowBinary', 'RowBinaryWithNames', 'RowBinaryWithNamesAndTypes', 'Native'];
  for (const format of formats) {
    it(`joins ${format} chunks into the whole result`, async () => {
      const join = chunkJoiner(format);
      expect(join).not.toBeNull();
      const pieces: Buffer[] = [];
      let chunks = 0;
      for await (const c of session.queryStream(sql, { format })) {
        chunks++;
        pieces.push(Buffer.from((join as (b: Uint8Array) => Uint8Array)(c.raw())));
      }
      const whole = Buffer.from((await session.queryAsync(sql, { format })).bytes());
      expect(chunks).toBeGreaterThan(1);
      expect(Buffer.concat(pieces).equals(whole)).toBe(true);
    });
  }

  it('refuses document formats', () => {
    for (const f of ['JSON', 'JSONCompact', 'Pretty', 'Parquet', 'XML', 'Vertical']) expect(chunkJoiner(f)).toBeNull();
  });
});
