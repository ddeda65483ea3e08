//! `custody seed demo`: a realistic organisation to try Custody on.
//!
//! A sequencing core facility (Bob, Priya, the demultiplexing pipeline)
//! delivers to two customer labs: Alice's tumor genomics lab (with a
//! nested bioinformatics group) and Erin's microbiome lab. Projects hold
//! runs, biosamples, libraries, pools, lab requeues, analyses, datasets,
//! and FASTQ, BCL, BAM and VCF files. Some data is shared, one run transfer
//! from the core to Alice is pending, and the "Cell atlas" project holds a
//! few thousand resources shared with an institute-wide group of hundreds,
//! so the dialog's scale is visible. Each group has admins who manage its
//! members: Alice runs her lab's two groups, Erin hers, and Bob the core
//! facility's and the institute-wide one.

use custody_policy::{
    Access, Grant, Principal, PrincipalKind, Profile, Resource, ResourceKind, Role, Transfer,
    TransferStatus, World,
};

use crate::accounts::{PasswordCost, set_password};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::import::import_world;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "custody-demo";

/// The demo sign-ins: (email, who).
pub const SIGN_INS: &[(&str, &str)] = &[
    (
        "alice@lab-a.example",
        "Alice Moreau, PI of the tumor genomics lab (owner of most projects; admin of groups lab-a and lab-a-bioinf)",
    ),
    (
        "carol@lab-a.example",
        "Carol Diaz, lab A (member of group lab-a)",
    ),
    (
        "dan@lab-a.example",
        "Dan Reyes, lab A bioinformatics (nested group)",
    ),
    (
        "erin@lab-b.example",
        "Erin Novak, PI of the microbiome lab (admin of group lab-b)",
    ),
    (
        "bob@core.example",
        "Bob Okafor, core facility manager (a run transfer to Alice is pending; admin of groups core-facility and institute)",
    ),
    ("priya@core.example", "Priya Shah, core facility technician"),
    (
        "dora@core.example",
        "Dora Lind, data owner role (direct profile)",
    ),
];

fn user(id: &str, name: &str, email: &str) -> Principal {
    Principal {
        id: id.to_string(),
        kind: PrincipalKind::User,
        email: Some(email.to_string()),
        name: Some(name.to_string()),
        members: Vec::new(),
        admins: Vec::new(),
        roles: Vec::new(),
    }
}

fn group(id: &str, name: &str, members: &[&str], admins: &[&str]) -> Principal {
    Principal {
        id: id.to_string(),
        kind: PrincipalKind::Group,
        email: None,
        name: Some(name.to_string()),
        members: members.iter().map(|m| m.to_string()).collect(),
        admins: admins.iter().map(|a| a.to_string()).collect(),
        roles: Vec::new(),
    }
}

struct Builder {
    world: World,
}

impl Builder {
    fn add(&mut self, id: &str, kind: ResourceKind, owner: &str, name: &str, projects: &[&str]) {
        self.world.resources.push(Resource {
            id: id.to_string(),
            kind,
            owner: owner.to_string(),
            name: Some(name.to_string()),
            projects: projects.iter().map(|p| p.to_string()).collect(),
            biosamples: Vec::new(),
            parent: None,
            format: None,
        });
    }

    fn run(&mut self, id: &str, owner: &str, name: &str, projects: &[&str], biosamples: &[String]) {
        self.add(id, ResourceKind::Run, owner, name, projects);
        if let Some(r) = self.world.resources.last_mut() {
            r.biosamples = biosamples.to_vec();
        }
    }

    fn file(&mut self, id: &str, owner: &str, parent: &str, name: &str, format: &str) {
        self.world.resources.push(Resource {
            id: id.to_string(),
            kind: ResourceKind::File,
            owner: owner.to_string(),
            name: Some(name.to_string()),
            projects: Vec::new(),
            biosamples: Vec::new(),
            parent: Some(parent.to_string()),
            format: Some(format.to_string()),
        });
    }

    fn share(&mut self, resource: &str, principal: &str, access: Access) {
        self.world.grants.push(Grant {
            resource: resource.to_string(),
            principal: principal.to_string(),
            access,
        });
    }
}

/// The demo world.
pub fn demo_world(profile: Profile) -> World {
    let mut people = vec![
        user("alice", "Alice Moreau", "alice@lab-a.example"),
        user("carol", "Carol Diaz", "carol@lab-a.example"),
        user("dan", "Dan Reyes", "dan@lab-a.example"),
        user("erin", "Erin Novak", "erin@lab-b.example"),
        user("frank", "Frank Osei", "frank@lab-b.example"),
        user("bob", "Bob Okafor", "bob@core.example"),
        user("priya", "Priya Shah", "priya@core.example"),
        Principal {
            roles: vec![Role::DataOwner],
            ..user("dora", "Dora Lind", "dora@core.example")
        },
        Principal {
            id: "pipeline".to_string(),
            kind: PrincipalKind::ServiceAccount,
            email: None,
            name: Some("Demultiplexing pipeline".to_string()),
            members: Vec::new(),
            admins: Vec::new(),
            roles: Vec::new(),
        },
    ];
    let staff: Vec<String> = (1..=300).map(|i| format!("staff{i:03}")).collect();
    for (i, id) in staff.iter().enumerate() {
        people.push(user(
            id,
            &format!("Staff member {}", i + 1),
            &format!("{id}@institute.example"),
        ));
    }
    people.push(group(
        "core-facility",
        "Core facility",
        &["bob", "priya", "pipeline"],
        &["bob"],
    ));
    people.push(group(
        "lab-a-bioinf",
        "Lab A bioinformatics",
        &["dan", "pipeline"],
        &["alice"],
    ));
    people.push(group(
        "lab-a",
        "Tumor genomics lab",
        &["alice", "carol", "lab-a-bioinf"],
        &["alice"],
    ));
    people.push(group(
        "lab-b",
        "Microbiome lab",
        &["erin", "frank"],
        &["erin"],
    ));
    let mut institute = group("institute", "Institute (all staff)", &[], &["bob"]);
    institute.members = staff.clone();
    institute.members.push("lab-a".to_string());
    institute.members.push("lab-b".to_string());
    people.push(institute);

    let mut b = Builder {
        world: World {
            profile,
            principals: people,
            resources: Vec::new(),
            grants: Vec::new(),
            transfers: Vec::new(),
        },
    };
    use ResourceKind::*;

    // Lab A: tumor WGS, sequenced by the core facility.
    b.add("P-TUMOR", Project, "alice", "Tumor WGS", &[]);
    let tumor_samples: Vec<String> = (1..=6).map(|i| format!("BS-T{i:02}")).collect();
    for (i, s) in tumor_samples.iter().enumerate() {
        let kind = if i % 2 == 0 { "tumor" } else { "normal" };
        b.add(
            s,
            Biosample,
            "alice",
            &format!("Patient {} {kind}", i / 2 + 1),
            &["P-TUMOR"],
        );
        b.add(
            &format!("LIB-T{:02}", i + 1),
            Library,
            "alice",
            &format!("TruSeq PCR-free {}", i + 1),
            &["P-TUMOR"],
        );
    }
    b.add("POOL-T1", Pool, "alice", "Tumor pool 1", &["P-TUMOR"]);
    b.add(
        "RQ-T1",
        LabRequeue,
        "alice",
        "Requeue of LIB-T03 (low yield)",
        &["P-TUMOR"],
    );
    b.run(
        "R-0101",
        "alice",
        "NovaSeq 2024-03-04",
        &["P-TUMOR"],
        &tumor_samples[..4],
    );
    b.run(
        "R-0102",
        "alice",
        "NovaSeq 2024-03-18",
        &["P-TUMOR"],
        &tumor_samples[2..],
    );
    // Sequenced by the core, not yet handed over: transfer pending.
    b.run(
        "R-0103",
        "bob",
        "NovaSeq 2024-04-02 (top-up)",
        &["P-TUMOR"],
        &tumor_samples[..2],
    );
    for run in ["R-0101", "R-0102", "R-0103"] {
        let owner = if run == "R-0103" { "bob" } else { "alice" };
        for lane in 1..=2 {
            b.file(
                &format!("{run}-L{lane}-R1"),
                owner,
                run,
                &format!("{run}_L00{lane}_R1.fastq.gz"),
                "fastq",
            );
            b.file(
                &format!("{run}-L{lane}-R2"),
                owner,
                run,
                &format!("{run}_L00{lane}_R2.fastq.gz"),
                "fastq",
            );
        }
        b.file(
            &format!("{run}-BCL"),
            owner,
            run,
            &format!("{run}.bcl.tar"),
            "bcl",
        );
    }
    b.add(
        "AN-T1",
        Analysis,
        "alice",
        "Somatic variant calling",
        &["P-TUMOR"],
    );
    b.add(
        "DS-T1",
        Dataset,
        "alice",
        "Aligned reads and calls",
        &["P-TUMOR"],
    );
    b.file("DS-T1-BAM", "alice", "DS-T1", "tumor_vs_normal.bam", "bam");
    b.file("DS-T1-VCF", "alice", "DS-T1", "somatic.vcf.gz", "vcf");
    b.share("P-TUMOR", "lab-a", Access::READ);
    b.share("P-TUMOR", "dan", Access::WRITE);
    b.share("R-0103", "lab-a-bioinf", Access::READ);

    // Lab B: gut microbiome.
    b.add("P-MICRO", Project, "erin", "Gut microbiome cohort", &[]);
    let micro_samples: Vec<String> = (1..=8).map(|i| format!("BS-M{i:02}")).collect();
    for (i, s) in micro_samples.iter().enumerate() {
        b.add(
            s,
            Biosample,
            "erin",
            &format!("Stool sample {}", i + 1),
            &["P-MICRO"],
        );
    }
    b.add(
        "LIB-M1",
        Library,
        "erin",
        "16S amplicon library",
        &["P-MICRO"],
    );
    b.add("POOL-M1", Pool, "erin", "Microbiome pool", &["P-MICRO"]);
    b.run(
        "R-0201",
        "erin",
        "MiSeq 2024-02-12",
        &["P-MICRO"],
        &micro_samples,
    );
    b.file("R-0201-R1", "erin", "R-0201", "R-0201_R1.fastq.gz", "fastq");
    b.file("R-0201-R2", "erin", "R-0201", "R-0201_R2.fastq.gz", "fastq");
    b.add(
        "AN-M1",
        Analysis,
        "erin",
        "Taxonomic profiling",
        &["P-MICRO"],
    );
    b.add("DS-M1", Dataset, "erin", "Abundance tables", &["P-MICRO"]);
    b.file("DS-M1-TSV", "erin", "DS-M1", "abundance.tsv", "tsv");
    b.share("P-MICRO", "lab-b", Access::WRITE);
    b.share("P-MICRO", "core-facility", Access::READ);

    // The core facility's own QC project.
    b.add("P-CORE-QC", Project, "bob", "Core facility QC", &[]);
    b.run("R-0001", "bob", "PhiX control run", &["P-CORE-QC"], &[]);
    b.file("R-0001-R1", "bob", "R-0001", "phix_R1.fastq.gz", "fastq");
    b.share("P-CORE-QC", "core-facility", Access::WRITE);

    // The large project: a few thousand resources, shared institute-wide.
    b.add("P-ATLAS", Project, "alice", "Cell atlas (large)", &[]);
    for i in 1..=1200 {
        b.add(
            &format!("ATL-BS{i:04}"),
            Biosample,
            "alice",
            &format!("Atlas donor sample {i}"),
            &["P-ATLAS"],
        );
    }
    for i in 1..=400 {
        b.add(
            &format!("ATL-LIB{i:04}"),
            Library,
            "alice",
            &format!("Atlas library {i}"),
            &["P-ATLAS"],
        );
    }
    for i in 1..=40 {
        b.add(
            &format!("ATL-POOL{i:03}"),
            Pool,
            "alice",
            &format!("Atlas pool {i}"),
            &["P-ATLAS"],
        );
    }
    for i in 1..=200 {
        let samples: Vec<String> = (0..6)
            .map(|k| format!("ATL-BS{:04}", (i * 6 + k) % 1200 + 1))
            .collect();
        let run = format!("ATL-R{i:03}");
        b.run(
            &run,
            "alice",
            &format!("Atlas run {i}"),
            &["P-ATLAS"],
            &samples,
        );
        b.file(
            &format!("{run}-R1"),
            "alice",
            &run,
            &format!("{run}_R1.fastq.gz"),
            "fastq",
        );
        b.file(
            &format!("{run}-R2"),
            "alice",
            &run,
            &format!("{run}_R2.fastq.gz"),
            "fastq",
        );
        b.file(
            &format!("{run}-BCL"),
            "alice",
            &run,
            &format!("{run}.bcl.tar"),
            "bcl",
        );
    }
    for i in 1..=100 {
        b.add(
            &format!("ATL-AN{i:03}"),
            Analysis,
            "alice",
            &format!("Atlas clustering {i}"),
            &["P-ATLAS"],
        );
    }
    for i in 1..=100 {
        let ds = format!("ATL-DS{i:03}");
        b.add(
            &ds,
            Dataset,
            "alice",
            &format!("Atlas matrices {i}"),
            &["P-ATLAS"],
        );
        b.file(
            &format!("{ds}-H5"),
            "alice",
            &ds,
            &format!("matrix_{i}.h5ad"),
            "h5ad",
        );
    }
    b.share("P-ATLAS", "institute", Access::READ);
    b.share("P-ATLAS", "lab-a-bioinf", Access::WRITE);

    b.world.transfers.push(Transfer {
        id: "T-DEMO1".to_string(),
        resource: "R-0103".to_string(),
        from: "bob".to_string(),
        to: "alice@lab-a.example".to_string(),
        status: TransferStatus::Pending,
        message: Some("Your top-up run is ready; FASTQ files stay with the core.".to_string()),
    });
    if profile == Profile::Direct {
        // The direct profile has no transfers.
        b.world.transfers.clear();
    }
    b.world
}

/// Loads the demo into an empty database and sets the demo passwords.
pub async fn seed_demo(db: &Db, profile: Profile, cost: PasswordCost) -> AppResult<()> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM principals")
        .fetch_one(&db.pool)
        .await?;
    if count > 0 {
        return Err(AppError::bad_request(
            "not_empty",
            "the database holds data already; the demo goes into an empty one",
        ));
    }
    import_world(db, &demo_world(profile)).await?;
    for id in [
        "alice", "carol", "dan", "erin", "frank", "bob", "priya", "dora",
    ] {
        set_password(db, id, DEMO_PASSWORD, cost).await?;
    }
    Ok(())
}

/// The sign-ins, as printed by `custody seed demo` and `cargo xtask run`.
pub fn sign_ins_text() -> String {
    let mut out = format!("demo sign-ins (password `{DEMO_PASSWORD}`):\n");
    for (email, who) in SIGN_INS {
        out.push_str(&format!("  {email:<24} {who}\n"));
    }
    out
}
