// The package's TypeScript types, as a TypeScript app meets them: a correct
// consumer compiles with `tsc --noEmit --strict`, and a wrong action does not.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const tsc = join(here, "node_modules", "typescript", "bin", "tsc");

function compile(...args) {
  const run = spawnSync(process.execPath, [tsc, ...args], { cwd: join(here, "ts"), encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

test("a strict TypeScript consumer compiles against the generated types", () => {
  const { status, output } = compile("-p", "tsconfig.json");
  assert.equal(status, 0, output);
});

test("a wrong action does not compile", () => {
  const { status, output } = compile("-p", "tsconfig.wrong.json");
  assert.notEqual(status, 0, "tsc accepted a wrong action");
  assert.match(output, /wrong-action\.ts\(6,\d+\): error TS\d+: .*access/s);
  assert.match(output, /wrong-action\.ts\(7,\d+\): error TS\d+: .*"admin"/s);
});
