//! The world as JSON: principals, resources, grants and transfers, read and
//! written exactly in the form of the access-model specification.
//!
//! These types are plain data. Whether a world makes sense (no dangling ids,
//! no group cycles, ...) is decided when it is indexed (`index.rs`).

use crate::access::Access;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How a deployment hands ownership over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// Transfer by invitation that the recipient accepts.
    Basespace,
    /// Immediate "Set as owner", with extra permissions on shares.
    Direct,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    User,
    ServiceAccount,
    Group,
}

impl PrincipalKind {
    /// People are users and service accounts: the ones who hold access.
    pub fn is_person(self) -> bool {
        !matches!(self, PrincipalKind::Group)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::ServiceAccount => "service_account",
            PrincipalKind::Group => "group",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// In the `direct` profile, a user who can read every project.
    DataOwner,
}

/// A user, a service account or a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Principal {
    pub id: String,
    pub kind: PrincipalKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Member ids of a group: users, service accounts or other groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// For a group, the users and service accounts who manage its members
    /// (an admin need not be a member; being one is not inherited).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub admins: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Role>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Project,
    Run,
    Biosample,
    Library,
    Pool,
    LabRequeue,
    Analysis,
    Dataset,
    File,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 9] = [
        ResourceKind::Project,
        ResourceKind::Run,
        ResourceKind::Biosample,
        ResourceKind::Library,
        ResourceKind::Pool,
        ResourceKind::LabRequeue,
        ResourceKind::Analysis,
        ResourceKind::Dataset,
        ResourceKind::File,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Project => "project",
            ResourceKind::Run => "run",
            ResourceKind::Biosample => "biosample",
            ResourceKind::Library => "library",
            ResourceKind::Pool => "pool",
            ResourceKind::LabRequeue => "lab_requeue",
            ResourceKind::Analysis => "analysis",
            ResourceKind::Dataset => "dataset",
            ResourceKind::File => "file",
        }
    }

    /// Runs and datasets hold files.
    pub fn holds_files(self) -> bool {
        matches!(self, ResourceKind::Run | ResourceKind::Dataset)
    }

    /// The order in which access is worked out: a resource's access depends
    /// only on resources of a lower rank (projects, then what they hold, then
    /// files and the biosamples whose names runs reveal).
    pub(crate) fn rank(self) -> usize {
        match self {
            ResourceKind::Project => 0,
            ResourceKind::Biosample | ResourceKind::File => 2,
            _ => 1,
        }
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A project, run, biosample, library, pool, lab requeue, analysis, dataset
/// or file. Every resource has exactly one owner, a user or service account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Resource {
    pub id: String,
    pub kind: ResourceKind,
    pub owner: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Projects a non-project resource is associated with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub projects: Vec<String>,
    /// Biosamples sequenced on a run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub biosamples: Vec<String>,
    /// The run or dataset a file belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// A file's format (`fastq`, `bcl`, `bam`, `vcf`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

impl Resource {
    /// True for a file whose format is FASTQ (any letter case), the files a
    /// run transfer leaves with the sender.
    pub fn is_fastq(&self) -> bool {
        self.format
            .as_deref()
            .is_some_and(|f| f.eq_ignore_ascii_case("fastq"))
    }
}

/// A share: one principal's access to one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Grant {
    pub resource: String,
    pub principal: String,
    #[cfg_attr(feature = "wasm", tsify(type = "Access"))]
    pub access: Access,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum TransferStatus {
    Pending,
    Accepted,
    Declined,
    Canceled,
}

impl TransferStatus {
    pub const ALL: [TransferStatus; 4] = [
        TransferStatus::Pending,
        TransferStatus::Accepted,
        TransferStatus::Declined,
        TransferStatus::Canceled,
    ];

    /// The status as the JSON form writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            TransferStatus::Pending => "pending",
            TransferStatus::Accepted => "accepted",
            TransferStatus::Declined => "declined",
            TransferStatus::Canceled => "canceled",
        }
    }

    pub fn parse(text: &str) -> Option<TransferStatus> {
        TransferStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// An invitation to take ownership of a project or run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Transfer {
    pub id: String,
    pub resource: String,
    pub from: String,
    /// The recipient's email; they may not have an account yet.
    pub to: String,
    pub status: TransferStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Everything that decides who can reach what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct World {
    pub profile: Profile,
    #[serde(default)]
    pub principals: Vec<Principal>,
    #[serde(default)]
    pub resources: Vec<Resource>,
    #[serde(default)]
    pub grants: Vec<Grant>,
    #[serde(default)]
    pub transfers: Vec<Transfer>,
}
