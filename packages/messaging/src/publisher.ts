import type { ChannelModel, ConfirmChannel, Options } from 'amqplib';
import type { Broker } from './broker.js';

export class BrokerUnavailable extends Error {
  override name = 'BrokerUnavailable';
}

/**
 * Publishes on a confirm channel that is recreated after every reconnect. `publish`
 * resolves only when the broker has confirmed the message, and waits for the channel
 * to drain when its write buffer is full.
 */
export class Publisher {
  private channel: ConfirmChannel | undefined;
  private drained: Promise<void> = Promise.resolve();

  constructor(
    broker: Broker,
    private readonly prepare: (channel: ConfirmChannel) => Promise<void> = async () => undefined,
  ) {
    broker.use((connection) => this.attach(connection));
  }

  get ready(): boolean {
    return this.channel !== undefined;
  }

  async publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void> {
    await this.drained;
    const channel = this.channel;
    if (!channel) throw new BrokerUnavailable('not connected to the broker');
    await new Promise<void>((resolve, reject) => {
      const flowing = channel.publish(exchange, routingKey, content, options, (error) =>
        error
          ? reject(error instanceof Error ? error : new Error(`broker refused the message: ${String(error)}`))
          : resolve(),
      );
      if (!flowing) this.drained = new Promise((resume) => channel.once('drain', resume));
    });
  }

  private async attach(connection: ChannelModel): Promise<void> {
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => undefined);
    channel.on('close', () => {
      if (this.channel === channel) this.channel = undefined;
      this.drained = Promise.resolve();
    });
    await this.prepare(channel);
    this.channel = channel;
  }
}
