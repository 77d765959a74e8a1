// Hadron's process list: every running statement on every protocol, for SHOW PROCESSLIST,
// system.processes and KILL QUERY.
import { Code, GatewayError } from './errors.ts';

export type ProcessInfo = {
  queryId: string;
  user: string;
  query: string;
  address: string;
  interface: 'http' | 'tcp';
  startedAt: number;
  readRows: number;
  resultRows: number;
  writtenRows: number;
};

export type ProcessEntry = ProcessInfo & {
  /** Cancels the statement; its own code path reports QUERY_WAS_CANCELLED. */
  readonly controller: AbortController;
  /** Settles when the statement has finished and released what it held. */
  finished: Promise<void>;
};

export class ProcessList {
  private readonly entries = new Map<string, ProcessEntry>();

  /** Registers a running statement; a second statement with a running query id is refused (216). */
  register(info: Omit<ProcessInfo, 'readRows' | 'resultRows' | 'writtenRows' | 'startedAt'>): { entry: ProcessEntry; done: () => void } {
    if (this.entries.has(info.queryId)) {
      throw new GatewayError(Code.QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING, `Query with id = ${info.queryId} is already running.`);
    }
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const entry: ProcessEntry = { ...info, startedAt: Date.now(), readRows: 0, resultRows: 0, writtenRows: 0, controller: new AbortController(), finished };
    this.entries.set(info.queryId, entry);
    return {
      entry,
      done: () => {
        if (this.entries.get(info.queryId) === entry) this.entries.delete(info.queryId);
        done();
      },
    };
  }

  list(): ProcessEntry[] {
    return [...this.entries.values()];
  }

  get size(): number {
    return this.entries.size;
  }

  /** Cancels everything (shutdown) and waits for all statements to finish, at most `graceMs`. */
  async cancelAll(graceMs: number): Promise<void> {
    const all = this.list();
    for (const e of all) e.controller.abort();
    await Promise.race([Promise.all(all.map((e) => e.finished)), new Promise((r) => setTimeout(r, graceMs).unref())]);
  }
}
