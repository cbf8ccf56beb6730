// What a browser tab may do on NATS: read the audit stream and its index, nothing
// else. The one definition: the dashboard server writes it into every user JWT it
// mints, the README prints it for deployments that configure a browser user by hand,
// and lib/nats/permissions.test.ts checks both against a real server. Pure.
import { indexNames, META_PROGRESS, orgToken, WORKFLOWS_PREFIX } from "../index/index-keys";

export interface ReaderPermissions {
  pub: { allow: string[] };
  sub: { allow: string[] };
}

/** The prefix of inboxes of connections without a private one (user/password deployments). */
export const SHARED_INBOX_PREFIX = "_INBOX";

/**
 * Publish rights are JetStream API requests (and flow-control replies) only: stream info, consumer create / next / info, and
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
      // Flow-control replies of push consumers (a KV watch): without them the server stops delivering.
      `$JS.FC.${s}.>`,
    );
  }
  return { pub: { allow: pub }, sub: { allow: [`${inboxPrefix}.>`] } };
}

/**
 * What a tab restricted to one tenant may do: read that tenant's part of the index and nothing else. The
 * tenant's KV keys (`<org>.>`) and workflow records (`meta.workflows.<org>.>`) and its copies subject
 * (`<prefix>.<org>.>`), each through requests whose subject names what they read, so the server checks it:
 * consumer creates with the filter in the subject (2.9's `CONSUMER.CREATE.<stream>.<name>.<filter>`; the
 * server refuses a config whose filter differs), and direct gets by subject (`DIRECT.GET.<stream>.<subject>`,
 * which takes no request body). Not the audit stream (it holds every tenant); no stream info (its
 * subjects_filter would list every key), no get by sequence (`STREAM.MSG.GET`, `DIRECT.GET.<stream>`: not
 * scoped to subjects). Next and info of the tab's own consumers (names it cannot learn of others': no list).
 * One consequence: a message copied by reference (too big to copy) is read from the audit stream, so a
 * tenant's tab cannot read it.
 */
export function tenantReaderPermissions(
  stream: string,
  org: string,
  inboxPrefix: string = SHARED_INBOX_PREFIX,
): ReaderPermissions {
  const n = indexNames(stream);
  const o = orgToken(org);
  const kv = `KV_${n.bucket}`;
  const keys = `$KV.${n.bucket}`;
  const pub = [
    "$JS.API.INFO",
    `$JS.API.CONSUMER.CREATE.${kv}.*.${keys}.${o}.>`,
    `$JS.API.CONSUMER.CREATE.${kv}.*.${keys}.${WORKFLOWS_PREFIX}.${o}.>`,
    `$JS.API.DIRECT.GET.${kv}.${keys}.${o}.>`,
    `$JS.API.DIRECT.GET.${kv}.${keys}.${META_PROGRESS}`,
    `$JS.API.CONSUMER.MSG.NEXT.${kv}.*`,
    `$JS.API.CONSUMER.INFO.${kv}.*`,
    `$JS.API.CONSUMER.CREATE.${n.byExecution}.*.${n.subjectPrefix}.${o}.>`,
    `$JS.API.DIRECT.GET.${n.byExecution}.${n.subjectPrefix}.${o}.>`,
    `$JS.API.CONSUMER.MSG.NEXT.${n.byExecution}.*`,
    `$JS.API.CONSUMER.INFO.${n.byExecution}.*`,
    // Flow-control replies of push consumers (a KV watch): without them the server stops delivering.
    `$JS.FC.${kv}.>`,
    `$JS.FC.${n.byExecution}.>`,
  ];
  return { pub: { allow: pub }, sub: { allow: [`${inboxPrefix}.>`] } };
}

/** The same rights as a nats-server config `permissions` block (for a user configured by hand). */
export function readerPermissionsConfig(stream: string): string {
  const p = readerPermissions(stream);
  const list = (xs: string[]) => xs.map((x) => JSON.stringify(x)).join(", ");
  return `{ publish: { allow: [${list(p.pub.allow)}] }, subscribe: { allow: [${list(p.sub.allow)}] } }`;
}
