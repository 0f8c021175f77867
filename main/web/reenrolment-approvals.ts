// Re-enrolment approvals on a kiosk's staff screen. Replacing a person's enrolled biometrics needs a second
// person (a corrupt staff member alone could enrol a stand-in under someone's id): the staff member who asks is
// told so and the request waits here; another staff member of the centre or an officer approves it; the approval
// serves that requester once, within APPROVAL_MS. Held in memory: a restart asks again, nothing is replaced.
import { MusterError } from '../../core/errors.ts';

export const APPROVAL_MS = 15 * 60_000;
const MAX_REQUESTS = 100;

export interface ReenrolmentRequest {
  readonly subject: string;
  readonly requestedBy: string;
  readonly since: number;
  readonly approvedBy: string | null;
}

export class ReenrolmentApprovals {
  private requests: ReenrolmentRequest[] = [];

  constructor(private readonly clock: () => number) {}

  /** Records (or renews) `by`'s request to re-enrol `subject`. */
  request(subject: string, by: string): void {
    this.expire();
    this.requests = [
      ...this.requests.filter((r) => !(r.subject === subject && r.requestedBy === by)),
      { subject, requestedBy: by, since: this.clock(), approvedBy: null },
    ].slice(-MAX_REQUESTS);
  }

  /** `approver` approves the open request for `subject`; never their own. Returns whose request it was. */
  approve(subject: string, approver: string): string {
    this.expire();
    const open = this.requests.filter((r) => r.subject === subject && r.approvedBy === null);
    if (open.length === 0) throw new MusterError('not-found', `nobody asked to re-enrol ${subject}`);
    const other = open.find((r) => r.requestedBy !== approver);
    if (!other)
      throw new MusterError('forbidden', `${approver} asked to re-enrol ${subject}: a second person must approve it`);
    this.requests = this.requests.map((r) => (r === other ? { ...r, approvedBy: approver } : r));
    return other.requestedBy;
  }

  /** The approver of `by`'s request for `subject`, once: the approval is used up. */
  take(subject: string, by: string): string | undefined {
    this.expire();
    const approved = this.requests.find((r) => r.subject === subject && r.requestedBy === by && r.approvedBy !== null);
    if (!approved) return undefined;
    this.requests = this.requests.filter((r) => r !== approved);
    return approved.approvedBy ?? undefined;
  }

  pending(): readonly ReenrolmentRequest[] {
    this.expire();
    return this.requests;
  }

  private expire(): void {
    const now = this.clock();
    this.requests = this.requests.filter((r) => now - r.since < APPROVAL_MS);
  }
}
