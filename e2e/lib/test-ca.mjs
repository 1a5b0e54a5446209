// A throwaway certificate authority and a server certificate it signed, for the local
// TLS SMTP servers of the tests: the client is given the CA (not the server's cert), as a
// relay with a private CA would be trusted.
import selfsigned from "selfsigned";

export function testCa() {
  return selfsigned.generate([{ name: "commonName", value: "Child Alert test CA" }], {
    keyType: "ec",
    algorithm: "sha256",
    extensions: [{ name: "basicConstraints", cA: true, critical: true }, { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true }],
  });
}

/** A server certificate for `host`, signed by the given CA ({private, cert}) or a new one. */
export async function testCertificates(host = "127.0.0.1", ca) {
  ca ??= await testCa();
  const server = await selfsigned.generate([{ name: "commonName", value: host }], {
    keyType: "ec",
    algorithm: "sha256",
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 7, ip: host }, { type: 2, value: "localhost" }] },
    ],
  });
  return { caCert: ca.cert, key: server.private, cert: server.cert };
}
