// The embedded store's query lanes: a bounded pool of chDB Sessions on one data directory, each
// remembering the settings and database applied to it, so a statement's SET/USE travel with the
// statement (StoreContext) and never leak into the next one on that lane.
import { Session } from 'chdb';
import { Code, GatewayError, toGatewayError } from '../errors.ts';
import { quoteIdentifier, quoteString } from '../sql-literal.ts';

/** Settings every lane starts with and returns to: Hadron coalesces inserts itself. */
const baselineSettings: ReadonlyMap<string, string> = new Map([['async_insert', '0']]);

/** One chDB Session with the settings and database currently applied to it. */
export type Lane = { readonly session: Session; settings: Map<string, string>; database: string };

export class LanePool {
  private readonly lanes: Lane[] = [];
  private readonly idle: Lane[] = [];
  private readonly waiters: Array<(lane: Lane) => void> = [];
  private closed = false;
  /** Statements holding a lane or waiting for one. */
  private held = 0;

  /** `size` (at least 1) sessions on the store at `path`, each with the baseline settings. */
  static async open(path: string, size: number): Promise<LanePool> {
    const pool = new LanePool();
    for (let i = 0; i < Math.max(1, size); i++) {
      const lane: Lane = { session: new Session(path), settings: new Map(), database: 'default' };
      await applySettings(lane, baselineSettings);
      pool.lanes.push(lane);
      pool.idle.push(lane);
    }
    return pool;
  }

  get busy(): number {
    return this.held;
  }

  /**
   * A lane prepared for `settings` (over the baseline) and `database`; waits while all are busy
   * (waiters are served in order with whichever lane frees). An idle lane that already has them is
   * preferred — a streaming query's emits keep finding the lane with its settings, inserts theirs,
   * and neither pays a SET round trip — else the most recently used one. The caller must `release`.
   */
  async take(settings: ReadonlyMap<string, string>, database: string): Promise<Lane> {
    if (this.closed) throw new GatewayError(Code.ABORTED, 'the server is shutting down');
    const wanted = new Map(baselineSettings);
    for (const [name, value] of settings) wanted.set(name, value);
    const ready = this.idle.findLastIndex((l) => l.database === database && sameSettings(l.settings, wanted));
    const found = ready === -1 ? this.idle.pop() : this.idle.splice(ready, 1)[0];
    this.held++;
    const lane = found ?? (await new Promise<Lane>((resolveLane) => this.waiters.push(resolveLane)));
    try {
      await applySettings(lane, wanted);
      if (lane.database !== database) {
        await lane.session.queryAsync(`USE ${quoteIdentifier(database)}`, { format: 'TabSeparated' }).catch((err: unknown) => {
          throw toGatewayError(err);
        });
        lane.database = database;
      }
    } catch (err) {
      this.release(lane);
      throw err;
    }
    return lane;
  }

  /** The statement holding `lane` is done. */
  release(lane: Lane): void {
    this.held--;
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(lane);
      return;
    }
    this.idle.push(lane);
  }

  /** Refuses new statements from now on. */
  shut(): void {
    this.closed = true;
  }

  /** Closes every session (call once no statement holds a lane). */
  close(): void {
    this.closed = true;
    for (const lane of this.lanes) lane.session.close();
  }
}

/** Brings the lane's session settings to `wanted` (baseline + statement settings) with one SET. */
async function applySettings(lane: Lane, wanted: ReadonlyMap<string, string>): Promise<void> {
  const assignments: string[] = [];
  for (const [name, value] of wanted) {
    if (lane.settings.get(name) !== value) assignments.push(`${quoteIdentifier(name)} = ${quoteString(value)}`);
  }
  for (const name of lane.settings.keys()) {
    if (!wanted.has(name)) assignments.push(`${quoteIdentifier(name)} = DEFAULT`);
  }
  if (assignments.length === 0) return;
  try {
    await lane.session.queryAsync(`SET ${assignments.join(', ')}`, { format: 'TabSeparated' });
  } catch (err) {
    // A rejected SET leaves the session's settings unknown: re-establish them one by one.
    await resetLane(lane);
    throw toGatewayError(err);
  }
  lane.settings = new Map(wanted);
}

async function resetLane(lane: Lane): Promise<void> {
  for (const name of lane.settings.keys()) {
    await lane.session.queryAsync(`SET ${quoteIdentifier(name)} = DEFAULT`, { format: 'TabSeparated' }).catch(() => undefined);
  }
  lane.settings = new Map();
  for (const [name, value] of baselineSettings) {
    await lane.session.queryAsync(`SET ${quoteIdentifier(name)} = ${quoteString(value)}`, { format: 'TabSeparated' });
    lane.settings.set(name, value);
  }
}

function sameSettings(have: ReadonlyMap<string, string>, wanted: ReadonlyMap<string, string>): boolean {
  if (have.size !== wanted.size) return false;
  for (const [name, value] of wanted) if (have.get(name) !== value) return false;
  return true;
}
