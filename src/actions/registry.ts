/**
 * The charm's actions, each loaded only when it runs: hooks then never pay for the S3, Kubernetes or
 * Juju API clients, which keeps every hook's start-up short.
 */
import type { ActionHandler } from '../juju/actionRunner';

export const ACTIONS: Record<string, () => Promise<ActionHandler>> = {
  'list-backups': async () => (await import('./listBackups')).listBackupsAction,
  'restore-mlpipeline': async () => (await import('./restoreMlpipeline')).restoreMlpipelineAction,
  'restore-mlmd': async () => (await import('./restoreMlmd')).restoreMlmdAction,
  'restore-databases': async () => (await import('./restoreDatabases')).restoreDatabasesAction,
};
