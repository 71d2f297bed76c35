//! `snngen mc`: Monte-Carlo mismatch and temperature sweeps of every neuron instance in
//! ngspice. A run is (design hash, seed, run index, temperature): its draws come from
//! `mismatch::draw(seed, run, instance)` alone, so runs are independent of each other and of
//! the order or machine they run on. Rows stream to results.csv in run order; `--resume`
//! continues after the rows already written.

pub mod cluster;
pub mod jobs;
pub mod neuron_params;
pub mod sensitivity;
pub mod summary;

pub use jobs::{
    CSV_HEADER, Faults, Job, TILE_CSV_HEADER, TileJob, drawn_neuron, jobs, run_job, run_tile_job,
    tile_job_draw, tile_jobs,
};
pub use neuron_params::{
    DrawnNeuron, NEURON_PARAMS_HEADER, find_neuron_params, load_neuron_params,
};
pub use sensitivity::Sensitivity;
pub use summary::{McSummary, TemperatureSummary};

use crate::compiler::compile;
use crate::compiler::ir::Network;
use crate::compiler::ir::validate::TEMPERATURE_RANGE;
use crate::device::mismatch::LIF_TRANSISTORS;
use crate::flows::cluster::Backend;
use crate::support::error::{Error, Result};
use crate::support::fs::{MAX_INPUT_BYTES, create_dir, read_text, write};
use crate::support::parallel::{parallel, parallel_in_order};
use crate::support::progress::{Progress, Verbosity, note};
use crate::support::text::quoted;
pub use cluster::CrashOnPurpose;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use summary::{summarize, summarize_tiles, write_summary};

#[derive(Debug, Clone)]
pub struct McOptions {
    pub runs: u32,
    pub temperatures: Vec<f64>,
    pub seed: u64,
    pub jobs: usize,
    pub out: PathBuf,
    pub resume: bool,
    pub verbosity: Verbosity,
    /// Test current of every run (nA).
    pub current_na: f64,
    /// Break the deck of this run on purpose (to test failure handling).
    pub inject_failure: Option<u32>,
    /// Make the deck of this run hang on purpose (to test the tool timeout).
    pub inject_hang: Option<u32>,
    /// Where the runs go: threads here (`jobs`) or a Slurm job array.
    pub backend: Backend,
    /// Make this Slurm array task crash on purpose (to test retries).
    pub inject_task_crash: Option<(u32, CrashOnPurpose)>,
}

/// Most rows (draws x temperatures x neurons) one sweep may have: each is an ngspice run
/// of about 0.1 s, and the run list is kept in memory.
pub const MAX_ROWS: u64 = 1_000_000;

/// The temperatures and size of a sweep, checked before anything is allocated or run.
fn check_sweep(net: &Network, opts: &McOptions) -> Result<()> {
    let (lo, hi) = TEMPERATURE_RANGE;
    if opts.temperatures.is_empty() {
        return Err(Error::Usage("--temps names no temperature".into()));
    }
    if let Some(t) = opts.temperatures.iter().find(|t| !(lo..=hi).contains(*t)) {
        return Err(Error::Usage(format!(
            "--temps: {t} C is outside {lo}..{hi} C"
        )));
    }
    let tile_columns: u64 = net
        .chips
        .iter()
        .flat_map(|c| &c.tiles)
        .map(|t| t.outputs as u64)
        .sum();
    let rows = (opts.runs as u64 + 1)
        .saturating_mul(opts.temperatures.len() as u64)
        .saturating_mul(net.neuron_count() as u64 + tile_columns);
    if rows > MAX_ROWS {
        return Err(Error::Usage(format!(
            "{} runs x {} temperatures x {} neurons and tile columns is {rows} rows, at most {MAX_ROWS}",
            opts.runs,
            opts.temperatures.len(),
            net.neuron_count() as u64 + tile_columns
        )));
    }
    Ok(())
}

/// Rows already in results.csv that match the start of `jobs` (for --resume), each one
/// checked: its key, its status and its numbers. A file that does not hold them (another
/// sweep, a corrupt or edited row, bytes that are not text) is refused with the line that
/// is wrong, so that finished work is never silently dropped or trusted.
fn finished_rows(net: &Network, path: &Path, jobs: &[Job], seed: u64) -> Result<Vec<String>> {
    // No file, or an empty one (a sweep killed before its header), holds no finished row.
    if std::fs::metadata(path).map_or(true, |m| m.len() == 0) {
        return Ok(Vec::new());
    }
    let bad = |line: usize, why: String| Error::Data {
        path: path.to_path_buf(),
        message: format!("line {line}: {why}; not resumed (move the file away to start over)"),
    };
    let text = read_text(path, MAX_INPUT_BYTES).map_err(|e| Error::Data {
        path: path.to_path_buf(),
        message: format!("{e}; not resumed (move the file away to start over)"),
    })?;
    // A row cut off by a kill (no newline yet) is not finished.
    let complete = &text[..text.rfind('\n').map_or(0, |i| i + 1)];
    let mut lines = complete.lines();
    if lines.next() != Some(CSV_HEADER) {
        return Err(bad(
            1,
            "not the header of a results.csv of this snngen version".into(),
        ));
    }
    let mut rows = Vec::new();
    for (k, line) in lines.enumerate() {
        let Some(job) = jobs.get(k) else {
            return Err(bad(k + 2, "more rows than this sweep has runs".into()));
        };
        check_row(net, line, job, seed).map_err(|why| bad(k + 2, why))?;
        rows.push(line.to_string());
    }
    Ok(rows)
}

/// Whether `line` is the results.csv row `job` writes (see `jobs::run_job`).
fn check_row(net: &Network, line: &str, job: &Job, seed: u64) -> std::result::Result<(), String> {
    let f: Vec<&str> = line.split(',').collect();
    if f.len() != 12 {
        return Err(format!("{} fields, a row has 12", f.len()));
    }
    let key = jobs::row_head(net, job, seed);
    if f[..6].join(",") != key {
        return Err(format!(
            "`{}` is not run,seed,temperature,chip,neuron,mode `{key}` of this sweep (another design, seed or temperatures?)",
            quoted(&f[..6].join(","), 80)
        ));
    }
    // Measured figures: finite and within what a neuron can do.
    let measured = |k: usize, what: &str, max: f64| -> std::result::Result<(), String> {
        match f[k].parse::<f64>() {
            Ok(x) if x.is_finite() && (0.0..=max).contains(&x) => Ok(()),
            _ => Err(format!(
                "{what} `{}` is not a number in 0..{max}",
                quoted(f[k], 20)
            )),
        }
    };
    let prediction = |k: usize| -> std::result::Result<(), String> {
        if f[k].is_empty() || f[k].parse::<f64>().is_ok_and(f64::is_finite) {
            Ok(())
        } else {
            Err(format!("prediction `{}` is not a number", quoted(f[k], 20)))
        }
    };
    let empty = |ks: &[usize]| -> std::result::Result<(), String> {
        match ks.iter().find(|&&k| !f[k].is_empty()) {
            Some(&k) => Err(format!(
                "field {} should be empty for a run that did not spike",
                k + 1
            )),
            None => Ok(()),
        }
    };
    match f[6] {
        "ok" => {
            measured(7, "rate (Hz)", 1e9)?;
            measured(8, "energy per spike (fJ)", 1e9)?;
            measured(9, "first spike (us)", 1e9)?;
            prediction(10)?;
            prediction(11)
        }
        s if s.starts_with("silent (") => {
            if f[7] != "0" {
                return Err("a silent run has rate 0".into());
            }
            empty(&[8, 9])?;
            prediction(10)?;
            prediction(11)
        }
        s if s.starts_with("failed: ") => empty(&[7, 8, 9, 10, 11]),
        s => Err(format!(
            "status `{}` is none of ok, silent, failed",
            quoted(s, 20)
        )),
    }
}

pub fn mc(design: &Path, opts: &McOptions) -> Result<McSummary> {
    let start = std::time::Instant::now();
    let (loaded, compiled) = compile(design)?;
    let net = &compiled.network;
    check_sweep(net, opts)?;
    let all = jobs(net, opts.runs, &opts.temperatures);
    create_dir(&opts.out)?;
    let csv_path = opts.out.join("results.csv");
    let done = if opts.resume {
        finished_rows(net, &csv_path, &all, opts.seed)?
    } else {
        Vec::new()
    };
    let resumed = done.len();
    write_neuron_params(net, &all, opts.seed, &opts.out)?;
    let io = |source| Error::Output {
        path: csv_path.clone(),
        source,
    };
    // The kept rows go to a new file that then replaces the old one: a kill at any moment
    // leaves either file whole, never a truncated one.
    let fresh = opts.out.join("results.csv.new");
    let mut text = format!("{CSV_HEADER}\n");
    for row in &done {
        text.push_str(row);
        text.push('\n');
    }
    write(&fresh, &text)?;
    std::fs::rename(&fresh, &csv_path).map_err(io)?;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&csv_path)
        .map_err(io)?;

    note(
        opts.verbosity,
        &format!(
            "measuring mismatch sensitivities ({} runs per mode and temperature)",
            1 + 2 * LIF_TRANSISTORS.len()
        ),
    );
    let (sensitivity, failure) =
        Sensitivity::measure(net, &opts.temperatures, opts.current_na, opts.jobs);
    if let Some(e) = failure {
        note(
            opts.verbosity,
            &format!("{e}; those draws get no prediction"),
        );
    }
    let mut rows = done;
    let mut keep = |row: String| -> Result<()> {
        writeln!(file, "{row}").map_err(io)?;
        file.flush().map_err(io)?;
        rows.push(row);
        Ok(())
    };
    match &opts.backend {
        Backend::Local => {
            let todo = &all[resumed..];
            let progress = Progress::new(opts.verbosity, "ngspice runs", todo.len() as u64);
            let faults = Faults {
                broken: opts.inject_failure,
                hung: opts.inject_hang,
            };
            // Rows go to the file in run order as soon as every earlier row is in.
            let run =
                |job: &Job| run_job(net, job, opts.seed, opts.current_na, &sensitivity, faults);
            parallel_in_order(todo, opts.jobs, run, |row| -> Result<()> {
                keep(row)?;
                progress.inc();
                Ok(())
            })?;
        }
        Backend::Slurm(slurm) => {
            let array =
                cluster::rows_on_slurm(&loaded, net, &all, resumed, &sensitivity, opts, slurm)?;
            for row in array {
                keep(row)?;
            }
        }
    }
    // RC-Spike tiles (tiles.csv, recomputed whole on --resume: a handful of runs).
    let tjobs = tile_jobs(net, opts.runs, &opts.temperatures);
    let tile_progress = Progress::new(opts.verbosity, "tile runs", tjobs.len() as u64);
    let tile_rows: Vec<String> = parallel(&tjobs, opts.jobs, |job| {
        let rows = run_tile_job(net, job, opts.seed);
        tile_progress.inc();
        rows
    })
    .into_iter()
    .flatten()
    .collect();
    if !tjobs.is_empty() {
        let path = opts.out.join("tiles.csv");
        let text = std::iter::once(TILE_CSV_HEADER.to_string())
            .chain(tile_rows.iter().cloned())
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
        write(&path, text)?;
    }
    let seconds = start.elapsed().as_secs_f64();
    let mut summary = summarize(net, opts, &rows, resumed, seconds);
    summarize_tiles(&mut summary, &tile_rows);
    write_summary(&summary, &rows, &opts.out)?;
    Ok(summary)
}

/// Writes neuron_params.csv: the behavioural neuron of every job, in results.csv order.
pub fn write_neuron_params(net: &Network, jobs: &[Job], seed: u64, dir: &Path) -> Result<()> {
    let mut text = String::from(NEURON_PARAMS_HEADER);
    text.push('\n');
    for job in jobs {
        text += &drawn_neuron(net, job, seed).csv_row();
        text.push('\n');
    }
    let path = dir.join("neuron_params.csv");
    write(&path, text)
}
