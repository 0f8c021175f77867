// The registry log's name, apart from its records' schemas: code that only has to recognise the registry log (a
// verification worker's key schedule) then loads no validation library.

/** The registry log: HQ's own log of kiosk registrations and key revocations. */
export const REGISTRY_ORIGIN = 'hq/registry';
