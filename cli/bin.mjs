#!/usr/bin/env node
// The `stratus` executable (package.json `bin`): loads tsx's loader, then runs the TypeScript CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
await main(process.argv.slice(2));
