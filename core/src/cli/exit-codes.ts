/** CLI exit codes (documented in docs/errors.md and `devflow --help`). */
export const EXIT = Object.freeze({
  /** Success. */
  OK: 0,
  /** Plugin problems with --fail-fast, nothing could run, or a check found problems. */
  PROBLEMS: 1,
  /** Bad command line. */
  USAGE: 2,
  /** The config file is missing, malformed or invalid (EX_CONFIG). */
  CONFIG: 78,
});
