import { describe, expect, it } from 'vitest';
import { identityKeyOf, mayChange, type User } from '../src/index.js';

const ana: User = { id: 'ana', name: 'Ana', roles: [] };
const joe: User = { id: 'joe', name: 'Joe', roles: [] };
const mo: User = { id: 'mo', name: 'Mo', roles: ['moderator'] };

describe('mayChange', () => {
  it('lets an author change what they wrote', () => expect(mayChange(ana, 'ana')).toBe(true));
  it('refuses another user', () => expect(mayChange(joe, 'ana')).toBe(false));
  it('lets a moderator change anything, archived rows too', () => {
    expect(mayChange(mo, 'ana')).toBe(true);
    expect(mayChange(mo, 'potluck-archive')).toBe(true);
  });
  it('compares ids exactly: case and surrounding spaces matter', () => {
    expect(mayChange({ ...ana, id: 'ANA' }, 'ana')).toBe(false);
    expect(mayChange({ ...ana, id: 'ana ' }, 'ana')).toBe(false);
  });
});

describe('identityKeyOf', () => {
  it('is equal exactly when id, name and roles are, and empty for anonymous', () => {
    expect(identityKeyOf({ ...ana })).toBe(identityKeyOf(ana));
    const others = [
      joe,
      mo,
      { ...ana, name: 'Ana B' },
      { ...ana, roles: ['moderator' as const] },
      { ...ana, id: 'ANA' },
    ];
    for (const other of others) expect(identityKeyOf(other)).not.toBe(identityKeyOf(ana));
    expect(identityKeyOf(null)).toBe('');
  });

  it('cannot be forged by a name that looks like a separator', () => {
    const tricky: User = { id: 'ana","x', name: 'y', roles: [] };
    expect(identityKeyOf(tricky)).not.toBe(identityKeyOf({ id: 'ana', name: 'x","y', roles: [] }));
  });
});
