// A loopback TCP proxy for fault tests: the browser's WebSocket goes through it
// to a real nats-server, and the test can cut the line (connections dropped,
// new ones refused) or freeze it (sockets open, no bytes forwarded) — the two
// ways a network fails a tab that a server restart does not show. Node-only.
import { createServer, connect, type Server, type Socket } from "node:net";

export interface TcpProxy {
  /** 127.0.0.1 port clients connect to; stable across cut()/restore(). */
  port: number;
  /** Drops every connection and refuses new ones until restore(). */
  cut(): Promise<void>;
  /** Accepts connections again (after cut) and forwards bytes again (after freeze). */
  restore(): Promise<void>;
  /** Keeps connections open but forwards nothing in either direction until restore(). */
  freeze(): void;
  close(): Promise<void>;
}

// pipe() resumes a paused source when the destination drains, so freezing unpipes.
function flow([a, b]: [Socket, Socket]) {
  a.pipe(b);
  b.pipe(a);
}
function hold([a, b]: [Socket, Socket]) {
  a.unpipe(b);
  b.unpipe(a);
  a.pause();
  b.pause();
}

export async function startTcpProxy(targetPort: number, host = "127.0.0.1"): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let frozen = false;
  let server: Server | undefined;
  let port = 0;

  const listen = () =>
    new Promise<void>((ok, fail) => {
      const srv = createServer((client) => {
        const upstream = connect(targetPort, host);
        const pair: [Socket, Socket] = [client, upstream];
        pairs.add(pair);
        const drop = () => {
          pairs.delete(pair);
          client.destroy();
          upstream.destroy();
        };
        client.on("error", drop).on("close", drop);
        upstream.on("error", drop).on("close", drop);
        if (frozen) hold(pair);
        else flow(pair);
      });
      srv.once("error", fail);
      srv.listen(port, host, () => {
        const a = srv.address();
        port = typeof a === "object" && a ? a.port : port;
        server = srv;
        ok();
      });
    });

  await listen();
  const closeServer = () =>
    new Promise<void>((ok) => {
      const srv = server;
      server = undefined;
      if (!srv) return ok();
      srv.close(() => ok());
    });
  const dropAll = () => {
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
  };

  return {
    get port() {
      return port;
    },
    async cut() {
      const closing = closeServer();
      dropAll();
      await closing;
    },
    async restore() {
      if (frozen) for (const p of pairs) flow(p);
      frozen = false;
      if (!server) await listen();
    },
    freeze() {
      if (!frozen) for (const p of pairs) hold(p);
      frozen = true;
    },
    async close() {
      const closing = closeServer();
      dropAll();
      await closing;
    },
  };
}
