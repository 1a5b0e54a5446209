// A stand-in for Chromium's GCM check-in and registration endpoints, so that
// pushManager.subscribe() resolves without Google's servers (Chromium flags
// --gcm-checkin-url / --gcm-registration-url). The check-in answer is a tiny
// AndroidCheckinResponse protobuf: stats_ok (1, bool), android_id (7, fixed64),
// security_token (8, fixed64); the registration answer is "token=<id>".
import { createServer } from "node:http";

function fixed64(field, value) {
  const b = Buffer.alloc(9);
  b[0] = (field << 3) | 1;
  b.writeBigUInt64LE(value, 1);
  return b;
}

export async function startGcmStandIn() {
  let registrations = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.url.startsWith("/checkin")) {
        res.writeHead(200, { "Content-Type": "application/x-protobuf" });
        res.end(Buffer.concat([Buffer.of(0x08, 0x01), fixed64(7, 4242424242n), fixed64(8, 1234567890123n)]));
      } else if (req.url.startsWith("/register")) {
        registrations++;
        res.writeHead(200, { "Content-Type": "text/plain" });
        res.end(`token=e2e-registration-${registrations}`);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    args: [`--gcm-checkin-url=${base}/checkin`, `--gcm-registration-url=${base}/register`],
    registrations: () => registrations,
    close: () => new Promise((r) => server.close(r)),
  };
}
