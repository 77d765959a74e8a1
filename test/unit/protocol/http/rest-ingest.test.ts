// The compact ingest body reader: columns, data rows as JSONCompactEachRow text, structural errors,
// with every input split at every offset (and byte by byte).
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../src/errors.ts';
import { CompactBody } from '../../../../src/protocol/http/rest-ingest.ts';
import { createStreamSql } from '../../../../src/protocol/http/rest-ddl.ts';

/** Feeds `text` in the given pieces; returns the columns and the data text. */
function scan(pieces: readonly string[]): { columns: string[] | null; data: string } {
  const scanner = new CompactBody();
  const out: Uint8Array[] = [];
  for (const p of pieces) out.push(...scanner.push(Buffer.from(p, 'utf8')));
  scanner.end();
  return { columns: scanner.columns, data: Buffer.concat(out).toString('utf8') };
}

/** Every two-piece split, and one byte at a time. */
function splits(text: string): string[][] {
  const all: string[][] = [[text], [...text]];
  for (let i = 1; i < text.length; i++) all.push([text.slice(0, i), text.slice(i)]);
  return all;
}

function code(f: () => unknown): number | null {
  try {
    f();
    return null;
  } catch (err) {
    return err instanceof GatewayError ? err.code : -1;
  }
}

const cases: ReadonlyArray<{ body: string; columns: string[]; data: string }> = [
  { body: '{"columns":["id","name"],"data":[[1,"hello"],[2,"world"]]}', columns: ['id', 'name'], data: '[1,"hello"]\n[2,"world"]' },
  { body: ' { "data" : [ [1] , [2] ] , "columns" : [ "i\\u0064" ] } ', columns: ['id'], data: ' [1] \n [2] ' },
  { body: '{"mode":"x","n":12,"t":true,"o":{"a":["]",{"}":1}]},"columns":["a"],"data":[]}', columns: ['a'], data: '' },
  { body: '{"columns":["s"],"data":[["a,b]\\"c["],[{"k":[1,2]}]]}', columns: ['s'], data: '["a,b]\\"c["]\n[{"k":[1,2]}]' },
  { body: '{"\\"columns\\"":1,"columns":["é"],"data":[["ü"]]}', columns: ['é'], data: '["ü"]' },
];

describe('CompactBody', () => {
  for (const c of cases) {
    it(`reads ${c.body} at every split`, () => {
      for (const pieces of splits(c.body)) expect(scan(pieces), JSON.stringify(pieces)).toEqual({ columns: c.columns, data: c.data });
    });
  }

  const bad = [
    '', '[]', '{', '{"columns":["a"],"data":[[1]]', '{"columns":["a"] "data":[]}', '{"columns":"a","data":[]}',
    '{"columns":[],"data":[]}', '{"columns":[1],"data":[]}', '{"data":{}}', '{"data":[[1]}', '{"columns":["a"],"data":[]} x',
    '{"columns":["a"],"columns":["b"],"data":[]}', '{"data":[],"data":[]}', '{,}', '{"a":1,}', '{"a" 1}',
  ];
  for (const body of bad) {
    it(`refuses ${JSON.stringify(body)} with 117 at every split`, () => {
      for (const pieces of splits(body)) expect(code(() => scan(pieces)), JSON.stringify(pieces)).toBe(117);
    });
  }

  it('tells when the columns are known and the data has begun', () => {
    const s = new CompactBody();
    s.push(Buffer.from('{"columns":["a"],'));
    expect([s.columns, s.dataStarted]).toEqual([['a'], false]);
    expect(Buffer.concat(s.push(Buffer.from('"data":[[1],'))).toString()).toBe('[1]\n');
    expect(s.dataStarted).toBe(true);
  });
});

describe('createStreamSql', () => {
  it('quotes names and strings, keeps types and expressions', () => {
    const sql = createStreamSql('d`b', {
      name: 'we`ird',
      columns: [
        { name: 'id', type: 'int32', default: 0 },
        { name: 's', type: 'string', nullable: true, comment: "it's", compression_codec: 'ZSTD(1)' },
        { name: 't', type: 'string', default: 'x' },
      ],
      order_by_expression: 'id',
      primary_key: 'id',
      mode: 'versioned_kv',
      shards: 1,
    });
    expect(sql).toBe(
      "CREATE STREAM `d\\`b`.`we\\`ird` (`id` int32 DEFAULT 0, `s` nullable(string) COMMENT 'it\\'s' CODEC(ZSTD(1)), `t` string DEFAULT 'x')"
      + " PRIMARY KEY id ORDER BY id SETTINGS mode = 'versioned_kv', shards = 1",
    );
  });

  it('refuses a fragment that would end the statement', () => {
    expect(code(() => createStreamSql('db', { name: 'x', columns: [{ name: 'a', type: 'int32', default: '1; DROP DATABASE db' }] }))).toBe(117);
    expect(code(() => createStreamSql('db', { name: 'x', columns: [{ name: 'a', type: 'string', default: "';'" }] }))).toBe(null);
  });
});
