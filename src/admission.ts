// Admission control: at most `maxRunning` statements run at once; up to `maxQueued` more wait at most
// `queueTimeoutMs` for a slot; past either bound a statement fails with 202 TOO_MANY_SIMULTANEOUS_QUERIES.
import { Code, GatewayError } from './errors.ts';

export type AdmissionOptions = { maxRunning: number; maxQueued: number; queueTimeoutMs: number };

type Waiter = { grant: () => void; timer: NodeJS.Timeout };

export class Admission {
  private running = 0;
  private readonly queue: Waiter[] = [];
  private readonly options: AdmissionOptions;

  constructor(options: AdmissionOptions) {
    this.options = options;
  }

  get active(): number {
    return this.running;
  }

  /** Resolves with a release function once the statement may run. */
  acquire(signal: AbortSignal): Promise<() => void> {
    if (this.running < this.options.maxRunning) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.queue.length >= this.options.maxQueued) return Promise.reject(this.tooMany());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          clearTimeout(waiter.timer);
          resolve(this.releaser());
        },
        timer: setTimeout(() => {
          this.remove(waiter);
          signal.removeEventListener('abort', onAbort);
          reject(this.tooMany());
        }, this.options.queueTimeoutMs),
      };
      const onAbort = (): void => {
        this.remove(waiter);
        clearTimeout(waiter.timer);
        reject(new GatewayError(Code.QUERY_WAS_CANCELLED, 'Query was cancelled while waiting in the queue'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) next.grant();
      else this.running--;
    };
  }

  private remove(waiter: Waiter): void {
    const i = this.queue.indexOf(waiter);
    if (i !== -1) this.queue.splice(i, 1);
  }

  private tooMany(): GatewayError {
    return new GatewayError(Code.TOO_MANY_SIMULTANEOUS_QUERIES, `Too many simultaneous queries. Maximum: ${this.options.maxRunning}`);
  }
}
