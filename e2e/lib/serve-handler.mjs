// The stand-ins answer fetch-style (`handle(Request) → Response`), as in vitest's
// outboundService; this adapts one to a Node HTTP server (npm start, the browser tests).
// Without a base, the request's own Host header gives the origin (a signature over the URL,
// like OAuth 1.0a's, must see the URL the client used).
export function nodeHandler(handle, base) {
  return async (req, res) => {
    const origin = base === undefined ? `http://${req.headers.host}` : typeof base === "function" ? base() : base;
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const response = await handle(
      new Request(`${origin}${req.url}`, { method: req.method, headers: req.headers, body: ["GET", "HEAD"].includes(req.method) ? undefined : Buffer.concat(chunks) }),
    );
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  };
}

/** Serves a fetch-style stand-in on a local port: { standin, origin, close }. */
export async function serveStandIn(standin, { port = 0, host = "127.0.0.1" } = {}) {
  const { createServer } = await import("node:http");
  const server = createServer(nodeHandler((r) => standin.handle(r)));
  await new Promise((r) => server.listen(port, host, r));
  const origin = `http://localhost:${server.address().port}`;
  return { standin, origin, close: () => new Promise((r) => server.close(r)) };
}
