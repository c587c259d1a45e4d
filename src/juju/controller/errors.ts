import { RestoreError } from '../../errors';

/** The charm could not get into the model through the controller API. Subclasses say why and how to fix it. */
export class ControllerAccessError extends RestoreError {}

/** Juju refused the username/password. */
export class ControllerAuthenticationError extends ControllerAccessError {}

/** The user exists but has no access to the model (or only read access where write is needed). */
export class ModelAccessDeniedError extends ControllerAccessError {}

/** No address answered within the bound. */
export class ControllerUnreachableError extends ControllerAccessError {}

/** The controller's certificate did not verify against the CA from the secret. */
export class ControllerTlsError extends ControllerAccessError {}

/** The controller does not know the model UUID the charm runs in. */
export class ModelNotFoundError extends ControllerAccessError {}

/** An API call failed or timed out after login. */
export class ControllerCallError extends RestoreError {}
