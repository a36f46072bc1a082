#!/usr/bin/env node
// The `wuye` command: runs the TypeScript CLI through tsx's loader (no build step).
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register();
const { runCli } = await import(fileURLToPath(new URL('../server/cli/main.ts', import.meta.url)));
process.exitCode = await runCli(process.argv.slice(2));
