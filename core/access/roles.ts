// Who may do what (pure, so the renderer can hide what the API would refuse anyway). The API enforces the same
// `can`: hiding a button is a courtesy, never the control.
//   parolee  at a kiosk: only their own subject
//   staff    at a centre: the people and kiosks of their centres
//   officer  HQ correction officer: every centre
//   police   read-only check-in and breach status, personal data but never biometrics
//   auditor  log verification and the access records, no personal data

export const ROLES = ['parolee', 'staff', 'officer', 'police', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const ACTIONS = [
  'read-roster', // who is due and who checked in (pseudonymous)
  'read-person', // one subject's plan, check-ins and status (pseudonymous)
  'read-pii', // name, ID number, photo
  'read-biometrics', // face and fingerprint templates
  'read-notes', // the words staff wrote beside a decision's reason code (never the police's)
  'decide-excuse',
  'decide-review',
  'enrol',
  'read-breaches', // breaches and alerts
  'read-fleet', // kiosk health
  'read-log', // raw log entries and checkpoints
  'verify-log',
  'read-access-records',
  'manage-users',
] as const;
export type Action = (typeof ACTIONS)[number];

/** The signed-in user as the policy sees it. Scope: `centres` for staff, `subject` for a parolee. */
export interface Principal {
  readonly user: string;
  readonly role: Role;
  readonly centres: readonly string[];
  readonly subject?: string;
}

/** What an action touches. A scoped role needs the field its scope is about; a missing one is refused. */
export interface Resource {
  readonly centre?: string;
  readonly subject?: string;
}

const GRANTS: { readonly [R in Role]: readonly Action[] } = {
  parolee: ['read-person', 'read-pii', 'read-breaches'],
  staff: [
    'read-roster',
    'read-person',
    'read-pii',
    'read-biometrics',
    'read-notes',
    'decide-excuse',
    'decide-review',
    'enrol',
    'read-breaches',
    'read-fleet',
    'read-log',
  ],
  officer: [
    'read-roster',
    'read-person',
    'read-pii',
    'read-biometrics',
    'read-notes',
    'decide-excuse',
    'decide-review',
    'read-breaches',
    'read-fleet',
    'read-log',
    'manage-users',
  ],
  police: ['read-roster', 'read-person', 'read-pii', 'read-breaches'],
  auditor: ['read-fleet', 'read-log', 'verify-log', 'read-access-records'],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Whether the role holds the action at all, whatever the resource (e.g. to show a menu item, or to filter a list). */
export function holds(role: Role, action: Action): boolean {
  return GRANTS[role].includes(action);
}

/** The policy: the role holds the action and the resource lies within the principal's scope. */
export function can(principal: Principal, action: Action, resource: Resource = {}): boolean {
  if (!holds(principal.role, action)) return false;
  switch (principal.role) {
    case 'parolee':
      return principal.subject !== undefined && resource.subject === principal.subject;
    case 'staff':
      return resource.centre !== undefined && principal.centres.includes(resource.centre);
    case 'officer':
    case 'police':
    case 'auditor':
      return true;
  }
}

/** Whether the principal sees every centre (lists need no filtering). */
export function seesAllCentres(principal: Principal): boolean {
  return principal.role === 'officer' || principal.role === 'police' || principal.role === 'auditor';
}
