//! `snngen bench slurm`: one Monte-Carlo sweep with `--backend local` and through the Slurm
//! cluster `$SLURM_CONF` names, at several array chunk sizes, in the same run. Local runs
//! before and after the Slurm ones; their mean is the baseline (a shared VM drifts). Every
//! Slurm results.csv must equal the local one byte for byte.

use crate::flows::cluster::{Backend, SlurmOptions, run_ranges};
use crate::flows::measure::REFERENCE_CURRENT_NA;
use crate::flows::montecarlo::{self, McOptions};
use crate::support::error::{Error, Result};
use crate::support::fs::scratch_dir;
use crate::support::progress::{Verbosity, note};
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone, Serialize)]
pub struct SlurmBench {
    pub design: String,
    pub runs: u32,
    pub temperatures: Vec<f64>,
    pub rows: usize,
    /// Wall seconds of the local sweep before and after the Slurm ones.
    pub local_s: [f64; 2],
    pub local_jobs: usize,
    pub sbatch_args: Vec<String>,
    pub slurm: Vec<ChunkTiming>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChunkTiming {
    pub chunk: u32,
    pub tasks: u32,
    pub wall_s: f64,
    /// Over the mean of the two local sweeps.
    pub overhead_pct: f64,
    pub identical: bool,
}

/// The sweep every variant runs.
pub struct Sweep<'a> {
    pub design: &'a Path,
    pub runs: u32,
    pub temperatures: &'a [f64],
    /// Parallel ngspice processes of the local sweeps.
    pub jobs: usize,
}

pub fn run(
    sweep_of: &Sweep,
    chunks: &[u32],
    sbatch_args: &[String],
    verbosity: Verbosity,
) -> Result<SlurmBench> {
    let Sweep {
        design,
        runs,
        temperatures,
        jobs,
    } = *sweep_of;
    if chunks.contains(&0) {
        return Err(Error::Usage("--chunks: a chunk has at least 1 run".into()));
    }
    let scratch = scratch_dir("snngen-bench-slurm-")?;
    // Under $TMPDIR: on a cluster of several nodes, point it at a filesystem they all see.
    let work = scratch.path();
    let sweep = |name: &str, backend: Backend| -> Result<(f64, String)> {
        let out = work.join(name);
        let opts = McOptions {
            runs,
            temperatures: temperatures.to_vec(),
            seed: 1,
            jobs,
            out: out.clone(),
            resume: false,
            verbosity: Verbosity::Quiet,
            current_na: REFERENCE_CURRENT_NA,
            inject_failure: None,
            inject_hang: None,
            backend,
            inject_task_crash: None,
        };
        let start = std::time::Instant::now();
        montecarlo::mc(design, &opts)?;
        let seconds = start.elapsed().as_secs_f64();
        let csv = std::fs::read_to_string(out.join("results.csv")).map_err(|e| Error::Read {
            path: out.join("results.csv"),
            reason: e.to_string(),
        })?;
        note(verbosity, &format!("{name}: {seconds:.1} s"));
        Ok((seconds, csv))
    };
    let (before, expected) = sweep("local-before", Backend::Local)?;
    let mut slurm = Vec::new();
    for &chunk in chunks {
        let options = SlurmOptions {
            partition: None,
            time: None,
            chunk,
            sbatch_args: sbatch_args.to_vec(),
            retries: 0,
        };
        let (wall_s, csv) = sweep(&format!("slurm-chunk-{chunk}"), Backend::Slurm(options))?;
        slurm.push(ChunkTiming {
            chunk,
            tasks: run_ranges(runs, chunk).len() as u32,
            wall_s,
            overhead_pct: 0.0,
            identical: csv == expected,
        });
    }
    let (after, _) = sweep("local-after", Backend::Local)?;
    let baseline = (before + after) / 2.0;
    for s in &mut slurm {
        s.overhead_pct = (s.wall_s / baseline - 1.0) * 100.0;
    }
    Ok(SlurmBench {
        design: design.display().to_string(),
        runs,
        temperatures: temperatures.to_vec(),
        rows: expected.lines().count().saturating_sub(1),
        local_s: [before, after],
        local_jobs: jobs,
        sbatch_args: sbatch_args.to_vec(),
        slurm,
    })
}

impl SlurmBench {
    pub fn table(&self) -> String {
        let mut t = format!(
            "mc {} ({} runs x {} temperatures, {} rows): local, {} jobs, {:.1} s before and {:.1} s after\n",
            self.design,
            self.runs + 1,
            self.temperatures.len(),
            self.rows,
            self.local_jobs,
            self.local_s[0],
            self.local_s[1]
        );
        if !self.sbatch_args.is_empty() {
            t += &format!("  sbatch {}\n", self.sbatch_args.join(" "));
        }
        t += "  backend   chunk (runs/task)   tasks   wall (s)   overhead vs local   results.csv\n";
        for s in &self.slurm {
            t += &format!(
                "  slurm     {:>17}   {:>5}   {:>8.1}   {:>16.1} %   {}\n",
                s.chunk,
                s.tasks,
                s.wall_s,
                s.overhead_pct,
                if s.identical { "identical" } else { "DIFFERS" }
            );
        }
        t
    }
}
