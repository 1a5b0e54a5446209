// axe-core (WCAG 2.0/2.1 A and AA) on the page as it is: no serious or critical violation.
import assert from "node:assert/strict";
import AxeBuilder from "@axe-core/playwright";

export async function checkA11y(page, label) {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    [],
    `${label}: serious/critical accessibility violations`,
  );
}
