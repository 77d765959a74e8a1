// Engine state per key: the heap the window/watermark machine (src/streaming/window.ts) holds for
// `keys` PARTITION BY keys with one open tumble window each (two for a 2 s/1 s hop). Aggregate values
// themselves are not engine state: each emit is computed by the store over the stored rows.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WindowMachine, type Touch } from '../../src/streaming/window.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** JS heap plus ArrayBuffer backing stores (the machine keeps its arrays in typed arrays, off the JS heap). */
function heap(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Heap and ArrayBuffer bytes per key after one range touched every key (kept alive until measured). */
export function stateBytesPerKey(keys: number, sizeMs: number, slideMs: number): number {
  const before = heap();
  const touches: Touch[] = [];
  for (let k = 0; k < keys; k++) {
    for (let start = 1000 - sizeMs + slideMs; start <= 1000; start += slideMs) {
      touches.push({ key: String(k), start, end: start + sizeMs, maxTime: 1500, watermark: 1000, minSn: BigInt(k) });
    }
  }
  const machine = new WindowMachine({ sizeMs, slideMs, maxWindows: 4 * keys, timeoutMs: null });
  machine.arrive({ first: 0n, next: BigInt(keys) }, touches, 0);
  touches.length = 0;
  const after = heap();
  if (machine.state.keys.size !== keys) throw new Error(`expected ${keys} keys, machine has ${machine.state.keys.size}`);
  return (after - before) / keys;
}
