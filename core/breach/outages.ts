// Outages per centre from device-health entries: for fairness, any device or kiosk at a person's centre that
// could not be used during their window excuses them. Reports are ordered by `since` (a kiosk reports its own
// outage after it comes back), ties broken by log order.
import { compareRecords, type LogRecord } from '../records/entry-ref.ts';
import { type DeviceHealthRecord, isOutage } from '../records/device-health-record.ts';

export interface Outage {
  readonly from: number;
  /** Infinity while no recovery has been reported. */
  readonly to: number;
  readonly kiosk: string;
  readonly device: string;
  readonly record: LogRecord;
}

interface Report {
  readonly health: DeviceHealthRecord;
  readonly record: LogRecord;
}

export class CentreOutages {
  private readonly reports = new Map<string, Report[]>();
  private readonly intervals = new Map<string, Outage[]>();

  /** Adds a report; returns the earliest instant whose outage status it may change. */
  add(health: DeviceHealthRecord, record: LogRecord): number {
    let list = this.reports.get(health.centre);
    if (!list) this.reports.set(health.centre, (list = []));
    // The report can end an outage begun by the run of the same device's outage reports just before it.
    const earlier = list
      .filter(
        (r) => r.health.kiosk === health.kiosk && r.health.device === health.device && r.health.since <= health.since,
      )
      .sort((a, b) => b.health.since - a.health.since);
    let from = health.since;
    for (const r of earlier) {
      if (!isOutage(r.health.state)) break;
      from = r.health.since;
    }
    list.push({ health, record });
    this.intervals.delete(health.centre);
    return from;
  }

  /** Outages at any of `centres` overlapping [from, to). */
  overlapping(centres: readonly string[], from: number, to: number): Outage[] {
    const found: Outage[] = [];
    for (const centre of centres) {
      for (const o of this.outages(centre)) if (o.from < to && o.to > from) found.push(o);
    }
    return found;
  }

  private outages(centre: string): readonly Outage[] {
    let list = this.intervals.get(centre);
    if (list) return list;
    list = [];
    const byDevice = new Map<string, Report[]>();
    for (const r of this.reports.get(centre) ?? []) {
      const k = `${r.health.kiosk}\0${r.health.device}`;
      let reports = byDevice.get(k);
      if (!reports) byDevice.set(k, (reports = []));
      reports.push(r);
    }
    for (const reports of byDevice.values()) {
      reports.sort((a, b) => a.health.since - b.health.since || compareRecords(a.record, b.record));
      let down: Report | undefined;
      for (const r of reports) {
        if (isOutage(r.health.state)) {
          down ??= r;
        } else if (down) {
          list.push({
            from: down.health.since,
            to: r.health.since,
            kiosk: down.health.kiosk,
            device: down.health.device,
            record: down.record,
          });
          down = undefined;
        }
      }
      if (down)
        list.push({
          from: down.health.since,
          to: Infinity,
          kiosk: down.health.kiosk,
          device: down.health.device,
          record: down.record,
        });
    }
    this.intervals.set(centre, list);
    return list;
  }
}
