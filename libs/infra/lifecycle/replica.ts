// What a replica of a log-driven service starts with: its connections, its name, and where the time and ids of its events come from.
import type { Registry } from 'prom-client';
import type { Logger } from '../log/logger.js';
import type { Bus } from '../nats/bus.js';
import type { Redis } from '../redis/connection.js';
import type { EventLog } from '../redis/eventlog.js';

/** The adapters every replica of the scheduler, registry, syncer and aggregator is given (main.ts or a test builds them). */
export interface ReplicaDeps {
  /** Shard leases and the service's own records; the log gets its connections from `log`. */
  readonly redis: Redis;
  readonly log: EventLog;
  readonly bus: Bus;
  readonly logger: Logger;
  /** This replica's unique name (lease holder). */
  readonly replica: string;
  /** The registry its metrics are served from; none are kept without one. */
  readonly metrics?: Registry;
}

/** A replica that appends events stamps them with this time and these ids (injected, so that tests control them). */
export interface EventStamping {
  readonly clock: () => Date;
  readonly newId: () => string;
}
