// The dashboard's error codes (docs/errors.md, "Plugin error codes").
export type DashboardErrorCode = 'DASH_ERR_NOT_BUILT' | 'DASH_ERR_REPORT_FILE';

/** An error with a code, and for route answers the HTTP status it becomes. */
export function dashError(code: DashboardErrorCode, message: string, status?: number): Error & { code: string; status?: number } {
  return Object.assign(new Error(`${code}: ${message}`), { code }, status === undefined ? {} : { status });
}

/** HTTP status for a failed tool call, by the kernel's error code. */
export function statusForToolError(code: string): number {
  switch (code) {
    case 'KRN_ERR_FORBIDDEN':
      return 403;
    case 'KRN_ERR_TOOL_INPUT':
      return 400;
    case 'KRN_ERR_TOOL_NOT_FOUND':
      return 404;
    case 'KRN_ERR_TOOL_TIMEOUT':
      return 504;
    default:
      return 500;
  }
}
