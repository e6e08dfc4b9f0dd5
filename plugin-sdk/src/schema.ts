/**
 * A JSON Schema (draft 2020-12 / draft-07 subset that ajv understands), as plain data.
 *
 * Write schemas `as const` so that {@link FromSchema} can infer the TypeScript type.
 *
 * @example
 * ```ts
 * const config = {
 *   type: 'object',
 *   properties: { windowDays: { type: 'integer', minimum: 1, default: 30 } },
 *   additionalProperties: false,
 * } as const satisfies JsonSchema;
 * ```
 */
export type JsonSchema = boolean | JsonSchemaObject;

/**
 * The object form of a {@link JsonSchema}. Unknown keywords are allowed so that any ajv keyword
 * (`format`, `pattern`, `$defs`, …) can be used.
 *
 * @example
 * ```ts
 * const s: JsonSchemaObject = { type: 'string', minLength: 1, description: 'A branch name' };
 * ```
 */
export interface JsonSchemaObject {
  readonly type?: JsonTypeName | readonly JsonTypeName[];
  readonly properties?: { readonly [key: string]: JsonSchema };
  readonly required?: readonly string[];
  readonly additionalProperties?: JsonSchema;
  readonly items?: JsonSchema;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly default?: unknown;
  readonly description?: string;
  readonly title?: string;
  readonly [keyword: string]: unknown;
}

/**
 * The primitive type names of JSON Schema.
 *
 * @example
 * ```ts
 * const t: JsonTypeName = 'integer';
 * ```
 */
export type JsonTypeName = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type RequiredKeys<S> = S extends { required: readonly (infer R)[] } ? R & string : never;
type DefaultedKeys<P> = { [K in keyof P]: P[K] extends { default: unknown } ? K : never }[keyof P];
/** An object schema that says nothing of its keys: any record for inputs, any object for outputs. */
type Bare<L> = L extends true ? object : Record<string, unknown>;

type ObjectOf<S, L> = S extends { properties: infer P }
  ? Simplify<
      { -readonly [K in keyof P as K extends RequiredKeys<S> | DefaultedKeys<P> ? K : never]: FromSchema<P[K], L> } & {
        -readonly [K in keyof P as K extends RequiredKeys<S> | DefaultedKeys<P> ? never : K]?: FromSchema<P[K], L>;
      } & AdditionalOf<S, L>
    >
  : AdditionalOf<S, L> extends Record<string, never>
    ? Bare<L>
    : AdditionalOf<S, L>;

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type AdditionalOf<S, L> = S extends { additionalProperties: infer A }
  ? A extends false
    ? {}
    : A extends true
      ? Bare<L>
      : Record<string, FromSchema<A, L>>
  : {};

type FromTypeName<T, S, L> = T extends 'object'
  ? ObjectOf<S, L>
  : T extends 'array'
    ? S extends { items: infer I }
      ? FromSchema<I, L>[]
      : unknown[]
    : T extends 'string'
      ? string
      : T extends 'number' | 'integer'
        ? number
        : T extends 'boolean'
          ? boolean
          : T extends 'null'
            ? null
            : unknown;

/**
 * The TypeScript type of the values a {@link JsonSchema} accepts, inferred at compile time.
 * Covers `type` (one or a list), `properties`/`required`/`additionalProperties`, `items`, `enum`
 * and `const`. A property with a `default` counts as present, because the kernel validates config
 * and tool arguments with ajv's `useDefaults`. Anything it cannot infer becomes `unknown`.
 * With `Loose = true` (used for tool results) an object schema without properties accepts any
 * object, interfaces included.
 *
 * @example
 * ```ts
 * const schema = { type: 'object', properties: { limit: { type: 'integer', default: 10 } } } as const;
 * type Args = FromSchema<typeof schema>; // { limit: number }
 * ```
 */
export type FromSchema<S, Loose = false> = S extends true
  ? unknown
  : S extends false
    ? never
    : S extends { const: infer C }
      ? C
      : S extends { enum: readonly (infer E)[] }
        ? E
        : S extends { type: readonly (infer T)[] }
          ? FromTypeName<T, S, Loose>
          : S extends { type: infer T }
            ? FromTypeName<T, S, Loose>
            : S extends { properties: unknown }
              ? ObjectOf<S, Loose>
              : unknown;
