// Flags kiosks whose clocks drift. Entries carry kiosk time (ts); a receiver (HQ, a peer) notes when it saw
// each one (seenAt). ts - seenAt is the clock's offset minus the delivery delay, and delays are never
// negative: so the largest ts - seenAt over a kiosk's recent entries is the best estimate of its offset (the
// least-delayed entry), and a kiosk back from a day offline does not look slow. A clock that steps back
// shows as ts decreasing along the log.

export interface ClockObservation {
  readonly origin: string;
  readonly seq: number;
  /** Kiosk time of the entry, ms. */
  readonly ts: number;
  /** Receiver time when the entry arrived, ms. */
  readonly seenAt: number;
}

export interface ClockReport {
  readonly origin: string;
  readonly samples: number;
  /** Estimated kiosk clock offset (positive: ahead), ms; the least-delayed sample. */
  readonly offsetMs: number;
  /** Entries whose ts is earlier than the entry before them by more than the tolerance. */
  readonly stepsBack: readonly { readonly seq: number; readonly byMs: number }[];
  readonly flagged: boolean;
  readonly reason?: string;
}

export interface DriftOptions {
  /** Offsets within this are fine (default 2 minutes: windows have grace periods in minutes). */
  readonly toleranceMs?: number;
  /** A slow clock is only judged on this many samples or more, since one sample may just be a slow delivery. */
  readonly minSamples?: number;
}

export function clockDrift(observations: readonly ClockObservation[], options: DriftOptions = {}): ClockReport[] {
  const tolerance = options.toleranceMs ?? 120_000;
  const minSamples = options.minSamples ?? 5;
  const byOrigin = new Map<string, ClockObservation[]>();
  for (const o of observations) {
    let list = byOrigin.get(o.origin);
    if (!list) byOrigin.set(o.origin, (list = []));
    list.push(o);
  }
  const reports: ClockReport[] = [];
  for (const [origin, list] of [...byOrigin].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    list.sort((a, b) => a.seq - b.seq);
    let offsetMs = -Infinity;
    const stepsBack: { seq: number; byMs: number }[] = [];
    list.forEach((o, i) => {
      offsetMs = Math.max(offsetMs, o.ts - o.seenAt);
      const prev = list[i - 1];
      if (prev && prev.seq === o.seq - 1 && prev.ts - o.ts > tolerance)
        stepsBack.push({ seq: o.seq, byMs: prev.ts - o.ts });
    });
    const reasons: string[] = [];
    if (offsetMs > tolerance) reasons.push(`clock ahead by ${Math.round(offsetMs / 1000)} s`);
    else if (offsetMs < -tolerance && list.length >= minSamples)
      reasons.push(`clock behind by at least ${Math.round(-offsetMs / 1000)} s`);
    if (stepsBack.length > 0) reasons.push(`clock stepped back ${stepsBack.length} time(s)`);
    reports.push({
      origin,
      samples: list.length,
      offsetMs,
      stepsBack,
      flagged: reasons.length > 0,
      ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
    });
  }
  return reports;
}
