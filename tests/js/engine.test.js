// The package as an app uses it: load a world once, preview many edits,
// read who has access and why, apply, and get every error back as a value.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine, preview, apply, whoHasAccess, effectiveAccess, validateWorld } from "@custody/policy";

const world = {
  profile: "basespace",
  principals: [
    { id: "alice", kind: "user", email: "alice@lab.example", name: "Alice Moreau" },
    { id: "bob", kind: "user", email: "bob@core.example" },
    { id: "carol", kind: "user", email: "carol@lab.example" },
    { id: "dan", kind: "user", email: "dan@lab.example" },
    { id: "genomics", kind: "group", members: ["carol", "dan"] },
  ],
  resources: [
    { id: "P1", kind: "project", owner: "alice", name: "Tumor WGS" },
    { id: "R1", kind: "run", owner: "alice", projects: ["P1"], biosamples: ["B1"] },
    { id: "B1", kind: "biosample", owner: "alice", projects: ["P1"] },
    { id: "F1", kind: "file", owner: "alice", parent: "R1", format: "fastq" },
    { id: "F2", kind: "file", owner: "alice", parent: "R1", format: "bcl" },
  ],
  grants: [{ resource: "P1", principal: "bob", access: "read" }],
  transfers: [],
};

const shareWithGenomics = { type: "share", actor: "alice", resource: "P1", principal: "genomics", access: "read" };

function load() {
  const loaded = Engine.load(world);
  assert.ok("engine" in loaded, JSON.stringify(loaded));
  return loaded.engine;
}

test("an engine loads from JSON text as it does from objects", () => {
  const fromText = Engine.fromJson(JSON.stringify(world));
  assert.ok("engine" in fromText, JSON.stringify(fromText));
  assert.deepEqual(fromText.engine.summary(shareWithGenomics), load().summary(shareWithGenomics));
  const broken = Engine.fromJson('{"profile": "basespace", "principals": [');
  assert.equal(broken.error, "invalid_world");
  assert.match(broken.message, /cannot be read/);
});

test("an engine previews, summarises and pages a share", () => {
  const engine = load();
  const flat = engine.preview(shareWithGenomics);
  assert.ok("changes" in flat);
  assert.equal(flat.changes.length, 10);
  assert.deepEqual(flat.warnings, []);
  const carolF2 = flat.changes.find((c) => c.principal === "carol" && c.resource === "F2");
  assert.equal(carolF2.before, "none");
  assert.equal(carolF2.after, "read");
  assert.deepEqual(carolF2.why.after[0], { source: "grant", access: "read", grantee: "genomics", on: "P1", via: ["R1", "P1"] });

  const summary = engine.summary(shareWithGenomics);
  assert.equal(summary.total, 10);
  assert.deepEqual(summary.blocks[0].people, ["carol", "dan"]);
  assert.deepEqual(summary.blocks[0].kinds, [
    { kind: "project", count: 1 },
    { kind: "run", count: 1 },
    { kind: "biosample", count: 1 },
    { kind: "file", count: 2 },
  ]);
  assert.deepEqual(engine.blockResources(shareWithGenomics, 0, 1, 2), { resources: ["F1", "F2"] });

  const page = engine.changesPage(shareWithGenomics, 4, 2);
  assert.equal(page.total, 10);
  assert.deepEqual(page.changes.map((c) => `${c.principal} ${c.resource}`), ["carol R1", "dan B1"]);
});

test("an engine says who has access and why", () => {
  const engine = load();
  const { holders } = engine.whoHasAccess("F2");
  assert.deepEqual(holders.map((h) => [h.principal, h.access]), [["alice", "owner"], ["bob", "read"]]);
  const { holder } = engine.effectiveAccess("bob", "B1");
  assert.equal(holder.access, "read");
  assert.equal(holder.why[0].on, "P1");
});

test("an engine applies, and previews against its new world", () => {
  const engine = load();
  assert.deepEqual(engine.apply(shareWithGenomics), { applied: true });
  assert.equal(engine.world().grants.length, 2);
  // The same share again changes nothing.
  assert.deepEqual(engine.preview(shareWithGenomics), { changes: [], warnings: [] });
  // A refused action leaves the world as it was.
  const refused = engine.apply({ type: "leave", actor: "alice", resource: "P1" });
  assert.equal(refused.error, "owner_cannot_leave");
  assert.equal(engine.world().grants.length, 2);
});

test("a transfer request names its recipient and warns", () => {
  const answer = preview(world, { type: "request_transfer", actor: "alice", resource: "R1", to: "BOB@core.example" });
  assert.deepEqual(answer.recipient, { email: "bob@core.example", principal: "bob" });
  for (const w of ["irreversible", "pending_until_accepted", "fastq_excluded", "actor_loses_access"]) {
    assert.ok(answer.warnings.includes(w), w);
  }
  const newcomer = preview(world, { type: "request_transfer", actor: "alice", resource: "P1", to: "new@else.example" });
  assert.deepEqual(newcomer.recipient, { email: "new@else.example" });
  assert.ok(newcomer.changes.some((c) => c.principal === "new@else.example" && c.after === "owner"));
});

test("the one-shot functions answer like the engine", () => {
  const applied = apply(world, shareWithGenomics);
  assert.equal(applied.world.grants.length, 2);
  assert.deepEqual(validateWorld(world), { valid: true });
  assert.equal(whoHasAccess(world, "P1").holders.length, 2);
  assert.equal(effectiveAccess(world, "carol", "P1").holder.access, "none");
});

test("errors are values with a stable code and a message", () => {
  const cases = [
    [preview(world, { ...shareWithGenomics, actor: "bob" }), "not_permitted"],
    [preview(world, { ...shareWithGenomics, access: "owner" }), "invalid_access"],
    [preview(world, { ...shareWithGenomics, principal: "zed" }), "unknown_principal"],
    [preview(world, { type: "fly", actor: "alice" }), "invalid_action"],
    [preview({ ...world, resources: [{ id: "P1", kind: "project", owner: "genomics" }] }, shareWithGenomics), "invalid_world"],
    [validateWorld({ profile: "basespace", principals: [{ id: "g", kind: "group", members: ["g"] }] }), "invalid_world"],
    [whoHasAccess(world, "nope"), "unknown_resource"],
    [effectiveAccess(world, "genomics", "P1"), "not_supported"],
    [Engine.load({ profile: "elsewhere" }), "invalid_world"],
    [load().changesPage({ type: "leave", actor: "alice", resource: "P1" }, 0, 10), "owner_cannot_leave"],
  ];
  for (const [answer, code] of cases) {
    assert.equal(answer.error, code, JSON.stringify(answer));
    assert.equal(typeof answer.message, "string");
    assert.ok(answer.message.length > 0);
  }
  const cycle = validateWorld({ profile: "basespace", principals: [{ id: "g", kind: "group", members: ["g"] }] });
  assert.match(cycle.message, /groups form a cycle: `g` > `g`/);
});

test("nothing an app passes makes the package throw", () => {
  const junk = [undefined, null, 0, -1, NaN, "", "text", [], {}, { type: "share" }, { profile: "basespace", principals: "x" }, new Map(), () => 1];
  const engine = load();
  for (const a of junk) {
    for (const b of junk) {
      for (const answer of [preview(a, b), apply(a, b), validateWorld(a), whoHasAccess(a, "P1"), engine.preview(b), engine.summary(b), engine.changesPage(b, NaN, 5), engine.blockResources(b, 99, 0, 5)]) {
        assert.equal(typeof answer, "object");
        assert.ok(answer !== null);
      }
    }
  }
  assert.deepEqual(engine.changesPage(shareWithGenomics, -5, 1).changes.length, 1);
  assert.deepEqual(engine.blockResources(shareWithGenomics, 99, 0, 5), { resources: [] });
});

test("values that JSON cannot hold are refused as values, not thrown", () => {
  const engine = load();
  const cyclic = { ...shareWithGenomics };
  cyclic.self = cyclic;
  for (const action of [cyclic, { ...shareWithGenomics, access: 1n }, undefined, () => 1]) {
    const answer = engine.preview(action);
    assert.equal(answer.error, "invalid_action", String(action));
    assert.match(answer.message, /the action cannot be read/);
  }
  const refused = Engine.load(undefined);
  assert.equal(refused.error, "invalid_world");
  assert.match(refused.message, /not a JSON value/);
  assert.equal(Engine.load({ ...world, extra: 2n }).error, "invalid_world");
});
