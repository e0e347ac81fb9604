// A bus on the real NATS server under a private federation id, stopped when the test ends.
import { randomBytes } from 'node:crypto';
import { connectBus, type Bus } from '../../libs/infra/nats/bus.js';
import { capturedLogger } from './log-capture.js';

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

export function randomFederation(label = 't'): string {
  return `${label}-${randomBytes(4).toString('hex')}`;
}

interface Teardown { teardown(fn: () => unknown): void }

export async function testBus(t: Teardown, federation: string, name = 'test'): Promise<{ bus: Bus; lines: Record<string, unknown>[] }> {
  const { logger, lines } = capturedLogger(name);
  const bus = await connectBus({ url: NATS_URL, federation, logger, name });
  t.teardown(() => bus.stop());
  return { bus, lines };
}
