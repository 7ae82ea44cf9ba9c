import { describe, expect, it } from 'vitest';
import { parseTokenArgs, UsageError } from '../tokenArgs.js';

describe("npm run token's arguments", () => {
  it('reads user, roles, name and lifetime, in either --flag value or --flag=value form', () => {
    expect(
      parseTokenArgs(['--user=mo', '--role', 'moderator', '--role=moderator', '--name', 'Mo', '--ttl', '60']),
    ).toEqual({
      help: false,
      user: 'mo',
      roles: ['moderator'],
      name: 'Mo',
      lifetimeSeconds: 60,
    });
    expect(parseTokenArgs(['--user', 'ana'])).toEqual({ help: false, user: 'ana', roles: [] });
    expect(parseTokenArgs(['-h'])).toEqual({ help: true });
  });

  it.each([
    [['--user', 'ana', '--roles', 'moderator'], /Unknown option '--roles'/],
    [['--user', 'ana', '--role', 'Moderator'], /unknown role "Moderator"/],
    [['--user'], /argument missing/],
    [['--user', ''], /--user <id> is required/],
    [['--user', 'x'.repeat(256)], /longer than 255/],
    [['--user', 'ana', '--name', ' '], /--name must be 1 to 100 characters/],
    [['--user', 'ana', '--ttl', '2592001'], /--ttl must be/],
    [['--user', 'ana', '--ttl', '1.5'], /--ttl must be/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseTokenArgs(argv)).toThrow(UsageError);
    expect(() => parseTokenArgs(argv)).toThrow(message);
  });
});
