//! `snngen mc`: Monte-Carlo mismatch and temperature sweeps of every neuron instance in
//! ngspice. A run is (design hash, seed, run index, temperature): its draws come from
//! `mismatch::draw(seed, run, instance)` alone, so runs are independent of each other and of
//! the order or machine they run on. Rows stream to results.csv in run order; `--resume`
//! continues after the rows already written.

use crate::characterize::{REFERENCE_CURRENT_NA, measure_neuron_with};
use crate::design::NeuronMode;
use crate::error::{Error, Result};
use crate::ir::Network;
use crate::mismatch::{self, LIF_TRANSISTORS};
use crate::plot::{Chart, Mark, Series, write_png, write_png_panels};
use crate::reference::analog::NeuronParams;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

#[derive(Debug, Clone)]
pub struct McOptions {
    pub runs: u32,
    pub temperatures: Vec<f64>,
    pub seed: u64,
    pub jobs: usize,
    pub out: PathBuf,
    pub resume: bool,
    pub progress: bool,
    /// Test current of every run (nA).
    pub current_na: f64,
    /// Break the deck of this run on purpose (to test failure handling).
    pub inject_failure: Option<u32>,
}

/// One ngspice run: a neuron instance under one draw at one temperature.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub run: u32,
    pub temperature: f64,
    pub chip: usize,
    pub neuron: u32,
    /// Index of the neuron in the whole design (the draw's instance number).
    pub instance: u64,
}

/// Every run of a sweep in results.csv order: run, temperature, chip, neuron.
/// Run 0 is the nominal chip; runs 1..=N are draws.
pub fn jobs(net: &Network, runs: u32, temperatures: &[f64]) -> Vec<Job> {
    let mut v = Vec::new();
    for run in 0..=runs {
        for &temperature in temperatures {
            let mut instance = 0u64;
            for (chip, c) in net.chips.iter().enumerate() {
                for neuron in 0..c.neuron_count() {
                    v.push(Job {
                        run,
                        temperature,
                        chip,
                        neuron,
                        instance,
                    });
                    instance += 1;
                }
            }
        }
    }
    v
}

fn mode_of(net: &Network, chip: usize, neuron: u32) -> (&str, &NeuronMode) {
    let c = &net.chips[chip];
    let mut first = 0;
    for p in &c.populations {
        if neuron < first + p.count {
            return (&p.mode_name, &p.mode);
        }
        first += p.count;
    }
    unreachable!("neuron index within the chip")
}

/// `predicted_rate_hz`: the first-order sensitivity model; `model_rate_hz`: the drawn
/// behavioural neuron (`mismatch::neuron_params`, the row of neuron_params.csv).
pub const CSV_HEADER: &str = "run,seed,temperature_c,chip,neuron,mode,status,rate_hz,energy_per_spike_fj,first_spike_us,predicted_rate_hz,model_rate_hz";

/// The behavioural neuron of one job: the mode's calibrated parameters at the job's
/// temperature, moved by the job's draw.
pub fn drawn_neuron(net: &Network, job: &Job, seed: u64) -> mismatch::DrawnNeuron {
    let (mode_name, mode) = mode_of(net, job.chip, job.neuron);
    let nominal = NeuronParams::from_mode(mode, net.vdd, job.temperature);
    let draw = mismatch::draw(seed, job.run as u64, job.instance);
    mismatch::DrawnNeuron {
        run: job.run,
        temperature_c: job.temperature,
        instance: job.instance,
        chip: job.chip,
        neuron: job.neuron,
        mode: mode_name.to_string(),
        params: mismatch::neuron_params(&nominal, &draw),
    }
}

/// One ngspice run of an RC-Spike tile under its resistor and capacitor draw.
#[derive(Debug, Clone, PartialEq)]
pub struct TileJob {
    pub run: u32,
    pub temperature: f64,
    pub chip: usize,
    /// Index of the tile on its chip, and in the whole design (the draw's tile number).
    pub tile: usize,
    pub design_tile: u64,
}

/// Every tile run of a sweep in tiles.csv order: run, temperature, chip, tile.
pub fn tile_jobs(net: &Network, runs: u32, temperatures: &[f64]) -> Vec<TileJob> {
    let mut v = Vec::new();
    for run in 0..=runs {
        for &temperature in temperatures {
            let mut design_tile = 0;
            for (chip, c) in net.chips.iter().enumerate() {
                for tile in 0..c.tiles.len() {
                    v.push(TileJob {
                        run,
                        temperature,
                        chip,
                        tile,
                        design_tile,
                    });
                    design_tile += 1;
                }
            }
        }
    }
    v
}

/// The resistor and capacitor draw of a tile job.
pub fn tile_job_draw(net: &Network, job: &TileJob, seed: u64) -> mismatch::TileDraw {
    let t = &net.chips[job.chip].tiles[job.tile];
    mismatch::tile_draw(
        seed,
        job.run as u64,
        job.design_tile,
        t.inputs as usize,
        t.outputs as usize,
        t.c_mem_ff,
    )
}

pub const TILE_CSV_HEADER: &str = "run,seed,temperature_c,chip,tile,column,status,c_factor,threshold_time_us,model_threshold_time_us,tile_model_error";

/// Runs one tile job (inputs stepping to vsyn in turn, `characterize::measure_tile_with`)
/// and returns its tiles.csv rows, one per column. The model columns get the same draw.
pub fn run_tile_job(net: &Network, job: &TileJob, seed: u64) -> Vec<String> {
    let t = &net.chips[job.chip].tiles[job.tile];
    let draw = tile_job_draw(net, job, seed);
    let head = |j: usize| {
        format!(
            "{},{seed},{},{},{},{j}",
            job.run, job.temperature, job.chip, t.name
        )
    };
    let us = |x: Option<f64>| x.map_or(String::new(), |x| (x * 1e6).to_string());
    match crate::characterize::measure_tile_with(t, t.vsyn, job.temperature, Some(&draw)) {
        Ok(m) => (0..t.outputs as usize)
            .map(|j| {
                format!(
                    "{},ok,{},{},{},{}",
                    head(j),
                    draw.c_factor[j],
                    us(m.threshold_time_s[j]),
                    us(m.model_threshold_time_s[j]),
                    m.diode_model_error
                )
            })
            .collect(),
        Err(e) => {
            let why: String = e.to_string().lines().next().unwrap_or("").replace(',', ";");
            (0..t.outputs as usize)
                .map(|j| format!("{},failed: {why},{},,,", head(j), draw.c_factor[j]))
                .collect()
        }
    }
}

/// Writes neuron_params.csv: the behavioural neuron of every job, in results.csv order.
pub fn write_neuron_params(net: &Network, jobs: &[Job], seed: u64, dir: &Path) -> Result<()> {
    let mut text = String::from(mismatch::NEURON_PARAMS_HEADER);
    text.push('\n');
    for job in jobs {
        text += &drawn_neuron(net, job, seed).csv_row();
        text.push('\n');
    }
    let path = dir.join("neuron_params.csv");
    std::fs::write(&path, text).map_err(|source| Error::Output { path, source })
}

/// Runs one job and returns its results.csv row. Free of global state: everything it needs
/// is in its arguments, so a cluster task can run it alone.
pub fn run_job(
    net: &Network,
    job: &Job,
    seed: u64,
    current_na: f64,
    sensitivity: &Sensitivity,
    inject_failure: Option<u32>,
) -> String {
    let (mode_name, mode) = mode_of(net, job.chip, job.neuron);
    let mut draw = mismatch::draw(seed, job.run as u64, job.instance);
    if inject_failure == Some(job.run) {
        draw.dvt[0] = f64::NAN; // "NaN" in the netlist: a deck ngspice rejects
    }
    let predicted = sensitivity.predict(mode_name, job.temperature, &draw);
    let model = drawn_neuron(net, job, seed).params.rate(current_na * 1e-9);
    let head = format!(
        "{},{seed},{},{},{},{mode_name}",
        job.run, job.temperature, job.chip, job.neuron
    );
    match measure_neuron_with(
        mode_name,
        mode,
        net.vdd,
        current_na * 1e-9,
        job.temperature,
        Some(&draw),
    ) {
        Ok(p) if p.spikes >= 3 => format!(
            "{head},ok,{},{},{},{},{model}",
            p.rate_hz,
            p.energy_per_spike_fj.unwrap_or(f64::NAN),
            p.first_spike_s.map_or(f64::NAN, |t| t * 1e6),
            predicted.map_or(String::new(), |r| r.to_string())
        ),
        Ok(p) => format!(
            "{head},silent ({} spikes),0,,,{},{model}",
            p.spikes,
            predicted.map_or(String::new(), |r| r.to_string())
        ),
        Err(e) => {
            let why: String = e.to_string().lines().next().unwrap_or("").replace(',', ";");
            format!("{head},failed: {why},,,,,")
        }
    }
}

/// First-order effect of each transistor's threshold shift and mobility factor on the rate
/// at the test current, per mode and temperature, from one ngspice run per parameter: the
/// mismatch extension of the reference model, which predicts every draw without ngspice.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Sensitivity {
    pub by_mode: BTreeMap<String, Vec<RateSensitivity>>,
}

/// The rate of one mode at one temperature and its derivatives.
#[derive(Debug, Clone, Serialize)]
pub struct RateSensitivity {
    pub temperature_c: f64,
    pub nominal_rate_hz: f64,
    /// d rate / d threshold shift (Hz per V), per transistor.
    pub per_dvt: Vec<f64>,
    /// d rate / d mobility factor (Hz per unit), per transistor.
    pub per_mu: Vec<f64>,
}

const DVT_STEP: f64 = 0.01;
const MU_STEP: f64 = 0.05;

impl Sensitivity {
    pub fn measure(
        net: &Network,
        temperatures: &[f64],
        current_na: f64,
        jobs: usize,
    ) -> Result<Sensitivity> {
        let mut modes: BTreeMap<String, NeuronMode> = BTreeMap::new();
        for p in net.chips.iter().flat_map(|c| &c.populations) {
            modes
                .entry(p.mode_name.clone())
                .or_insert_with(|| p.mode.clone());
        }
        // Per mode and temperature: the nominal draw, then each parameter stepped alone.
        let n = LIF_TRANSISTORS.len();
        let mut runs = Vec::new();
        for name in modes.keys() {
            for &t in temperatures {
                for k in 0..=2 * n {
                    let mut d = mismatch::draw(0, 0, 0);
                    match k {
                        0 => {}
                        k if k <= n => d.dvt[k - 1] = DVT_STEP,
                        k => d.mulu0[k - n - 1] = 1.0 + MU_STEP,
                    }
                    runs.push((name.clone(), t, d));
                }
            }
        }
        let rates = crate::characterize::parallel(&runs, jobs, |(name, t, d)| {
            measure_neuron_with(name, &modes[name], net.vdd, current_na * 1e-9, *t, Some(d))
                .map(|p| p.rate_hz)
        })
        .into_iter()
        .collect::<Result<Vec<f64>>>()?;
        let mut s = Sensitivity::default();
        for (chunk, run) in rates.chunks(2 * n + 1).zip(runs.chunks(2 * n + 1)) {
            let (name, t) = (&run[0].0, run[0].1);
            let r0 = chunk[0];
            let dvt = chunk[1..=n].iter().map(|r| (r - r0) / DVT_STEP).collect();
            let dmu = chunk[n + 1..].iter().map(|r| (r - r0) / MU_STEP).collect();
            s.by_mode
                .entry(name.clone())
                .or_default()
                .push(RateSensitivity {
                    temperature_c: t,
                    nominal_rate_hz: r0,
                    per_dvt: dvt,
                    per_mu: dmu,
                });
        }
        Ok(s)
    }

    pub fn predict(&self, mode: &str, temperature: f64, d: &mismatch::Draw) -> Option<f64> {
        let s = self
            .by_mode
            .get(mode)?
            .iter()
            .find(|x| x.temperature_c == temperature)?;
        Some(
            s.nominal_rate_hz
                + s.per_dvt
                    .iter()
                    .zip(&d.dvt)
                    .map(|(k, x)| k * x)
                    .sum::<f64>()
                + s.per_mu
                    .iter()
                    .zip(&d.mulu0)
                    .map(|(k, x)| k * (x - 1.0))
                    .sum::<f64>(),
        )
    }
}

/// Mean, sigma, min and max of one figure.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Stats {
    pub count: usize,
    pub mean: f64,
    pub sigma: f64,
    pub min: f64,
    pub max: f64,
}

impl Stats {
    pub fn of(values: &[f64]) -> Stats {
        let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return Stats::default();
        }
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
        Stats {
            count: v.len(),
            mean,
            sigma: var.sqrt(),
            min: v.iter().copied().fold(f64::INFINITY, f64::min),
            max: v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TemperatureSummary {
    pub temperature_c: f64,
    pub rate_hz: Stats,
    pub energy_per_spike_fj: Stats,
    /// The drawn behavioural neurons' rates (model_rate_hz) over the same rows.
    pub model_rate_hz: Stats,
    /// (predicted - measured) / measured over the mismatched runs: the sensitivity model ...
    pub prediction_error: Stats,
    /// ... and the drawn behavioural neuron (neuron_params.csv).
    pub model_error: Stats,
    pub failed: usize,
    /// RC-Spike tiles: when each column reaches its threshold (us), over all columns ...
    pub tile_threshold_time_us: Stats,
    /// ... its relative deviation from the same column of the nominal run (run 0), over the
    /// mismatched runs: the spread R and C mismatch cause ...
    pub tile_threshold_time_deviation: Stats,
    /// ... and the diode-aware model's largest membrane error relative to full scale.
    pub tile_model_error: Stats,
}

#[derive(Debug, Clone, Serialize)]
pub struct McSummary {
    pub design: String,
    pub seed: u64,
    pub runs: u32,
    pub rows: usize,
    pub rows_resumed: usize,
    pub seconds: f64,
    pub runs_per_second: f64,
    pub temperatures: Vec<TemperatureSummary>,
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
    let (_, compiled) = crate::build::compile(design)?;
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

    if opts.progress {
        eprintln!(
            "  measuring mismatch sensitivities ({} runs per mode and temperature)",
            1 + 2 * LIF_TRANSISTORS.len()
        );
    }
    let sensitivity = Sensitivity::measure(net, &opts.temperatures, opts.current_na, opts.jobs)?;
    let todo = &all[resumed..];
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<(usize, String)>();
    let mut rows = done;
    std::thread::scope(|s| -> Result<()> {
        for _ in 0..opts.jobs.max(1) {
            let tx = tx.clone();
            let (next, sensitivity) = (&next, &sensitivity);
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = todo.get(i) else { break };
                    let row = run_job(
                        net,
                        job,
                        opts.seed,
                        opts.current_na,
                        sensitivity,
                        opts.inject_failure,
                    );
                    if tx.send((i, row)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Write rows in run order as soon as every earlier row is in.
        let mut pending: BTreeMap<usize, String> = BTreeMap::new();
        let mut written = 0;
        for (i, row) in rx {
            pending.insert(i, row);
            while let Some(row) = pending.remove(&written) {
                writeln!(file, "{row}").map_err(io)?;
                rows.push(row);
                written += 1;
            }
            file.flush().map_err(io)?;
            if opts.progress {
                let elapsed = start.elapsed().as_secs_f64();
                let rate = written as f64 / elapsed.max(1e-9);
                let left = todo.len() - written;
                eprintln!(
                    "  {}/{} runs, {rate:.1} runs/s, ETA {:.0} s",
                    resumed + written,
                    all.len(),
                    left as f64 / rate.max(1e-9)
                );
            }
        }
        Ok(())
    })?;
    // RC-Spike tiles (tiles.csv, recomputed whole on --resume: a handful of runs).
    let tjobs = tile_jobs(net, opts.runs, &opts.temperatures);
    let tile_rows: Vec<String> =
        crate::characterize::parallel(&tjobs, opts.jobs, |job| run_tile_job(net, job, opts.seed))
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
        std::fs::write(&path, text).map_err(|source| Error::Output { path, source })?;
    }
    let seconds = start.elapsed().as_secs_f64();
    let mut summary = summarize(net, opts, &rows, resumed, seconds);
    summarize_tiles(&mut summary, &tile_rows);
    write_summary(&summary, &rows, &opts.out)?;
    Ok(summary)
}

fn summarize(
    net: &Network,
    opts: &McOptions,
    rows: &[String],
    resumed: usize,
    seconds: f64,
) -> McSummary {
    let temperatures = opts
        .temperatures
        .iter()
        .map(|&t| {
            let mine: Vec<Vec<&str>> = rows
                .iter()
                .map(|r| r.split(',').collect::<Vec<_>>())
                .filter(|f| f[2].parse::<f64>().ok() == Some(t))
                .collect();
            let ok: Vec<&Vec<&str>> = mine.iter().filter(|f| f[6] == "ok").collect();
            let num = |f: &Vec<&str>, k: usize| f[k].parse::<f64>().unwrap_or(f64::NAN);
            let errors = |k: usize| -> Vec<f64> {
                ok.iter()
                    .filter(|f| f[0] != "0")
                    .map(|f| num(f, k) / num(f, 7) - 1.0)
                    .collect()
            };
            TemperatureSummary {
                temperature_c: t,
                rate_hz: Stats::of(&ok.iter().map(|f| num(f, 7)).collect::<Vec<_>>()),
                energy_per_spike_fj: Stats::of(&ok.iter().map(|f| num(f, 8)).collect::<Vec<_>>()),
                model_rate_hz: Stats::of(&ok.iter().map(|f| num(f, 11)).collect::<Vec<_>>()),
                prediction_error: Stats::of(&errors(10)),
                model_error: Stats::of(&errors(11)),
                failed: mine.iter().filter(|f| f[6].starts_with("failed")).count(),
                tile_threshold_time_us: Stats::default(),
                tile_threshold_time_deviation: Stats::default(),
                tile_model_error: Stats::default(),
            }
        })
        .collect();
    let computed = rows.len() - resumed;
    McSummary {
        design: net.name.clone(),
        seed: opts.seed,
        runs: opts.runs,
        rows: rows.len(),
        rows_resumed: resumed,
        seconds,
        runs_per_second: computed as f64 / seconds.max(1e-9),
        temperatures,
    }
}

fn summarize_tiles(s: &mut McSummary, rows: &[String]) {
    for t in &mut s.temperatures {
        let ok: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.split(',').collect::<Vec<_>>())
            .filter(|f| f[2].parse::<f64>().ok() == Some(t.temperature_c) && f[6] == "ok")
            .collect();
        let num = |f: &Vec<&str>, k: usize| f[k].parse::<f64>().unwrap_or(f64::NAN);
        t.tile_threshold_time_us = Stats::of(&ok.iter().map(|f| num(f, 8)).collect::<Vec<_>>());
        // Rows come in run order: run 0 (nominal) first.
        let mut nominal: BTreeMap<(&str, &str, &str), f64> = BTreeMap::new();
        let mut deviations = Vec::new();
        for f in &ok {
            let key = (f[3], f[4], f[5]);
            if f[0] == "0" {
                nominal.insert(key, num(f, 8));
            } else if let Some(t0) = nominal.get(&key) {
                deviations.push(num(f, 8) / t0 - 1.0);
            }
        }
        t.tile_threshold_time_deviation = Stats::of(&deviations);
        t.tile_model_error = Stats::of(
            &ok.iter()
                .filter(|f| f[0] != "0")
                .map(|f| num(f, 10))
                .collect::<Vec<_>>(),
        );
        t.failed += rows
            .iter()
            .map(|r| r.split(',').collect::<Vec<_>>())
            .filter(|f| {
                f[2].parse::<f64>().ok() == Some(t.temperature_c)
                    && f[5] == "0"
                    && f[6].starts_with("failed")
            })
            .count();
    }
}

fn write_summary(s: &McSummary, rows: &[String], dir: &Path) -> Result<()> {
    let path = dir.join("summary.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(s).expect("summary serializes") + "\n",
    )
    .map_err(|source| Error::Output { path, source })?;
    // Histograms of the rate per temperature, 20 bins over the common range.
    let rates: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| r.split(',').collect::<Vec<_>>())
        .filter(|f| f[6] == "ok")
        .filter_map(|f| Some((f[2].parse().ok()?, f[7].parse().ok()?)))
        .collect();
    let (lo, hi) = rates
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), r| (a.min(r.1), b.max(r.1)));
    let bins = 20;
    let width = ((hi - lo) / bins as f64).max(1e-9);
    let series = s
        .temperatures
        .iter()
        .map(|t| {
            let mut counts = vec![0usize; bins];
            for r in rates.iter().filter(|r| r.0 == t.temperature_c) {
                counts[(((r.1 - lo) / width) as usize).min(bins - 1)] += 1;
            }
            Series {
                name: format!("{} C", t.temperature_c),
                points: counts
                    .iter()
                    .enumerate()
                    .map(|(k, &c)| ((lo + (k as f64 + 0.5) * width) / 1e3, c as f64))
                    .collect(),
                mark: Mark::Line,
            }
        })
        .collect();
    write_png(
        &Chart {
            title: format!(
                "{}: firing rate at {} nA under mismatch",
                s.design, REFERENCE_CURRENT_NA
            ),
            x_label: "rate (kHz)".into(),
            y_label: "instances".into(),
            series,
        },
        &dir.join("rate_histogram.png"),
    )?;
    write_png_panels(&temperature_charts(s), &dir.join("temperature.png"))
}

/// Mean and mean +- sigma of the rate and of the energy per spike against temperature,
/// with the drawn behavioural neurons' mean rate beside ngspice's.
fn temperature_charts(s: &McSummary) -> Vec<Chart> {
    let band = |name: &str, stats: &dyn Fn(&TemperatureSummary) -> &Stats, scale: f64| {
        let at = |k: f64| -> Vec<(f64, f64)> {
            s.temperatures
                .iter()
                .filter(|t| stats(t).count > 0)
                .map(|t| {
                    (
                        t.temperature_c,
                        (stats(t).mean + k * stats(t).sigma) * scale,
                    )
                })
                .collect()
        };
        vec![
            Series {
                name: format!("{name} mean"),
                points: at(0.0),
                mark: Mark::Points,
            },
            Series {
                name: format!("{name} mean + sigma"),
                points: at(1.0),
                mark: Mark::Line,
            },
            Series {
                name: format!("{name} mean - sigma"),
                points: at(-1.0),
                mark: Mark::Line,
            },
        ]
    };
    let mut rate = band("ngspice", &|t| &t.rate_hz, 1e-3);
    rate.push(Series {
        name: "drawn model mean".into(),
        points: s
            .temperatures
            .iter()
            .filter(|t| t.model_rate_hz.count > 0)
            .map(|t| (t.temperature_c, t.model_rate_hz.mean * 1e-3))
            .collect(),
        mark: Mark::Line,
    });
    vec![
        Chart {
            title: format!(
                "{}: firing rate at {} nA vs temperature ({} runs)",
                s.design, REFERENCE_CURRENT_NA, s.runs
            ),
            x_label: "temperature (C)".into(),
            y_label: "rate (kHz)".into(),
            series: rate,
        },
        Chart {
            title: format!("{}: energy per spike vs temperature", s.design),
            x_label: "temperature (C)".into(),
            y_label: "energy per spike (fJ)".into(),
            series: band("ngspice", &|t| &t.energy_per_spike_fj, 1.0),
        },
    ]
}

/// A plain-text summary.
pub fn table(s: &McSummary) -> String {
    let mut out = format!(
        "mc {}: {} rows ({} resumed) in {:.1} s, {:.1} runs/s, seed {}\n",
        s.design, s.rows, s.rows_resumed, s.seconds, s.runs_per_second, s.seed
    );
    out += "  temp (C)   rate mean (kHz)  sigma (%)   energy mean (fJ)  sigma (%)   sensitivity error mean / max (%)   drawn model error mean / max (%)  failed\n";
    for t in &s.temperatures {
        let pct = |st: &Stats| {
            if st.mean != 0.0 {
                st.sigma / st.mean * 100.0
            } else {
                0.0
            }
        };
        let worst = |st: &Stats| st.min.abs().max(st.max.abs()) * 100.0;
        out += &format!(
            "  {:>8} {:>17.2} {:>10.2} {:>18.2} {:>10.2} {:>20.2} / {:<12.2} {:>18.2} / {:<12.2} {:>6}\n",
            t.temperature_c,
            t.rate_hz.mean / 1e3,
            pct(&t.rate_hz),
            t.energy_per_spike_fj.mean,
            pct(&t.energy_per_spike_fj),
            t.prediction_error.mean * 100.0,
            worst(&t.prediction_error),
            t.model_error.mean * 100.0,
            worst(&t.model_error),
            t.failed
        );
    }
    if s.temperatures
        .iter()
        .any(|t| t.tile_threshold_time_us.count > 0)
    {
        out += "  RC-Spike tiles  temp (C)   time to threshold mean (us)   mismatch sigma (%)   model error max (of full scale)\n";
        for t in &s.temperatures {
            out += &format!(
                "  {:>24} {:>29.3} {:>20.3} {:>33.1e}\n",
                t.temperature_c,
                t.tile_threshold_time_us.mean,
                t.tile_threshold_time_deviation.sigma * 100.0,
                t.tile_model_error.max
            );
        }
    }
    out
}
