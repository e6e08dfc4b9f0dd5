/**
 * A refused or failed operation (backup, restore, maintenance, migrate): what went wrong and what
 * to do. The CLI prints it as one `devflow: …` line and exits 1; nothing was left half-done.
 */
export class OpsError extends Error {
  constructor(
    message: string,
    /** The concrete next step (a command or a file to edit), when there is one. */
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'OpsError';
  }

  lines(): string[] {
    return [`devflow: ${this.message}`, ...(this.fix ? [`  fix: ${this.fix}`] : [])];
  }
}
