import { startTcpProxy, testServerUrl } from '@potluck/testing';
import { expect, it } from 'vitest';
import { openServiceDatabase } from '../src/db.js';

/*
 * A database behind a network partition: the connection is accepted, nothing ever answers.
 * A query, Prisma's or a plain read, must fail within the connect timeout (5 s), not wait for the
 * kernel's TCP timeout.
 */
it('fails a query to a database that never answers within the connect timeout', async () => {
  const server = new URL(testServerUrl());
  const proxy = await startTcpProxy(Number(server.port || 5432), server.hostname);
  proxy.holdReplies();
  const { prisma, sql, close } = openServiceDatabase(proxy.url(server.href));
  try {
    const started = performance.now();
    await Promise.all([
      expect(prisma.$queryRaw`SELECT 1`).rejects.toThrow(/timeout/i),
      expect(sql.rows('SELECT 1', [])).rejects.toThrow(/timeout/i),
    ]);
    expect(performance.now() - started).toBeLessThan(8000);
  } finally {
    await close();
    await proxy.close();
  }
}, 20_000);
