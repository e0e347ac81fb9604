// Who may do what on the federation API: bearer tokens from a token file, two roles.
import * as E from 'fp-ts/lib/Either.js';
import type { UserInfo } from '../kube-api/request.js';

export type Role = 'admin' | 'read-only';
const roles: readonly Role[] = ['admin', 'read-only'];
const roleGroup = (role: Role): string => `kfed:${role}`;

export interface TokenEntry {
  readonly token: string;
  readonly user: string;
  readonly role: Role;
}

/**
 * The token file: one `token,user,role` per line (role admin or read-only), `#` comments and blank
 * lines ignored, like kube-apiserver's static token file. Errors name the line, never the token.
 */
export function parseTokenFile(text: string): E.Either<string, TokenEntry[]> {
  const entries: TokenEntry[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [token = '', user = '', role = '', ...rest] = line.split(',').map((f) => f.trim());
    const where = `token file line ${i + 1}`;
    if (rest.length > 0 || token === '' || user === '') return E.left(`${where}: expected "token,user,role"`);
    if (!roles.includes(role as Role)) return E.left(`${where}: role must be one of ${roles.join(', ')}, got ${JSON.stringify(role)}`);
    if (token.length < 16) return E.left(`${where}: a token must be at least 16 characters`);
    if (seen.has(token)) return E.left(`${where}: the token of this line is already used on an earlier line`);
    seen.add(token);
    entries.push({ token, user, role: role as Role });
  }
  return entries.length === 0 ? E.left('the token file holds no tokens') : E.right(entries);
}

export function userOf(entry: TokenEntry): UserInfo {
  return { name: entry.user, groups: [roleGroup(entry.role)] };
}

const readVerbs = new Set(['get', 'list', 'watch']);

/** admin may do anything; read-only may get, list and watch. Unknown users may do nothing. */
export function allowed(user: UserInfo | undefined, verb: string): boolean {
  const groups = user?.groups ?? [];
  if (groups.includes(roleGroup('admin'))) return true;
  return groups.includes(roleGroup('read-only')) && readVerbs.has(verb);
}
