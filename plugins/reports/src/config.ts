// reports' config schema and its typed shape.
import type { Period, SprintConfig, TimeZoneMode } from './period.js';
import type { ReportFormat } from './report-data.js';

export interface ScheduleSpec {
  name: string;
  cron: string;
  period: Period;
  format: ReportFormat;
  project?: string;
  /** `previous` (default): the last completed period at firing time; `current`: the period that contains it. */
  which: 'previous' | 'current';
  weeks?: number;
  deliver: { file?: string; notify: boolean };
}

export interface ReportsConfig {
  timeZone: TimeZoneMode;
  sprint: SprintConfig;
  maxItems: number;
  redStreakMinRuns: number;
  schedules: ScheduleSpec[];
}

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    timeZone: { type: 'string', enum: ['local', 'utc'], default: 'local', description: 'Day and week boundaries, date labels and cron times: the machine\'s local time or UTC.' },
    sprint: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        lengthDays: { type: 'integer', minimum: 1, maximum: 120, default: 14 },
        start: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', default: '2026-01-05', description: 'First day of sprint 1 (YYYY-MM-DD).' },
      },
    },
    maxItems: { type: 'integer', minimum: 1, maximum: 50, default: 10, description: 'Most rows in each list of a report (hot files, bottlenecks, notable events).' },
    redStreakMinRuns: { type: 'integer', minimum: 2, maximum: 1000, default: 3, description: 'Failed test runs in a row that make a red streak notable.' },
    schedules: {
      type: 'array',
      maxItems: 50,
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'cron', 'period', 'format'],
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' },
          cron: { type: 'string', minLength: 1, maxLength: 200, description: 'croner syntax: 5 fields, or 6 with seconds first; nicknames like @daily.' },
          period: { type: 'string', enum: ['day', 'week', 'sprint'] },
          format: { type: 'string', enum: ['markdown', 'html', 'json'] },
          project: { type: 'string', minLength: 1, maxLength: 4096 },
          which: { type: 'string', enum: ['previous', 'current'], default: 'previous' },
          weeks: { type: 'integer', minimum: 1, maximum: 26 },
          deliver: {
            type: 'object',
            additionalProperties: false,
            default: {},
            properties: {
              file: { type: 'string', minLength: 1, maxLength: 4096, description: 'Path template: {date}, {period}, {name}, {ext}, {project}; ~ and relative paths allowed.' },
              notify: { type: 'boolean', default: false },
            },
          },
        },
      },
    },
  },
} as const;
