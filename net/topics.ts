// The MQTT topic layout. Origins contain '/', which MQTT reads as a level separator, so a topic carries an origin
// with every '/' written as '~' (origins never contain '~', so the mapping is one-to-one and safe in broker ACL
// patterns, user names and certificate CNs).
//
//   muster/v1/log/<origin>/entries            new entries (CBOR batch), QoS 1 (a kiosk subscribes at QoS 0)
//   muster/v1/log/<origin>/checkpoint         the latest signed checkpoint, retained, subscribed at QoS 0
//   muster/v1/log/<origin>/cosign/<witness>   a witness's cosigned checkpoint, retained, subscribed at QoS 0
//   muster/v1/req/<origin>                    backfill requests for a log; any holder answers; QoS 0
//   muster/v1/inbox/<client>                  replies to one client's requests, QoS 0
//   muster/v1/health/<kiosk>                  heartbeats, retained, subscribed at QoS 0
//   muster/v1/alerts/<center>                 alerts (JSON), QoS 1
// Everything is published at QoS 1 (the broker keeps a retained message). A session's QoS 1 bursts come from one
// filter (net/mqtt-link.ts): HQ's every-log entries, or a kiosk's centre alerts. A kiosk takes its peers' entries at
// QoS 0 and asks their holders at each connack for what came while it was away (net/replicator.ts): no filter names
// one centre's logs, an origin being one topic level. A lost checkpoint, heartbeat or cosignature is superseded by
// the next and sent again retained at each connack, a lost request or reply is asked again by the requester's retry.
import { checkOrigin } from '../core/entry.ts';
import { MusterError } from '../core/errors.ts';

export const ROOT = 'muster/v1';

/** An origin (or any id matching the origin pattern) as one topic level. */
export function topicId(origin: string): string {
  return checkOrigin(origin).replaceAll('/', '~');
}

export function fromTopicId(level: string): string {
  const origin = level.replaceAll('~', '/');
  try {
    return checkOrigin(origin);
  } catch {
    throw new MusterError('bad-topic', `topic level ${JSON.stringify(level.slice(0, 80))} is not an encoded origin`);
  }
}

export const topics = {
  entries: (origin: string): string => `${ROOT}/log/${topicId(origin)}/entries`,
  checkpoint: (origin: string): string => `${ROOT}/log/${topicId(origin)}/checkpoint`,
  cosign: (origin: string, witness: string): string => `${ROOT}/log/${topicId(origin)}/cosign/${topicId(witness)}`,
  request: (origin: string): string => `${ROOT}/req/${topicId(origin)}`,
  inbox: (client: string): string => `${ROOT}/inbox/${topicId(client)}`,
  health: (kiosk: string): string => `${ROOT}/health/${topicId(kiosk)}`,
  alerts: (center: string): string => `${ROOT}/alerts/${topicId(center)}`,
  /** Every witness's cosigned checkpoints of one log. */
  cosigns: (origin: string): string => `${ROOT}/log/${topicId(origin)}/cosign/+`,
  /** Subscription filters for a follower of every log (HQ): its entries at QoS 1, the rest at QoS 0. */
  everyLogEntries: `${ROOT}/log/+/entries`,
  everyLogLatest: [`${ROOT}/log/+/checkpoint`, `${ROOT}/req/+`] as const,
  everyHeartbeat: `${ROOT}/health/+`,
};

export type ParsedTopic =
  | { readonly kind: 'entries' | 'checkpoint' | 'request' | 'health'; readonly origin: string }
  | { readonly kind: 'cosign'; readonly origin: string; readonly witness: string }
  | { readonly kind: 'inbox'; readonly client: string }
  | { readonly kind: 'alerts'; readonly center: string };

/** Reads a topic of this layout; throws MusterError('bad-topic') for anything else. */
export function parseTopic(topic: string): ParsedTopic {
  const parts = topic.split('/');
  if (parts[0] !== 'muster' || parts[1] !== 'v1')
    throw new MusterError('bad-topic', `topic ${JSON.stringify(topic.slice(0, 80))} is not a Muster topic`);
  const [, , area, id, leaf, witness, ...rest] = parts;
  if (id === undefined || rest.length > 0)
    throw new MusterError('bad-topic', `topic ${JSON.stringify(topic.slice(0, 80))} has the wrong shape`);
  if (area === 'log' && (leaf === 'entries' || leaf === 'checkpoint') && witness === undefined)
    return { kind: leaf, origin: fromTopicId(id) };
  if (area === 'log' && leaf === 'cosign' && witness !== undefined)
    return { kind: 'cosign', origin: fromTopicId(id), witness: fromTopicId(witness) };
  if (leaf === undefined) {
    if (area === 'req') return { kind: 'request', origin: fromTopicId(id) };
    if (area === 'health') return { kind: 'health', origin: fromTopicId(id) };
    if (area === 'inbox') return { kind: 'inbox', client: fromTopicId(id) };
    if (area === 'alerts') return { kind: 'alerts', center: fromTopicId(id) };
  }
  throw new MusterError('bad-topic', `topic ${JSON.stringify(topic.slice(0, 80))} has the wrong shape`);
}
