// `node --import ./scripts/registerTs.mjs --experimental-transform-types file.ts`
import { register } from 'node:module';

register('./resolveTs.mjs', import.meta.url);
