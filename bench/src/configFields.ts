import { z } from 'zod';
import { envVar } from '@potluck/service';

/** A benchmark variable in seconds (fractions allowed), with its default. */
export const seconds = (fallback: number) =>
  z.coerce.number().positive('must be a positive number of seconds').default(fallback);

/** A benchmark variable that counts something (rounds, connections, events), with its default. */
export const whole = (fallback: number) => z.coerce.number().int('must be a whole number').min(1).default(fallback);

/** Where the benchmarks find PostgreSQL and RabbitMQ: this machine's, as `npm start` and the tests. */
export const localServers = {
  AMQP_URL: envVar.url(['amqp', 'amqps']).default('amqp://guest:guest@127.0.0.1:5672'),
  DATABASE_SERVER_URL: envVar.url(['postgres', 'postgresql']).default('postgresql://postgres@127.0.0.1:5432/postgres'),
};
