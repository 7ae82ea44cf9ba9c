import pg from 'pg';
import type { Logger } from 'pino';
import { CONNECT_TIMEOUT_MS, OUTBOX_CHANNEL } from './storage.js';

/**
 * A dedicated connection that LISTENs for outbox inserts and calls `onNotify`. It
 * reconnects after errors; while it is down the relay's slow poll still finds rows.
 */
export class OutboxListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private connecting: Promise<void> | undefined;

  constructor(
    private readonly databaseUrl: string,
    private readonly onNotify: () => void,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.connect();
  }

  /** Stops retrying and closes the connection, one still being opened included (its connect is bounded by `CONNECT_TIMEOUT_MS`). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.connecting;
    await this.client?.end().catch(() => undefined);
  }

  private connect(): Promise<void> {
    this.connecting = this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    client.on('error', (error) => this.retry(client, error));
    client.on('end', () => this.retry(client));
    client.on('notification', () => this.onNotify());
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.client = client;
      this.onNotify();
    } catch (error) {
      this.retry(client, error as Error);
    }
  }

  private retry(client: pg.Client, error?: Error): void {
    client.end().catch(() => undefined);
    if (this.stopped || this.retryTimer || (this.client && this.client !== client)) return;
    this.client = undefined;
    if (error) this.logger.warn({ err: error }, 'outbox listener lost its connection; retrying');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, 1000);
  }
}
