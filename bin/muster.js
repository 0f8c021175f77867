#!/usr/bin/env node
// The `muster` command: loads the TypeScript CLI through tsx so a clone runs without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../main/cli/main.ts');
