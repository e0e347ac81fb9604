// Builders of well-formed events for tests.
import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../../libs/events/envelope.js';

export function newEvent(type: string, data: unknown, over: Partial<NewEvent> = {}): NewEvent {
  return {
    id: randomUUID(),
    type,
    time: new Date().toISOString(),
    correlationId: randomUUID(),
    causationId: null,
    actor: 'test',
    data,
    ...over,
  };
}
