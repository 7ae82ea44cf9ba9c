import { describe, expect, it } from 'vitest';
import { mayChange, type User } from '../src/index.js';

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
