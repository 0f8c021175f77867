import type { Suite } from './suites.ts';

export const ledgerSuite: Suite = { name: 'ledger', run: () => Promise.resolve() };
