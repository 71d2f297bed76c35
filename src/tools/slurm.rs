//! Slurm through the commands every site has: `sbatch` submits a job array, `squeue` lists
//! its tasks still queued or running, `scancel` cancels it. snngen schedules nothing itself.

use super::{ToolError, find, spawn};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What to submit: `script` as an array over `indices`, its output in `log` (`%a` is the
/// array index).
#[derive(Debug, Clone)]
pub struct Submission {
    pub script: PathBuf,
    pub indices: Vec<usize>,
    pub job_name: String,
    pub log: PathBuf,
    pub partition: Option<String>,
    pub time: Option<String>,
    /// Passed to sbatch as they are, before the script.
    pub extra: Vec<String>,
}

/// Where a task of the array is, as squeue names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    Pending,
    Running,
}

/// Job arrays this process submitted and has not seen end: cancelled on Ctrl-C.
static LIVE_ARRAYS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The error for a missing Slurm command: the cluster's client tools, not the simulators.
fn require(tool: &str) -> Result<(), ToolError> {
    find(tool).map(|_| ()).map_err(|_| ToolError::Failed {
        command: tool.to_string(),
        status: "not found on PATH".into(),
        excerpt: "--backend slurm runs sbatch, squeue and scancel: run snngen where they \
work (a cluster's login node; Debian: apt-get install slurm-client), or run with --backend local"
            .into(),
    })
}

/// Submits the array and returns its job id; the array is cancelled if snngen is interrupted.
pub fn submit(s: &Submission, dir: &Path) -> Result<String, ToolError> {
    require("sbatch")?;
    let mut args = vec![
        "--parsable".to_string(),
        format!("--array={}", array_spec(&s.indices)),
        format!("--job-name={}", s.job_name),
        format!("--output={}", s.log.display()),
    ];
    if let Some(p) = &s.partition {
        args.push(format!("--partition={p}"));
    }
    if let Some(t) = &s.time {
        args.push(format!("--time={t}"));
    }
    args.extend(s.extra.iter().cloned());
    args.push(s.script.display().to_string());
    let out = super::run("sbatch", &args, dir).map_err(|e| match e {
        ToolError::Failed {
            command,
            status,
            excerpt,
        } if excerpt.contains("configuration source") => ToolError::Failed {
            command,
            status,
            excerpt: format!(
                "{excerpt}\nsbatch finds no cluster: set $SLURM_CONF to its slurm.conf \
(scripts/slurm-local start DIR starts one on this machine: DIR/etc/slurm.conf)"
            ),
        },
        e => e,
    })?;
    // `--parsable` prints `id` or `id;cluster`.
    let text = String::from_utf8_lossy(&out.stdout);
    let id = text.trim().split(';').next().unwrap_or("").to_string();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        return Err(ToolError::Failed {
            command: format!("sbatch {}", args.join(" ")),
            status: "no job id".into(),
            excerpt: text.trim().to_string(),
        });
    }
    lock().push(id.clone());
    Ok(id)
}

/// The tasks of `job` still pending or running, by array index. A job that Slurm has
/// already forgotten (it ended longer ago than MinJobAge) has none.
pub fn active_tasks(job: &str, dir: &Path) -> Result<BTreeMap<usize, TaskState>, ToolError> {
    require("squeue")?;
    let args: Vec<String> = ["-h", "-r", "-j", job, "-o", "%K %T"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let out = spawn("squeue", &args, dir, &[])?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        if stderr.contains("Invalid job id") {
            return Ok(BTreeMap::new());
        }
        return Err(ToolError::Failed {
            command: format!("squeue {}", args.join(" ")),
            status: out.status.to_string(),
            excerpt: stderr.trim().to_string(),
        });
    }
    let mut tasks = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut f = line.split_whitespace();
        let (Some(index), Some(state)) = (f.next(), f.next()) else {
            continue;
        };
        let Ok(index) = index.parse::<usize>() else {
            continue;
        };
        let state = match state {
            "PENDING" | "REQUEUED" | "REQUEUE_HOLD" | "CONFIGURING" => TaskState::Pending,
            _ => TaskState::Running,
        };
        tasks.insert(index, state);
    }
    Ok(tasks)
}

/// Cancels `job` (every task of the array).
pub fn cancel(job: &str, dir: &Path) -> Result<(), ToolError> {
    require("scancel")?;
    super::run("scancel", &[job.to_string()], dir)?;
    forget(job);
    Ok(())
}

/// Marks `job`, submitted earlier (before a `--resume`), as watched: an interrupt cancels it.
pub fn watching(job: &str) {
    let mut live = lock();
    if !live.iter().any(|j| j == job) {
        live.push(job.to_string());
    }
}

/// Marks `job` as ended: an interrupt no longer cancels it.
pub fn forget(job: &str) {
    lock().retain(|j| j != job);
}

/// Cancels every array this process submitted and has not seen end (for the interrupt
/// handler: their tasks would otherwise run on with nobody collecting them).
pub fn cancel_live_arrays() {
    let jobs = lock().clone();
    for job in jobs {
        let _ = std::process::Command::new("scancel").arg(&job).status();
    }
}

fn lock() -> std::sync::MutexGuard<'static, Vec<String>> {
    LIVE_ARRAYS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Array indices as sbatch takes them, runs collapsed: `0-3,7,9-10`.
pub fn array_spec(indices: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < indices.len() {
        let start = indices[i];
        while i + 1 < indices.len() && indices[i + 1] == indices[i] + 1 {
            i += 1;
        }
        parts.push(if indices[i] == start {
            start.to_string()
        } else {
            format!("{start}-{}", indices[i])
        });
        i += 1;
    }
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::array_spec;

    #[test]
    fn array_specs_collapse_runs_of_indices() {
        assert_eq!(array_spec(&[0, 1, 2, 3, 7, 9, 10]), "0-3,7,9-10");
        assert_eq!(array_spec(&[5]), "5");
        assert_eq!(array_spec(&[]), "");
    }
}
