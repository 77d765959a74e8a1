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

async function streamJoined(query: string, format: string): Promise<{ joined: Buffer; chunks: number }> {
  const joiner = chunkJoiner(format);
  expect(joiner).not.toBeNull();
  const pieces: Buffer[] = [];
  let chunks = 0;
  for await (const c of session.queryStream(query, { format })) {
    chunks++;
    pieces.push(Buffer.from(joiner!.push(c.raw())));
  }
  pieces.push(Buffer.from(joiner!.end() ?? []));
  return { joined: Buffer.concat(pieces), chunks };
}

describe('chunk joiner', () => {
  const formats = ['TSV', 'TSVWithNames', 'TabSeparatedWithNamesAndTypes', 'CSV', 'CSVWithNames', 'CSVWithNamesAndTypes', 'JSONEachRow',
    'JSONCompactEachRowWithNames', 'JSONCompactEachRowWithNamesAndTypes', 'RowBinary', 'RowBinaryWithNames', 'RowBinaryWithNamesAndTypes', 'Native'];
  for (const format of formats) {
    it(`joins ${format} chunks into the whole result`, async () => {
      const { joined, chunks } = await streamJoined(sql, format);
      const whole = Buffer.from((await session.queryAsync(sql, { format })).bytes());
      expect(chunks).toBeGreaterThan(1);
      expect(joined.equals(whole)).toBe(true);
    });
  }

  // Document formats: the same document, but for the statistics (per-chunk in a stream).
  const withoutStatistics = (b: Buffer): string => b.toString('utf8').replace(/,\n\n\t"statistics":[\s\S]*$/, '');
  for (const format of ['JSON', 'JSONCompact', 'JSONStrings', 'JSONCompactStrings']) {
    it(`stitches ${format} documents into one`, async () => {
      const { joined, chunks } = await streamJoined(sql, format);
      const whole = Buffer.from((await session.queryAsync(sql, { format })).bytes());
      expect(chunks).toBeGreaterThan(1);
      expect(withoutStatistics(joined)).toBe(withoutStatistics(whole));
      expect(JSON.parse(joined.toString()).rows).toBe(5);
    });
  }

  it('stitches an empty JSON result into the engine\'s own empty document', async () => {
    const empty = 'SELECT k, s FROM parts WHERE k > 100';
    const { joined } = await streamJoined(empty, 'JSON');
    const whole = Buffer.from((await session.queryAsync(empty, { format: 'JSON' })).bytes());
    expect(withoutStatistics(joined)).toBe(withoutStatistics(whole));
  });

  it('skips empty blocks between rows', () => {
    const doc = (rows: string, n: number): Buffer => Buffer.from(`{\n\t"meta":\n\t[\n\t],\n\n\t"data":\n\t[${rows}\n\t],\n\n\t"rows": ${n}\n}\n`);
    const joiner = chunkJoiner('JSONCompact')!;
    const out = Buffer.concat([joiner.push(doc('\n\t\t[1]', 1)), joiner.push(doc('\n', 0)), joiner.push(doc('\n\t\t[2]', 1)), joiner.end()!]);
    expect(JSON.parse(out.toString())).toEqual({ meta: [], data: [[1], [2]], rows: 2 });
    expect(chunkJoiner('JSON')!.end()).toBeNull();
  });

  it('refuses other document formats', () => {
    for (const f of ['Pretty', 'Parquet', 'XML', 'Vertical']) expect(chunkJoiner(f)).toBeNull();
  });
});
