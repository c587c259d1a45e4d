import { RestoreError } from '../errors';

/** Neither KUBECONFIG nor the in-cluster service account is available. */
export class KubeConfigError extends RestoreError {}

/** A Kubernetes API call failed (other than an expected "not found"). */
export class KubeApiError extends RestoreError {
  readonly statusCode: number | undefined;

  constructor(message: string, options: { statusCode?: number; hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.statusCode = options.statusCode;
  }
}

/** The object we need does not exist (pod, StatefulSet, container). */
export class KubeNotFoundError extends RestoreError {}

/** A command run in a container exited non-zero. */
export class ExecFailedError extends RestoreError {
  readonly command: readonly string[];
  readonly exitCode: number;
  readonly stderr: string;

  constructor(pod: string, container: string, command: readonly string[], exitCode: number, stderr: string) {
    super(
      `Command ${JSON.stringify(command)} in ${pod}/${container} exited with code ${exitCode}` +
        (stderr ? `: ${stderr}` : ''),
      { hint: `Check the container with: kubectl exec ${pod} -c ${container} -- <command>, and its logs` },
    );
    this.command = command;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/** The exec stream broke or ended without an exit status: the command's outcome is unknown. */
export class ExecConnectionError extends RestoreError {}

/** Something did not reach the wanted state in time. */
export class KubeTimeoutError extends RestoreError {}
