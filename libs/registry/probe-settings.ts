// How and when a member is probed: the federation's defaults, per-cluster annotation overrides, its slot in the period.
import { fnv1_32 } from '../placement/planner.js';

export interface ProbeSettings {
  /** One probe per period, at the cluster's own offset in it. */
  readonly periodMs: number;
  /** A probe request without an answer after this long counts as unreachable. */
  readonly timeoutMs: number;
  readonly failureThreshold: number;
  readonly successThreshold: number;
}

/** Annotations on a Cluster that override the federation's probe settings for it. */
export const PROBE_ANNOTATIONS = {
  periodMs: 'kfed.io/probe-period',
  timeoutMs: 'kfed.io/probe-timeout',
  failureThreshold: 'kfed.io/failure-threshold',
  successThreshold: 'kfed.io/success-threshold',
} as const satisfies Record<keyof ProbeSettings, string>;

const units: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/** "10s", "500ms", "1m", "1.5s" or plain milliseconds ("2500"); undefined unless a positive whole number of ms. */
export function parseDuration(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s.trim());
  if (m === null) return undefined;
  const ms = Number(m[1]) * (units[m[2] ?? 'ms'] ?? 1);
  return Number.isInteger(ms) && ms > 0 ? ms : undefined;
}

const count = (s: string): number | undefined => (/^[1-9]\d{0,5}$/.test(s.trim()) ? Number(s) : undefined);

/**
 * The settings for one cluster: each valid annotation overrides its default; an invalid one is
 * ignored and named in `problems`. A timeout longer than the period is cut to the period: a probe
 * never overlaps the next one of the same cluster.
 */
export function probeSettingsFor(
  annotations: Readonly<Record<string, string>> | undefined, defaults: ProbeSettings,
): { readonly settings: ProbeSettings; readonly problems: readonly string[] } {
  const problems: string[] = [];
  const pick = (key: keyof ProbeSettings, parse: (s: string) => number | undefined, expected: string): number => {
    const text = annotations?.[PROBE_ANNOTATIONS[key]];
    if (text === undefined) return defaults[key];
    const value = parse(text);
    if (value !== undefined) return value;
    problems.push(`annotation ${PROBE_ANNOTATIONS[key]}: expected ${expected}, got ${JSON.stringify(text)}; using ${defaults[key]}`);
    return defaults[key];
  };
  const periodMs = pick('periodMs', parseDuration, 'a duration such as 10s or 500ms');
  const timeoutMs = Math.min(periodMs, pick('timeoutMs', parseDuration, 'a duration such as 3s or 500ms'));
  const failureThreshold = pick('failureThreshold', count, 'a whole number from 1');
  const successThreshold = pick('successThreshold', count, 'a whole number from 1');
  return { settings: { periodMs, timeoutMs, failureThreshold, successThreshold }, problems };
}

const utf8 = new TextEncoder();

/** MurmurHash3's finaliser: FNV-1 leaves names that differ in their last letter close together. */
function mix(h: number): number {
  let x = h;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Where in each period a cluster is probed: the same on every replica, spread evenly over the clusters. */
export function probeOffset(cluster: string, periodMs: number): number {
  return mix(fnv1_32(utf8.encode(cluster))) % periodMs;
}

/** The cluster's first probe slot strictly after `afterMs` (slots: offset + k·period on the wall clock). */
export function nextProbeAt(afterMs: number, offsetMs: number, periodMs: number): number {
  const k = Math.floor((afterMs - offsetMs) / periodMs) + 1;
  return offsetMs + k * periodMs;
}
