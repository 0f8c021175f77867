// Who may publish where: a node publishes only under its own topics. The embedded broker enforces this
// function; deploy/mosquitto/acl expresses the same rule for Mosquitto (user name = node id in topic form).
// Requests and replies go to other nodes' topics by design; what arrives there is verified like everything else.
import { ROOT } from './topics.ts';

/** Node ids (topic form) that may publish alerts: HQ services. */
export interface AclOptions {
  readonly alertPublishers: ReadonlySet<string>;
}

export function mayPublish(user: string, topic: string, options: AclOptions): boolean {
  const parts = topic.split('/');
  if (parts[0] !== 'muster' || parts[1] !== 'v1' || parts.some((p) => p === '' || p === '+' || p === '#')) return false;
  const [, , area, id, leaf, witness, ...rest] = parts;
  if (rest.length > 0 || id === undefined) return false;
  switch (area) {
    case 'log':
      if (leaf === 'entries' || leaf === 'checkpoint') return id === user && witness === undefined;
      return leaf === 'cosign' && witness === user;
    case 'health':
      return id === user && leaf === undefined;
    case 'req':
    case 'inbox':
      return leaf === undefined;
    case 'alerts':
      return leaf === undefined && options.alertPublishers.has(user);
    default:
      return false;
  }
}

/** Subscriptions are open to every authenticated node except other nodes' inboxes. */
export function maySubscribe(user: string, filter: string): boolean {
  if (!filter.startsWith(`${ROOT}/`)) return false;
  const inbox = `${ROOT}/inbox/`;
  if (filter.startsWith(inbox)) return filter === `${inbox}${user}`;
  return !filter.startsWith(`${ROOT}/#`) && !filter.startsWith(`${ROOT}/+`);
}
