/** Thrown by commands to end with a given exit code after printing `lines` to stderr. */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    readonly lines: string[] = [],
  ) {
    super(lines.join('\n'));
  }
}
