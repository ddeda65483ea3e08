//! The commit queue: confirmed actions are applied by one task, a batch at
//! a time, in one write transaction per batch.
//!
//! Confirmations apply one at a time (each decides on what the previous
//! one wrote: `db.rs`), so their rate is one over the time each holds the
//! write lock. Every statement in that time is a hop to the database
//! (SQLite's worker thread, or PostgreSQL across the network) and back,
//! and under load each hop waits for a core: with a transaction per
//! action, 32 clients confirmed some 550 actions a second on SQLite while
//! the server used less than one core of two. In a batch the actions
//! still apply in order, each previewed on a slice read after the
//! previous one's rows are written, but the begin and commit, the
//! idempotency lookups, and the audit, notification and idempotency
//! records are a statement or two for the whole batch.
//!
//! An action the policy refuses writes nothing, and the batch goes on. An
//! error after an action began to write (or any database error: it leaves
//! a PostgreSQL transaction unusable) rolls the batch back, which is then
//! tried again without that action, or with it when the error is worth
//! another try. Nobody is answered before the batch commits, so a 2xx is
//! always durable; a client that goes away has its action applied anyway,
//! and its retry with the same key replays the answer.
//!
//! Deciding each action before its turn, on a reader's snapshot, and only
//! checking in the batch that nothing its slice depends on was logged
//! since (`world_changes`), was tried and measured: the queue's time per
//! action fell from about 0.42 to 0.30 ms, but the check is a statement of
//! its own after every write, and the separate read transaction costs more
//! in all, so at 32 clients on SQLite the server confirmed 1,640 to 1,690
//! actions a second instead of 1,820 to 2,040, with the same p99 (30 ms).

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::http::StatusCode;
use custody_api::ActionRequest;
use custody_policy::Profile;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use crate::actions::{self, Decided, Failure};
use crate::context_cache::ContextCache;
use crate::db::{Backend, Db, Tx, inserted_ids, is_retryable, now_ms, values_placeholders};
use crate::error::{AppError, AppResult};
use crate::notifications::{self, Addressed, Bus};

/// The most actions in one batch: enough for every client of a busy
/// instance, few enough that one batch's transaction stays short.
const MAX_BATCH: usize = 64;

/// How often an action (or a batch) is tried before giving up.
const ATTEMPTS: usize = 30;

/// The answer to one confirmation.
type Answer = AppResult<(StatusCode, Value)>;

/// A confirmation waiting in the queue.
struct Job {
    me: String,
    request: ActionRequest,
    request_hash: String,
    reply: oneshot::Sender<Answer>,
}

impl Job {
    fn key(&self) -> (&str, &str) {
        (&self.me, self.request.idempotency_key.trim())
    }
}

/// The queue, and what its task needs; the task starts with the first
/// confirmation (on its own thread: `start`) and ends when the queue is
/// dropped.
pub struct CommitQueue {
    db: Db,
    profile: Profile,
    bus: Bus,
    contexts: Arc<ContextCache>,
    sender: OnceLock<mpsc::UnboundedSender<Job>>,
}

impl CommitQueue {
    pub fn new(db: Db, profile: Profile, bus: Bus, contexts: Arc<ContextCache>) -> CommitQueue {
        CommitQueue {
            db,
            profile,
            bus,
            contexts,
            sender: OnceLock::new(),
        }
    }

    /// Applies `request` for `me` in the next batch; its answer, or why not.
    /// `request_hash` tells a replay of the same request from a reuse of
    /// its key for another.
    pub async fn confirm(
        &self,
        me: String,
        request: ActionRequest,
        request_hash: String,
    ) -> Answer {
        let sender = self.sender.get_or_init(|| {
            let (sender, receiver) = mpsc::unbounded_channel();
            start(run(
                Writer {
                    db: self.db.clone(),
                    profile: self.profile,
                    bus: self.bus.clone(),
                    contexts: self.contexts.clone(),
                },
                receiver,
            ));
            sender
        });
        let (reply, answer) = oneshot::channel();
        sender
            .send(Job {
                me,
                request,
                request_hash,
                reply,
            })
            .map_err(|_| AppError::internal("the commit queue has stopped"))?;
        answer
            .await
            .map_err(|_| AppError::internal("the commit queue dropped a confirmation"))?
    }
}

/// Runs the queue's task on a thread of its own, with a runtime of its own.
///
/// Confirmations apply one at a time, and each waits on the database a few
/// times (`db.rs`). On the server's runtime, every time the database
/// answered, the queue's task waited behind whatever HTTP work was queued
/// on the runtime's threads: at 32 clients the queue was the bottleneck
/// while a third of the machine's time was idle. On its own thread it runs
/// as soon as the database answers. If that thread cannot be started, the
/// task runs on the server's runtime.
fn start<F: std::future::Future<Output = ()> + Send + 'static>(task: F) {
    let slot = std::sync::Arc::new(std::sync::Mutex::new(Some(task)));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let started = runtime.map_err(|e| e.to_string()).and_then(|runtime| {
        let theirs = slot.clone();
        std::thread::Builder::new()
            .name("commit-queue".into())
            .spawn(move || {
                let task = theirs.lock().ok().and_then(|mut t| t.take());
                if let Some(task) = task {
                    runtime.block_on(task);
                }
            })
            .map_err(|e| e.to_string())
    });
    if let Err(e) = started {
        tracing::warn!(error = %e, "the commit queue runs on the server's runtime");
        if let Some(task) = slot.lock().ok().and_then(|mut t| t.take()) {
            tokio::spawn(task);
        }
    }
}

/// The queue's task: takes what is waiting, up to a batch, and applies it.
/// A second confirmation with the key of one already in the batch waits
/// for the next (it must see the first one's stored answer).
async fn run(writer: Writer, mut queue: mpsc::UnboundedReceiver<Job>) {
    let mut later: VecDeque<Job> = VecDeque::new();
    loop {
        let mut waiting: Vec<Job> = Vec::new();
        while waiting.len() < MAX_BATCH
            && let Some(job) = later.pop_front()
        {
            waiting.push(job);
        }
        if waiting.is_empty() {
            match queue.recv().await {
                Some(job) => waiting.push(job),
                None => return,
            }
        }
        while waiting.len() < MAX_BATCH
            && let Ok(job) = queue.try_recv()
        {
            waiting.push(job);
        }
        let mut keys = HashSet::new();
        let mut batch = Vec::with_capacity(waiting.len());
        for job in waiting {
            if keys.insert((job.me.clone(), job.key().1.to_string())) {
                batch.push(job);
            } else {
                later.push_back(job);
            }
        }
        // A panic in a batch (a bug) must not stop the queue: its callers
        // are answered with an internal error when their replies drop.
        let applying = tokio::spawn(apply(writer.clone(), batch));
        if let Err(e) = applying.await {
            tracing::error!(error = %e, "a batch of confirmations failed");
        }
    }
}

/// What the queue's task applies batches with.
#[derive(Clone)]
struct Writer {
    db: Db,
    profile: Profile,
    bus: Bus,
    /// Kept slices, read (never kept) by the writer: `world_for_writer`.
    contexts: Arc<ContextCache>,
}

/// A job in a batch, with how often it broke the batch.
struct Pending {
    job: Job,
    attempts: usize,
}

/// What became of one job in a committed batch.
enum Outcome {
    /// Its key was used before: the stored answer.
    Replay(StatusCode, Value),
    /// Refused; nothing written.
    Refused(AppError),
    /// Applied: its answer and notifications.
    Applied(Value, Vec<Addressed>),
}

/// Why an attempt at a batch ended without a commit.
enum Stop {
    /// The job at this index broke the transaction.
    Job(usize, AppError),
    /// The batch itself failed (begin, lookups, records, commit).
    Batch(AppError),
}

/// Applies `jobs` in one transaction, trying again without the ones that
/// fail, and answers every one.
async fn apply(writer: Writer, jobs: Vec<Job>) {
    let Writer { db, bus, .. } = &writer;
    let mut pending: Vec<Pending> = jobs
        .into_iter()
        .map(|job| Pending { job, attempts: 0 })
        .collect();
    let mut batch_attempts = 0;
    while !pending.is_empty() {
        let stop = match attempt(&writer, &pending).await {
            Ok(outcomes) => {
                for (p, outcome) in pending.into_iter().zip(outcomes) {
                    let answer = match outcome {
                        Outcome::Replay(status, body) => Ok((status, body)),
                        Outcome::Refused(e) => Err(e),
                        Outcome::Applied(body, notes) => {
                            if db.backend == Backend::Sqlite {
                                for note in notes {
                                    bus.publish(note);
                                }
                            }
                            Ok((StatusCode::OK, body))
                        }
                    };
                    // The caller may have gone away: its retry replays.
                    let _ = p.job.reply.send(answer);
                }
                return;
            }
            Err(stop) => stop,
        };
        match stop {
            Stop::Job(i, e) => {
                pending[i].attempts += 1;
                let attempts = pending[i].attempts;
                if retryable(db.backend, &e) && attempts < ATTEMPTS {
                    tracing::debug!(error = ?e, attempts, "retrying a confirmation");
                    pause(attempts).await;
                } else {
                    let p = pending.remove(i);
                    let _ = p.job.reply.send(Err(e));
                }
            }
            Stop::Batch(e) => {
                batch_attempts += 1;
                if retryable(db.backend, &e) && batch_attempts < ATTEMPTS {
                    tracing::debug!(error = ?e, batch_attempts, "retrying a batch");
                    pause(batch_attempts).await;
                } else {
                    // The error is logged once, with the first answer.
                    let message = format!("the batch failed: {e:?}");
                    let mut first = Some(e);
                    for p in pending.drain(..) {
                        let e = first.take().unwrap_or_else(|| AppError::internal(&message));
                        let _ = p.job.reply.send(Err(e));
                    }
                }
            }
        }
    }
}

/// A short wait before trying again, longer each time.
async fn pause(attempts: usize) {
    tokio::time::sleep(Duration::from_millis(2 * attempts as u64)).await;
}

fn retryable(backend: Backend, e: &AppError) -> bool {
    let AppError::Db(e) = e else {
        return false;
    };
    is_retryable(e)
        || (backend == Backend::Postgres
            && matches!(e, sqlx::Error::Database(d) if d.code().as_deref() == Some("23505")))
}

/// One try at a batch: every job decided in order in one transaction,
/// the records written, committed.
async fn attempt(writer: &Writer, pending: &[Pending]) -> Result<Vec<Outcome>, Stop> {
    let Writer {
        db,
        profile,
        contexts,
        ..
    } = writer;
    let started = std::time::Instant::now();
    let mut w = db.write().await.map_err(|e| Stop::Batch(e.into()))?;
    let stored = stored_answers(&mut w.tx, pending)
        .await
        .map_err(|e| Stop::Batch(e.into()))?;
    let mut outcomes = Vec::with_capacity(pending.len());
    let mut applied: Vec<(usize, Decided)> = Vec::new();
    for (i, (p, stored)) in pending.iter().zip(stored).enumerate() {
        let job = &p.job;
        if let Some((hash, status, response)) = stored {
            outcomes.push(replay(&job.request_hash, &hash, status, &response));
            continue;
        }
        match actions::decide(&mut w.tx, *profile, contexts, &job.me, &job.request).await {
            Ok(decided) => {
                applied.push((i, decided));
                // Filled in once the records are written.
                outcomes.push(Outcome::Refused(AppError::internal("not recorded")));
            }
            Err(Failure::Refused(e)) => outcomes.push(Outcome::Refused(e)),
            Err(Failure::Broken(e)) => {
                // Rolling back a broken connection may fail too; the
                // connection is then dropped, which ends the transaction.
                let _ = w.tx.rollback().await;
                return Err(Stop::Job(i, e));
            }
        }
    }
    let recorded = record(&mut w.tx, db.backend, pending, applied).await;
    let recorded = match recorded {
        Ok(recorded) => recorded,
        Err(e) => {
            let _ = w.tx.rollback().await;
            return Err(Stop::Batch(e));
        }
    };
    for (i, outcome) in recorded {
        outcomes[i] = outcome;
    }
    let decided = started.elapsed();
    w.tx.commit().await.map_err(|e| Stop::Batch(e.into()))?;
    // RUST_LOG=custody_server::commit_queue=debug shows where a batch's
    // time goes: deciding and recording it, then the commit.
    tracing::debug!(size = pending.len(), ?decided, total = ?started.elapsed(), "batch committed");
    Ok(outcomes)
}

/// The stored answer of a key used before: the same request replays it;
/// another request is refused.
fn replay(request_hash: &str, stored_hash: &str, status: i64, response: &str) -> Outcome {
    if stored_hash != request_hash {
        return Outcome::Refused(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "this idempotency key was used for another request; use a fresh key",
        ));
    }
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    match serde_json::from_str(response) {
        Ok(body) => Outcome::Replay(status, body),
        Err(e) => Outcome::Refused(AppError::internal(e)),
    }
}

/// Each job's stored answer (request hash, status, response), if its key
/// was used before, in one query.
async fn stored_answers(
    tx: &mut Tx,
    pending: &[Pending],
) -> Result<Vec<Option<(String, i64, String)>>, sqlx::Error> {
    let sql = format!(
        "WITH asked (principal_id, key) AS (VALUES {})
         SELECT i.principal_id, i.key, i.request_hash, i.status, i.response
         FROM asked a CROSS JOIN idempotency_keys i
         WHERE i.principal_id = a.principal_id AND i.key = a.key",
        values_placeholders(pending.len(), 2, 1)
    );
    let mut query = sqlx::query_as::<_, (String, String, String, i64, String)>(&sql);
    for p in pending {
        let (me, key) = p.job.key();
        query = query.bind(me).bind(key);
    }
    let rows = query.fetch_all(&mut **tx).await?;
    Ok(pending
        .iter()
        .map(|p| {
            rows.iter()
                .find(|r| (r.0.as_str(), r.1.as_str()) == p.job.key())
                .map(|r| (r.2.clone(), r.3, r.4.clone()))
        })
        .collect())
}

/// Writes the audit records, notifications and idempotency records of the
/// applied jobs (`applied`: their index in `pending` and what was decided)
/// and returns each one's outcome.
async fn record(
    tx: &mut Tx,
    backend: Backend,
    pending: &[Pending],
    applied: Vec<(usize, Decided)>,
) -> AppResult<Vec<(usize, Outcome)>> {
    if applied.is_empty() {
        return Ok(Vec::new());
    }
    let audit_ids = insert_audit(tx, &applied).await?;
    let drafts: Vec<_> = applied
        .iter()
        .flat_map(|(_, d)| d.drafts.iter().cloned())
        .collect();
    let mut notes = notifications::insert_all(tx, backend, &drafts)
        .await?
        .into_iter();
    let mut out = Vec::with_capacity(applied.len());
    let mut answers = Vec::with_capacity(applied.len());
    for ((i, decided), audit_id) in applied.into_iter().zip(audit_ids) {
        let mut answer = decided.answer;
        answer.audit_id = audit_id;
        let body = serde_json::to_value(&answer).map_err(AppError::internal)?;
        let notes: Vec<Addressed> = notes.by_ref().take(decided.drafts.len()).collect();
        answers.push((i, body.to_string()));
        out.push((i, Outcome::Applied(body, notes)));
    }
    insert_idempotency(tx, pending, &answers).await?;
    crate::context_cache::prune_changes(tx).await?;
    Ok(out)
}

/// The audit records of a batch in one statement; their ids in order.
async fn insert_audit(tx: &mut Tx, applied: &[(usize, Decided)]) -> AppResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(applied.len());
    // Six values a row: 500 rows stay within both databases' limits.
    for chunk in applied.chunks(500) {
        let sql = format!(
            "INSERT INTO audit_log (at, actor_id, action, digest, summary, outcome) VALUES {} RETURNING id",
            values_placeholders(chunk.len(), 6, 1)
        );
        let mut query = sqlx::query_as::<_, (i64,)>(&sql);
        for (_, d) in chunk {
            let a = &d.audit;
            query = query
                .bind(a.at)
                .bind(&a.actor)
                .bind(&a.action)
                .bind(&a.digest)
                .bind(&a.summary)
                .bind(&a.outcome);
        }
        ids.extend(inserted_ids(tx, query, chunk.len(), "audit records").await?);
    }
    Ok(ids)
}

/// The answers of the applied jobs (index in `pending`, body) under their
/// keys, so that a retry replays them.
async fn insert_idempotency(
    tx: &mut Tx,
    pending: &[Pending],
    answers: &[(usize, String)],
) -> AppResult<()> {
    let now = now_ms();
    for chunk in answers.chunks(500) {
        let sql = format!(
            "INSERT INTO idempotency_keys (principal_id, key, request_hash, status, response, created_at) VALUES {}",
            values_placeholders(chunk.len(), 6, 1)
        );
        let mut query = sqlx::query(&sql);
        for (i, body) in chunk {
            let job = &pending[*i].job;
            let (me, key) = job.key();
            query = query
                .bind(me)
                .bind(key)
                .bind(&job.request_hash)
                .bind(200_i64)
                .bind(body)
                .bind(now);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use custody_policy::{Action, Engine, World};

    fn request(action: &Action, digest: &str, key: &str) -> ActionRequest {
        ActionRequest {
            action: action.clone(),
            version: String::new(),
            digest: digest.to_string(),
            idempotency_key: key.to_string(),
        }
    }

    /// Copies of one request under one key that meet in one batch (a
    /// client retrying before its answer came): the first is applied, the
    /// copy waits for the next batch and replays its answer; a refusal in
    /// the same batch leaves the others be.
    #[tokio::test]
    async fn a_key_seen_twice_in_a_batch_applies_once() {
        let path = std::env::temp_dir().join(format!(
            "custody_commit_queue_{}_{}.db",
            std::process::id(),
            now_ms()
        ));
        let db = Db::open(&format!("sqlite://{}", path.display()))
            .await
            .expect("a database");
        let world: World = serde_json::from_value(serde_json::json!({
            "profile": "basespace",
            "principals": [{"id": "alice", "kind": "user", "email": "alice@lab.example"},
                           {"id": "erin", "kind": "user", "email": "erin@lab.example"}],
            "resources": [{"id": "P1", "kind": "project", "owner": "alice"}]
        }))
        .expect("a world");
        crate::import::import_world(&db, &world)
            .await
            .expect("imported");
        let share: Action = serde_json::from_value(serde_json::json!(
            {"type": "share", "actor": "alice", "resource": "P1", "principal": "erin", "access": "read"}
        ))
        .expect("an action");
        let digest = Engine::new(world)
            .expect("an engine")
            .preview(&share)
            .expect("a preview")
            .digest();
        let (sender, receiver) = mpsc::unbounded_channel();
        let mut answers = Vec::new();
        for (key, digest) in [
            ("k1", digest.as_str()),
            ("k1", digest.as_str()),
            ("k2", "stale"),
        ] {
            let (reply, answer) = oneshot::channel();
            let job = Job {
                me: "alice".to_string(),
                request: request(&share, digest, key),
                request_hash: format!("hash of {digest}"),
                reply,
            };
            sender.send(job).expect("queued");
            answers.push(answer);
        }
        drop(sender);
        let writer = Writer {
            db: db.clone(),
            profile: Profile::Basespace,
            bus: Bus::new(),
            contexts: Arc::new(ContextCache::new(Default::default())),
        };
        run(writer, receiver).await;
        let mut answers = futures_util::future::join_all(answers).await.into_iter();
        let mut next = || answers.next().expect("an answer").expect("answered");
        let (first, copy, stale) = (next(), next(), next());
        let (status, body) = first.expect("applied");
        assert_eq!(status, StatusCode::OK);
        assert_eq!(copy.expect("replayed"), (status, body));
        assert!(
            matches!(stale, Err(AppError::Stale(_))),
            "a stale preview is refused: {stale:?}"
        );
        let (audits,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&db.pool)
            .await
            .expect("counted");
        assert_eq!(audits, 1);
        db.pool.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
