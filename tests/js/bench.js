// Times @custody/policy in Node on one generated world: loading it from its
// JSON text, and the summary (the dialog's preview) of each benchmark action.
// Prints readable lines and appends JSON lines to --out (suite "node"). Not a
// test: timings on shared machines are noisy, so nothing is asserted, but a
// refused world or action fails the run.
//
//   target/release/examples/world L basespace 1 irregular > W.json
//   target/release/examples/world L basespace 1 irregular actions > A.json
//   node bench.js --world W.json --actions A.json --world-label irregular --size L --out FILE [--runs N]
import { performance } from "node:perf_hooks";
import { Engine } from "@custody/policy";
import { options, report } from "./bench/cli.js";
import { measure } from "./bench/timing.js";

const opts = options("bench.js");
try {
  const results = measure({
    Engine,
    text: opts.text,
    actions: JSON.parse(opts.actionsText),
    runs: opts.runs,
    now: () => performance.now(),
  });
  report("node", opts, results);
} catch (e) {
  console.error(`bench.js: ${e.message}`);
  process.exit(1);
}
