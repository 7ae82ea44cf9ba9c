import type { RequestHandler } from 'express';
import { envVar } from '../config/config.js';

/** Where a browser reaches a process run on a developer's machine. */
export const DEFAULT_ALLOWED_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

// A name, an IPv4 address or a bracketed IPv6 address, without a port.
const HOST_NAME = /^(\[[\da-f:.]+\]|[\w.-]+)$/i;

/** A host name as a browser writes it in a URL (lower case, IP addresses canonical), or undefined if it is none. */
function canonicalHost(name: string): string | undefined {
  if (!HOST_NAME.test(name)) return undefined;
  try {
    return new URL(`http://${name}`).hostname;
  } catch {
    return undefined;
  }
}

/**
 * `ALLOWED_HOSTS`: a comma-separated list of host names without ports, or `*` for any host
 * (behind a proxy that checks Host itself).
 */
export const allowedHostsVar = () =>
  envVar
    .list()
    .refine(
      (items) => items.length > 0 && items.every((item) => item === '*' || canonicalHost(item)),
      'must be host names without ports, separated by commas (e.g. "localhost,potluck.example.com"), or *',
    )
    .transform((items) => items.map((item) => (item === '*' ? item : canonicalHost(item)!)))
    .default([...DEFAULT_ALLOWED_HOSTS]);

/** Whether a request's Host header names one of the allowed hosts, on any port. */
export function isAllowedHost(hostHeader: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.includes('*')) return true;
  const hostname = hostHeader === undefined ? undefined : canonicalHost(hostHeader.replace(/:\d{1,5}$/, ''));
  return hostname !== undefined && allowed.includes(hostname);
}

/**
 * Refuses, with 403 and HOST_NOT_ALLOWED, a request whose Host header is not allowed: a page
 * on another site can point its own name at this server's address (DNS rebinding) and would
 * otherwise read the answers as same-origin. Mounted after the health routes, which probes
 * reach by IP address.
 */
export function allowedHostsOnly(allowed: readonly string[]): RequestHandler {
  return (req, res, next) => {
    if (isAllowedHost(req.headers.host, allowed)) return next();
    res.status(403).json({
      errors: [
        {
          message: 'This server does not answer for the host in the Host header',
          extensions: { code: 'HOST_NOT_ALLOWED' },
        },
      ],
    });
  };
}
