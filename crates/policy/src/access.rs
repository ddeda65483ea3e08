//! Access levels and permissions, and their two JSON forms.
//!
//! An access is a level plus, in the `direct` profile, a set of extra
//! permissions. In JSON it is either a bare level (`"read"`) or
//! `{"level": "write", "permissions": ["share"]}`; the two compare equal when
//! the permission set is empty, so the bare form is always written when it can
//! be.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// How far a person can reach a resource, lowest first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    #[default]
    None,
    /// Only the name is visible (biosamples of a run the person can read).
    Names,
    Read,
    Write,
    Owner,
}

impl Level {
    /// Every level, weakest first: the declaration order, which `as u32`
    /// numbers (`Access::code`).
    pub const ALL: [Level; 5] = [
        Level::None,
        Level::Names,
        Level::Read,
        Level::Write,
        Level::Owner,
    ];

    /// The spelling used in JSON and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Names => "names",
            Level::Read => "read",
            Level::Write => "write",
            Level::Owner => "owner",
        }
    }

    /// Parses the JSON spelling.
    pub fn parse(text: &str) -> Option<Level> {
        Some(match text {
            "none" => Level::None,
            "names" => Level::Names,
            "read" => Level::Read,
            "write" => Level::Write,
            "owner" => Level::Owner,
            _ => return None,
        })
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An extra permission of the `direct` profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Share,
    Delete,
    ManageResources,
    DeleteResources,
}

impl Permission {
    /// Every permission, in the canonical order used when writing JSON.
    pub const ALL: [Permission; 4] = [
        Permission::Share,
        Permission::Delete,
        Permission::ManageResources,
        Permission::DeleteResources,
    ];

    fn bit(self) -> u8 {
        match self {
            Permission::Share => 1,
            Permission::Delete => 2,
            Permission::ManageResources => 4,
            Permission::DeleteResources => 8,
        }
    }

    /// The spelling used in JSON and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Share => "share",
            Permission::Delete => "delete",
            Permission::ManageResources => "manage_resources",
            Permission::DeleteResources => "delete_resources",
        }
    }

    /// Parses the JSON spelling.
    pub fn parse(text: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

/// A set of permissions, stored as bits so that access values are `Copy` and
/// compare as sets whatever order the JSON listed them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Permissions(u8);

impl Permissions {
    pub const EMPTY: Permissions = Permissions(0);
    pub const ALL: Permissions = Permissions(0b1111);

    pub fn contains(self, permission: Permission) -> bool {
        self.0 & permission.bit() != 0
    }

    pub fn insert(&mut self, permission: Permission) {
        self.0 |= permission.bit();
    }

    pub fn union(self, other: Permissions) -> Permissions {
        Permissions(self.0 | other.0)
    }

    pub fn is_subset(self, other: Permissions) -> bool {
        self.0 & !other.0 == 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The permissions in canonical order.
    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .into_iter()
            .filter(move |p| self.contains(*p))
    }

    pub(crate) fn bits(self) -> u8 {
        self.0
    }
}

impl FromIterator<Permission> for Permissions {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        let mut set = Permissions::EMPTY;
        for p in iter {
            set.insert(p);
        }
        set
    }
}

/// A level plus extra permissions. Permissions never accompany `owner`
/// (the owner can do everything) nor `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Access {
    pub level: Level,
    pub permissions: Permissions,
}

impl Access {
    pub const NONE: Access = Access::level(Level::None);
    pub const NAMES: Access = Access::level(Level::Names);
    pub const READ: Access = Access::level(Level::Read);
    pub const WRITE: Access = Access::level(Level::Write);
    pub const OWNER: Access = Access::level(Level::Owner);

    /// A bare level with no permissions.
    pub const fn level(level: Level) -> Access {
        Access {
            level,
            permissions: Permissions::EMPTY,
        }
    }

    /// A level with permissions, normalised: the owner and `none` carry none.
    pub fn with(level: Level, permissions: Permissions) -> Access {
        let permissions = match level {
            Level::Owner | Level::None => Permissions::EMPTY,
            _ => permissions,
        };
        Access { level, permissions }
    }

    /// Combines two sources of access: the higher level and the union of the
    /// permissions (none when the result is `owner`).
    pub fn combine(self, other: Access) -> Access {
        Access::with(
            self.level.max(other.level),
            self.permissions.union(other.permissions),
        )
    }

    /// True when this access is at least `other`: as high a level and every
    /// permission of `other`. The owner covers everything.
    pub fn covers(self, other: Access) -> bool {
        self.level == Level::Owner
            || (self.level >= other.level && other.permissions.is_subset(self.permissions))
    }

    /// A number for the access, distinct for distinct accesses (a key for
    /// memo tables).
    pub(crate) fn code(self) -> u32 {
        (self.level as u32) << 8 | u32::from(self.permissions.bits())
    }
}

impl crate::order::Packs for Access {
    fn pack(self) -> u32 {
        self.code()
    }

    fn unpack(bits: u32) -> Access {
        Access {
            level: Level::ALL
                .get((bits >> 8) as usize)
                .copied()
                .unwrap_or(Level::None),
            permissions: Permissions((bits & 0xff) as u8),
        }
    }
}

impl From<Level> for Access {
    fn from(level: Level) -> Self {
        Access::level(level)
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.level.as_str())?;
        let mut first = true;
        for p in self.permissions.iter() {
            f.write_str(if first { " + " } else { ", " })?;
            f.write_str(p.as_str())?;
            first = false;
        }
        Ok(())
    }
}

/// The JSON object form of an access, with permission names kept as text so
/// that an action naming an unknown permission can be answered with
/// `invalid_access` rather than a parse failure.
///
/// Read by hand (below): serde's derive for an untagged enum buffers the
/// value and tries each form, which costs code size in the wasm and says
/// only "did not match any variant" when neither fits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum AccessText {
    Level(String),
    Full {
        level: String,
        #[serde(default)]
        permissions: Vec<String>,
    },
}

impl AccessText {
    /// Reads the text into an access, or says which word is unknown.
    pub fn parse(&self) -> Result<Access, String> {
        let (level, permissions): (&str, &[String]) = match self {
            AccessText::Level(level) => (level, &[]),
            AccessText::Full { level, permissions } => (level, permissions),
        };
        let level = Level::parse(level).ok_or_else(|| format!("unknown access level `{level}`"))?;
        let mut set = Permissions::EMPTY;
        for name in permissions {
            let p =
                Permission::parse(name).ok_or_else(|| format!("unknown permission `{name}`"))?;
            set.insert(p);
        }
        if !set.is_empty() && matches!(level, Level::Owner | Level::None) {
            return Err(format!("level `{level}` takes no permissions"));
        }
        Ok(Access::with(level, set))
    }

    /// The text form of an access: bare when it has no permissions.
    pub fn from_access(access: Access) -> AccessText {
        if access.permissions.is_empty() {
            AccessText::Level(access.level.as_str().to_string())
        } else {
            AccessText::Full {
                level: access.level.as_str().to_string(),
                permissions: access
                    .permissions
                    .iter()
                    .map(|p| p.as_str().to_string())
                    .collect(),
            }
        }
    }
}

impl From<Access> for AccessText {
    fn from(access: Access) -> Self {
        AccessText::from_access(access)
    }
}

impl Serialize for Access {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        AccessText::from_access(*self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for AccessText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// The object form's fields; others are ignored.
        #[derive(Deserialize)]
        struct Full {
            level: String,
            #[serde(default)]
            permissions: Vec<String>,
        }
        struct Forms;
        impl<'de> serde::de::Visitor<'de> for Forms {
            type Value = AccessText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an access level or {\"level\", \"permissions\"}")
            }
            fn visit_str<E: serde::de::Error>(self, level: &str) -> Result<AccessText, E> {
                Ok(AccessText::Level(level.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<AccessText, A::Error> {
                let Full { level, permissions } =
                    Full::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(AccessText::Full { level, permissions })
            }
        }
        deserializer.deserialize_any(Forms)
    }
}

impl<'de> Deserialize<'de> for Access {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        AccessText::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_json_forms_read_the_same() {
        let bare: Access = serde_json::from_str("\"write\"").unwrap();
        let full: Access = serde_json::from_str(r#"{"level":"write","permissions":[]}"#).unwrap();
        assert_eq!(bare, full);
        assert_eq!(serde_json::to_string(&full).unwrap(), "\"write\"");
    }

    #[test]
    fn permissions_compare_as_sets() {
        let a: Access =
            serde_json::from_str(r#"{"level":"write","permissions":["delete","share"]}"#).unwrap();
        let b: Access =
            serde_json::from_str(r#"{"level":"write","permissions":["share","delete"]}"#).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"level":"write","permissions":["share","delete"]}"#
        );
    }

    #[test]
    fn unknown_words_are_rejected() {
        assert!(serde_json::from_str::<Access>("\"admin\"").is_err());
        assert!(
            serde_json::from_str::<Access>(r#"{"level":"read","permissions":["fly"]}"#).is_err()
        );
    }

    #[test]
    fn combine_takes_max_level_and_union() {
        let a = Access::with(Level::Read, [Permission::Share].into_iter().collect());
        let b = Access::with(Level::Write, [Permission::Delete].into_iter().collect());
        let c = a.combine(b);
        assert_eq!(c.level, Level::Write);
        assert!(c.permissions.contains(Permission::Share));
        assert!(c.permissions.contains(Permission::Delete));
        assert_eq!(c.combine(Access::OWNER), Access::OWNER);
    }

    #[test]
    fn covers_compares_level_and_permissions() {
        let share_read = Access::with(Level::Read, [Permission::Share].into_iter().collect());
        assert!(share_read.covers(Access::READ));
        assert!(!share_read.covers(Access::WRITE));
        assert!(!Access::WRITE.covers(share_read));
        assert!(Access::OWNER.covers(share_read));
    }
}

/// The TypeScript form of `Access` (serialised by hand above): a bare level,
/// or a level with extra permissions.
#[cfg(feature = "wasm")]
#[wasm_bindgen::prelude::wasm_bindgen(typescript_custom_section)]
const ACCESS_TS: &str = r#"
/** An access: a bare level (`"read"`), or a level with extra permissions of the `direct` profile. */
export type Access = Level | { level: Level; permissions?: Permission[] };
"#;
