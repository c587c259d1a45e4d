/**
 * The fake Juju hook tools: `node cli.ts <tool> [args...]`, with FAKE_JUJU_STATE naming the state file.
 * Each tool follows Juju's behaviour as the charm sees it: flags parsed like Juju's gnuflag (`--` ends
 * flags), JSON output with --format=json, usage errors exit 2 and runtime errors exit 1, both printing
 * `ERROR <message>` on stderr; action-set key syntax, reserved keys and string values; leader-only app
 * databag writes; relation writes held until the hook ends (see finishHook in state.ts).
 */
import yaml from 'js-yaml';
import { readFileSync } from 'node:fs';
import { type FakeRelation, type HookToolState, readState, updateState } from './state.ts';

class ToolExit extends Error {
  code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}
const usage = (message: string) => new ToolExit(2, message);
const failure = (message: string) => new ToolExit(1, message);

interface Parsed {
  flags: Map<string, string | true>;
  positional: string[];
}

/** `valued` flags take the next argument when not given as --flag=value. */
function parseArgs(args: string[], valued: string[], boolean: string[]): Parsed {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('-') && arg !== '-') {
      const [rawName, inline] = arg.replace(/^--?/, '').split(/=(.*)/s, 2) as [string, string | undefined];
      if (valued.includes(rawName)) {
        const value = inline ?? args[++i];
        if (value === undefined) throw usage(`option needs an argument: ${arg}`);
        flags.set(rawName, value);
      } else if (boolean.includes(rawName)) {
        flags.set(rawName, inline ?? true);
      } else {
        throw usage(`option provided but not defined: ${arg}`);
      }
      continue;
    }
    positional.push(arg);
  }
  return { flags, positional };
}

function formatOutput(parsed: Parsed, value: unknown): string {
  const format = parsed.flags.get('format');
  if (format === 'json') return `${JSON.stringify(value)}\n`;
  if (format !== undefined && format !== 'smart' && format !== 'yaml') throw usage(`invalid value "${String(format)}" for option --format`);
  if (typeof value === 'string') return `${value}\n`;
  return yaml.dump(value);
}

function findRelation(state: HookToolState, id: string | true | undefined): FakeRelation {
  if (typeof id !== 'string') throw usage('no relation id specified');
  const relation = state.relations.find((candidate) => candidate.id === id || candidate.id.endsWith(`:${id}`));
  if (!relation) throw usage(`invalid value "${id}" for option -r: relation not found`);
  return relation;
}

const KEY_SEGMENT = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const RESERVED_KEYS = new Set(['stdout', 'stdout-encoding', 'stderr', 'stderr-encoding']);
const STATUSES = ['maintenance', 'blocked', 'waiting', 'active'];

function requireAction(state: HookToolState): NonNullable<HookToolState['action']> {
  if (!state.action) throw failure('not running an action');
  return state.action;
}

function appName(unit: string): string {
  return unit.split('/')[0] as string;
}

function run(tool: string, args: string[], statePath: string, stdin: () => string): string {
  updateState(statePath, (state) => state.calls.push({ tool, args }));
  const state = readState(statePath);
  switch (tool) {
    case 'action-get': {
      const parsed = parseArgs(args, ['format'], []);
      const params = requireAction(state).params;
      if (parsed.positional.length === 0) return formatOutput(parsed, params);
      const value = parsed.positional[0]?.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], params);
      return formatOutput(parsed, value ?? '');
    }
    case 'action-set': {
      const parsed = parseArgs(args, [], []);
      requireAction(state);
      const pairs: [string, string][] = [];
      for (const arg of parsed.positional) {
        const eq = arg.indexOf('=');
        if (eq <= 0) throw usage(`argument "${arg}" must be of the form key...=value`);
        const key = arg.slice(0, eq);
        for (const segment of key.split('.')) {
          if (!KEY_SEGMENT.test(segment)) throw usage(`key "${key}" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods`);
        }
        if (RESERVED_KEYS.has(key.split('.')[0] as string)) throw usage(`cannot set reserved action key "${key}"`);
        pairs.push([key, arg.slice(eq + 1)]);
      }
      if (pairs.length === 0) throw usage('no key=value pairs specified');
      updateState(statePath, (next) => {
        for (const [key, value] of pairs) next.results[key] = value;
      });
      return '';
    }
    case 'action-log': {
      const parsed = parseArgs(args, [], []);
      requireAction(state);
      if (parsed.positional.length === 0) throw usage('no message specified');
      updateState(statePath, (next) => next.actionLogs.push(parsed.positional.join(' ')));
      return '';
    }
    case 'action-fail': {
      const parsed = parseArgs(args, [], []);
      requireAction(state);
      updateState(statePath, (next) => {
        next.failure = parsed.positional.join(' ') || 'action failed without reason given, check action for errors';
      });
      return '';
    }
    case 'relation-ids': {
      const parsed = parseArgs(args, ['format'], []);
      const endpoint = parsed.positional[0];
      if (!endpoint) throw usage('no endpoint name specified');
      return formatOutput(parsed, state.relations.filter((relation) => relation.endpoint === endpoint).map((relation) => relation.id));
    }
    case 'relation-list': {
      const parsed = parseArgs(args, ['format', 'r', 'relation'], ['app']);
      const relation = findRelation(state, parsed.flags.get('r') ?? parsed.flags.get('relation'));
      return formatOutput(parsed, parsed.flags.has('app') ? relation.remoteApp : relation.remoteUnits);
    }
    case 'relation-get': {
      const parsed = parseArgs(args, ['format', 'r', 'relation'], ['app']);
      const relation = findRelation(state, parsed.flags.get('r') ?? parsed.flags.get('relation'));
      const [key = '-', member] = parsed.positional;
      if (!member) throw usage('no unit or application specified');
      const local = appName(state.unit);
      let bag: Record<string, string> | undefined;
      if (parsed.flags.has('app')) {
        if (member === local) {
          bag = { ...relation.localAppData };
          for (const write of state.pendingWrites.filter((w) => w.relationId === relation.id && w.app)) Object.assign(bag, write.data);
        } else if (member === relation.remoteApp) {
          bag = relation.remoteAppData;
        }
      } else if (member === state.unit) {
        bag = relation.localUnitData;
      } else {
        bag = relation.remoteUnitData[member];
      }
      if (bag === undefined) throw failure(`cannot read settings for ${parsed.flags.has('app') ? 'application' : 'unit'} "${member}" in relation "${relation.id}": not found`);
      return formatOutput(parsed, key === '-' ? bag : (bag[key] ?? ''));
    }
    case 'relation-set': {
      const parsed = parseArgs(args, ['r', 'relation', 'file', 'format'], ['app']);
      const relation = findRelation(state, parsed.flags.get('r') ?? parsed.flags.get('relation'));
      const app = parsed.flags.has('app');
      if (app && !state.leader) throw failure('cannot write relation settings: this unit is not the leader');
      const data: Record<string, string> = {};
      const file = parsed.flags.get('file');
      if (typeof file === 'string') {
        const loaded = yaml.load(file === '-' ? stdin() : readFileSync(file, 'utf8'));
        if (loaded !== null && loaded !== undefined) {
          if (typeof loaded !== 'object' || Array.isArray(loaded)) throw usage('expected YAML map of settings');
          for (const [key, value] of Object.entries(loaded)) {
            if (typeof value !== 'string') throw usage(`value of key "${key}" must be a string`);
            data[key] = value;
          }
        }
      }
      for (const arg of parsed.positional) {
        const eq = arg.indexOf('=');
        if (eq <= 0) throw usage(`expected "key=value", got "${arg}"`);
        data[arg.slice(0, eq)] = arg.slice(eq + 1);
      }
      updateState(statePath, (next) => next.pendingWrites.push({ relationId: relation.id, app, data }));
      return '';
    }
    case 'is-leader': {
      const parsed = parseArgs(args, ['format'], []);
      return formatOutput(parsed, state.leader);
    }
    case 'status-set': {
      const parsed = parseArgs(args, [], ['application']);
      const [status, ...message] = parsed.positional;
      if (!status || !STATUSES.includes(status)) throw usage(`invalid status "${status ?? ''}", expected one of [${STATUSES.join(' ')}]`);
      const appFlag = parsed.flags.get('application');
      const app = appFlag === true || appFlag === 'true';
      if (app && !state.leader) throw failure('setting application status: this unit is not the leader');
      updateState(statePath, (next) => next.statuses.push({ status, message: message.join(' '), app }));
      return '';
    }
    case 'config-get': {
      const parsed = parseArgs(args, ['format'], ['all', 'a']);
      const key = parsed.positional[0];
      return formatOutput(parsed, key === undefined ? state.config : (state.config[key] ?? null));
    }
    case 'secret-get': {
      const parsed = parseArgs(args, ['format', 'label'], ['peek', 'refresh']);
      const uri = parsed.positional[0];
      if (!uri) throw usage('missing secret URI');
      const content = state.secrets[uri];
      if (!content) throw failure(`secret "${uri.replace(/^secret:/, '')}" not found`);
      const key = parsed.positional[1];
      return formatOutput(parsed, key === undefined ? content : (content[key] ?? ''));
    }
    case 'juju-log': {
      const parsed = parseArgs(args, ['log-level', 'l'], ['debug']);
      const level = String(parsed.flags.get('log-level') ?? parsed.flags.get('l') ?? (parsed.flags.has('debug') ? 'DEBUG' : 'INFO'));
      if (parsed.positional.length === 0) throw usage('no message specified');
      updateState(statePath, (next) => next.jujuLogs.push({ level, message: parsed.positional.join(' ') }));
      return '';
    }
    default:
      throw usage(`unknown hook tool ${tool}`);
  }
}

function main(): void {
  const [tool, ...args] = process.argv.slice(2);
  const statePath = process.env.FAKE_JUJU_STATE;
  if (!tool || !statePath) {
    process.stderr.write('ERROR fake hook tools need a tool name and FAKE_JUJU_STATE\n');
    process.exit(2);
  }
  try {
    process.stdout.write(run(tool, args, statePath, () => readFileSync(0, 'utf8')));
  } catch (error) {
    if (error instanceof ToolExit) {
      process.stderr.write(`ERROR ${error.message}\n`);
      process.exit(error.code);
    }
    throw error;
  }
}

main();
