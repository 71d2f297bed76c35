//! `snngen mc --backend slurm`: the sweep's runs cut into array tasks of `--array-chunk` runs.
//! A task file holds everything its runs need (design path and hash, seed, run range,
//! temperatures, test current, the sensitivities measured once by the submitting process),
//! so `snngen worker` on any node writes the very rows the local runner writes.

use super::jobs::{Faults, Job, jobs, run_job};
use super::{McOptions, Sensitivity, check_row};
use crate::compiler::design::LoadedDesign;
use crate::compiler::ir::Network;
use crate::compiler::{compile, design_hash};
use crate::flows::cluster::{
    ArrayJob, SlurmOptions, cpus_of_task, run_array, run_ranges, write_rows,
};
use crate::support::error::{Error, Result};
use crate::support::fs::{absolute, write};
use crate::support::parallel::parallel_in_order;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One array task of a Monte-Carlo sweep: runs `first_run..=last_run` at every temperature.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct McTask {
    pub kind: String,
    pub design: PathBuf,
    pub design_hash: String,
    pub seed: u64,
    pub first_run: u32,
    pub last_run: u32,
    pub temperatures: Vec<f64>,
    pub current_na: f64,
    pub sensitivity: Sensitivity,
    pub inject_failure: Option<u32>,
    pub inject_hang: Option<u32>,
    /// Make this task exit with an error on purpose: always, or on its first submission only
    /// (for testing retries).
    pub inject_crash: Option<CrashOnPurpose>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CrashOnPurpose {
    Always,
    Once,
}

/// The rows of `all[resumed..]` (results.csv order) computed by a Slurm job array; the runs
/// of a task that failed every submission get a `failed:` row each. Tasks always cut the
/// runs from run 0, so that the task files of a sweep are the same on every `--resume`.
pub fn rows_on_slurm(
    design: &LoadedDesign,
    net: &Network,
    all: &[Job],
    resumed: usize,
    sensitivity: &Sensitivity,
    opts: &McOptions,
    slurm: &SlurmOptions,
) -> Result<Vec<String>> {
    if resumed == all.len() {
        return Ok(Vec::new());
    }
    let hash = design_hash(design);
    let ranges = run_ranges(opts.runs, slurm.chunk);
    let mut tasks = Vec::new();
    for (i, &(first_run, last_run)) in ranges.iter().enumerate() {
        let task = McTask {
            kind: "mc".into(),
            design: absolute(Path::new(&design.file)),
            design_hash: hash.clone(),
            seed: opts.seed,
            first_run,
            last_run,
            temperatures: opts.temperatures.clone(),
            current_na: opts.current_na,
            sensitivity: sensitivity.clone(),
            inject_failure: opts.inject_failure,
            inject_hang: opts.inject_hang,
            inject_crash: opts
                .inject_task_crash
                .filter(|(t, _)| *t as usize == i)
                .map(|(_, c)| c),
        };
        let json = serde_json::to_string_pretty(&task).expect("a task serializes") + "\n";
        // The sensitivities must reach the nodes as they are (a NaN would not).
        if serde_json::from_str::<McTask>(&json).is_err() {
            return Err(Error::Usage(
                "the measured sensitivities do not fit in a task file (a NaN?); run with --backend local"
                    .into(),
            ));
        }
        tasks.push(json);
    }
    let jobs_of = |i: usize| -> Vec<&Job> {
        let (a, b) = ranges[i];
        all.iter().filter(|j| j.run >= a && j.run <= b).collect()
    };
    let check = |i: usize, text: &str| -> std::result::Result<Vec<String>, String> {
        let expected = jobs_of(i);
        let mut rows = Vec::new();
        for (k, line) in text.lines().enumerate() {
            let job = expected
                .get(k)
                .ok_or_else(|| format!("more rows than runs {}..={}", ranges[i].0, ranges[i].1))?;
            check_row(net, line, job, opts.seed).map_err(|why| format!("row {}: {why}", k + 1))?;
            rows.push(line.to_string());
        }
        Ok(rows)
    };
    let array = ArrayJob {
        work: opts.out.join("slurm"),
        kind: "mc",
        rows: (0..tasks.len()).map(|i| jobs_of(i).len() as u64).collect(),
        tasks,
        options: slurm,
        resume: opts.resume,
        rerun: "rerun with --resume; finished tasks are kept.",
        verbosity: opts.verbosity,
        check: &check,
    };
    let results = run_array(&array)?;
    let mut rows = Vec::with_capacity(all.len());
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Some(r) => rows.extend(r),
            None => rows.extend(jobs_of(i).iter().map(|job| {
                let head = super::jobs::row_head(net, job, opts.seed);
                format!("{head},failed: slurm task {i} failed every submission,,,,,")
            })),
        }
    }
    Ok(rows.split_off(resumed))
}

/// `snngen worker` on an mc task: computes its rows and writes them whole to
/// `task_<i>.csv` beside the task file.
pub fn run_task(task_path: &Path, task: McTask) -> Result<()> {
    let bad = |message: String| Error::Data {
        path: task_path.to_path_buf(),
        message,
    };
    let (loaded, compiled) = compile(&task.design)?;
    if design_hash(&loaded) != task.design_hash {
        return Err(bad(format!(
            "{} changed since the sweep was submitted (its hash differs); rerun the sweep",
            task.design.display()
        )));
    }
    if let Some(crash) = task.inject_crash {
        let marker = task_path.with_extension("crashed");
        if crash == CrashOnPurpose::Always || !marker.exists() {
            write(&marker, "")?;
            return Err(bad("crashed on purpose (--inject-task-crash)".into()));
        }
    }
    let net = &compiled.network;
    let runs: Vec<Job> = jobs(net, task.last_run, &task.temperatures)
        .into_iter()
        .filter(|j| j.run >= task.first_run)
        .collect();
    let faults = Faults {
        broken: task.inject_failure,
        hung: task.inject_hang,
    };
    let mut text = String::new();
    let run = |job: &Job| {
        run_job(
            net,
            job,
            task.seed,
            task.current_na,
            &task.sensitivity,
            faults,
        )
    };
    let done: std::result::Result<(), std::convert::Infallible> =
        parallel_in_order(&runs, cpus_of_task(), run, |row| {
            text.push_str(&row);
            text.push('\n');
            Ok(())
        });
    let Ok(()) = done;
    write_rows(task_path, &text)
}
