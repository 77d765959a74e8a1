// Client sessions: what a `session_id` keeps between requests (SET settings, USE database), and the
// per-statement state built from it. Sessions expire after their timeout; a session belongs to one user.
import { Code, GatewayError } from './errors.ts';

export type SessionState = {
  readonly id: string | null;
  readonly user: string;
  database: string;
  /** Settings from SET in this session, applied to every later statement in it. */
  readonly settings: Map<string, string>;
  timeoutMs: number;
  expiresAt: number;
};

export type SessionOptions = { defaultTimeoutS: number; maxTimeoutS: number };

export class SessionRegistry {
  private readonly sessions = new Map<string, SessionState>();
  private readonly options: SessionOptions;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: SessionOptions) {
    this.options = options;
    this.sweeper = setInterval(() => this.sweep(Date.now()), 1000);
    this.sweeper.unref();
  }

  /** A one-statement session: SET and USE last for this request only. */
  ephemeral(user: string, database: string): SessionState {
    return { id: null, user, database, settings: new Map(), timeoutMs: 0, expiresAt: 0 };
  }

  /**
   * The named session, created when missing unless `check` (then 372 SESSION_NOT_FOUND). A session
   * is tied to its user; `timeoutS` above the maximum is 374 INVALID_SESSION_TIMEOUT.
   */
  open(id: string, user: string, defaultDatabase: string, timeoutS: number | null, check: boolean, now = Date.now()): SessionState {
    const seconds = timeoutS ?? this.options.defaultTimeoutS;
    if (!Number.isFinite(seconds) || seconds < 0 || seconds > this.options.maxTimeoutS) {
      throw new GatewayError(Code.INVALID_SESSION_TIMEOUT, `Session timeout ${timeoutS} is too large (maximum ${this.options.maxTimeoutS} s) or invalid`);
    }
    this.sweep(now);
    const key = `${user}\u0000${id}`;
    let session = this.sessions.get(key);
    if (!session) {
      if (check) throw new GatewayError(Code.SESSION_NOT_FOUND, `Session ${id} not found`);
      session = { id, user, database: defaultDatabase, settings: new Map(), timeoutMs: seconds * 1000, expiresAt: 0 };
      this.sessions.set(key, session);
    }
    session.timeoutMs = seconds * 1000;
    session.expiresAt = now + session.timeoutMs;
    return session;
  }

  close(id: string, user: string): void {
    this.sessions.delete(`${user}\u0000${id}`);
  }

  get size(): number {
    return this.sessions.size;
  }

  private sweep(now: number): void {
    for (const [key, s] of this.sessions) if (s.expiresAt < now) this.sessions.delete(key);
  }

  stop(): void {
    clearInterval(this.sweeper);
  }
}
