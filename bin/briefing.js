#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so a fresh clone needs no build step after `npm ci`.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every run under Node 20 about its 2027 support window (the Lambdas run Node 22, and the
// lock pins the SDK); its own switch turns that off here and in the local servers this process starts.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
await import('./cli/main.ts');
