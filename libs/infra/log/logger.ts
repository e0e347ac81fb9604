// The one structured logger (JSON lines via pino) that services inject everywhere.
import { pino, destination, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** Paths redacted from every log line, wherever they appear: credentials never reach a log. */
export const redactedPaths = [
  'token', '*.token', 'bearerToken', '*.bearerToken', 'authorization', '*.authorization', '*.headers.authorization',
  'password', '*.password', 'kubeconfig', '*.kubeconfig', 'privateKey', '*.privateKey', 'secret', '*.secret',
  'stringData', '*.stringData', 'object.data', '*.object.data',
];

export interface LoggerConfig {
  readonly service: string;
  readonly level?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to read what was logged. */
  readonly destination?: NodeJS.WritableStream;
}

export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    level: config.level ?? 'info',
    base: { service: config.service },
    redact: { paths: redactedPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  // Synchronous writes to stdout: a line logged just before process.exit (or a crash) is never lost.
  return pino(options, config.destination ?? destination({ dest: 1, sync: true }));
}
