// The command line shared by the Node runner (../bench.js) and the
// Chromium launcher (../bench-browser.js): the same options, the same
// readable lines and the same JSON lines in the output file.
import { appendFileSync, readFileSync } from "node:fs";

// "demo" with size "-": the demo's large project's access context, as
// app_bench (tests/e2e/examples) writes it with --context-out.
const WORLDS = ["tidy", "irregular", "irregular_direct", "demo"];
const SIZES = ["S", "M", "L", "XL", "-"];

/** Reads the options, or exits with the usage when one is missing or wrong. */
export function options(program, argv = process.argv.slice(2)) {
  const usage = `usage: node ${program} --world W.json --actions A.json --world-label ${WORLDS.join("|")} --size ${SIZES.join("|")} --out FILE [--runs N]`;
  const given = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (!flag.startsWith("--") || value === undefined) fail(usage, `\`${flag}\` needs a value`);
    given[flag.slice(2)] = value;
  }
  for (const need of ["world", "actions", "world-label", "size", "out"]) {
    if (!(need in given)) fail(usage, `--${need} is missing`);
  }
  const runs = Number(given.runs ?? 10);
  if (!Number.isInteger(runs) || runs < 1) fail(usage, "--runs must be a whole number of at least 1");
  if (!WORLDS.includes(given["world-label"])) fail(usage, `unknown world label \`${given["world-label"]}\``);
  if (!SIZES.includes(given.size)) fail(usage, `unknown size \`${given.size}\``);
  return {
    text: readFileSync(given.world, "utf8"),
    actionsText: readFileSync(given.actions, "utf8"),
    world: given["world-label"],
    size: given.size,
    out: given.out,
    runs,
  };
}

function fail(usage, message) {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

/** Prints each result and appends it to `out` as one JSON line. */
export function report(suite, { world, size, out }, results) {
  const lines = results.map((r) => {
    console.log(`${suite} ${world} ${size} ${r.case}: median ${r.ms.toFixed(3)} ms over ${r.runs} runs (${r.note})`);
    return JSON.stringify({ suite, world, size, case: r.case, ms: r.ms, runs: r.runs });
  });
  appendFileSync(out, lines.map((l) => l + "\n").join(""));
}
