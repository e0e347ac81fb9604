// The process shell of every service: config, logger, ops server, start, and signal-driven shutdown.
import * as E from 'fp-ts/lib/Either.js';
import type { Registry } from 'prom-client';
import { decodeConfig, type Config, type ConfigDecl } from '../../config/config.js';
import type { runtimeConfig } from '../../config/common.js';
import { createLogger, type Logger } from '../log/logger.js';
import { createMetricsRegistry, startOpsServer, type OpsServer } from '../http/ops-server.js';

/** What a service's `start(deps)` returns, so that tests can run it in-process. */
export interface Service {
  /** Stops intake, finishes in-flight work, closes what the service opened. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when the service has ended on its own or after stop(): the error if it failed. */
  readonly stopped: Promise<Error | null>;
  /** Whether the service takes work now (e.g. caught up with the log); ready once started if absent. */
  ready?(): boolean;
}

/**
 * The stopping half of a Service: `stop()` runs `shutdown` on its first call and returns that same
 * promise on every call; `stopped` resolves with null once shutdown has finished; `stopping()` says
 * whether stop() has been called (a service stops taking work from then on).
 */
export function stopOnce(shutdown: () => Promise<void>): Service & { stopping(): boolean } {
  let resolveStopped: (err: Error | null) => void = () => undefined;
  const stopped = new Promise<Error | null>((resolve) => { resolveStopped = resolve; });
  let stopping: Promise<void> | undefined;
  return {
    stopped,
    stopping: () => stopping !== undefined,
    stop: () => {
      stopping ??= (async () => {
        await shutdown();
        resolveStopped(null);
      })();
      return stopping;
    },
  };
}

export interface ServiceContext<C> {
  readonly config: C;
  readonly logger: Logger;
  /** The service's metrics registry, served on /metrics. */
  readonly metrics: Registry;
}

export interface ServiceDefinition<D extends ConfigDecl> {
  readonly name: string;
  /** Must include runtimeConfig (commonConfig does). */
  readonly config: D;
  /** Builds the adapters from the config and starts the service. */
  readonly start: (context: ServiceContext<Config<D>>) => Promise<Service>;
}

/**
 * Runs a service as the process's main program. Exit codes: 2 bad configuration; 0 stopped by a
 * signal within KFED_GRACE_MS (or finished on its own); 1 grace period ran out, a second signal,
 * startup failure, or the service stopping with an error.
 */
export function runService<D extends ConfigDecl & typeof runtimeConfig>(definition: ServiceDefinition<D>): void {
  const decoded = decodeConfig(definition.config, process.env);
  if (E.isLeft(decoded)) {
    process.stderr.write(`${definition.name}: invalid configuration\n${decoded.left.message}\n`);
    process.exit(2);
  }
  const config = decoded.right;
  // D extends runtimeConfig, so these are present; TypeScript cannot resolve the generic mapping.
  const runtime = config as unknown as Config<typeof runtimeConfig>;
  const logger = createLogger({ service: definition.name, level: runtime.LOG_LEVEL });
  const metrics = createMetricsRegistry(definition.name);
  const exit = (code: number): never => process.exit(code);

  let service: Service | undefined;
  let ops: OpsServer | undefined;
  let shuttingDown = false;

  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    process.on(event, (err: unknown) => {
      logger.fatal({ err }, event);
      exit(1);
    });
  }

  const started = (async () => {
    ops = await startOpsServer({
      host: runtime.KFED_OPS_HOST,
      port: runtime.KFED_OPS_PORT,
      ready: () => !shuttingDown && service !== undefined && (service.ready?.() ?? true),
      metrics,
      logger,
    });
    service = await definition.start({ config, logger, metrics });
    logger.info('service started');
  })();

  started.then(
    async () => {
      const err = await (service as Service).stopped;
      if (shuttingDown) return; // the signal path owns the exit code
      if (err !== null) {
        logger.error({ err }, 'service stopped with an error');
        exit(1);
      }
      logger.info('service finished');
      await ops?.close();
      exit(0);
    },
    (err: unknown) => {
      logger.fatal({ err }, 'service failed to start');
      exit(1);
    },
  );

  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal: exiting without finishing in-flight work');
      exit(1);
    }
    shuttingDown = true;
    const graceMs = runtime.KFED_GRACE_MS;
    logger.info({ signal, graceMs }, 'stopping: finishing in-flight work');
    setTimeout(() => {
      logger.error({ graceMs }, 'grace period ran out before in-flight work finished');
      exit(1);
    }, graceMs);
    void (async () => {
      await started; // a signal during startup stops the service once it is up
      await service?.stop();
      await ops?.close();
      logger.info('service stopped');
      exit(0);
    })().catch((err: unknown) => {
      logger.error({ err }, 'stopping failed');
      exit(1);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
