//! The runs of a sweep and how one runs: every neuron instance under every draw at every
//! temperature (results.csv), every RC-Spike tile likewise (tiles.csv). A run is free of
//! global state: everything it needs is in its arguments, so a cluster task can run it alone.

use super::neuron_params::DrawnNeuron;
use super::sensitivity::Sensitivity;
use crate::compiler::ir::Network;
use crate::device::mismatch;
use crate::device::neuron::NeuronParams;
use crate::device::process::NeuronMode;
use crate::flows::measure::{measure_tile, neuron_deck, run_neuron_deck};

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

/// The key that starts `job`'s results.csv row: run, seed, temperature, chip, neuron, mode.
pub fn row_head(net: &Network, job: &Job, seed: u64) -> String {
    format!(
        "{},{seed},{},{},{},{}",
        job.run,
        job.temperature,
        job.chip,
        job.neuron,
        mode_name(net, job)
    )
}

/// The operating mode `job`'s neuron is in, as results.csv names it.
pub fn mode_name<'a>(net: &'a Network, job: &Job) -> &'a str {
    mode_of(net, job.chip, job.neuron).0
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
pub fn drawn_neuron(net: &Network, job: &Job, seed: u64) -> DrawnNeuron {
    let (mode_name, mode) = mode_of(net, job.chip, job.neuron);
    let nominal = NeuronParams::from_mode(mode, net.vdd, job.temperature);
    let draw = mismatch::draw(seed, job.run as u64, job.instance);
    DrawnNeuron {
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

/// Runs one tile job (inputs stepping to vsyn in turn, `flows::measure::measure_tile`)
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
    match measure_tile(t, t.vsyn, job.temperature, Some(&draw)) {
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

/// Runs that fail on purpose, to test how a sweep handles failures: a deck ngspice rejects
/// (`broken`) or one that never finishes (`hung`, killed by the tool timeout).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Faults {
    pub broken: Option<u32>,
    pub hung: Option<u32>,
}

/// Runs one job and returns its results.csv row. Free of global state: everything it needs
/// is in its arguments, so a cluster task can run it alone.
pub fn run_job(
    net: &Network,
    job: &Job,
    seed: u64,
    current_na: f64,
    sensitivity: &Sensitivity,
    faults: Faults,
) -> String {
    let (mode_name, mode) = mode_of(net, job.chip, job.neuron);
    let mut draw = mismatch::draw(seed, job.run as u64, job.instance);
    if faults.broken == Some(job.run) {
        draw.dvt[0] = f64::NAN; // "NaN" in the netlist: a deck ngspice rejects
    }
    let predicted = sensitivity.predict(mode_name, job.temperature, &draw);
    let model = drawn_neuron(net, job, seed).params.rate(current_na * 1e-9);
    let head = row_head(net, job, seed);
    let (current, celsius) = (current_na * 1e-9, job.temperature);
    let measured = neuron_deck(mode_name, mode, net.vdd, current, celsius, Some(&draw)).and_then(
        |mut deck| {
            if faults.hung == Some(job.run) {
                // A deck that never finishes: only the tool timeout ends it.
                deck.text = deck
                    .text
                    .replacen(".control\n", ".control\nshell sleep 100000\n", 1);
            }
            run_neuron_deck(&deck, net.vdd, current, celsius)
        },
    );
    match measured {
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
