// Typed NATS bus: io-ts codecs on every payload, request/reply as Either, draining stop().
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import {
  connect, errors as natsErrors, headers as natsHeaders,
  type Msg, type MsgHdrs, type NatsConnection, type Subscription,
} from '@nats-io/transport-node';
import type { Logger } from '../log/logger.js';
import { describeFieldErrors } from '../../codec/field-errors.js';
import { isConcrete, subjects, type Subject, type SubjectFilter, type Subjects } from './subjects.js';

/** Message headers, one value per name (e.g. `Authorization: Bearer ...`). Never logged. */
export type Headers = Readonly<Record<string, string>>;

/** What a handler learns about the message besides its decoded payload. */
export interface Delivery {
  readonly subject: string;
  readonly headers: Headers;
}

export class RequestTimeout extends Error {
  readonly _tag = 'Timeout';
  override readonly name = 'RequestTimeout';
  constructor(readonly subject: string, options?: ErrorOptions) {
    super(`no reply on ${subject} in time`, options);
  }
}

export class NoResponders extends Error {
  readonly _tag = 'NoResponders';
  override readonly name = 'NoResponders';
  constructor(readonly subject: string, options?: ErrorOptions) {
    super(`nobody serves ${subject}`, options);
  }
}

/** The payload was not JSON, or the JSON did not match the codec; `detail` names fields, never values. */
export class DecodeError extends Error {
  readonly _tag = 'DecodeError';
  override readonly name = 'DecodeError';
  constructor(readonly subject: string, readonly detail: string, options?: ErrorOptions) {
    super(`undecodable payload on ${subject}: ${detail}`, options);
  }
}

/** The responder rejected the request as undecodable or its handler failed. */
export class ResponderFailed extends Error {
  readonly _tag = 'ResponderFailed';
  override readonly name = 'ResponderFailed';
  constructor(readonly subject: string, readonly reason: ResponderFailure, readonly detail: string) {
    super(`responder on ${subject}: ${reason}: ${detail}`);
  }
}

/** The bus was stopped or its connection closed. */
export class BusClosed extends Error {
  readonly _tag = 'Closed';
  override readonly name = 'BusClosed';
  constructor(options?: ErrorOptions) {
    super('NATS connection closed', options);
  }
}

export type RequestFailure = RequestTimeout | NoResponders | DecodeError | ResponderFailed | BusClosed;
export type ResponderFailure = 'bad-request' | 'handler-failed';

/** Reply header by which a responder reports a failure instead of leaving the requester to time out. */
const failureHeader = 'Kfed-Responder-Failure';

export interface BusSubscription {
  /** Idempotent: stops intake, waits for the messages already received to be handled. */
  stop(): Promise<void>;
}

export interface Bus {
  readonly federation: string;
  readonly subjects: Subjects;
  /**
   * Fire and forget. NATS carries hints, so a publish on a stopped bus is logged and dropped
   * rather than thrown: nothing correct depends on its delivery.
   */
  publish<A, O>(subject: Subject, codec: t.Type<A, O>, value: A, options?: { headers?: Headers }): void;
  /**
   * Handles messages one at a time, in arrival order. An undecodable message is logged (subject and
   * field paths) and skipped; a handler error is logged and the subscription carries on.
   */
  subscribe<A, O>(
    subject: SubjectFilter, codec: t.Type<A, O>,
    handler: (value: A, delivery: Delivery) => void | Promise<void>,
    options?: { queue?: string },
  ): BusSubscription;
  request<Q, QO, R, RO>(
    subject: Subject, requestCodec: t.Type<Q, QO>, value: Q, replyCodec: t.Type<R, RO>,
    options: { timeoutMs: number; headers?: Headers },
  ): Promise<E.Either<RequestFailure, R>>;
  /**
   * Serves requests concurrently (each one is independent). An undecodable request or a throwing
   * handler is answered with a failure header, so the requester gets ResponderFailed at once.
   */
  respond<Q, QO, R, RO>(
    subject: Subject, requestCodec: t.Type<Q, QO>, replyCodec: t.Type<R, RO>,
    handler: (request: Q, delivery: Delivery) => Promise<R>,
    options: { queue: string },
  ): BusSubscription;
  /**
   * Resolves once the server has processed everything this bus sent so far, subscriptions
   * included: after it, a new subscription hears every later message (e.g. before reporting ready).
   */
  flush(): Promise<void>;
  /** Idempotent: drains every subscription (in-flight handlers finish and reply), flushes, closes. */
  stop(): Promise<void>;
  /** Resolves when the connection has ended: null after stop(), the cause if it closed on its own. */
  readonly closed: Promise<Error | null>;
}

export interface BusOptions {
  /** One URL or a comma-separated list (NATS_URL). */
  readonly url: string;
  readonly federation: string;
  readonly logger: Logger;
  /** Client name shown by the NATS server's monitoring, e.g. the service name. */
  readonly name: string;
}

/** Reconnect delay doubling from 100 ms to 5 s, with up to 20 % jitter so replicas do not stampede. */
function reconnectDelay(dials: number): number {
  return Math.min(5000, 100 * 2 ** Math.min(dials, 16)) * (1 + Math.random() * 0.2);
}

function toNatsHeaders(h: Headers | undefined): MsgHdrs | undefined {
  if (h === undefined) return undefined;
  const out = natsHeaders();
  for (const [k, v] of Object.entries(h)) out.set(k, v);
  return out;
}

function fromNatsHeaders(h: MsgHdrs | undefined): Headers {
  const out: Record<string, string> = {};
  if (h !== undefined) for (const [k, vs] of h) if (vs.length > 0) out[k] = vs[vs.length - 1] as string;
  return out;
}

function decodeMsg<A, O>(msg: Msg, codec: t.Type<A, O>): E.Either<DecodeError, A> {
  let json: unknown;
  try {
    json = JSON.parse(msg.string());
  } catch (cause) {
    return E.left(new DecodeError(msg.subject, 'not JSON', { cause }));
  }
  const decoded = codec.decode(json);
  return E.isRight(decoded) ? decoded : E.left(new DecodeError(msg.subject, describeFieldErrors(decoded.left)));
}

const encode = <A, O>(codec: t.Type<A, O>, value: A): string => JSON.stringify(codec.encode(value));

/** Connects (waiting for the server if it is not up yet) and reconnects forever with backoff. */
export async function connectBus(options: BusOptions): Promise<Bus> {
  const { logger, federation } = options;
  const federationSubjects = subjects(federation); // an invalid federation id fails before connecting
  const log = logger.child({ component: 'bus' });
  // Counted by the server-selection hook, which runs once per dial; the delay must stay stable
  // between dials because the client re-reads it while waiting.
  let dials = 0;
  let delay = { dials: -1, ms: 0 };
  let connected = false;
  log.info({ url: options.url }, 'connecting to NATS');
  const nc: NatsConnection = await connect({
    servers: options.url.split(','),
    name: options.name,
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
    reconnectToServer: () => {
      dials += 1;
      if (!connected && dials > 1) log.warn({ attempt: dials }, 'NATS not reachable yet, retrying');
      return null;
    },
    reconnectDelayHandler: () => {
      if (delay.dials !== dials) delay = { dials, ms: reconnectDelay(dials) };
      return delay.ms;
    },
  });
  connected = true;
  dials = 0;
  // While disconnected a drain cannot complete (it needs the server's answer): stop() then closes.
  let online = true;
  log.info({ server: nc.getServer() }, 'connected to NATS');

  void (async () => {
    for await (const s of nc.status()) {
      switch (s.type) {
        case 'disconnect': online = false; log.warn({ server: s.server }, 'disconnected from NATS'); break;
        case 'reconnect': online = true; dials = 0; log.info({ server: s.server }, 'reconnected to NATS'); break;
        case 'reconnecting': log.debug('reconnecting to NATS'); break;
        case 'error': log.error({ err: s.error }, 'NATS error'); break;
        case 'staleConnection': log.warn('NATS connection stale'); break;
        case 'ldm': log.warn({ server: s.server }, 'NATS server entering lame duck mode'); break;
        case 'slowConsumer': log.warn({ subject: s.sub.getSubject(), pending: s.pending }, 'slow NATS consumer'); break;
        default: break;
      }
    }
  })();

  let stopping: Promise<void> | undefined;
  const active = new Set<BusSubscription>();

  const closed = nc.closed().then((err) => {
    if (stopping !== undefined) return err ?? null;
    const cause = err ?? new BusClosed();
    log.error({ err: cause }, 'NATS connection closed unexpectedly');
    return cause;
  });

  /**
   * Runs `loop` over a subscription; `inFlight` holds handler promises still running. stop() drains
   * the subscription (no new messages), lets the loop consume what had arrived, then awaits the rest.
   */
  function manage(sub: Subscription, loop: Promise<void>, inFlight: Set<Promise<void>>): BusSubscription {
    let stopped: Promise<void> | undefined;
    const handle: BusSubscription = {
      stop: () => {
        stopped ??= (async () => {
          if (sub.isClosed() || nc.isClosed()) {
            // nothing to drain
          } else if (online) {
            await sub.drain().catch(() => undefined);
          } else {
            sub.unsubscribe(); // what had arrived is still handled below
          }
          await loop;
          await Promise.all(inFlight);
          active.delete(handle);
        })();
        return stopped;
      },
    };
    active.add(handle);
    return handle;
  }

  const bus: Bus = {
    federation,
    subjects: federationSubjects,
    closed,

    publish(subject, codec, value, opts) {
      if (!isConcrete(subject)) throw new Error(`cannot publish to a wildcard subject: ${subject}`);
      if (nc.isClosed() || nc.isDraining()) {
        log.warn({ subject }, 'bus stopped: dropped a publish');
        return;
      }
      nc.publish(subject, encode(codec, value), { headers: toNatsHeaders(opts?.headers) });
    },

    subscribe(subject, codec, handler, opts) {
      const sub = nc.subscribe(subject, { queue: opts?.queue });
      const loop = (async () => {
        for await (const msg of sub) {
          const decoded = decodeMsg(msg, codec);
          if (E.isLeft(decoded)) {
            log.warn({ subject: msg.subject, problem: decoded.left.detail }, 'dropped an undecodable message');
            continue;
          }
          try {
            await handler(decoded.right, { subject: msg.subject, headers: fromNatsHeaders(msg.headers) });
          } catch (err) {
            log.error({ subject: msg.subject, err }, 'message handler failed');
          }
        }
      })();
      return manage(sub, loop, new Set());
    },

    async request(subject, requestCodec, value, replyCodec, opts) {
      let msg: Msg;
      try {
        msg = await nc.request(subject, encode(requestCodec, value), {
          timeout: opts.timeoutMs,
          headers: toNatsHeaders(opts.headers),
        });
      } catch (cause) {
        if ((cause instanceof natsErrors.RequestError && cause.isNoResponders()) || cause instanceof natsErrors.NoRespondersError) return E.left(new NoResponders(subject, { cause }));
        if (cause instanceof natsErrors.TimeoutError || (cause instanceof Error && cause.cause instanceof natsErrors.TimeoutError)) {
          return E.left(new RequestTimeout(subject, { cause }));
        }
        if (cause instanceof natsErrors.ClosedConnectionError || cause instanceof natsErrors.DrainingConnectionError) {
          return E.left(new BusClosed({ cause }));
        }
        throw cause;
      }
      const failure = msg.headers?.get(failureHeader);
      if (failure === 'bad-request' || failure === 'handler-failed') {
        return E.left(new ResponderFailed(subject, failure, msg.string()));
      }
      return decodeMsg(msg, replyCodec);
    },

    respond(subject, requestCodec, replyCodec, handler, opts) {
      const sub = nc.subscribe(subject, { queue: opts.queue });
      const inFlight = new Set<Promise<void>>();
      const fail = (msg: Msg, reason: ResponderFailure, detail: string): void => {
        const h = natsHeaders();
        h.set(failureHeader, reason);
        msg.respond(detail, { headers: h });
      };
      const serve = async (msg: Msg): Promise<void> => {
        if (msg.reply === undefined) {
          log.warn({ subject: msg.subject }, 'dropped a message without a reply subject on a request subject');
          return;
        }
        const decoded = decodeMsg(msg, requestCodec);
        if (E.isLeft(decoded)) {
          log.warn({ subject: msg.subject, problem: decoded.left.detail }, 'rejected an undecodable request');
          fail(msg, 'bad-request', decoded.left.detail);
          return;
        }
        try {
          const reply = await handler(decoded.right, { subject: msg.subject, headers: fromNatsHeaders(msg.headers) });
          msg.respond(encode(replyCodec, reply));
        } catch (err) {
          // The requester gets no internals: the error may mention what it should not see.
          log.error({ subject: msg.subject, err }, 'request handler failed');
          fail(msg, 'handler-failed', 'the request handler failed; see the responder log');
        }
      };
      const loop = (async () => {
        for await (const msg of sub) {
          const p = serve(msg).finally(() => inFlight.delete(p));
          inFlight.add(p);
        }
      })();
      return manage(sub, loop, inFlight);
    },

    flush: () => nc.flush(),

    stop() {
      stopping ??= (async () => {
        await Promise.all([...active].map((s) => s.stop()));
        if (nc.isClosed()) {
          // closed on its own
        } else if (online) {
          await nc.drain().catch((err: unknown) => log.warn({ err }, 'NATS drain failed'));
        } else {
          log.warn('stopping while disconnected from NATS: unsent messages are dropped');
          await nc.close();
        }
        log.info('NATS connection closed');
      })();
      return stopping;
    },
  };
  return bus;
}
