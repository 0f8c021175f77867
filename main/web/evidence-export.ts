// "Export evidence" (core/api/evidence-api.ts) for the staff screen and the HQ dashboard: the bundle of one
// person's day built by the exporter every `muster evidence export` runs, from this node's log store(s). The
// export is access-logged: an `evidence-export` entry naming who exported whose day and the file's SHA-256 is
// appended to this node's log before the file is handed out; an export that cannot be logged is refused.
import { createHash } from 'node:crypto';
import type { Caller, EventMessage } from '../../core/api/api.ts';
import type { EvidenceFile } from '../../core/api/evidence-api.ts';
import { can } from '../../core/access/roles.ts';
import type { EvidenceExportRecord } from '../../core/access/access-records.ts';
import type { Payload } from '../../core/entry.ts';
import { MusterError } from '../../core/errors.ts';
import { encodeBundle } from '../../core/evidence/bundle.ts';
import { parseDay } from '../../core/time/civil-day.ts';
import type { Signer, Verifier } from '../../ledger/keys.ts';
import type { LedgerStore } from '../../ledger/store.ts';
import { exportEvidence } from '../evidence/export-evidence.ts';
import type { ApiBackend } from './api-service.ts';

/** The stores one export reads, and what to do with them after. */
export interface OpenedStores {
  readonly stores: readonly [LedgerStore, ...LedgerStore[]];
  release(): void;
}

export interface EvidenceExportOptions {
  /**
   * The store judged (a kiosk's: its own log and its peers'; HQ's: every log), then stores adding checkpoints; or,
   * where the node's store is no SQLite log store (HQ on PostgreSQL), a function opening them for one person.
   */
  readonly stores: readonly [LedgerStore, ...LedgerStore[]] | ((subject: string) => Promise<OpenedStores>);
  /** This node's own log: the access entry goes there. */
  readonly log: {
    readonly origin: string;
    append(type: 'evidence-export', payload: Payload): Promise<{ readonly seq: number }>;
  };
  /** Witnesses that cosign the closing checkpoints at export time (HQ's witness key at HQ). */
  readonly witnessSigners?: readonly Signer[];
  /** Witnesses whose stored cosignatures go in (peer kiosks', HQ's). */
  readonly witnessKeys?: readonly Verifier[];
  readonly clock?: () => number;
}

export interface ExportRequest {
  readonly subject: string;
  readonly day: string;
  readonly rule?: string;
}

export class EvidenceExports {
  private readonly clock: () => number;

  constructor(private readonly options: EvidenceExportOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /** Builds, logs and hands out one bundle; `centre`: the screen's centre (a staff screen exports only its people). */
  async export(request: ExportRequest, caller: Caller, centre?: string): Promise<EvidenceFile> {
    const principal = caller.principal;
    if (!principal) throw new MusterError('unauthenticated', 'sign in first');
    if (parseDay(request.day) === undefined)
      throw new MusterError('bad-request', `day: expected YYYY-MM-DD, got ${JSON.stringify(request.day)}`);
    const now = this.clock();
    const { stores } = this.options;
    const opened = typeof stores === 'function' ? await stores(request.subject) : { stores, release: () => undefined };
    const bundle = await exportEvidence({
      stores: opened.stores,
      subject: request.subject,
      day: request.day,
      ...(request.rule === undefined ? {} : { rule: request.rule }),
      at: now,
      now: () => now,
      witnessSigners: this.options.witnessSigners ?? [],
      witnessKeys: this.options.witnessKeys ?? [],
    }).finally(() => {
      opened.release();
    });
    // The person's centres are those whose kiosk logs the bundle holds: each must be the caller's to see.
    const centres = [...new Set(bundle.segments.map((s) => s.origin.slice(0, s.origin.indexOf('/'))))];
    if (centre !== undefined && !centres.includes(centre))
      throw new MusterError('forbidden', `${request.subject} is not supervised by ${centre}`);
    const outside = centres.find((c) => !can(principal, 'read-roster', { centre: c, subject: request.subject }));
    if (outside !== undefined)
      throw new MusterError('forbidden', `${principal.role} ${principal.user} may not export evidence of ${outside}`);
    const text = encodeBundle(bundle);
    const sha256 = createHash('sha256').update(text).digest('hex');
    const record: EvidenceExportRecord = {
      subject: request.subject,
      day: request.day,
      ...(request.rule === undefined ? {} : { rule: request.rule }),
      by: principal.user,
      role: principal.role,
      verdict: bundle.verdict.kind,
      bundle: sha256,
    };
    const { seq } = await this.options.log.append('evidence-export', { ...record });
    const name = [request.subject, request.day, ...(request.rule === undefined ? [] : [request.rule])].join('-');
    return {
      filename: `evidence-${name}.json`,
      bundle: text,
      sha256,
      verdict: bundle.verdict.kind,
      logged: { origin: this.options.log.origin, seq },
    };
  }
}

/** The staff screen's backend with "Export evidence" for its centre's people (the backend's centre is kept). */
export function withStaffEvidence(
  base: ApiBackend & { readonly centre: string },
  exports: EvidenceExports,
): ApiBackend {
  return {
    centre: base.centre,
    handlers: {
      ...base.handlers,
      'staff.exportEvidence': (params, caller) => exports.export(params, caller, base.centre),
    },
    subscribe: (listener: (message: EventMessage) => void) => base.subscribe?.(listener) ?? (() => undefined),
  };
}

/** The HQ dashboard's backend with "Export evidence" for any centre the caller may see. */
export function withHqEvidence(base: ApiBackend, exports: EvidenceExports): ApiBackend {
  return {
    handlers: { ...base.handlers, 'hq.exportEvidence': (params, caller) => exports.export(params, caller) },
    subscribe: (listener: (message: EventMessage) => void) => base.subscribe?.(listener) ?? (() => undefined),
  };
}
