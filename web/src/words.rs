//! Everything the app says about access, in words for people who are not
//! access-control experts: levels, counts by kind, lists of people, the
//! reasons behind an access, warnings, dates.
//!
//! Pure functions of their arguments (no browser, no clock), so the wording
//! is tested natively and the same sentence is written in one place only.

use custody_policy::preview::KindCount;
use custody_policy::{
    Access, ErrorCode, Level, Permission, PrincipalKind, Reason, ReasonSource, ResourceKind, World,
};
use std::collections::HashMap;

/// Display names of the principals and resources of a loaded world.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Names {
    people: HashMap<String, (String, PrincipalKind)>,
    resources: HashMap<String, (String, ResourceKind)>,
}

impl Names {
    /// Reads the names of a world (a slice from the server).
    pub fn of(world: &World) -> Names {
        let people = world
            .principals
            .iter()
            .map(|p| {
                let name = p
                    .name
                    .clone()
                    .or_else(|| p.email.clone())
                    .unwrap_or_else(|| p.id.clone());
                (p.id.clone(), (name, p.kind))
            })
            .collect();
        let resources = world
            .resources
            .iter()
            .map(|r| {
                let name = r.name.clone().unwrap_or_else(|| r.id.clone());
                (r.id.clone(), (name, r.kind))
            })
            .collect();
        Names { people, resources }
    }

    /// A principal's name, or the id itself (an email for a recipient who
    /// has no account yet).
    pub fn person(&self, id: &str) -> String {
        self.people
            .get(id)
            .map_or_else(|| id.to_string(), |(n, _)| n.clone())
    }

    pub fn kind_of_principal(&self, id: &str) -> Option<PrincipalKind> {
        self.people.get(id).map(|(_, k)| *k)
    }

    pub fn knows_principal(&self, id: &str) -> bool {
        self.people.contains_key(id)
    }

    /// A resource's name, or its id.
    pub fn resource(&self, id: &str) -> String {
        self.resources
            .get(id)
            .map_or_else(|| id.to_string(), |(n, _)| n.clone())
    }

    pub fn kind_of_resource(&self, id: &str) -> Option<ResourceKind> {
        self.resources.get(id).map(|(_, k)| *k)
    }

    /// "project Tumor WGS", "run NovaSeq 2024-03-04".
    pub fn resource_with_kind(&self, id: &str) -> String {
        match self.kind_of_resource(id) {
            Some(kind) => format!("{} {}", kind_noun(kind, 1), self.resource(id)),
            None => id.to_string(),
        }
    }
}

/// "project", "lab requeues", "analyses".
pub fn kind_noun(kind: ResourceKind, count: u64) -> &'static str {
    let one = count == 1;
    match kind {
        ResourceKind::Project => pick(one, "project", "projects"),
        ResourceKind::Run => pick(one, "run", "runs"),
        ResourceKind::Biosample => pick(one, "biosample", "biosamples"),
        ResourceKind::Library => pick(one, "library", "libraries"),
        ResourceKind::Pool => pick(one, "pool", "pools"),
        ResourceKind::LabRequeue => pick(one, "lab requeue", "lab requeues"),
        ResourceKind::Analysis => pick(one, "analysis", "analyses"),
        ResourceKind::Dataset => pick(one, "dataset", "datasets"),
        ResourceKind::File => pick(one, "file", "files"),
    }
}

/// A capitalised plural for headings and tabs: "Lab requeues".
pub fn kind_title(kind: ResourceKind) -> String {
    capitalize(kind_noun(kind, 2))
}

fn pick(one: bool, singular: &'static str, plural: &'static str) -> &'static str {
    if one { singular } else { plural }
}

/// A number with thousands separators: 1,204.
pub fn number(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1 project, 12 runs, 40 biosamples and 3 files".
pub fn counts(kinds: &[KindCount]) -> String {
    let parts: Vec<String> = kinds
        .iter()
        .filter(|k| k.count > 0)
        .map(|k| format!("{} {}", number(k.count), kind_noun(k.kind, k.count)))
        .collect();
    join_and(&parts)
}

/// "a", "a and b", "a, b and c".
pub fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A permission as the `direct` profile's seed names it.
pub fn permission_word(p: Permission) -> &'static str {
    match p {
        Permission::Share => "share",
        Permission::Delete => "delete",
        Permission::ManageResources => "manage resources",
        Permission::DeleteResources => "delete resources",
    }
}

/// An access as a noun phrase: "read", "write + share, delete",
/// "names only", "ownership", "no access".
pub fn access_words(a: Access) -> String {
    let base = match a.level {
        Level::None => return "no access".to_string(),
        Level::Names => "names only",
        Level::Read => "read",
        Level::Write => "write",
        Level::Owner => return "ownership".to_string(),
    };
    let perms: Vec<&str> = a.permissions.iter().map(permission_word).collect();
    if perms.is_empty() {
        base.to_string()
    } else {
        format!("{base} + {}", perms.join(", "))
    }
}

/// The label a list or a sharing row shows: "Owner", "Read", "Write + share".
pub fn access_label(a: Access) -> String {
    match a.level {
        Level::Owner => "Owner".to_string(),
        _ => capitalize(&access_words(a)),
    }
}

/// Who a summary row is about: "You", "Erin Novak", "Erin Novak and Frank
/// Osei", "Erin Novak and 11 others" (the actor first, as "you"). The bool
/// is true when the verb takes the singular ("Erin Novak gains").
pub fn people_phrase(people: &[String], actor: &str, names: &Names) -> (String, bool) {
    let has_actor = people.iter().any(|p| p == actor);
    let mut others: Vec<String> = people
        .iter()
        .filter(|p| *p != actor)
        .map(|p| names.person(p))
        .collect();
    others.sort();
    let mut shown: Vec<String> = Vec::new();
    if has_actor {
        shown.push("You".to_string());
    }
    let total = shown.len() + others.len();
    match total {
        0 => ("No one".to_string(), true),
        1 => {
            let single = !has_actor;
            shown.extend(others);
            (shown.join(""), single)
        }
        2 => {
            shown.extend(others);
            (join_and(&shown), false)
        }
        _ => {
            let first = if has_actor {
                "You".to_string()
            } else {
                others.remove(0)
            };
            let rest = total - 1;
            (
                format!(
                    "{first} and {} other{}",
                    number(rest as u64),
                    plural_s(rest)
                ),
                false,
            )
        }
    }
}

fn plural_s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The verb and object of a change: "gains read on", "loses write on",
/// "becomes the owner of", "goes from read to write on".
pub fn change_phrase(before: Access, after: Access, singular: bool) -> String {
    let v = |one: &str, many: &str| if singular { one } else { many }.to_string();
    if after.level == Level::Owner && before.level != Level::Owner {
        let become_ = v("becomes", "become");
        return format!("{become_} the owner of");
    }
    if before.level == Level::None {
        return format!("{} {} on", v("gains", "gain"), access_words(after));
    }
    if after.level == Level::None {
        return if before.level == Level::Owner {
            format!("{} ownership of", v("loses", "lose"))
        } else {
            format!("{} {} on", v("loses", "lose"), access_words(before))
        };
    }
    if after.covers(before) {
        format!(
            "{} from {} to {} on",
            v("goes", "go"),
            access_words(before),
            access_words(after)
        )
    } else {
        format!(
            "{} from {} to {} on",
            v("drops", "drop"),
            access_words(before),
            access_words(after)
        )
    }
}

/// What a sentence adds after its counts: "(had write)" when someone
/// becomes the owner of what they could already reach.
pub fn change_suffix(before: Access, after: Access) -> String {
    if after.level == Level::Owner && !matches!(before.level, Level::None | Level::Owner) {
        format!(" (had {})", access_words(before))
    } else {
        String::new()
    }
}

/// One reason in words, for `person`'s access: "owner", "shared
/// directly", "through group Tumor genomics lab on project Tumor WGS",
/// "names seen on run NovaSeq 2024-03-04", "data owner role". A reason
/// with a chain (`via`) sits on a container, which the words name.
pub fn reason_words(reason: &Reason, person: &str, names: &Names) -> String {
    let on_other = !reason.via.is_empty();
    let text = match reason.source {
        ReasonSource::Owner => {
            if on_other {
                format!("owner of {}", names.resource_with_kind(&reason.on))
            } else {
                "owner".to_string()
            }
        }
        ReasonSource::Grant => {
            let who = match reason.grantee.as_deref() {
                Some(g) if g != person => format!("through group {}", names.person(g)),
                _ => "shared directly".to_string(),
            };
            if on_other {
                format!("{who} on {}", names.resource_with_kind(&reason.on))
            } else {
                who
            }
        }
        ReasonSource::Names => format!("names seen on {}", names.resource_with_kind(&reason.on)),
        ReasonSource::Role => "data owner role".to_string(),
    };
    match reason.source {
        ReasonSource::Owner => text,
        _ => format!("{text} ({})", access_words(reason.access)),
    }
}

/// Several reasons in one line; "no access" when there is none.
pub fn reasons_words(reasons: &[Reason], person: &str, names: &Names) -> String {
    if reasons.is_empty() {
        return "no access".to_string();
    }
    let parts: Vec<String> = reasons
        .iter()
        .map(|r| reason_words(r, person, names))
        .collect();
    parts.join("; ")
}

/// "Alice Moreau (you)", "Tumor genomics lab (group, 3 members)".
pub fn principal_label(id: &str, actor: &str, names: &Names, members: Option<usize>) -> String {
    let name = names.person(id);
    match (id == actor, names.kind_of_principal(id), members) {
        (true, _, _) => format!("{name} (you)"),
        (_, Some(PrincipalKind::Group), Some(n)) => {
            format!("{name} (group, {} member{})", number(n as u64), plural_s(n))
        }
        (_, Some(PrincipalKind::Group), None) => format!("{name} (group)"),
        (_, Some(PrincipalKind::ServiceAccount), _) => format!("{name} (service account)"),
        _ => name,
    }
}

/// A policy or server error code as a sentence for people, with the
/// server's own message (lowercase, ids in backticks) as the detail.
pub fn error_sentence(code: &str, message: &str) -> String {
    let lead = match code {
        "not_permitted" => "You are not allowed to do this",
        "escalation" => "You cannot give more access than you have",
        "not_recipient" => "This invitation is addressed to someone else",
        "transfer_pending" => "A transfer of this is already waiting for approval",
        "transfer_not_pending" => "This transfer is no longer waiting for approval",
        "already_owner" => "They own it already",
        "owner_cannot_leave" => "The owner cannot leave; set another owner first",
        "no_grant" => "There is no share to remove",
        "already_member" => "They are a member already",
        "not_member" => "They are not a member",
        "group_cycle" => "A group cannot contain itself, even through other groups",
        "owner_must_be_user_or_service_account" => {
            "A group cannot own data; choose a person or a service account"
        }
        "not_supported" => "This is not possible here",
        "invalid_access" => "That access is not valid here",
        "unknown_principal" => "That person or group does not exist",
        "unknown_resource" => "That data no longer exists",
        "unknown_transfer" => "That transfer no longer exists",
        "unauthenticated" | "session_expired" => "You are signed out; sign in again",
        "invalid_credentials" => "The email or password is wrong",
        "csrf" => "Your session could not be verified; reload the page and sign in again",
        "not_found" => "Not found, or you no longer have access",
        "stale_preview" => "Sharing changed since you opened this dialog",
        _ => "",
    };
    let detail = tidy(message);
    if lead.is_empty() {
        if detail.is_empty() {
            format!("The server refused ({code}).")
        } else {
            format!("{}.", capitalize(&detail))
        }
    } else if detail.is_empty() || code == "invalid_credentials" {
        format!("{lead}.")
    } else {
        format!("{lead}: {detail}.")
    }
}

/// A policy error from a local preview, as a sentence.
pub fn policy_error_sentence(code: ErrorCode, message: &str) -> String {
    error_sentence(code.as_str(), message)
}

/// Drops backticks and a final period from a message.
fn tidy(message: &str) -> String {
    message
        .replace('`', "")
        .trim()
        .trim_end_matches('.')
        .to_string()
}

/// The text with its first letter in capitals. Only ASCII letters are
/// raised: the words capitalized are the app's own (kinds, access, the
/// server's messages), and Unicode's case tables would add 20 KB to the
/// wasm for them.
pub fn capitalize(text: &str) -> String {
    let mut out = text.to_string();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}

/// A timestamp (milliseconds since the epoch, UTC) as "2024-03-04 14:05 UTC".
pub fn date_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use custody_policy::Permissions;

    fn names() -> Names {
        let world: World = serde_json::from_str(
            r#"{"profile":"basespace","principals":[
                {"id":"alice","kind":"user","name":"Alice Moreau"},
                {"id":"erin","kind":"user","name":"Erin Novak"},
                {"id":"frank","kind":"user","name":"Frank Osei"},
                {"id":"lab","kind":"group","name":"Tumor lab","members":["alice"]}],
              "resources":[{"id":"P1","kind":"project","owner":"alice","name":"Tumor WGS"},
                {"id":"R1","kind":"run","owner":"alice","projects":["P1"],"name":"Run one"}]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        Names::of(&world)
    }

    #[test]
    fn counts_read_like_a_sentence() {
        let kinds = [
            KindCount {
                kind: ResourceKind::Project,
                count: 1,
            },
            KindCount {
                kind: ResourceKind::LabRequeue,
                count: 2,
            },
            KindCount {
                kind: ResourceKind::File,
                count: 1204,
            },
        ];
        assert_eq!(counts(&kinds), "1 project, 2 lab requeues and 1,204 files");
    }

    #[test]
    fn people_are_named_with_the_actor_first() {
        let n = names();
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            people_phrase(&ids(&["erin"]), "alice", &n),
            ("Erin Novak".to_string(), true)
        );
        assert_eq!(
            people_phrase(&ids(&["alice"]), "alice", &n),
            ("You".to_string(), false)
        );
        assert_eq!(
            people_phrase(&ids(&["frank", "erin"]), "alice", &n),
            ("Erin Novak and Frank Osei".to_string(), false)
        );
        assert_eq!(
            people_phrase(&ids(&["frank", "erin", "alice"]), "alice", &n),
            ("You and 2 others".to_string(), false)
        );
    }

    #[test]
    fn changes_have_verbs() {
        assert_eq!(
            change_phrase(Access::NONE, Access::READ, true),
            "gains read on"
        );
        assert_eq!(
            change_phrase(Access::WRITE, Access::NONE, false),
            "lose write on"
        );
        assert_eq!(
            change_phrase(Access::OWNER, Access::READ, true),
            "drops from ownership to read on"
        );
        assert_eq!(
            change_phrase(Access::NONE, Access::OWNER, true),
            "becomes the owner of"
        );
        assert_eq!(change_suffix(Access::WRITE, Access::OWNER), " (had write)");
        assert_eq!(change_suffix(Access::NONE, Access::OWNER), "");
        let share = Access::with(Level::Write, [Permission::Share].into_iter().collect());
        assert_eq!(
            change_phrase(Access::READ, share, true),
            "goes from read to write + share on"
        );
        assert_eq!(
            access_words(Access::with(Level::Read, Permissions::EMPTY)),
            "read"
        );
    }

    #[test]
    fn reasons_name_groups_and_containers() {
        let n = names();
        let via_group = Reason {
            source: ReasonSource::Grant,
            access: Access::READ,
            grantee: Some("lab".to_string()),
            on: "P1".to_string(),
            via: vec!["P1".to_string()],
        };
        assert_eq!(
            reason_words(&via_group, "alice", &n),
            "through group Tumor lab on project Tumor WGS (read)"
        );
        let direct = Reason {
            source: ReasonSource::Grant,
            access: Access::WRITE,
            grantee: Some("erin".to_string()),
            on: "R1".to_string(),
            via: Vec::new(),
        };
        assert_eq!(reason_words(&direct, "erin", &n), "shared directly (write)");
        assert_eq!(reasons_words(&[], "erin", &n), "no access");
    }

    #[test]
    fn errors_are_sentences() {
        assert_eq!(
            error_sentence("not_permitted", "only the owner of `P1` may share it"),
            "You are not allowed to do this: only the owner of P1 may share it."
        );
        assert_eq!(
            error_sentence("weird", "something broke."),
            "Something broke."
        );
    }

    #[test]
    fn dates_are_utc() {
        assert_eq!(date_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(date_time(1_709_561_100_000), "2024-03-04 14:05 UTC");
    }
}
