// What a screen has installed and not yet undone, counted in the page: observers still watching, the elements they
// watch that are no longer in the page, listeners on the window and the document, and intervals. A kiosk screen
// runs for months without a reload, so what it installs per person or per step must be undone by the next.
// Listeners on the screen's own elements are not counted: they go with the elements.
import type { BrowserContext, Page } from 'playwright-core';

export interface LiveHandles {
  /** Resize, mutation and intersection observers watching something. */
  readonly observers: number;
  /** Elements those observers watch that are out of the page. */
  readonly detached: number;
  /** Listeners on the window and the document. */
  readonly listeners: number;
  /** Intervals not cleared. */
  readonly intervals: number;
}

const COUNTER = 'musterLiveHandles';

/** Counts from the start of every page the context opens (before the screen's own script). */
export async function countLiveHandles(context: BrowserContext): Promise<void> {
  await context.addInitScript((counter: string) => {
    const watching = new Map<object, Set<Node>>();
    for (const Observer of [ResizeObserver, MutationObserver, IntersectionObserver]) {
      const proto = Observer.prototype as {
        observe: (this: object, target: Node, ...rest: unknown[]) => void;
        disconnect: (this: object) => void;
        unobserve?: (this: object, target: Node) => void;
      };
      const { observe, disconnect, unobserve } = proto;
      proto.observe = function (target, ...rest) {
        const targets = watching.get(this) ?? new Set<Node>();
        watching.set(this, targets.add(target));
        observe.call(this, target, ...rest);
      };
      proto.disconnect = function () {
        watching.delete(this);
        disconnect.call(this);
      };
      if (unobserve)
        proto.unobserve = function (target) {
          watching.get(this)?.delete(target);
          if (watching.get(this)?.size === 0) watching.delete(this);
          unobserve.call(this, target);
        };
    }
    const listeners = new Set<string>();
    const ids = new WeakMap<object, number>();
    let next = 0;
    const idOf = (o: object): number => {
      let id = ids.get(o);
      if (id === undefined) ids.set(o, (id = ++next));
      return id;
    };
    /** One key per listener as the DOM tells them apart: target, type, function, capture. */
    const key = (
      target: EventTarget,
      type: string,
      listener: EventListenerOrEventListenerObject | null,
      options?: boolean | EventListenerOptions,
    ): string | undefined =>
      (target === window || target === document) && listener
        ? `${target === window ? 'window' : 'document'} ${type} ${idOf(listener)} ${typeof options === 'boolean' ? options : Boolean(options?.capture)}`
        : undefined;
    type Listen = (
      this: EventTarget,
      type: string,
      listener: EventListenerOrEventListenerObject | null,
      options?: boolean | EventListenerOptions,
    ) => void;
    const addEventListener: Listen = Reflect.get(EventTarget.prototype, 'addEventListener');
    const removeEventListener: Listen = Reflect.get(EventTarget.prototype, 'removeEventListener');
    EventTarget.prototype.addEventListener = function (type, listener, options) {
      const k = key(this, type, listener, options);
      if (k) listeners.add(k);
      addEventListener.call(this, type, listener, options);
    };
    EventTarget.prototype.removeEventListener = function (type, listener, options) {
      const k = key(this, type, listener, options);
      if (k) listeners.delete(k);
      removeEventListener.call(this, type, listener, options);
    };
    const intervals = new Set<number>();
    const every = window.setInterval.bind(window);
    const clear = window.clearInterval.bind(window);
    Reflect.set(window, 'setInterval', (handler: TimerHandler, ms?: number, ...args: unknown[]): number => {
      const id = every(handler, ms, ...args);
      intervals.add(id);
      return id;
    });
    Reflect.set(window, 'clearInterval', (id?: number): void => {
      if (id !== undefined) intervals.delete(id);
      clear(id);
    });
    Reflect.set(window, counter, () => ({
      observers: watching.size,
      detached: [...watching.values()].reduce((n, targets) => n + [...targets].filter((t) => !t.isConnected).length, 0),
      listeners: listeners.size,
      intervals: intervals.size,
    }));
  }, COUNTER);
}

/** What the page's screen has installed and not undone, now. */
export function liveHandles(page: Page): Promise<LiveHandles> {
  return page.evaluate((counter) => (Reflect.get(window, counter) as () => LiveHandles)(), COUNTER);
}
