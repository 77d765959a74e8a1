// A request's body as the HTTP handler and the REST API read it: undone of its Content-Encoding (and
// of native LZ4 frames with `decompress=1`), capped at max_body_bytes. A decoder's failure ends the
// body with the catalogued error (pipe() alone would leave the reader hanging).
import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { frameDecodeStream } from '../../compression.ts';
import { Code, GatewayError } from '../../errors.ts';
import { decodeBody, decodeFailure, parseBodyEncoding } from './content-encoding.ts';

/** `encoding`: the Content-Encoding header (null: read the body as it is); `frames`: native frames inside. */
export function requestBody(req: IncomingMessage, encoding: string | undefined | null, frames: boolean, limit: number): AsyncIterator<Uint8Array> {
  const coding = encoding === null ? null : parseBodyEncoding(encoding);
  const decoders: Array<[Transform, (err: Error) => Error]> = [];
  if (coding !== null) decoders.push([decodeBody(encoding ?? undefined) as Transform, (err) => decodeFailure(coding, err)]);
  if (frames) decoders.push([frameDecodeStream(), (err) => err]);
  let failure: Error | null = null;
  let stream: Readable = req;
  for (const [decoder] of decoders) stream = stream.pipe(decoder);
  const last = stream;
  for (const [decoder, mapError] of decoders) {
    decoder.on('error', (err) => {
      failure ??= mapError(err);
      last.destroy(failure);
    });
  }
  if (last !== req) req.on('error', (err) => last.destroy(err));
  const source = last[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  let total = 0;
  return {
    async next(): Promise<IteratorResult<Uint8Array>> {
      let r: IteratorResult<Uint8Array>;
      try {
        r = await source.next();
      } catch (err) {
        throw failure ?? err;
      }
      if (r.done) return r;
      total += r.value.length;
      if (total > limit) throw new GatewayError(Code.TOO_MANY_BYTES, `Request body exceeds the limit of ${limit} bytes (max_body_bytes)`);
      return r;
    },
  };
}
