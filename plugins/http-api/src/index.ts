import plugin from './plugin.js';

export default plugin;
/** The http-api plugin's API and registration types (see README). */
export type { HttpApi, RawResponse, RouteDefinition, RouteMethod, RouteRequest, StaticDefinition } from './api-types.js';
/** The config schema and its type. */
export { CONFIG_SCHEMA, type HttpApiConfig } from './config.js';
/** The error codes it uses. */
export type { HttpErrorCode } from './errors.js';
