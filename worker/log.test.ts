import { describe, expect, it } from "vitest";
import { safeError } from "./log.ts";

describe("logs carry no personal data", () => {
  it("drops the query parameters a database error wrapper carries", () => {
    const cause = new Error("D1_ERROR: UNIQUE constraint failed: users.email: SQLITE_CONSTRAINT");
    const wrapped = new Error('Failed query: insert into "users" values (?, ?)\nparams: noa@example.be,Noa Voorbeeld', { cause });
    const logged = JSON.stringify(safeError(wrapped));
    expect(logged).toContain("UNIQUE constraint failed: users.email");
    expect(logged).not.toContain("Noa");
    expect(logged).not.toContain("noa@example.be");
  });
  it("redacts parameters even in an unwrapped message", () => {
    expect(safeError(new Error("Failed query: select 1\nparams: secret")).message).not.toContain("secret");
  });
  it("never logs the e-mail address a relay's refusal quotes", () => {
    const refusal = new Error("Can't send mail - all recipients were rejected: 550 5.1.1 <anna.de.smet@example.org>: Recipient address rejected");
    const logged = safeError(refusal).message;
    expect(logged).not.toContain("anna");
    expect(logged).toContain("550 5.1.1 <[address]>");
  });
});
