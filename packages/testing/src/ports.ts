import { readFileSync } from 'node:fs';
import net from 'node:net';

/**
 * Ports are picked below the kernel's ephemeral range: a port taken from inside it (by
 * listening on port 0) can be handed to any other socket — a proxy, an outgoing connection —
 * between the moment it is released here and the moment the child process binds it.
 */
const FALLBACK_RANGE = { low: 20_000, high: 32_767 };
const handedOut = new Set<number>();

function rangeBelowEphemeral(): { low: number; high: number } {
  try {
    const [ephemeralLow] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (ephemeralLow && ephemeralLow > 12_000) return { low: 10_000, high: ephemeralLow - 1 };
  } catch {
    // Not Linux: the common default range starts above FALLBACK_RANGE.
  }
  return FALLBACK_RANGE;
}

const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** A port free a moment ago on 127.0.0.1 and never handed out before by this process, for processes that need one up front. */
export async function freePort(): Promise<number> {
  const { low, high } = rangeBelowEphemeral();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port found between ${low} and ${high}`);
}
