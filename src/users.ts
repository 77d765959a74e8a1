// Users from config: sha256 passwords and a readonly level. Authentication failures are 516
// AUTHENTICATION_FAILED with ClickHouse's wording, which does not say whether the user exists.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { UserConfig } from './config.ts';
import { Code, GatewayError } from './errors.ts';

export type AuthenticatedUser = { name: string; readonly: 0 | 1 | 2 };

export class Users {
  private readonly users: Readonly<Record<string, UserConfig>>;

  constructor(users: Readonly<Record<string, UserConfig>>) {
    this.users = users;
  }

  authenticate(name: string, password: string): AuthenticatedUser {
    const user = Object.hasOwn(this.users, name) ? this.users[name] : undefined;
    const wanted = Buffer.from(user?.password_sha256_hex ?? '', 'hex');
    const given = password === '' ? Buffer.alloc(0) : createHash('sha256').update(password, 'utf8').digest();
    const ok = user !== undefined && wanted.length === given.length && (wanted.length === 0 || timingSafeEqual(wanted, given));
    if (!ok) throw new GatewayError(Code.AUTHENTICATION_FAILED, `${name}: Authentication failed: password is incorrect, or there is no user with such name`);
    return { name, readonly: user.readonly };
  }
}
