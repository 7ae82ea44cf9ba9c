import { describe, expect, it } from 'vitest';
import { acceptRequestId } from '../src/http/requestId.js';

describe('acceptRequestId', () => {
  const generate = () => 'generated';

  it('keeps a caller’s id that is safe to log and forward', () => {
    expect(acceptRequestId('abc-123_x.y:z', generate)).toBe('abc-123_x.y:z');
    expect(acceptRequestId(['first', 'second'], generate)).toBe('first');
  });

  it('replaces a missing, empty, too long or unsafe id', () => {
    for (const incoming of [undefined, '', 'x'.repeat(129), 'has space', 'line\nbreak', '"quoted"', 'ünïcode']) {
      expect(acceptRequestId(incoming, generate)).toBe('generated');
    }
  });

  it('generates UUIDs by default', () => {
    expect(acceptRequestId(undefined)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
