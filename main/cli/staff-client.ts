// A command-line client of a running kiosk's staff screen (`muster kiosk run --web`): signs in as a member of
// staff, calls the staff API as the screen would, and signs out. Enrolment needs the person at that kiosk (their
// finger on its sensor, their face before its camera), so the command asks the kiosk that holds them; the kiosk
// checks the account's role and centre and signs the entry naming them, as it does for the screen.
// node:http, not fetch: an enrolment waits for the person for minutes, past fetch's five-minute header timeout.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type Method, type Params, type Result, parseAnswer } from '../../core/api/api.ts';
import { check } from '../../core/api/check.ts';
import { ACTIVITY_HEADER, signInAnswer } from '../../core/api/session-api.ts';
import { MusterError, errorMessage, isErrorCode } from '../../core/errors.ts';
import { SESSION_PATH } from '../../access/http-guard.ts';

const MAX_ANSWER_BYTES = 1024 * 1024;

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

function send(url: URL, method: 'POST' | 'DELETE', body: unknown, token?: string): Promise<Answer> {
  const text = body === undefined ? '' : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        // A person at a terminal is active: their call keeps their session alive as a tap would.
        [ACTIVITY_HEADER]: 'active',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
    });
    req.on('error', (error) => {
      reject(new MusterError('not-ready', `cannot reach the staff screen at ${url.origin}: ${errorMessage(error)}`));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) res.destroy(new Error(`answer over ${MAX_ANSWER_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('error', (error) => {
        reject(new MusterError('not-ready', `${url.origin} answered badly: ${errorMessage(error)}`));
      });
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: raw === '' ? null : (JSON.parse(raw) as unknown) });
        } catch {
          reject(
            new MusterError(
              'not-ready',
              `${url.origin} answered HTTP ${res.statusCode}, not JSON: ${raw.slice(0, 200)}`,
            ),
          );
        }
      });
    });
    req.end(text);
  });
}

/** The server's `{ok: false, error}` as the error it names (an unknown code: the server is not one we can use). */
function refusal(answer: Answer, what: string): MusterError {
  const error = (answer.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${answer.status}`;
  return new MusterError(isErrorCode(error?.code) ? error.code : 'not-ready', `${what}: ${message}`);
}

/** Signs in at the staff screen `screen` (its URL as `muster kiosk run` prints it), runs `use`, signs out. */
export async function withStaffSession<T>(
  screen: string,
  user: string,
  password: string,
  use: (call: <M extends Method>(method: M, params: Params<M>) => Promise<Result<M>>) => Promise<T>,
): Promise<T> {
  const base = URL.parse(screen);
  if (base === null || (base.protocol !== 'http:' && base.protocol !== 'https:'))
    throw new MusterError('bad-config', `--staff-screen: an http(s) URL, got ${JSON.stringify(screen)}`);
  const session = await send(new URL(SESSION_PATH, base), 'POST', { user, password });
  if (session.status !== 200) throw refusal(session, 'sign-in refused');
  const { token } = check(signInAnswer, session.body, 'sign-in');
  try {
    return await use(async (method, params) => {
      const answer = await send(new URL('/api/call', base), 'POST', { method, params }, token);
      const parsed = parseAnswer(method, answer.body);
      if (!parsed.ok) throw refusal(answer, method);
      return parsed.result;
    });
  } finally {
    await send(new URL(SESSION_PATH, base), 'DELETE', undefined, token).catch(() => undefined);
  }
}
