// What a browser tab may do on NATS: read the audit stream and its index, nothing
// else. The one definition: the dashboard server writes it into every user JWT it
// mints, the README prints it for deployments that configure a browser user by hand,
// and lib/nats/permissions.test.ts checks both against a real server. Pure.
import { indexNames } from "../index/index-keys";

export interface ReaderPermissions {
  pub: { allow: string[] };
  sub: { allow: string[] };
}

/** The prefix of inboxes of connections without a private one (user/password deployments). */
export const SHARED_INBOX_PREFIX = "_INBOX";

/**
 * Publish rights are JetStream API requests only: stream info, consumer create / next / info, and
 * message gets, on the audit stream and the index's two streams. No publish to any audit subject,
 * no stream or consumer deletion or update (a tab's consumers are ephemeral and expire by
 * themselves), no KV writes. Subscribe rights: the connection's own inboxes, where JetStream
 * answers — a minted credential gets a private inbox prefix, so no tab can read another's replies.
 */
export function readerPermissions(stream: string, inboxPrefix: string = SHARED_INBOX_PREFIX): ReaderPermissions {
  const n = indexNames(stream);
  const streams = [stream, `KV_${n.bucket}`, n.byExecution];
  const pub = ["$JS.API.INFO"];
  for (const s of streams) {
    pub.push(
      `$JS.API.STREAM.INFO.${s}`,
      `$JS.API.STREAM.MSG.GET.${s}`,
      `$JS.API.DIRECT.GET.${s}`,
      `$JS.API.DIRECT.GET.${s}.>`,
      `$JS.API.CONSUMER.CREATE.${s}.>`,
      `$JS.API.CONSUMER.MSG.NEXT.${s}.>`,
      `$JS.API.CONSUMER.INFO.${s}.>`,
    );
  }
  return { pub: { allow: pub }, sub: { allow: [`${inboxPrefix}.>`] } };
}

/** The same rights as a nats-server config `permissions` block (for a user configured by hand). */
export function readerPermissionsConfig(stream: string): string {
  const p = readerPermissions(stream);
  const list = (xs: string[]) => xs.map((x) => JSON.stringify(x)).join(", ");
  return `{ publish: { allow: [${list(p.pub.allow)}] }, subscribe: { allow: [${list(p.sub.allow)}] } }`;
}
