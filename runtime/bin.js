#!/usr/bin/env node
// The `tsfpm` command. Plain JavaScript so it runs right after `npm ci`: it registers the
// TypeScript loader (tsx) first, then hands over to the CLI, which is TypeScript.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./process/cli.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
// A tail cut at shutdown goes on in this process, and a script's own timers or connections may hold
// it too: the process exits once what is pending (log files) is written, at most a second later.
setTimeout(() => process.exit(code), 1000).unref();
