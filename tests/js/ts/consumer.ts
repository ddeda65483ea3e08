// A TypeScript app using @custody/policy: compiles under --strict.
import { Engine, preview, type Action, type World, type PreviewResult, type ErrorCode, type Access } from "@custody/policy";

const world: World = {
  profile: "direct",
  principals: [
    { id: "alice", kind: "user", email: "alice@lab.example", roles: ["data_owner"] },
    { id: "team", kind: "group", members: ["alice"] },
  ],
  resources: [{ id: "P1", kind: "project", owner: "alice" }],
  grants: [],
  transfers: [],
};

const access: Access = { level: "write", permissions: ["share", "delete"] };
const actions: Action[] = [
  { type: "share", actor: "alice", resource: "P1", principal: "team", access },
  { type: "share", actor: "alice", resource: "P1", principal: "team", access: "read" },
  { type: "set_owner", actor: "alice", resource: "P1", principal: "team", leave: false },
  { type: "batch", actor: "alice", actions: [{ type: "leave", actor: "alice", resource: "P1" }] },
];

function describe(result: PreviewResult): string {
  if ("error" in result) {
    const code: ErrorCode = result.error;
    return `${code}: ${result.message}`;
  }
  return result.changes.map((c) => `${c.principal} ${c.resource}`).join(", ") + ` (${result.warnings.join(", ")})`;
}

const loaded = Engine.load(world);
if ("engine" in loaded) {
  for (const action of actions) {
    console.log(describe(loaded.engine.preview(action)));
  }
  const summary = loaded.engine.summary(actions[0]);
  if (!("error" in summary)) {
    const total: number = summary.total;
    console.log(total, summary.blocks.map((b) => b.kinds.map((k) => `${k.count} ${k.kind}`)));
  }
} else {
  console.log(loaded.error, loaded.message);
}
console.log(describe(preview(world, actions[1])));
