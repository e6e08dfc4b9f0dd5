// filtrex expressions for rule conditions: compiled once, with errors that say where they are.
import { compileExpression } from 'filtrex';

/** Metric names the metrics plugin's `value()` answers (contracts.md). */
export const METRIC_NAMES = ['activeMs', 'commits', 'testRuns', 'testFailures', 'buildMs', 'deployments', 'aiSessionMs', 'linesChanged'] as const;
const BUILTIN_FUNCTIONS = new Set(['abs', 'ceil', 'floor', 'log', 'log2', 'log10', 'max', 'min', 'round', 'sqrt', 'exists', 'empty', 'metric']);
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'if', 'then', 'else', 'of', 'mod']);
const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Evaluates `metric(name, windowMs)` for the scope being evaluated; throws when metrics are not available. */
export type MetricLookup = (metric: string, windowMs: number) => number;

/** What an expression sees: the event (or the schedule tick) and a metric lookup for its project. */
export interface EvalScope {
  readonly vars: Record<string, unknown>;
  readonly metric: MetricLookup;
}

export type Compiled = (scope: EvalScope) => { ok: true; value: boolean } | { ok: false; error: string };

export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly column: number | null,
  ) {
    super(message);
  }
}

/** A duration such as `30m`, `1h`, `7d` in ms, or undefined. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(text.trim());
  return m ? Number(m[1]) * (UNIT_MS[(m[2] as string).toLowerCase()] as number) : undefined;
}

/** `expr` with string literals blanked out (same length), so scans for calls ignore text in quotes. */
function blankStrings(expr: string): string {
  return expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, (s) => ' '.repeat(s.length));
}

/** Checks what filtrex accepts but fails only at run time: unknown functions and bad metric() arguments. */
function checkCalls(expr: string): void {
  const blank = blankStrings(expr);
  for (const m of blank.matchAll(/([A-Za-z_$][\w$]*)\s*\(/g)) {
    const name = m[1] as string;
    if (KEYWORDS.has(name) || BUILTIN_FUNCTIONS.has(name)) continue;
    throw new ExpressionError(`unknown function ${name}() at column ${(m.index ?? 0) + 1}; known: ${[...BUILTIN_FUNCTIONS].join(', ')}`, (m.index ?? 0) + 1);
  }
  for (const m of blank.matchAll(/\bmetric\s*\(/g)) {
    const at = m.index ?? 0;
    const args = /^metric\s*\(\s*"([^"]*)"\s*,\s*"([^"]*)"\s*\)/.exec(expr.slice(at));
    if (!args) throw new ExpressionError(`metric() at column ${at + 1} takes two quoted strings: metric("testFailures", "1h")`, at + 1);
    if (!(METRIC_NAMES as readonly string[]).includes(args[1] as string)) {
      throw new ExpressionError(`metric "${args[1]}" at column ${at + 1} is unknown; known: ${METRIC_NAMES.join(', ')}`, at + 1);
    }
    if (parseDuration(args[2] as string) === undefined) throw new ExpressionError(`metric window "${args[2]}" at column ${at + 1} is not a duration such as "30m", "1h" or "7d"`, at + 1);
  }
}

/** filtrex's parse errors draw a caret under the position: turn that into a column and one line. */
function describeParseError(expr: string, e: Error): ExpressionError {
  const lines = e.message.split('\n');
  const caretLine = lines.find((l) => /^-*\^$/.test(l));
  const column = caretLine ? caretLine.length : null;
  const expecting = lines.find((l) => l.startsWith('Expecting'));
  const what = e.message.startsWith('Lexical') ? 'unrecognized text' : 'syntax error';
  const near = column !== null ? ` near "${expr.slice(Math.max(0, column - 1), column + 9)}"` : '';
  return new ExpressionError(`${what} at column ${column ?? '?'}${near}${expecting ? ` (${expecting.replace(/, got .*/, '').slice(0, 160)})` : ''}`, column);
}

/**
 * Compile a rule condition. Variables are the event's fields (`type`, `project`, `severity`,
 * `data.failed`, ...; dots read properties, missing ones are null), `true`/`false`/`null`, and
 * `metric("name", "1h")`. Throws {@link ExpressionError} with a column.
 */
export function compileCondition(expr: string): Compiled {
  checkCalls(expr);
  let current: EvalScope | null = null;
  let fn: (obj: unknown) => unknown;
  try {
    fn = compileExpression(expr, {
      constants: { true: true, false: false, null: null },
      extraFunctions: {
        metric: (name: string, window: string) => {
          if (!current) throw new Error('metric() outside an evaluation');
          return current.metric(name, parseDuration(window) as number);
        },
      },
      customProp: (name: string, _get: unknown, obj: unknown) => readPath(obj, name),
    });
  } catch (e) {
    throw describeParseError(expr, e as Error);
  }
  return (scope) => {
    current = scope;
    try {
      const v = fn(scope.vars);
      // A missing or mistyped field (null > 3, "5" > 3) just does not match: events have odd fields.
      if (v instanceof Error) return (v as { I18N_STRING?: string }).I18N_STRING === 'UNEXPECTED_TYPE' ? { ok: true, value: false } : { ok: false, error: v.message };
      return { ok: true, value: Boolean(v) };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    } finally {
      current = null;
    }
  };
}

/** `a.b.c` from own properties only (never the prototype chain); missing → null. */
export function readPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, part)) return null;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === undefined ? null : cur;
}
