//! The `custody` command: `serve`, and the admin subcommands that work on
//! the same database (`user add`, `user set-password`, `group add`,
//! `seed demo`, `import`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use custody_policy::Profile;

use crate::accounts::{NewAccount, PasswordCost, add_account, add_group, set_password};
use crate::db::{DEFAULT_URL, Db};
use crate::{AppState, Settings, app};

#[derive(Debug, Parser)]
#[command(
    name = "custody",
    version,
    about = "Share sequencing data and hand over its ownership, with a preview of who gains and who loses access"
)]
pub struct Cli {
    /// The database: `sqlite://PATH` or `postgres://...`.
    #[arg(long, global = true, env = "DATABASE_URL", default_value = DEFAULT_URL)]
    pub database_url: String,
    /// Which flows the deployment offers.
    #[arg(long, global = true, env = "CUSTODY_PROFILE", value_enum, default_value_t = ProfileArg::Basespace)]
    pub profile: ProfileArg,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProfileArg {
    /// Transfer by invitation that the recipient accepts.
    Basespace,
    /// Immediate "set as owner", permissions on shares.
    Direct,
}

impl From<ProfileArg> for Profile {
    fn from(p: ProfileArg) -> Profile {
        match p {
            ProfileArg::Basespace => Profile::Basespace,
            ProfileArg::Direct => Profile::Direct,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the web app.
    Serve(ServeArgs),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage groups.
    #[command(subcommand)]
    Group(GroupCommand),
    /// Load data.
    #[command(subcommand)]
    Seed(SeedCommand),
    /// Load a world (the specification's JSON) into an empty database.
    Import {
        /// The world file.
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// The Trunk-built web app to serve.
    #[arg(long, env = "CUSTODY_DIST")]
    pub dist: Option<PathBuf>,
    /// How long a session lasts, in minutes.
    #[arg(long, default_value_t = 720)]
    pub session_minutes: u64,
    /// Mark the session cookie `Secure` (set when served over https behind
    /// a proxy that does not send `X-Forwarded-Proto`).
    #[arg(long)]
    pub secure_cookies: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user or service account.
    Add {
        #[arg(long)]
        id: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        name: Option<String>,
        /// The password (or set CUSTODY_PASSWORD).
        #[arg(long, env = "CUSTODY_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        #[arg(long)]
        service_account: bool,
        /// Reads every project in the `direct` profile.
        #[arg(long)]
        data_owner: bool,
    },
    /// Set (or replace) the password of a user or service account, e.g.
    /// one that came with an imported world.
    SetPassword {
        #[arg(long)]
        id: String,
        /// The password (or set CUSTODY_PASSWORD).
        #[arg(long, env = "CUSTODY_PASSWORD", hide_env_values = true)]
        password: String,
        /// A cheap password hash (throwaway test or benchmark data only).
        #[arg(long)]
        fast_hashes: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Add a group.
    Add {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: Option<String>,
        /// Member ids (people or groups), comma-separated.
        #[arg(long, value_delimiter = ',')]
        members: Vec<String>,
        /// Admin ids (people), comma-separated.
        #[arg(long, value_delimiter = ',')]
        admins: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SeedCommand {
    /// A core facility, two customer labs and a large project.
    Demo {
        /// Do nothing (and succeed) when the database holds data already.
        #[arg(long)]
        if_empty: bool,
        /// Cheap password hashes (throwaway demo data only).
        #[arg(long)]
        fast_hashes: bool,
    },
}

/// Runs the command; errors are sentences for the person at the terminal.
pub async fn run(cli: Cli) -> Result<(), String> {
    let db = Db::open(&cli.database_url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    let profile: Profile = cli.profile.into();
    let message = |e: crate::AppError| {
        let (_, body) = e.parts();
        match &e {
            crate::AppError::Internal(details) => details.clone(),
            crate::AppError::Db(e) => e.to_string(),
            _ => body["message"].as_str().unwrap_or("failed").to_string(),
        }
    };
    match cli.command {
        Command::Serve(args) => {
            let settings = Settings {
                profile,
                session_ttl: Duration::from_secs(args.session_minutes.max(1) * 60),
                secure_cookies: args.secure_cookies,
                dist: args.dist,
                password_cost: PasswordCost::Default,
                ..Settings::default()
            };
            serve(db, settings, args.bind).await
        }
        Command::User(UserCommand::Add {
            id,
            email,
            name,
            password,
            service_account,
            data_owner,
        }) => {
            let account = NewAccount {
                id: id.clone(),
                service_account,
                email,
                name,
                data_owner,
                password,
            };
            add_account(&db, &account, PasswordCost::Default)
                .await
                .map_err(message)?;
            println!("added account `{id}`");
            Ok(())
        }
        Command::User(UserCommand::SetPassword {
            id,
            password,
            fast_hashes,
        }) => {
            if password.is_empty() {
                return Err("the password is empty".to_string());
            }
            let cost = if fast_hashes {
                PasswordCost::Low
            } else {
                PasswordCost::Default
            };
            set_password(&db, &id, &password, cost)
                .await
                .map_err(message)?;
            println!("set the password of `{id}`");
            Ok(())
        }
        Command::Group(GroupCommand::Add {
            id,
            name,
            members,
            admins,
        }) => {
            add_group(&db, &id, name.as_deref(), &members, &admins)
                .await
                .map_err(message)?;
            println!("added group `{id}`");
            Ok(())
        }
        Command::Seed(SeedCommand::Demo {
            if_empty,
            fast_hashes,
        }) => {
            let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM principals")
                .fetch_one(&db.pool)
                .await
                .map_err(|e| e.to_string())?;
            if count > 0 && if_empty {
                println!("the database holds data already; no demo added");
                let (demo,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM principals WHERE id = 'alice'")
                        .fetch_one(&db.pool)
                        .await
                        .map_err(|e| e.to_string())?;
                if demo > 0 {
                    print!("{}", crate::seed::sign_ins_text());
                }
                return Ok(());
            }
            let cost = if fast_hashes {
                PasswordCost::Low
            } else {
                PasswordCost::Default
            };
            crate::seed::seed_demo(&db, profile, cost)
                .await
                .map_err(message)?;
            print!("{}", crate::seed::sign_ins_text());
            Ok(())
        }
        Command::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let world: custody_policy::World =
                serde_json::from_str(&text).map_err(|e| format!("not a world: {e}"))?;
            crate::import::import_world(&db, &world)
                .await
                .map_err(message)?;
            println!(
                "imported {} principals and {} resources",
                world.principals.len(),
                world.resources.len()
            );
            Ok(())
        }
    }
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn serve(db: Db, settings: Settings, bind: SocketAddr) -> Result<(), String> {
    let state = AppState::new(db, settings);
    crate::notifications::listen(&state.db, state.bus.clone());
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    println!(
        "custody serving on http://{address}/ (profile {:?})",
        state.settings.profile
    );
    // With the peer's address, for the sign-in throttle.
    let service = app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| format!("server error: {e}"))
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
