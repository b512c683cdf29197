// The child of gc.finds-killed-run runs TypeScript (its own and the driver's) with tsx, as harness/bin.js does.
import { register } from 'tsx/esm/api';

register();
await import('./killed-run.ts');
