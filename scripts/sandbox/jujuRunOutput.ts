/**
 * Prints an action run the way `juju run` (Juju 3) shows it: the task line, action-log lines with times,
 * the results as YAML (dotted keys nested back), the charm's stderr, and for a non-zero exit status what
 * Juju makes of it: the task failed with the message "exit status 1" (the uniter replaces action-fail's
 * message with the process error) and `juju run` itself exits 1 (cmd/juju/action/common.go).
 */
import yaml from 'js-yaml';

export interface ActionRunView {
  unit: string;
  action: string;
  params: Record<string, unknown>;
  logs: string[];
  results: Record<string, string>;
  failure: string | null;
  /** The charm process's exit status: Juju's task return-code. */
  exitCode: number;
  stderr: string;
  seconds: number;
}

export function nestResults(flat: Record<string, string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat).sort(([a], [b]) => a.localeCompare(b))) {
    const path = key.split('.');
    let node = root;
    for (const segment of path.slice(0, -1)) {
      if (typeof node[segment] !== 'object' || node[segment] === null) node[segment] = {};
      node = node[segment] as Record<string, unknown>;
    }
    node[path.at(-1) as string] = value;
  }
  return root;
}

export function formatJujuRun(view: ActionRunView, operation: number): string {
  const unitTag = `unit-${view.unit.replace('/', '-')}`;
  const args = Object.entries(view.params).map(([key, value]) => `${key}=${String(value)}`).join(' ');
  const time = new Date().toISOString().slice(11, 19);
  const lines = [
    `$ juju run ${view.unit} ${view.action}${args ? ` ${args}` : ''}`,
    `Running operation ${operation} with 1 task`,
    `  - task ${operation + 1} on ${unitTag}`,
    '',
    `Waiting for task ${operation + 1}...`,
    ...view.logs.map((line) => `${time} ${line}`),
    '',
  ];
  const task = operation + 1;
  const message = view.exitCode !== 0 ? `exit status ${view.exitCode}` : view.failure;
  if (message !== null) lines.push(`Action id ${task} failed: ${message}`);
  const results = nestResults(view.results);
  if (Object.keys(results).length > 0) lines.push(yaml.dump(results, { lineWidth: 120 }).trimEnd());
  if (view.stderr.trim() !== '') lines.push(view.stderr.trim());
  if (view.exitCode !== 0) lines.push(`ERROR the following task failed:`, ` - id "${task}" with return code ${view.exitCode}`, '', `use 'juju show-task' to inspect the failure`);
  lines.push(`(juju run exits ${view.exitCode === 0 ? 0 : 1}; ${view.seconds.toFixed(1)} s)`, '');
  return lines.join('\n');
}
