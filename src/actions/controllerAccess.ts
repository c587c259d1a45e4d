/**
 * The Juju controller access restore-databases (and list-backups) need: the Juju user secret named by
 * the `juju-credentials` config, and the controller addresses, model and version from the action's env.
 */
import type { CharmConfig } from '../charm/config';
import { RefusalError, RestoreError } from '../errors';
import type { ActionContext } from '../juju/context';
import { HookToolError } from '../juju/hookToolError';
import * as tools from '../juju/hookTools';
import type { ControllerAccess } from '../restore/databases/types';

/** The charm was not given a usable Juju login (config unset, secret not granted or incomplete): a refusal. */
export class ControllerAccessNotConfiguredError extends RefusalError {}

const SETUP_HINT =
  'Create a Juju user with admin access to this model and give its login to the charm as a secret: see "Access to the Juju controller" in the README';

export async function readControllerAccess(config: CharmConfig, context: ActionContext): Promise<ControllerAccess> {
  if (!config.jujuCredentials) {
    throw new ControllerAccessNotConfiguredError('juju-credentials is not set, so the charm cannot run the mysql-k8s actions', { hint: SETUP_HINT });
  }
  let content: Record<string, string>;
  try {
    content = await tools.secretGet(config.jujuCredentials, { publicKeys: ['username', 'ca-cert'] });
  } catch (error) {
    if (error instanceof HookToolError && error.exitCode === 1) {
      throw new ControllerAccessNotConfiguredError(`cannot read the juju-credentials secret: ${error.stderr.trim().replace(/^ERROR\s+/, '')}`, {
        hint: `Grant it to the charm: juju grant-secret ${config.jujuCredentials.replace(/^secret:/, '')} ckf-restore`,
        cause: error,
      });
    }
    throw error;
  }
  const missing = ['username', 'password', 'ca-cert'].filter((key) => !content[key]);
  if (missing.length > 0) {
    throw new ControllerAccessNotConfiguredError(`the juju-credentials secret lacks ${missing.join(', ')}`, { hint: SETUP_HINT });
  }
  if (context.apiAddresses.length === 0 || !context.modelUuid) {
    throw new RestoreError('Juju did not give the controller address or model (JUJU_API_ADDRESSES, JUJU_MODEL_UUID)', { hint: 'Run the action with juju run on a Juju 3 controller' });
  }
  return {
    credentials: { username: content.username as string, password: content.password as string, caCert: content['ca-cert'] as string },
    endpoint: { addresses: context.apiAddresses, modelUuid: context.modelUuid, clientVersion: context.jujuVersion, modelName: context.modelName },
  };
}
