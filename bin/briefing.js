#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so a fresh clone needs no build step after `npm ci`.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every run under Node 20 about its 2027 support window; the Lambdas run Node 22.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => (String(warning).startsWith('NodeVersionSupportWarning') ? undefined : emitWarning(warning, ...rest));

register();
await import('./cli/main.ts');
