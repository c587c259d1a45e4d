// `node --import ./scripts/register-ts.mjs --experimental-transform-types file.ts`
import { register } from 'node:module';

register('./resolve-ts.mjs', import.meta.url);
