// chDB's queryStream formats every chunk (block) as a complete result: a format with a header
// (RowBinaryWithNamesAndTypes, TSVWithNames, ...) repeats it per chunk, and a document format (JSON,
// Parquet, Pretty, ...) yields one document per chunk. This says how chunks join into one result.

/**
 * Joins chunk outputs into one result: `push` returns what can be sent for a chunk; `end` returns the
 * closing bytes, or null when no chunk came and the format still owes a document (run it whole).
 */
export type ChunkJoiner = { push(chunk: Uint8Array): Uint8Array; end(): Uint8Array | null };

const nothing = new Uint8Array(0);

/** Formats whose per-chunk outputs simply concatenate. */
const concatenating = new Set([
  'native', 'rowbinary', 'rowbinarywithdefaults', 'tabseparated', 'tsv', 'tabseparatedraw', 'tsvraw', 'raw', 'csv',
  'jsoneachrow', 'jsonlines', 'ndjson', 'jsonstringseachrow', 'jsoncompacteachrow', 'jsoncompactstringseachrow',
  'tskv', 'rawblob', 'msgpack', 'bsoneachrow', 'null', 'linesasstring',
]);

/** Header length of a chunk of `format`, for formats with a per-chunk header; null otherwise. */
function headerParser(format: string): ((b: Uint8Array) => number) | null {
  const f = format.toLowerCase();
  const m = /^(tabseparated|tsv|tabseparatedraw|tsvraw|csv|jsoncompacteachrow|jsoncompactstringseachrow|rowbinary)withnames(andtypes)?$/.exec(f);
  if (m) {
    const parts = m[2] ? 2 : 1;
    if (m[1] === 'rowbinary') return (b) => rowBinaryHeader(b, parts);
    return (b) => lines(b, parts, m[1] === 'csv');
  }
  return null;
}

function lines(b: Uint8Array, n: number, csvQuotes: boolean): number {
  let quoted = false;
  for (let i = 0; i < b.length; i++) {
    if (csvQuotes && b[i] === 0x22) quoted = !quoted;
    else if (b[i] === 0x0a && !quoted && --n === 0) return i + 1;
  }
  throw new Error('incomplete header in a result chunk');
}

function rowBinaryHeader(b: Uint8Array, parts: number): number {
  let pos = 0;
  const varUInt = (): number => {
    let v = 0;
    for (let shift = 0; shift < 63; shift += 7) {
      if (pos >= b.length) throw new Error('incomplete header in a result chunk');
      const byte = b[pos++] as number;
      v += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return v;
    }
    throw new Error('bad VarUInt in a result header');
  };
  const columns = varUInt();
  for (let i = 0; i < columns * parts; i++) {
    const length = varUInt(); // (not `pos += varUInt()`: that adds to the old pos)
    pos += length;
  }
  if (pos > b.length) throw new Error('incomplete header in a result chunk');
  return pos;
}

/** A joiner for `format`, or null when its chunks cannot be joined (run the statement whole). */
export function chunkJoiner(format: string): ChunkJoiner | null {
  if (concatenating.has(format.toLowerCase())) return { push: (chunk) => chunk, end: () => nothing };
  if (jsonDocuments.has(format.toLowerCase())) return jsonDocumentJoiner();
  const parse = headerParser(format);
  if (parse === null) return null;
  let header: Uint8Array | null = null;
  return {
    push: (chunk) => {
      if (header === null) {
        header = chunk.subarray(0, parse(chunk));
        return chunk;
      }
      const h = header;
      if (chunk.length < h.length || !h.every((byte, i) => chunk[i] === byte)) throw new Error('result chunk header differs from the first chunk');
      return chunk.subarray(h.length);
    },
    end: () => nothing,
  };
}

/** Formats printed as one `{"meta": …, "data": [ … ], "rows": N, …}` document. */
const jsonDocuments = new Set(['json', 'jsoncompact', 'jsonstrings', 'jsoncompactstrings']);

/*
 * Per-chunk documents look like (tabs as ClickHouse writes them; rows cannot contain a raw newline):
 *   {\n\t"meta":\n\t[ … ],\n\n\t"data":\n\t[\n<rows>\n\t],\n\n\t"rows": N,\n\n\t"statistics": … }\n
 * The joined document is the first chunk's head, every chunk's rows joined by ",\n", and the last
 * chunk's tail with the total row count.
 */
const dataOpen = Buffer.from('\n\t"data":\n\t[');
const dataClose = Buffer.from('\n\t]');

function jsonDocumentJoiner(): ChunkJoiner {
  let tail: Buffer | null = null;
  let rows = 0;
  let anyRows = false;
  return {
    push: (chunk) => {
      const doc = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      const open = doc.indexOf(dataOpen);
      const start = open + dataOpen.length;
      const close = open === -1 ? -1 : doc.indexOf(dataClose, start);
      if (close === -1) throw new Error('unexpected JSON result chunk');
      const out: Buffer[] = [];
      if (tail === null) out.push(doc.subarray(0, start));
      tail = doc.subarray(close);
      rows += Number(/"rows": (\d+)/.exec(tail.subarray(0, 64).toString('latin1'))?.[1] ?? 0);
      // Rows sit between "[" and "\n\t]", each starting with a newline; an empty block has "[\n\n\t]".
      if (close - start > 1) {
        out.push(Buffer.from(anyRows ? ',' : ''), doc.subarray(start, close));
        anyRows = true;
      }
      return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
    },
    end: () => {
      if (tail === null) return null;
      const closing = tail.toString('utf8').replace(/"rows": \d+/, `"rows": ${rows}`);
      return Buffer.from(anyRows ? closing : `\n${closing}`);
    },
  };
}
