//! Sweeps handed to a Slurm cluster as one job array. The caller cuts its runs into tasks and
//! describes each in a self-contained JSON file; every array task runs `snngen worker` on its
//! file and leaves its rows in `task_<i>.csv` beside it (written whole, then renamed). This
//! module writes the files, submits the array, watches it with squeue, resubmits failed tasks
//! up to `--retries` times and hands back each task's rows, or none for a task that kept
//! failing. The work folder must be on a filesystem every node sees, as on every Slurm site.
//! Nothing here knows what a task computes; `--resume` after snngen, slurmctld or slurmd died
//! keeps every task whose rows are in.

use crate::support::error::{Error, Result};
use crate::support::fs::{MAX_INPUT_BYTES, create_dir, read_text, write};
use crate::support::progress::{Progress, Verbosity, note};
use crate::tools::slurm::{self, Submission, TaskState};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Where a sweep's runs go.
#[derive(Debug, Clone, Default)]
pub enum Backend {
    /// Threads of this process (`--jobs`).
    #[default]
    Local,
    Slurm(SlurmOptions),
}

/// `--backend slurm` and its flags.
#[derive(Debug, Clone)]
pub struct SlurmOptions {
    pub partition: Option<String>,
    /// `--time` of every task (sbatch's format, e.g. `30` or `1:00:00`).
    pub time: Option<String>,
    /// Runs per array task.
    pub chunk: u32,
    /// Passed to sbatch as they are.
    pub sbatch_args: Vec<String>,
    /// Submissions after the first of a task that failed.
    pub retries: u32,
}

/// How long squeue may keep failing (slurmctld down or restarting) before snngen gives up
/// and says to `--resume`; the tasks run on meanwhile. `$SNNGEN_SLURM_WAIT` (seconds) sets it.
const CONTROLLER_WAIT: Duration = Duration::from_secs(120);
const CONTROLLER_WAIT_ENV: &str = "SNNGEN_SLURM_WAIT";

/// One job array: task `i` is described by `tasks[i]` (JSON) and yields `rows[i]` rows.
pub struct ArrayJob<'a> {
    /// The work folder (task files, rows, logs, state), on a path every node sees.
    pub work: PathBuf,
    /// What the tasks are (`mc`): the job's name is `snngen-<kind>`.
    pub kind: &'a str,
    pub tasks: Vec<String>,
    /// Rows each task yields (for progress and to tell a whole result from a cut one).
    pub rows: Vec<u64>,
    pub options: &'a SlurmOptions,
    pub resume: bool,
    /// What to tell a user whose sweep stopped (Slurm not answering): how to go on.
    pub rerun: &'a str,
    pub verbosity: Verbosity,
    pub check: &'a CheckRows<'a>,
}

/// Checks the text of task `i`'s results: its rows, or why they cannot be trusted.
pub type CheckRows<'a> =
    dyn Fn(usize, &str) -> std::result::Result<Vec<String>, String> + Sync + 'a;

/// What survives snngen: the array being watched, and this invocation's submissions of each
/// task (a `--resume` gives every unfinished task its retries again).
#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    job: Option<String>,
    #[serde(skip)]
    attempts: Vec<u32>,
}

/// The task file, rows file and log of task `i` in `work`.
pub fn task_file(work: &Path, i: usize) -> PathBuf {
    work.join(format!("task_{i}.json"))
}

pub fn rows_file(work: &Path, i: usize) -> PathBuf {
    work.join(format!("task_{i}.csv"))
}

fn log_file(work: &Path, i: usize) -> PathBuf {
    work.join("logs").join(format!("{i}.out"))
}

/// Runs the array to the end; `None` for each task that failed every submission.
pub fn run_array(job: &ArrayJob) -> Result<Vec<Option<Vec<String>>>> {
    let work = &job.work;
    let mut state = prepare(job)?;
    let mut rows: Vec<Option<Vec<String>>> =
        (0..job.tasks.len()).map(|i| collect(job, i).ok()).collect();
    for (i, r) in rows.iter().enumerate() {
        if r.is_none() && rows_file(work, i).exists() {
            let why = collect(job, i).err().unwrap_or_default();
            note(job.verbosity, &format!("task {i}: {why}; running it again"));
        }
    }
    let kept = rows.iter().filter(|r| r.is_some()).count();
    if kept > 0 {
        note(
            job.verbosity,
            &format!("{kept} of {} tasks already done", job.tasks.len()),
        );
    }
    let total: u64 = job.rows.iter().sum();
    let progress = Progress::new(job.verbosity, "slurm runs", total);
    loop {
        // The array to watch, and the tasks this process submitted in it (none when it is
        // an array from before a --resume, which Slurm still runs).
        let (id, submitted) = match state.job.clone() {
            Some(id) if !active(&id, job)?.is_empty() => {
                note(job.verbosity, &format!("watching job array {id} again"));
                slurm::watching(&id);
                (id, Vec::new())
            }
            _ => {
                // Tasks that finished since the last look are not submitted again.
                for (i, r) in rows.iter_mut().enumerate() {
                    if r.is_none() {
                        *r = collect(job, i).ok();
                    }
                }
                let todo: Vec<usize> = (0..job.tasks.len())
                    .filter(|&i| rows[i].is_none() && state.attempts[i] <= job.options.retries)
                    .collect();
                if todo.is_empty() {
                    break;
                }
                (submit(job, &todo, &mut state)?, todo)
            }
        };
        watch(job, &id, &mut rows, &progress)?;
        slurm::forget(&id);
        state.job = None;
        save(work, &state)?;
        report_failures(job, &rows, &state, &submitted);
    }
    Ok(rows)
}

/// Writes the task files (checking them against a resumed sweep's) and loads the state.
fn prepare(job: &ArrayJob) -> Result<State> {
    let work = &job.work;
    if !job.resume && work.exists() {
        // An array of the sweep this one replaces may still run (snngen stopped while Slurm
        // did not answer, or was killed): its rows would land among the new ones.
        if let Some(old) = load_state(work).job
            && !active(&old, job)?.is_empty()
        {
            note(
                job.verbosity,
                &format!(
                    "cancelling job array {old} of the sweep that was in {}",
                    work.display()
                ),
            );
            slurm::cancel(&old, work)?;
        }
        std::fs::remove_dir_all(work).map_err(|source| Error::Output {
            path: work.clone(),
            source,
        })?;
    }
    create_dir(&work.join("logs"))?;
    for (i, task) in job.tasks.iter().enumerate() {
        let path = task_file(work, i);
        match read_text(&path, MAX_INPUT_BYTES) {
            // A task of the watched array may be reading it: left as it is.
            Ok(old) if old == *task => {}
            Ok(_) => {
                return Err(Error::Data {
                    path,
                    message: "another sweep's task (design, seed, runs, temperatures or chunk \
differ); not resumed (move the folder away to start over)"
                        .into(),
                });
            }
            Err(_) => write(&path, task)?,
        }
    }
    let mut state = load_state(work);
    state.attempts.resize(job.tasks.len(), 0);
    write_script(work)?;
    Ok(state)
}

fn load_state(work: &Path) -> State {
    read_text(&work.join("state.json"), MAX_INPUT_BYTES)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn save(work: &Path, state: &State) -> Result<()> {
    let text = serde_json::to_string_pretty(state).expect("the state serializes");
    let fresh = work.join("state.json.new");
    write(&fresh, text)?;
    std::fs::rename(&fresh, work.join("state.json")).map_err(|source| Error::Output {
        path: work.join("state.json"),
        source,
    })
}

/// The batch script: each array task runs this snngen binary on its task file. Nodes need
/// the binary (at the same path) and the simulators, nothing else.
fn write_script(work: &Path) -> Result<()> {
    let exe = std::env::current_exe().map_err(|e| Error::Usage(format!("snngen's path: {e}")))?;
    let quote = |p: &Path| format!("'{}'", p.display().to_string().replace('\'', r"'\''"));
    let script = format!(
        "#!/bin/sh\n# One task of a snngen job array: the rows of task $SLURM_ARRAY_TASK_ID.\n\
exec {} worker {}/task_\"$SLURM_ARRAY_TASK_ID\".json\n",
        quote(&exe),
        quote(work)
    );
    let path = work.join("task.sh");
    write(&path, script)?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
        .map_err(|source| Error::Output { path, source })
}

fn submit(job: &ArrayJob, todo: &[usize], state: &mut State) -> Result<String> {
    let o = job.options;
    let submission = Submission {
        script: job.work.join("task.sh"),
        indices: todo.to_vec(),
        job_name: format!("snngen-{}", job.kind),
        log: job.work.join("logs").join("%a.out"),
        partition: o.partition.clone(),
        time: o.time.clone(),
        extra: o.sbatch_args.clone(),
    };
    let id = slurm::submit(&submission, &job.work)?;
    for &i in todo {
        state.attempts[i] += 1;
    }
    state.job = Some(id.clone());
    save(&job.work, state)?;
    note(
        job.verbosity,
        &format!(
            "submitted job array {id}: {} tasks ({})",
            todo.len(),
            slurm::array_spec(todo)
        ),
    );
    Ok(id)
}

/// The array's tasks still queued or running; a controller that does not answer is waited
/// for, up to CONTROLLER_WAIT.
fn active(id: &str, job: &ArrayJob) -> Result<BTreeMap<usize, TaskState>> {
    let wait = std::env::var(CONTROLLER_WAIT_ENV)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(CONTROLLER_WAIT, Duration::from_secs_f64);
    let start = Instant::now();
    loop {
        match slurm::active_tasks(id, &job.work) {
            Ok(tasks) => return Ok(tasks),
            Err(e) if start.elapsed() >= wait => {
                return Err(Error::Usage(format!(
                    "Slurm does not answer for {:.0} s ({e}); the array's tasks go on where \
they run. Once slurmctld is back: {}",
                    start.elapsed().as_secs_f64(),
                    job.rerun
                )));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(500)),
        }
    }
}

/// Polls until every task of the array has left the queue, collecting rows as they land.
fn watch(
    job: &ArrayJob,
    id: &str,
    rows: &mut [Option<Vec<String>>],
    progress: &Progress,
) -> Result<()> {
    let start = Instant::now();
    let mut last_queue: Option<Instant> = None;
    loop {
        for (i, r) in rows.iter_mut().enumerate() {
            if r.is_none() && rows_file(&job.work, i).exists() {
                *r = collect(job, i).ok();
            }
        }
        let done: u64 = (0..rows.len())
            .filter(|&i| rows[i].is_some())
            .map(|i| job.rows[i])
            .sum();
        progress.set(done);
        if rows.iter().all(Option::is_some) {
            return Ok(());
        }
        // squeue costs the controller more than a look at the folder: ask it less often
        // the longer the array runs (a quarter second at first, at most every 10 s).
        let every =
            (start.elapsed() / 20).clamp(Duration::from_millis(250), Duration::from_secs(10));
        if last_queue.is_none_or(|t| t.elapsed() >= every) {
            let queue = active(id, job)?;
            last_queue = Some(Instant::now());
            if queue.is_empty() {
                settle(job, rows);
                return Ok(());
            }
            let pending = queue.values().filter(|s| **s == TaskState::Pending).count();
            progress.set_detail(&format!(
                "job {id}: {pending} tasks pending, {} running",
                queue.len() - pending
            ));
        }
        // The folder too is looked at less often as the array runs on (0.1 to 2 s).
        let look =
            (start.elapsed() / 100).clamp(Duration::from_millis(100), Duration::from_secs(2));
        std::thread::sleep(look);
    }
}

/// How long rows may take to show after their task left the queue: a shared filesystem
/// (NFS) can show another node's new file seconds late.
const ROWS_GRACE: Duration = Duration::from_secs(5);

/// Collects the rows of tasks that have left the queue, waiting up to ROWS_GRACE for late ones.
fn settle(job: &ArrayJob, rows: &mut [Option<Vec<String>>]) {
    let start = Instant::now();
    loop {
        for (i, r) in rows.iter_mut().enumerate() {
            if r.is_none() {
                *r = collect(job, i).ok();
            }
        }
        if rows.iter().all(Option::is_some) || start.elapsed() >= ROWS_GRACE {
            return;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// The checked rows of task `i`, or why there are none.
fn collect(job: &ArrayJob, i: usize) -> std::result::Result<Vec<String>, String> {
    let path = rows_file(&job.work, i);
    if !path.exists() {
        return Err(format!("it ended without writing {}", path.display()));
    }
    let text = read_text(&path, MAX_INPUT_BYTES).map_err(|e| format!("its rows: {e}"))?;
    let rows = (job.check)(i, &text)?;
    if rows.len() as u64 != job.rows[i] {
        return Err(format!(
            "{} of its {} rows in {}",
            rows.len(),
            job.rows[i],
            path.display()
        ));
    }
    Ok(rows)
}

/// Says, for each task that ended without usable rows, why and where its log is.
fn report_failures(
    job: &ArrayJob,
    rows: &[Option<Vec<String>>],
    state: &State,
    submitted: &[usize],
) {
    for &i in submitted {
        if rows[i].is_some() {
            continue;
        }
        let why = collect(job, i).err().unwrap_or_default();
        let log = log_file(&job.work, i);
        let tail = read_text(&log, MAX_INPUT_BYTES)
            .map(|t| crate::tools::tail_lines(t.trim_end(), 3))
            .unwrap_or_default();
        let next = if state.attempts[i] <= job.options.retries {
            "submitting it again"
        } else {
            "its runs are marked failed"
        };
        note(
            job.verbosity,
            &format!(
                "task {i} failed (submission {}): {why}; {next}. Log {}: {}",
                state.attempts[i],
                log.display(),
                tail.replace('\n', " | ")
            ),
        );
    }
}

/// Runs 0..=last cut into tasks of `chunk` runs: each task's first and last run.
pub fn run_ranges(last: u32, chunk: u32) -> Vec<(u32, u32)> {
    let chunk = chunk.max(1);
    (0..=last)
        .step_by(chunk as usize)
        .map(|first| (first, first.saturating_add(chunk - 1).min(last)))
        .collect()
}

/// A task file's text and its `kind` (which worker runs it).
pub fn read_task(path: &Path) -> Result<(String, String)> {
    let text = read_text(path, MAX_INPUT_BYTES).map_err(|reason| Error::Read {
        path: path.to_path_buf(),
        reason,
    })?;
    #[derive(Deserialize)]
    struct Kind {
        kind: String,
    }
    let kind = serde_json::from_str::<Kind>(&text).map_err(|e| Error::Data {
        path: path.to_path_buf(),
        message: format!("not an snngen task file: {e}"),
    })?;
    Ok((kind.kind, text))
}

/// Parses a task file's text as the task type its worker takes.
pub fn parse_task<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::Data {
        path: path.to_path_buf(),
        message: format!("not an snngen task file of this version: {e}"),
    })
}

/// Writes a task's rows whole beside its task file (`task_<i>.csv`): to a `.part` file,
/// then renamed, so that a node dying mid-write leaves no rows file.
pub fn write_rows(task_path: &Path, rows: &str) -> Result<()> {
    let index = task_path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix("task_")?.strip_suffix(".json")?.parse().ok())
        .ok_or_else(|| Error::Data {
            path: task_path.to_path_buf(),
            message: "not named task_<i>.json".into(),
        })?;
    let out = rows_file(task_path.parent().unwrap_or(Path::new(".")), index);
    // Two submissions of a task (an old array still running) never share a part file.
    let writer = std::env::var("SLURM_JOB_ID").unwrap_or_else(|_| std::process::id().to_string());
    let part = out.with_extension(format!("csv.part.{writer}"));
    write(&part, rows)?;
    std::fs::rename(&part, &out).map_err(|source| Error::Output { path: out, source })
}

/// The CPUs Slurm gave this task (1 unless `--cpus-per-task` asked for more).
pub fn cpus_of_task() -> usize {
    std::env::var("SLURM_CPUS_PER_TASK")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::run_ranges;

    #[test]
    fn runs_are_cut_into_chunks_from_run_0() {
        assert_eq!(run_ranges(12, 4), [(0, 3), (4, 7), (8, 11), (12, 12)]);
        assert_eq!(run_ranges(3, 10), [(0, 3)]);
        assert_eq!(run_ranges(0, 1), [(0, 0)]);
    }
}
