//! The database: SQLite (a file under `./data/` by default) or PostgreSQL
//! (`DATABASE_URL=postgres://...`), through one `sqlx::Any` pool so that
//! every query is written once. The SQL is portable: `$1` placeholders
//! (SQLite reads `$N` as the N-th argument too), text ids, `BIGINT`
//! timestamps and flags. Only the migrations differ, one folder per backend.
//!
//! Writes that decide on what they read (every confirmed action) take the
//! database's write lock for the whole transaction:
//! - SQLite has one writer at a time: `BEGIN IMMEDIATE` takes the lock up
//!   front, so a transaction never reads a snapshot that a concurrent
//!   commit makes stale. Such transactions run on a connection of their
//!   own, whose pool of one queues them in the process, off SQLite's
//!   sleeping busy handler (SQLite serves one process).
//! - PostgreSQL: such transactions first take one transaction-level
//!   advisory lock, so confirmations from every server instance apply one
//!   at a time, each reading (read committed, after the lock) what the
//!   previous one committed; reads never wait. (`SERIALIZABLE` with
//!   retries was tried first: under 32 concurrent writers its predicate
//!   locks on the slice's small tables made nearly every pair of
//!   confirmations conflict.) A failed transaction is retried.

use std::path::Path;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

/// Which database the pool talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a connection talks to.
    pub fn of(conn: &sqlx::AnyConnection) -> Backend {
        if conn.backend_name() == "PostgreSQL" {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// A transaction on the pool.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// The pool and what it needs to know about its backend.
#[derive(Clone)]
pub struct Db {
    /// Reads, and writes that decide on nothing they read.
    pub pool: AnyPool,
    /// Transactions that read, decide and write ([`Db::write`]): SQLite's
    /// own connection (one), PostgreSQL's shared pool.
    writer: AnyPool,
    pub backend: Backend,
    pub url: String,
}

/// A write transaction.
pub struct WriteTx {
    pub tx: Tx,
}

/// The PostgreSQL advisory lock that confirmations hold (any number).
const WRITE_LOCK: i64 = 0x0C05_70D1;

/// The default SQLite database.
pub const DEFAULT_URL: &str = "sqlite://data/custody.db";

impl Db {
    /// Opens the database named by `url` (creating a SQLite file and its
    /// folder when missing) and runs the migrations.
    pub async fn open(url: &str) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(sqlx::Error::Configuration(
                format!("unsupported database url `{url}`: use sqlite://PATH or postgres://...")
                    .into(),
            ));
        };
        let mut connect_url = url.to_string();
        if backend == Backend::Sqlite {
            if let Some(path) = sqlite_path(url)
                && let Some(dir) = Path::new(path).parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(|e| {
                    sqlx::Error::Configuration(
                        format!("cannot create the folder `{}`: {e}", dir.display()).into(),
                    )
                })?;
            }
            if !connect_url.contains("mode=") {
                connect_url.push_str(if connect_url.contains('?') { "&" } else { "?" });
                connect_url.push_str("mode=rwc");
            }
        }
        let options: AnyConnectOptions = connect_url.parse()?;
        let (pool, writer) = match backend {
            // Readers share a few connections (each is a thread of its own
            // doing SQLite's work: more than the cores only share them
            // out); the one writer has its own, so a confirmation never
            // waits for a reader to hand a connection back, and the pool of
            // one is the queue of writers.
            Backend::Sqlite => (
                connect(&options, backend, 4).await?,
                connect(&options, backend, 1).await?,
            ),
            Backend::Postgres => {
                let pool = connect(&options, backend, 16).await?;
                (pool.clone(), pool)
            }
        };
        let db = Db {
            pool,
            writer,
            backend,
            url: url.to_string(),
        };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> Result<(), sqlx::Error> {
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        migrator
            .run(&self.pool)
            .await
            .map_err(|e| sqlx::Error::Migrate(Box::new(e)))
    }

    /// Starts a transaction that reads, decides and writes (see the module
    /// documentation).
    pub async fn write(&self) -> Result<WriteTx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => {
                let tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
                Ok(WriteTx { tx })
            }
            Backend::Postgres => {
                let mut tx = self.writer.begin().await?;
                // Read committed: each statement after the lock sees what
                // the previous holder committed.
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK)
                    .execute(&mut *tx)
                    .await?;
                Ok(WriteTx { tx })
            }
        }
    }

    /// Starts a transaction for reads that must agree with each other.
    pub async fn read(&self) -> Result<Tx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin().await,
            Backend::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await
            }
        }
    }
}

/// A pool of at most `max` connections to the database of `options`, each
/// set up for the backend as it opens.
async fn connect(
    options: &AnyConnectOptions,
    backend: Backend,
    max: u32,
) -> Result<AnyPool, sqlx::Error> {
    AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(30))
        // A SQLite connection is a file opened in this process: it does
        // not break the way a network connection does, and pinging it
        // before each use is one more hop to its worker thread per
        // transaction (a tenth of a confirmation's time under load).
        .test_before_acquire(backend == Backend::Postgres)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Postgres {
                    // The slice query's row estimates are rough (recursive
                    // CTEs), which can push its cost over the JIT threshold:
                    // compiling it then takes a second, running it a
                    // millisecond.
                    //
                    // Generic plans: a prepared statement is planned once
                    // per connection, not at every execution. The slice
                    // query's custom plan took 1.4 ms to make and 2.3 ms
                    // to run on a four-resource project, and the values
                    // it binds (ids) would not change the plan.
                    conn.execute("SET jit = off; SET plan_cache_mode = force_generic_plan")
                        .await?;
                }
                if backend == Backend::Sqlite {
                    // WAL: readers never wait for the writer. NORMAL
                    // sync is durable across crashes of the process
                    // (not of the machine) and much faster.
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .connect_with(options.clone())
        .await
}

/// True for errors after which a serializable transaction should be tried
/// again (PostgreSQL's serialization failure and deadlock; SQLite's busy).
pub fn is_retryable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => matches!(
            db.code().as_deref(),
            Some("40001") | Some("40P01") | Some("5") | Some("517")
        ),
        _ => false,
    }
}

/// The file of a `sqlite://` url (None for in-memory databases).
fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// The placeholders of a multi-row `VALUES` list: `rows` tuples of
/// `columns` numbered parameters each, the first numbered `first`, such as
/// `($2, $3), ($4, $5)`. Both databases number parameters `$N` under
/// `sqlx::Any`.
pub fn values_placeholders(rows: usize, columns: usize, first: usize) -> String {
    let mut out = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        if row > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for column in 0..columns {
            if column > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(first + row * columns + column).to_string());
        }
        out.push(')');
    }
    out
}

/// Runs a multi-row `INSERT ... VALUES ... RETURNING id` of `rows` rows
/// and gives the ids it drew in the order of its `VALUES`: both databases
/// draw each row's id as they insert it, in that order, but `RETURNING`
/// may list them in any order, so they are sorted. `what` names the rows
/// in the error for a count that does not match.
pub async fn inserted_ids<'q>(
    tx: &mut Tx,
    query: sqlx::query::QueryAs<'q, sqlx::Any, (i64,), sqlx::any::AnyArguments<'q>>,
    rows: usize,
    what: &str,
) -> Result<Vec<i64>, crate::error::AppError> {
    let mut ids: Vec<i64> = query
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect();
    if ids.len() != rows {
        return Err(crate::error::AppError::internal(format!(
            "{rows} {what} written, {} ids returned",
            ids.len()
        )));
    }
    ids.sort_unstable();
    Ok(ids)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::values_placeholders;

    #[test]
    fn placeholders_number_rows_then_columns() {
        assert_eq!(values_placeholders(2, 2, 1), "($1, $2), ($3, $4)");
        assert_eq!(values_placeholders(3, 1, 2), "($2), ($3), ($4)");
        assert_eq!(values_placeholders(0, 6, 1), "");
    }
}
