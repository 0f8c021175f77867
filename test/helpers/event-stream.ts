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
