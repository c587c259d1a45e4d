/**
 * Packs the charm once per test run and unpacks it where the e2e tests find it, so every e2e test drives
 * the same artifact an operator would deploy.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { packCharm } from '../../scripts/pack.ts';
import { E2E_CHARM_DIR, unpackCharm } from '../helpers/unpackCharm';

export default async function globalSetup(): Promise<void> {
  const charm = await packCharm();
  rmSync(E2E_CHARM_DIR, { recursive: true, force: true });
  mkdirSync(E2E_CHARM_DIR, { recursive: true });
  await unpackCharm(charm, E2E_CHARM_DIR);
}
