//! `--backend local|slurm` and the Slurm flags, shared by the commands that sweep; and the
//! hidden `snngen worker` that each array task runs.

use super::Global;
use crate::apps::speech::robustness_slurm;
use crate::flows::cluster::{Backend, SlurmOptions, parse_task, read_task};
use crate::flows::montecarlo;
use crate::support::error::{Error, Result};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendKind {
    /// Threads of this process (--jobs).
    Local,
    /// One Slurm job array (sbatch, squeue, scancel; $SLURM_CONF names the cluster). DIR must
    /// be on a filesystem every node sees, and nodes need this snngen binary at the same path
    /// and ngspice.
    Slurm,
}

#[derive(Debug, Clone, clap::Args)]
pub struct BackendArgs {
    /// Where the runs go.
    #[arg(long, value_enum, default_value_t = BackendKind::Local)]
    backend: BackendKind,
    /// Slurm partition of the array [default: the cluster's default partition].
    #[arg(long, value_name = "NAME")]
    partition: Option<String>,
    /// Time limit of each array task, in sbatch's format (`30`, `1:00:00`).
    #[arg(long, value_name = "LIMIT")]
    time: Option<String>,
    /// Runs per array task: fewer tasks cost less scheduling, more tasks spread wider.
    #[arg(long, value_name = "K", default_value_t = 10)]
    array_chunk: u32,
    /// Extra sbatch argument, passed as it is (repeat for more: --sbatch-arg=--qos=low).
    #[arg(long, value_name = "ARG", allow_hyphen_values = true)]
    sbatch_arg: Vec<String>,
    /// Submissions of a failed task after its first; then its runs are marked failed.
    #[arg(long, value_name = "N", default_value_t = 1)]
    retries: u32,
}

impl BackendArgs {
    pub fn is_slurm(&self) -> bool {
        self.backend == BackendKind::Slurm
    }

    pub fn backend(&self) -> Result<Backend> {
        match self.backend {
            BackendKind::Slurm => {
                if self.array_chunk == 0 {
                    return Err(Error::Usage("--array-chunk must be at least 1".into()));
                }
                Ok(Backend::Slurm(SlurmOptions {
                    partition: self.partition.clone(),
                    time: self.time.clone(),
                    chunk: self.array_chunk,
                    sbatch_args: self.sbatch_arg.clone(),
                    retries: self.retries,
                }))
            }
            BackendKind::Local => {
                let slurm_only = [
                    ("--partition", self.partition.is_some()),
                    ("--time", self.time.is_some()),
                    ("--sbatch-arg", !self.sbatch_arg.is_empty()),
                ];
                match slurm_only.iter().find(|(_, given)| *given) {
                    Some((flag, _)) => Err(Error::Usage(format!(
                        "{flag} is for --backend slurm (the runs go to threads here)"
                    ))),
                    None => Ok(Backend::Local),
                }
            }
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    /// The task file (task_<i>.json) an array task runs.
    task: PathBuf,
}

/// Runs one array task: what `--backend slurm` submits; not for people.
pub fn worker(a: WorkerArgs, _g: &Global) -> Result<()> {
    let (kind, text) = read_task(&a.task)?;
    match kind.as_str() {
        "mc" => montecarlo::cluster::run_task(&a.task, parse_task(&a.task, &text)?),
        "robustness" => robustness_slurm::run_task(&a.task, parse_task(&a.task, &text)?),
        other => Err(Error::Data {
            path: a.task,
            message: format!("a task of kind `{other}`, which this snngen does not run"),
        }),
    }
}
