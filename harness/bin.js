#!/usr/bin/env node
// The harness is TypeScript run by tsx: no build step between a checkout and a run.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli/main.ts');
process.exitCode = await main(process.argv);
