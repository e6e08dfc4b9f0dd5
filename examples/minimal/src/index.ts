import { definePlugin } from '@devflow/plugin-sdk';
import { EventCounter } from './counter.js';

/**
 * Counts the events flowing through DevFlow by type and answers "what has been happening?".
 * Load it with `"plugins": { "./examples/minimal": { "enabled": true } }`.
 */
export default definePlugin({
  id: 'minimal',
  version: '1.0.0',
  kernel: '^1.0.0',
  permissions: ['events:read'],
  config: {
    type: 'object',
    additionalProperties: false,
    properties: { ignore: { type: 'array', items: { type: 'string' }, default: [], description: 'Event types not to count.' } },
  },
  start(ctx) {
    const counter = new EventCounter();
    const ignored = new Set(ctx.config.ignore);
    ctx.events.on('*', (event) => {
      if (!ignored.has(event.type)) counter.add(event.type);
    });
    ctx.tools.register(
      {
        name: 'minimal_event_counts',
        description: 'How many events of each type DevFlow has seen since it started, most frequent first.',
        permission: 'events:read',
        annotations: { readOnlyHint: true },
        inputSchema: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 50, default: 10 } }, additionalProperties: false },
        outputSchema: {
          type: 'object',
          properties: { counts: { type: 'array', items: { type: 'object', properties: { type: { type: 'string' }, count: { type: 'integer' } }, required: ['type', 'count'] } } },
          required: ['counts'],
        },
      },
      ({ limit }) => ({ counts: counter.top(limit) }),
    );
    return { top: (limit: number) => counter.top(limit) };
  },
});
