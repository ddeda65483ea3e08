// Every scenario of the specification through the package's `preview`, as a
// JavaScript app would call it. Also runs the folders in CUSTODY_SCENARIOS
// (colon-separated) and the project's own tests/scenarios.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { preview, Engine } from "@custody/policy";

const here = dirname(fileURLToPath(import.meta.url));
const folders = [
  resolve(here, "../../../shared/spec/scenarios"),
  resolve(here, "../../../shared/spec/scenarios/groups"),
  resolve(here, "../scenarios"),
  // Relative folders are taken from the workspace root, as in the Rust runner.
  ...(process.env.CUSTODY_SCENARIOS ?? "").split(":").filter(Boolean).map((f) => resolve(here, "../..", f)),
].filter((f, i, all) => all.indexOf(f) === i);

/** A bare level equals the object form with no permissions; permissions compare as sets. */
function normal(access) {
  if (typeof access === "string") return access;
  const permissions = [...(access.permissions ?? [])].sort();
  return permissions.length === 0 ? access.level : `${access.level}+${permissions.join(",")}`;
}

/** The differences between what a scenario expects and what preview answered. */
function differences(expect, actual) {
  if ("error" in expect) {
    return actual.error === expect.error ? [] : [`expected error ${expect.error}, got ${JSON.stringify(actual).slice(0, 200)}`];
  }
  if ("error" in actual) return [`expected changes, got error ${actual.error}: ${actual.message}`];
  const key = (c) => `${c.principal} ${c.resource}`;
  const row = (c) => `${normal(c.before)} -> ${normal(c.after)}`;
  const want = new Map(expect.changes.map((c) => [key(c), row(c)]));
  const have = new Map(actual.changes.map((c) => [key(c), row(c)]));
  const out = [];
  for (const [k, v] of want) {
    if (!have.has(k)) out.push(`missing: ${k} ${v}`);
    else if (have.get(k) !== v) out.push(`differs: ${k} expected ${v}, got ${have.get(k)}`);
  }
  for (const [k, v] of have) if (!want.has(k)) out.push(`extra: ${k} ${v}`);
  const before = (a, b) => a.principal < b.principal || (a.principal === b.principal && a.resource < b.resource);
  const sorted = actual.changes.every((c, i, all) => i === 0 || before(all[i - 1], c));
  if (!sorted) out.push("changes are not sorted by principal, then resource");
  for (const w of expect.warnings ?? []) if (!actual.warnings.includes(w)) out.push(`missing warning ${w}`);
  return out;
}

const files = folders
  .filter((f) => existsSync(f))
  .flatMap((f) => readdirSync(f).filter((n) => n.endsWith(".json")).sort().map((n) => join(f, n)));

test("the specification's scenario folder is there", () => {
  assert.ok(files.length >= 41, `found ${files.length} scenario files`);
});

for (const file of files) {
  const scenario = JSON.parse(readFileSync(file, "utf8"));
  test(`scenario ${scenario.name}`, () => {
    const problems = differences(scenario.expect, preview(scenario.world, scenario.action));
    assert.deepEqual(problems, []);
  });
  test(`scenario ${scenario.name} through a loaded Engine`, () => {
    const loaded = Engine.load(scenario.world);
    const answer = "error" in loaded ? loaded : loaded.engine.preview(scenario.action);
    assert.deepEqual(differences(scenario.expect, answer), []);
  });
}
