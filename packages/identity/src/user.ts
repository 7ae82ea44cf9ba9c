/** The one role Potluck knows: a moderator may update or delete anything. */
export const MODERATOR = 'moderator';
export type Role = typeof MODERATOR;
const KNOWN_ROLES: ReadonlySet<string> = new Set([MODERATOR]);

/** A signed-in person as Potluck sees them: the token's subject, a display name and known roles. */
export interface User {
  id: string;
  name: string;
  roles: readonly Role[];
}

/** Who is asking: a signed-in user, or null for an anonymous reader. */
export type Viewer = User | null;

/** A viewer as one string, equal exactly when id, name and roles are: for cache keys. Anonymous is ''. */
export function identityKeyOf(viewer: Viewer): string {
  return viewer ? JSON.stringify([viewer.id, viewer.name, viewer.roles]) : '';
}

export const USER_ID_MAX_LENGTH = 255;
export const USER_NAME_MAX_LENGTH = 100;

// Ids and names end up in logs, events and HTML: control characters, and format characters
// (bidi overrides, zero-width joiners) that make one name look like another, have no business there.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cf}]/gu;

/** Who owns what was written before identity; no token may claim it, so only moderators can act for it. */
export const ARCHIVE_OWNER = 'potluck-archive';

export class InvalidIdentity extends Error {
  override name = 'InvalidIdentity';
}

/** A user id as a token's `sub`: 1–255 characters, no control characters. */
export function checkUserId(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidIdentity('the token has no subject (sub)');
  if (value.length > USER_ID_MAX_LENGTH) {
    throw new InvalidIdentity(`the token's subject (sub) is longer than ${USER_ID_MAX_LENGTH} characters`);
  }
  if (value.match(CONTROL_CHARACTERS)) throw new InvalidIdentity("the token's subject (sub) has control characters");
  if (value === ARCHIVE_OWNER) throw new InvalidIdentity(`the subject "${ARCHIVE_OWNER}" is reserved`);
  return value;
}

/** A display name, cleaned rather than refused: control characters dropped, cut to 100 characters. */
export function displayName(value: unknown, fallback: string): string {
  const cleaned = typeof value === 'string' ? value.replace(CONTROL_CHARACTERS, '').trim() : '';
  return (cleaned || fallback).slice(0, USER_NAME_MAX_LENGTH);
}

/** The known roles in a claim that is a list of strings or one space-separated string; others are ignored. */
export function knownRoles(value: unknown): Role[] {
  const names = Array.isArray(value) ? value : typeof value === 'string' ? value.split(' ') : [];
  return [...new Set(names.filter((name): name is Role => typeof name === 'string' && KNOWN_ROLES.has(name)))];
}

export function isModerator(viewer: Viewer): boolean {
  return viewer?.roles.includes(MODERATOR) ?? false;
}

/** The ownership rule both subgraphs apply: an author may change what they wrote; a moderator, anything. */
export function mayChange(user: User, authorId: string): boolean {
  return user.id === authorId || isModerator(user);
}
