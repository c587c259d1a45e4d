import { RestoreError } from '../errors';

/** A hook tool exited non-zero (2: bad usage, 1: runtime error) or could not be started. */
export class HookToolError extends RestoreError {
  readonly tool: string;
  readonly args: readonly string[];
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;

  constructor(fields: { tool: string; args: readonly string[]; exitCode: number | undefined; stdout: string; stderr: string; cause?: unknown }) {
    const reason = fields.stderr.trim().replace(/^ERROR\s+/, '') || (fields.exitCode === undefined ? 'could not be started' : `exit code ${fields.exitCode}`);
    super(`${fields.tool} failed: ${reason}`, { cause: fields.cause });
    this.tool = fields.tool;
    this.args = fields.args;
    this.exitCode = fields.exitCode;
    this.stdout = fields.stdout;
    this.stderr = fields.stderr;
  }
}
