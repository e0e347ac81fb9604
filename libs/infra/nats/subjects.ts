// The one place NATS subjects are built: kfed.<federation>.<area>.<verb-or-event>[.<cluster-or-role>].
import { isDnsLabel } from '../../config/codecs.js';

declare const concrete: unique symbol;
declare const filter: unique symbol;

/** A subject without wildcards: what one publishes or sends a request to. */
export type Subject = string & { readonly [concrete]: true; readonly [filter]: true };
/** A subject that may contain `*` wildcards: what one subscribes to. Every Subject is a SubjectFilter. */
export type SubjectFilter = string & { readonly [filter]: true };

/** A building bug: names must be decoded (DnsLabel) at the boundary before they reach a subject. */
export class InvalidSubjectToken extends Error {
  override readonly name = 'InvalidSubjectToken';
  constructor(readonly token: string, readonly expected: string) {
    super(`invalid NATS subject token ${JSON.stringify(token)}: expected ${expected}`);
  }
}

/** A plain token: lowercase letters, digits and '-' (no spaces, dots or wildcards). */
const plainToken = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function checkLabel(token: string, what: string): string {
  if (!isDnsLabel(token)) throw new InvalidSubjectToken(token, `a ${what} name (DNS-1123 label)`);
  return token;
}

/**
 * The subject families, as data: area → verb-or-event → the name of its trailing token, if any.
 * Payload codecs live in hints.ts; requests and replies of `desired.*` belong to the apiserver.
 *
 * - log.appended                 the log got an entry: hint {stream, position}. Consumers re-read the
 *                                stream from Redis; the hint only saves them from polling.
 * - desired.apply / .delete      request/reply: change desired state (validated, appended by the owner).
 * - cluster.health.<cluster>     the registry saw a member's health or capacity change.
 * - cluster.sync.<cluster>       the objects placed on a member changed: its syncer should reconcile.
 * - member.status.<cluster>      a syncer's reports on kfed's copies in a member (MemberStatusReported,
 *                                libs/sync/member-status.ts): actual state for the aggregator, re-sent
 *                                in full periodically, so a lost message only delays it.
 * - member.resync                ask every syncer to re-send its reports in full (an aggregator started).
 * - replicas.heartbeat.<role>    a replica of <role> is alive (sent periodically): membership for
 *                                replicas that split work (e.g. syncers splitting member clusters).
 * - replicas.left.<role>         a replica stops gracefully: hand its work over now, not at expiry.
 * - <area>.reconcile             ask the replicas of a service area to reconcile keys (operator nudge).
 */
const families = {
  log: { appended: null },
  desired: { apply: null, delete: null },
  cluster: { health: 'cluster', sync: 'cluster' },
  member: { status: 'cluster', resync: null },
  replicas: { heartbeat: 'role', left: 'role' },
} as const;

type Families = typeof families;

/** A trailing token accepts a name or `'*'`; only the latter makes a filter. */
interface Tailed {
  (name: '*'): SubjectFilter;
  (name: string): Subject;
}

export type Subjects = {
  readonly [A in keyof Families]: {
    readonly [V in keyof Families[A]]: Families[A][V] extends null ? () => Subject : Tailed;
  };
} & {
  /** `kfed.<federation>.<area>.reconcile` */
  readonly reconcile: (area: string) => Subject;
  /** Everything of this federation (`kfed.<federation>.>`): for tracing tools, never for services. */
  readonly all: () => SubjectFilter;
};

export function subjects(federation: string): Subjects {
  const prefix = `kfed.${checkLabel(federation, 'federation')}`;
  const built: Record<string, Record<string, unknown>> = {};
  for (const [area, verbs] of Object.entries(families)) {
    const fns: Record<string, unknown> = {};
    for (const [verb, tail] of Object.entries(verbs as Record<string, string | null>)) {
      const base = `${prefix}.${area}.${verb}`;
      fns[verb] = tail === null
        ? () => base
        : (name: string) => `${base}.${name === '*' ? '*' : checkLabel(name, tail)}`;
    }
    built[area] = fns;
  }
  return {
    ...built,
    reconcile: (area: string) => {
      if (!plainToken.test(area) || area in families) throw new InvalidSubjectToken(area, 'a service area (lowercase letters, digits, "-"), not a subject family');
      return `${prefix}.${area}.reconcile`;
    },
    all: () => `${prefix}.>`,
  } as unknown as Subjects;
}

/** True when the subject has no wildcard token, i.e. it can be published to. */
export function isConcrete(subject: string): subject is Subject {
  return !subject.split('.').some((token) => token === '*' || token === '>');
}

/** The trailing token of a delivered subject: the cluster or role a `'*'` subscription matched. */
export function subjectTail(subject: string): string {
  return subject.slice(subject.lastIndexOf('.') + 1);
}
