import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { AJV_OPTIONS, precompiled, precompiledMeta, schemaKey } from './validator-precompiled.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives as the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

/** One validation problem: where (JSON pointer segments) and what is wrong. */
export interface SchemaIssue {
  /** Path segments from the validated root, e.g. ['plugins', 'git-monitor', 'config', 'windowDays']. */
  path: string[];
  message: string;
}

export type Validate = (value: unknown) => SchemaIssue[];

function decodePointer(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function describe(error: ErrorObject): { extra: string[]; message: string } {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return { extra: [String(p.additionalProperty)], message: `unknown key "${String(p.additionalProperty)}"; remove it or check its spelling` };
    case 'required':
      return { extra: [], message: `missing required key "${String(p.missingProperty)}"` };
    case 'enum':
      return { extra: [], message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'type':
      return { extra: [], message: `must be ${String(p.type)}` };
    default:
      return { extra: [], message: error.message ?? error.keyword };
  }
}

/** Render a path for people: plugins.git-monitor.config.windowDays, projects[0]. */
export function formatPath(path: readonly string[]): string {
  let out = '';
  for (const seg of path) {
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (!/^[A-Za-z_$][\w$-]*$/.test(seg)) out += `[${JSON.stringify(seg)}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out || '(root)';
}

/**
 * One ajv instance for the kernel: all errors, defaults applied, formats on. Not strict about
 * unknown keywords, because plugin schemas may carry editor hints such as markdownDescription.
 */
export class SchemaValidator {
  private ajvInstance: Ajv | undefined;
  private readonly cache = new WeakMap<object, ValidateFunction>();

  /** Created on first need: with the first-party schemas precompiled, a start may need none. */
  private get ajv(): Ajv {
    if (!this.ajvInstance) addFormats((this.ajvInstance = new Ajv({ ...AJV_OPTIONS })));
    return this.ajvInstance;
  }

  /** Compile a schema (cached per schema object). Throws if the schema itself is invalid. */
  compile(schema: object | boolean): Validate {
    const key = typeof schema === 'object' ? schema : { const: schema };
    let fn = this.cache.get(key);
    if (!fn) {
      const plain = typeof schema === 'boolean' ? (schema ? {} : { not: {} }) : schema;
      fn = precompiled(schemaKey(plain)) ?? this.ajv.compile(plain);
      this.cache.set(key, fn);
    }
    const validate = fn;
    return (value) => {
      if (validate(value)) return [];
      return (validate.errors ?? []).map((e) => {
        const { extra, message } = describe(e);
        return { path: [...decodePointer(e.instancePath), ...extra], message };
      });
    };
  }

  /**
   * A validator compiled on first use. Cold start matters (an AI client waits for `tools/list`),
   * and compiling every tool's schemas up front cost more than half of the kernel's own start; a
   * schema that passes {@link checkSchema} but still fails to compile (a dangling `$ref`) throws
   * on the first call instead.
   */
  lazy(schema: object | boolean): Validate {
    let validate: Validate | undefined;
    return (value) => (validate ??= this.compile(schema))(value);
  }

  /**
   * Check a schema against the JSON Schema meta-schema (cheap, unlike compiling it); returns what
   * is wrong, or undefined.
   */
  checkSchema(schema: unknown): string | undefined {
    if (typeof schema !== 'object' && typeof schema !== 'boolean') return 'schema must be an object';
    try {
      const meta = precompiledMeta();
      if (meta) return meta(schema) ? undefined : this.ajv.errorsText(meta.errors, { dataVar: 'schema' });
      if (this.ajv.validateSchema(schema as object) === true) return undefined;
      return this.ajv.errorsText(this.ajv.errors, { dataVar: 'schema' });
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }

  /** Check that a schema compiles (compiled through the cache, so the later use is free). */
  checkCompiles(schema: unknown): string | undefined {
    const problem = this.checkSchema(schema);
    if (problem) return problem;
    try {
      this.compile(schema as object | boolean);
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }
}
