import { RefusalError } from '../errors';

/** The remote charm's databag is there but a field is missing or malformed. `field` names it. */
export class RelationDataError extends RefusalError {
  constructor(
    readonly endpoint: string,
    readonly field: string,
    problem: string,
  ) {
    super(`${endpoint} relation: ${field} ${problem}`, { hint: `Check the configuration of the application on the other side of ${endpoint}` });
  }
}
