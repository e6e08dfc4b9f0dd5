// The http-api plugin's API, which the dashboard depends on (its types come from that package).
export type { HttpApi, RawResponse, RouteDefinition, RouteRequest } from '@devflow/plugin-http-api';
