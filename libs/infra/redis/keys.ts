// Every Redis key of a federation, built here only. All share the hash tag {<federation>}: the
// append script touches the global log and an aggregate's stream atomically, so on Redis Cluster
// they must live in one slot (one federation per slot; federations spread over the cluster).
import { isDnsLabel } from '../../config/codecs.js';

export interface Keys {
  readonly federation: string;
  /** The global, ordered log: every event of the federation, entry id `<position>-0`. */
  readonly log: string;
  /** Counter behind log positions. */
  readonly position: string;
  /** One aggregate's stream: entry id `<version>-0`, field `p` = the event's log position. */
  stream(name: string): string;
  /** A named lease (ownership of a work shard by one replica). */
  lease(name: string): string;
  /** A service's small named record (e.g. a checkpoint). */
  record(service: string, name: string): string;
  /** SCAN pattern matching every key of this federation (tests and `kfed down --purge`). */
  readonly all: string;
}

export function redisKeys(federation: string): Keys {
  if (!isDnsLabel(federation)) {
    throw new Error(`federation id must be a DNS-1123 label, got ${JSON.stringify(federation)}`);
  }
  const p = `kfed:{${federation}}`;
  return {
    federation,
    log: `${p}:log`,
    position: `${p}:position`,
    stream: (name) => `${p}:stream:${name}`,
    lease: (name) => `${p}:lease:${name}`,
    record: (service, name) => `${p}:record:${service}:${name}`,
    all: `${p}:*`,
  };
}
