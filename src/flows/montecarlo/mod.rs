//! `snngen mc`: Monte-Carlo mismatch and temperature sweeps of every neuron instance in
//! ngspice. A run is (design hash, seed, run index, temperature): its draws come from
//! `mismatch::draw(seed, run, instance)` alone, so runs are independent of each other and of
//! the order or machine they run on. Rows stream to results.csv in run order; `--resume`
//! continues after the rows already written.

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
use crate::device::mismatch::LIF_TRANSISTORS;
use crate::support::error::{Error, Result};
use crate::support::fs::write;
use crate::support::parallel::{parallel, parallel_in_order};
use crate::support::progress::{Progress, Verbosity, note};
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
}

/// Rows already in results.csv that match the start of `jobs` (for --resume).
fn finished_rows(path: &Path, jobs: &[Job], seed: u64) -> Result<Vec<String>> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(Vec::new());
    };
    // A row cut off by a kill (no newline yet) is not finished.
    let complete = &text[..text.rfind('\n').map_or(0, |i| i + 1)];
    let mut lines = complete.lines();
    if lines.next() != Some(CSV_HEADER) {
        return Err(Error::Usage(format!(
            "{} is not a results.csv of this snngen version",
            path.display()
        )));
    }
    let mut rows = Vec::new();
    for (line, job) in lines.zip(jobs) {
        let f: Vec<&str> = line.split(',').collect();
        let key = format!(
            "{},{seed},{},{},{}",
            job.run, job.temperature, job.chip, job.neuron
        );
        if f.len() < 12 || f[..5].join(",") != key {
            return Err(Error::Usage(format!(
                "{} does not continue this sweep at row {} (different design, seed or temperatures?)",
                path.display(),
                rows.len() + 1
            )));
        }
        rows.push(line.to_string());
    }
    Ok(rows)
}

pub fn mc(design: &Path, opts: &McOptions) -> Result<McSummary> {
    let start = std::time::Instant::now();
    let (_, compiled) = compile(design)?;
    let net = &compiled.network;
    let all = jobs(net, opts.runs, &opts.temperatures);
    std::fs::create_dir_all(&opts.out).map_err(|source| Error::Output {
        path: opts.out.clone(),
        source,
    })?;
    let csv_path = opts.out.join("results.csv");
    let done = if opts.resume {
        finished_rows(&csv_path, &all, opts.seed)?
    } else {
        Vec::new()
    };
    let resumed = done.len();
    write_neuron_params(net, &all, opts.seed, &opts.out)?;
    let io = |source| Error::Output {
        path: csv_path.clone(),
        source,
    };
    let mut file = std::fs::File::create(&csv_path).map_err(io)?;
    writeln!(file, "{CSV_HEADER}").map_err(io)?;
    for row in &done {
        writeln!(file, "{row}").map_err(io)?;
    }
    file.flush().map_err(io)?;

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
    let todo = &all[resumed..];
    let progress = Progress::new(opts.verbosity, "ngspice runs", todo.len() as u64);
    let faults = Faults {
        broken: opts.inject_failure,
        hung: opts.inject_hang,
    };
    let mut rows = done;
    // Rows go to the file in run order as soon as every earlier row is in.
    let run = |job: &Job| run_job(net, job, opts.seed, opts.current_na, &sensitivity, faults);
    parallel_in_order(todo, opts.jobs, run, |row| -> Result<()> {
        writeln!(file, "{row}").map_err(io)?;
        file.flush().map_err(io)?;
        rows.push(row);
        progress.inc();
        Ok(())
    })?;
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
