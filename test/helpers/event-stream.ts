// A Server-Sent Events client for tests: what arrived so far, and a promise that resolves when the server ends it.
import { request } from 'node:http';

export interface EventStream {
  readonly frames: string[];
  readonly ended: Promise<void>;
}

export function openEventStream(url: string, token: string): EventStream {
  const frames: string[] = [];
  const ended = new Promise<void>((resolve) => {
    const sse = request(url, { headers: { authorization: `Bearer ${token}` } });
    sse.on('response', (res) => {
      res.on('data', (chunk: Buffer) => frames.push(chunk.toString()));
      res.on('end', resolve);
    });
    sse.end();
  });
  return { frames, ended };
}

/** A live SSE stream read as events: every event since it opened is kept, so `next` also finds one that came before. */
export interface LiveEvents {
  /** Resolves once the server answered (events sent from then on are kept). */
  readonly opened: Promise<void>;
  /** The first event named `name` whose data matches, already received or the next to come; rejects after `timeoutMs`. */
  next<T>(name: string, match: (data: T) => boolean, what: string, timeoutMs?: number): Promise<T>;
  close(): void;
}

export function liveEvents(url: string, token: string): LiveEvents {
  const received: { readonly name: string; readonly data: unknown }[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  const sse = request(url, { headers: { authorization: `Bearer ${token}` } });
  const opened = new Promise<void>((resolve, reject) => {
    sse.on('error', reject);
    sse.on('response', (res) => {
      resolve();
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const frames = buffer.split('\n\n');
        buffer = frames.pop() ?? '';
        for (const frame of frames) {
          const lines = frame.split('\n');
          const name = lines.find((l) => l.startsWith('event: '))?.slice('event: '.length);
          const data = lines.find((l) => l.startsWith('data: '))?.slice('data: '.length);
          if (name !== undefined && data !== undefined) received.push({ name, data: JSON.parse(data) as unknown });
        }
        for (const waiter of waiters) waiter();
      });
    });
  });
  sse.end();
  return {
    opened,
    next: <T>(name: string, match: (data: T) => boolean, what: string, timeoutMs = 120_000): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        function check(): void {
          // The caller's `match` says which data it takes: the server's JSON for this event name.
          const found = received.find((e) => e.name === name && match(e.data as T));
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found.data as T);
        }
        waiters.add(check);
        check();
      }),
    close: () => {
      sse.destroy();
    },
  };
}
