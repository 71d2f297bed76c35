//! `snngen train --mismatch-runs N --backend slurm`: the robustness sweep's chips as a Slurm
//! job array, `--array-chunk` draws a task (every temperature each). A task file holds what
//! its conditions need: the design, how it was trained (variant, front end, sample period, the
//! recordings and their validation split) and the nominal readout with its penalty; the worker
//! hears the recordings again and writes each condition's robustness.csv row.

use super::dataset::{Validation, list_recordings};
use super::encode::front_end_frames;
use super::frontend::FrontEnd;
use super::robustness::{Condition, Trained, condition};
use super::setup::{Variant, Weights, load_setup};
use crate::flows::cluster::{
    ArrayJob, SlurmOptions, cpus_of_task, run_array, run_ranges, write_rows,
};
use crate::support::error::{Error, Result};
use crate::support::fs::absolute;
use crate::support::progress::Verbosity;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RobustnessTask {
    pub kind: String,
    pub design: PathBuf,
    pub design_hash: String,
    pub variant: Variant,
    pub front_end: FrontEnd,
    pub sample_period: u64,
    pub data: PathBuf,
    pub validation: Validation,
    pub weights: Vec<Vec<i64>>,
    pub lambda: f64,
    pub seed: u64,
    pub temperatures: Vec<f64>,
    pub first_run: u32,
    pub last_run: u32,
}

/// How the readout was trained, and the sweep asked for.
pub struct Sweep<'a> {
    pub design: &'a Path,
    pub variant: &'a Variant,
    pub sample_period: u64,
    pub data: &'a Path,
    pub runs: u32,
    pub temperatures: &'a [f64],
    pub seed: u64,
    pub work: PathBuf,
    pub resume: bool,
    pub verbosity: Verbosity,
}

/// The sweep's conditions in `robustness::sweep`'s order, computed by a job array.
pub fn conditions_on_slurm(
    t: &Trained,
    sweep: &Sweep,
    slurm: &SlurmOptions,
) -> Result<Vec<Condition>> {
    let ranges = run_ranges(sweep.runs, slurm.chunk);
    let tasks: Vec<String> = ranges
        .iter()
        .map(|&(first_run, last_run)| {
            let task = RobustnessTask {
                kind: "robustness".into(),
                design: absolute(sweep.design),
                design_hash: t.setup.rendered.design_hash.clone(),
                variant: sweep.variant.clone(),
                front_end: t.setup.front_end.clone(),
                sample_period: sweep.sample_period,
                data: absolute(sweep.data),
                validation: t.validation.clone(),
                weights: t.weights.to_vec(),
                lambda: t.lambda,
                seed: sweep.seed,
                temperatures: sweep.temperatures.to_vec(),
                first_run,
                last_run,
            };
            serde_json::to_string_pretty(&task).expect("a task serializes") + "\n"
        })
        .collect();
    // Each task's rows: its draws at every temperature, temperature by temperature.
    let keys = |i: usize| -> Vec<(f64, u32)> {
        let (a, b) = ranges[i];
        sweep
            .temperatures
            .iter()
            .flat_map(|&t| (a..=b).map(move |run| (t, run)))
            .collect()
    };
    let check = |i: usize, text: &str| -> std::result::Result<Vec<String>, String> {
        let expected = keys(i);
        let mut rows = Vec::new();
        for (k, line) in text.lines().enumerate() {
            let c = Condition::from_csv_row(line)
                .ok_or_else(|| format!("row {} is not a robustness row", k + 1))?;
            if expected.get(k) != Some(&(c.temperature_c, c.run)) {
                return Err(format!(
                    "row {} is draw {} at {} C, not the task's next",
                    k + 1,
                    c.run,
                    c.temperature_c
                ));
            }
            rows.push(line.to_string());
        }
        Ok(rows)
    };
    let array = ArrayJob {
        work: sweep.work.clone(),
        kind: "robustness",
        rows: (0..tasks.len()).map(|i| keys(i).len() as u64).collect(),
        tasks,
        options: slurm,
        resume: sweep.resume,
        rerun: "run the command again; the robustness sweep starts over.",
        verbosity: sweep.verbosity,
        check: &check,
    };
    let mut conditions = Vec::new();
    for (i, rows) in run_array(&array)?.into_iter().enumerate() {
        let rows = rows.ok_or_else(|| {
            Error::Usage(format!(
                "robustness task {i} (draws {}..={}) failed every submission (its log is in {}); \
the readout is written, and running the command again submits the sweep again",
                ranges[i].0,
                ranges[i].1,
                sweep.work.join("logs").display()
            ))
        })?;
        conditions.extend(rows.iter().filter_map(|r| Condition::from_csv_row(r)));
    }
    // Back into the local order: temperature by temperature, draws in order.
    let position = |c: &Condition| {
        let t = sweep
            .temperatures
            .iter()
            .position(|&t| t == c.temperature_c);
        (t, c.run)
    };
    conditions.sort_by_key(position);
    Ok(conditions)
}

/// `snngen worker` on a robustness task: hears the recordings, runs its conditions and
/// writes their rows whole beside the task file.
pub fn run_task(task_path: &Path, task: RobustnessTask) -> Result<()> {
    let setup = load_setup(
        &task.design,
        &task.variant,
        Weights::Untrained,
        task.front_end.clone(),
        task.sample_period,
    )?;
    if setup.rendered.design_hash != task.design_hash {
        return Err(Error::Data {
            path: task_path.to_path_buf(),
            message: format!(
                "{} changed since the sweep was submitted (its hash differs); rerun it",
                task.design.display()
            ),
        });
    }
    let jobs = cpus_of_task();
    let utts = list_recordings(&task.data)?;
    let frames = front_end_frames(&setup, &utts, jobs, Verbosity::Quiet)?;
    let trained = Trained {
        setup: &setup,
        frames: &frames,
        utts: &utts,
        validation: &task.validation,
        weights: &task.weights,
        lambda: task.lambda,
    };
    let mut rows = String::new();
    for &celsius in &task.temperatures {
        for run in task.first_run..=task.last_run {
            rows += &condition(&trained, celsius, run, task.seed, jobs).csv_row();
            rows.push('\n');
        }
    }
    write_rows(task_path, &rows)
}
