// The federation log a command reads: --federation / --redis flags, else KFED_FEDERATION / REDIS_URL.
import * as E from 'fp-ts/lib/Either.js';
import { DnsLabel, url } from '../libs/config/codecs.js';
import { connectRedis, type Redis } from '../libs/infra/redis/connection.js';
import { createEventLog, type EventLog } from '../libs/infra/redis/eventlog.js';

export const LOG_FLAGS_HELP = `  --federation ID     federation id (default: $KFED_FEDERATION, else "kfed")
  --redis URL         Redis holding the log (default: $REDIS_URL, else redis://127.0.0.1:6379)`;

/** The options LOG_FLAGS_HELP describes, to spread into a command's options (cli/args.ts). */
export const LOG_OPTIONS = { federation: { type: 'string' }, redis: { type: 'string' } } as const;

export interface LogFlags {
  readonly federation?: string | undefined;
  readonly redis?: string | undefined;
}

export interface OpenedLog {
  readonly log: EventLog;
  readonly redis: Redis;
  readonly federation: string;
  /** A failed read in words, naming Redis and its connection error (e.g. ECONNREFUSED) when there was one. */
  failure(err: unknown): string;
}

/** Opens the log (failing fast when Redis is unreachable), or says which flag or variable is wrong. */
export function openLog(flags: LogFlags, env: NodeJS.ProcessEnv): E.Either<string, OpenedLog> {
  const federation = flags.federation ?? (env['KFED_FEDERATION'] || 'kfed');
  const redisUrl = flags.redis ?? (env['REDIS_URL'] || 'redis://127.0.0.1:6379');
  if (E.isLeft(DnsLabel.decode(federation))) return E.left(`invalid federation id ${JSON.stringify(federation)}: expected ${DnsLabel.name}`);
  const redisCodec = url(['redis', 'rediss']);
  if (E.isLeft(redisCodec.decode(redisUrl))) return E.left(`invalid Redis URL ${JSON.stringify(redisUrl)}: expected ${redisCodec.name}`);
  const redis = connectRedis(redisUrl, 'kfed-cli', { failFast: true });
  let connectionError: Error | undefined;
  redis.on('error', (err: Error) => { connectionError = err; });
  return E.right({
    log: createEventLog(redis, federation), redis, federation,
    failure: (err) => `cannot read the log at ${redisUrl}: ${(connectionError ?? (err as Error)).message}`,
  });
}
