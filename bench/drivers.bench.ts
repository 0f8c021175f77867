import type { Suite } from './suites.ts';

export const driversSuite: Suite = { name: 'drivers', run: () => Promise.resolve() };
