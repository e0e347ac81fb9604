// Codecs for configuration values read from text (environment variables), named for error messages.
import * as t from 'io-ts';

/**
 * A codec that parses a string. `name` reads as the object of "expected ...": it is what a
 * configuration error and the generated configuration table show.
 */
export function textCodec<A>(name: string, parse: (s: string) => A | undefined, show: (a: A) => string = String): t.Type<A, string, unknown> {
  return new t.Type<A, string, unknown>(
    name,
    // A value is an A when it survives a show/parse round trip unchanged (all config values are primitives).
    (u): u is A => u !== undefined && u !== null && parse(show(u as A)) === u,
    (u, c) => {
      const parsed = typeof u === 'string' ? parse(u) : undefined;
      return parsed === undefined ? t.failure(u, c) : t.success(parsed);
    },
    show,
  );
}

function integer(min: number, max: number) {
  return (s: string): number | undefined => {
    if (!/^(0|[1-9][0-9]*)$/.test(s)) return undefined;
    const n = Number(s);
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
  };
}

export const PositiveInt = textCodec('a positive integer', integer(1, Number.MAX_SAFE_INTEGER));
export const NonNegativeInt = textCodec('a non-negative integer', integer(0, Number.MAX_SAFE_INTEGER));
export const Port = textCodec('a port number (0-65535, 0 = any free port)', integer(0, 65535));

const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** RFC 1123 label as Kubernetes uses it: lowercase alphanumerics and '-', at most 63 characters. */
export function isDnsLabel(s: string): boolean {
  return dnsLabel.test(s);
}

/** Federation and member cluster names: they become single NATS subject tokens and Redis key parts. */
export const DnsLabel = textCodec('a DNS-1123 label (lowercase letters, digits and "-", at most 63)', (s) => (isDnsLabel(s) ? s : undefined));

export const Bool = textCodec('true or false', (s) => (s === 'true' ? true : s === 'false' ? false : undefined));

/** A file path, or empty for none. */
export const OptionalPath = textCodec<string>('a file path (empty: none)', (s) => s);

export const NonEmptyString = textCodec('a non-empty string', (s) => (s.trim() === '' ? undefined : s));

/** A comma-separated list of URLs whose scheme is one of `schemes`; kept as the normalised text. */
export function urlList(schemes: readonly string[]): t.Type<string, string, unknown> {
  const name = `a comma-separated list of ${schemes.map((s) => `${s}://`).join(' or ')} URLs`;
  return textCodec(name, (s) => {
    const urls = s.split(',').map((u) => u.trim());
    return urls.every((u) => schemes.some((scheme) => u.startsWith(`${scheme}://`)) && URL.canParse(u)) ? urls.join(',') : undefined;
  });
}

export function url(schemes: readonly string[]): t.Type<string, string, unknown> {
  const name = `a ${schemes.map((s) => `${s}://`).join(' or ')} URL`;
  return textCodec(name, (s) => (schemes.some((scheme) => s.startsWith(`${scheme}://`)) && URL.canParse(s) ? s : undefined));
}

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];
export const LogLevel = textCodec<LogLevel>(`one of ${logLevels.join(', ')}`, (s) => logLevels.find((l) => l === s));
