// A fresh official account's place and credentials on each network, in the shapes the
// networks give them (for the stand-ins: the contract suite, the benchmark). Plain
// JavaScript with no imports: it runs in workerd (the tests) and in Node (the bench).

const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const alnum = (n) => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => ALNUM[b % 62]).join("");
const digits = (n) => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => String(b % 10)).join("").replace(/^0/, "1");

/** {target, credentials, handle} of a new account on `network`; Mastodon and Bluesky live at `origin`. */
export function freshSocialAccount(network, origin) {
  const tag = alnum(10).toLowerCase();
  switch (network) {
    case "mastodon":
      return { target: origin, credentials: { accessToken: `tok_${alnum(40)}` }, handle: `ca_${tag}` };
    case "bluesky":
      return { target: origin, credentials: { identifier: `ca-${tag}.bsky.test`, appPassword: `${alnum(4)}-${alnum(4)}-${alnum(4)}-${alnum(4)}` }, handle: `ca-${tag}.bsky.test` };
    case "x":
      return { target: "", credentials: { consumerKey: `ck${alnum(23)}`, consumerSecret: alnum(50), accessToken: `${digits(18)}-${alnum(30)}`, accessTokenSecret: alnum(45) }, handle: `ca_${tag}` };
    case "facebook":
      return { target: digits(15), credentials: { pageAccessToken: `EAAB${alnum(120)}`, appSecret: alnum(32) }, handle: `ca_${tag}` };
    case "telegram":
      return { target: `@ca_${tag}`, credentials: { botToken: `${digits(10)}:${alnum(35)}` }, handle: `ca_${tag}` };
    default:
      throw new Error(`unknown network ${network}`);
  }
}
