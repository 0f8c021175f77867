// What the screen is doing, in the person's language: loading, up to date as of when, stale since when and why
// (the last figures stay on screen, marked), or an error that says what happened. A server's own message is
// kept as a detail (it is English text from the log's tools), never shown raw as the explanation.
import { ApiError } from './api-client.ts';
import { type Child, h, render } from './dom.ts';
import { clockTime } from './local-time.ts';
import { w } from './screen-words.ts';

const KNOWN = new Set(['unauthenticated', 'forbidden', 'not-found', 'bad-message', 'offline', 'server']);

/** An error as a sentence in the page's language, with the server's message as a detail. */
export function errorText(error: unknown): Child[] {
  const code = error instanceof ApiError ? error.code : 'other';
  const key = KNOWN.has(code) ? (`err_${code}` as const) : code === 'throttled' ? 'throttled' : 'err_other';
  const detail = error instanceof Error ? error.message : String(error);
  return [
    w(key as Parameters<typeof w>[0]),
    ' ',
    h('span', { class: 'detail' }, `(${w('errorDetail')}: `, h('span', { translate: 'no', lang: 'en' }, detail), ')'),
  ];
}

export class StatusLine {
  readonly el = h('p', { 'class': 'status-line', 'role': 'status', 'data-state': 'loading' });
  private lastOk: number | undefined;

  constructor(private readonly zone: () => string) {
    this.loading();
  }

  loading(): void {
    this.set('loading', '⏳ ', w('loading'));
  }

  ok(at: number): void {
    this.lastOk = at;
    this.set('ok', '🟢 ', w('updatedAt', { time: clockTime(at, this.zone()) }));
  }

  /** A refresh failed: stale when figures are on screen, an error when nothing could be loaded yet. */
  failed(error: unknown): void {
    if (this.lastOk === undefined) {
      this.set('error', '⚠️ ', errorText(error));
      return;
    }
    const [why, ...rest] = errorText(error);
    this.set(
      'stale',
      '⚠️ ',
      w('stale', { time: clockTime(this.lastOk, this.zone()), why: typeof why === 'string' ? why : '' }),
      ' ',
      rest,
    );
  }

  private set(state: string, ...children: Child[]): void {
    this.el.dataset.state = state;
    render(this.el, ...children);
  }
}
