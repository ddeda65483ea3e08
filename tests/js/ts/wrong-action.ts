// Deliberately wrong: a share without its access, and an unknown level.
// `tsc --strict` must refuse this file (checked by types.test.js).
import { preview, type Action, type World } from "@custody/policy";

declare const world: World;
const missingAccess: Action = { type: "share", actor: "alice", resource: "P1", principal: "bob" };
const unknownLevel: Action = { type: "share", actor: "alice", resource: "P1", principal: "bob", access: "admin" };
preview(world, missingAccess);
preview(world, unknownLevel);
