#!/usr/bin/env node
// The `tsfpm` command. Plain JavaScript so it runs right after `npm ci`: it registers the
// TypeScript loader (tsx) first, then hands over to the CLI, which is TypeScript.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
