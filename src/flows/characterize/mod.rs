//! `snngen characterize`: every neuron mode of a design measured in ngspice (f-I curve,
//! first-spike latency, spike width, threshold, energy per spike at three temperatures),
//! the behavioural model fitted to those measurements (`fit`), tiles against their models,
//! and the report (`report`) and calibration file (`calibration`) written from it.

pub mod calibration;
pub mod fit;
pub mod report;

pub use fit::fit;
pub use report::{Characterization, ModeReport, SweepPoint, TemperatureSweep, write};

use crate::compiler::compile;
use crate::compiler::ir::TileIr;
use crate::device::process::NeuronMode;
use crate::flows::measure::{
    NeuronPoint, REFERENCE_CURRENT_NA, REST_SYNAPSE_COUNTS, measure_input_synapse,
    measure_mac_energy, measure_neuron, measure_rest, measure_tile,
};
use crate::support::error::{Error, Result};
use crate::support::parallel::parallel;
use crate::support::progress::{Progress, Verbosity};
use std::collections::BTreeMap;
use std::path::Path;

/// Input currents of the f-I sweep (nA).
pub const DEFAULT_CURRENTS_NA: [f64; 10] = [0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0];
/// Temperatures of the f-I sweep, its fit and the energy measurement (C). 27 C is always
/// measured: the resting potential and the synapse are characterized there.
pub const DEFAULT_TEMPERATURES: [f64; 3] = [-20.0, 27.0, 85.0];
/// Tiles are measured at these multiples of their own drive voltage.
pub const TILE_VSYN_FACTORS: [f64; 4] = [0.5, 0.75, 1.0, 1.25];
/// Supplies (V) and membrane capacitances (fF) of the energy sweeps.
pub const ENERGY_VDDS: [f64; 5] = [0.5, 0.6, 0.7, 0.8, 1.0];
pub const ENERGY_CMEMS_FF: [f64; 4] = [25.0, 50.0, 100.0, 200.0];

#[derive(Debug, Clone)]
pub struct Options {
    pub currents_na: Vec<f64>,
    pub temperatures: Vec<f64>,
    pub jobs: usize,
    pub verbosity: Verbosity,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            currents_na: DEFAULT_CURRENTS_NA.to_vec(),
            temperatures: DEFAULT_TEMPERATURES.to_vec(),
            jobs: 2,
            verbosity: Verbosity::Quiet,
        }
    }
}

/// Characterizes every neuron mode the design uses, then the energy sweeps, the input
/// synapse and every tile; one progress bar over all the ngspice runs.
pub fn characterize(design: &Path, opts: &Options) -> Result<Characterization> {
    let start = std::time::Instant::now();
    let (_, compiled) = compile(design)?;
    let net = &compiled.network;
    let mut modes: BTreeMap<String, NeuronMode> = BTreeMap::new();
    let mut first_mode = None;
    for p in net.chips.iter().flat_map(|c| &c.populations) {
        first_mode.get_or_insert_with(|| p.mode_name.clone());
        modes
            .entry(p.mode_name.clone())
            .or_insert_with(|| p.mode.clone());
    }
    let Some(first_mode) = first_mode else {
        return Err(Error::Usage(
            "the design has no neuron population to characterize".into(),
        ));
    };
    let jobs = f_i_jobs(&modes, opts);
    let tile_jobs: Vec<(&TileIr, f64)> = net
        .chips
        .iter()
        .flat_map(|c| &c.tiles)
        .flat_map(|t| TILE_VSYN_FACTORS.iter().map(move |f| (t, t.vsyn * f)))
        .collect();
    let tiles_in_design = net.chips.iter().map(|c| c.tiles.len()).sum::<usize>();
    let runs = jobs.len()
        + modes.len() * REST_SYNAPSE_COUNTS.len()
        + ENERGY_VDDS.len()
        + ENERGY_CMEMS_FF.len()
        + 1
        + tile_jobs.len()
        + tiles_in_design;
    let progress = Progress::new(opts.verbosity, "ngspice runs", runs as u64);
    let sweeps = run_f_i(net.vdd, &modes, &jobs, opts, &progress)?;
    let reports = sweeps
        .into_iter()
        .map(|(name, sweeps)| mode_report(name, &modes[name], sweeps, net.vdd, opts, &progress))
        .collect::<Result<Vec<_>>>()?;
    let energy = reports
        .iter()
        .find(|r| r.mode == first_mode)
        .and_then(|r| r.temperatures.iter().find(|p| p.temperature_c == 27.0))
        .and_then(|p| p.energy_per_spike_fj);
    let (energy_vs_vdd, energy_vs_cmem) =
        energy_sweeps(&first_mode, &modes[&first_mode], net.vdd, opts, &progress)?;
    let synapse = measure_input_synapse(net.vdd, 27.0)?;
    progress.inc();
    let tiles = parallel(&tile_jobs, opts.jobs, |(t, vsyn)| {
        let r = measure_tile(t, *vsyn, net.temperature, None);
        progress.inc();
        r
    })
    .into_iter()
    .collect::<Result<Vec<_>>>()?;
    let mac_energy = net
        .chips
        .iter()
        .flat_map(|c| &c.tiles)
        .map(|t| {
            let r = measure_mac_energy(t, net.temperature);
            progress.inc();
            r
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Characterization {
        design: net.name.clone(),
        vdd: net.vdd,
        reference_current_na: REFERENCE_CURRENT_NA,
        energy_per_spike_fj: energy,
        modes: reports,
        ngspice_runs: runs,
        mac_energy,
        input_synapse_charge_fc: synapse.charge.iter().map(|q| q * 1e15).collect(),
        input_synapse_off_pa: synapse.off_current * 1e12,
        energy_vs_vdd,
        energy_vs_cmem,
        tiles,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// The f-I runs: every mode at every temperature (27 C always) and current, the reference
/// current included where the sweep does not hold it. (mode, current nA, temperature C)
fn f_i_jobs(modes: &BTreeMap<String, NeuronMode>, opts: &Options) -> Vec<(String, f64, f64)> {
    let mut temperatures = opts.temperatures.clone();
    temperatures.push(27.0);
    temperatures.sort_by(f64::total_cmp);
    temperatures.dedup();
    let mut currents = opts.currents_na.clone();
    if !currents
        .iter()
        .any(|&i| (i - REFERENCE_CURRENT_NA).abs() < 1e-12)
    {
        currents.push(REFERENCE_CURRENT_NA);
    }
    let mut jobs = Vec::new();
    for name in modes.keys() {
        for &t in &temperatures {
            jobs.extend(currents.iter().map(|&i| (name.clone(), i, t)));
        }
    }
    jobs
}

/// Per mode, the f-I sweep at each temperature, in ascending temperature.
type Sweeps<'a> = BTreeMap<&'a str, Vec<(f64, Vec<NeuronPoint>)>>;

fn run_f_i<'a>(
    vdd: f64,
    modes: &BTreeMap<String, NeuronMode>,
    jobs: &'a [(String, f64, f64)],
    opts: &Options,
    progress: &Progress,
) -> Result<Sweeps<'a>> {
    let results = parallel(jobs, opts.jobs, |(name, current, celsius)| {
        let r =
            measure_neuron(name, &modes[name], vdd, current * 1e-9, *celsius, None).map(|mut p| {
                p.current_na = *current;
                p
            });
        progress.inc();
        r
    });
    let mut by_mode: Sweeps = BTreeMap::new();
    for ((name, _, celsius), r) in jobs.iter().zip(results) {
        let point = r?;
        let sweeps = by_mode.entry(name).or_default();
        match sweeps.last_mut() {
            Some((t, points)) if t == celsius => points.push(point),
            _ => sweeps.push((*celsius, vec![point])),
        }
    }
    Ok(by_mode)
}

/// One mode's report: its sweeps fitted at every temperature, the reference current's
/// points, and the resting potential with idle synapses.
fn mode_report(
    name: &str,
    mode: &NeuronMode,
    sweeps: Vec<(f64, Vec<NeuronPoint>)>,
    vdd: f64,
    opts: &Options,
    progress: &Progress,
) -> Result<ModeReport> {
    let is_reference = |p: &&NeuronPoint| (p.current_na - REFERENCE_CURRENT_NA).abs() < 1e-12;
    let temps: Vec<NeuronPoint> = sweeps
        .iter()
        .filter_map(|(_, points)| points.iter().find(is_reference).cloned())
        .collect();
    let temperature_fits: Vec<TemperatureSweep> = sweeps
        .iter()
        .map(|(t, points)| {
            // The sweep as asked (the reference current only when it is in it).
            let f_i: Vec<NeuronPoint> = points
                .iter()
                .filter(|p| {
                    opts.currents_na
                        .iter()
                        .any(|&i| (i - p.current_na).abs() < 1e-12)
                })
                .cloned()
                .collect();
            TemperatureSweep {
                temperature_c: *t,
                fit: fit(mode, &f_i, *t),
                f_i,
            }
        })
        .collect();
    let at_27 = temperature_fits
        .iter()
        .find(|s| s.temperature_c == 27.0)
        .expect("27 C is always swept");
    let (f_i, fit_27) = (at_27.f_i.clone(), at_27.fit.clone());
    let rest_v = REST_SYNAPSE_COUNTS
        .iter()
        .map(|&k| {
            let v = measure_rest(name, mode, vdd, k, 27.0).map(|v| (k, v));
            progress.inc();
            v
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ModeReport {
        rest_v,
        mode: name.to_string(),
        vleak: mode.vleak,
        vpw: mode.vpw,
        cmem_ff: mode.cmem_ff,
        cfb_ff: mode.cfb_ff,
        fit: fit_27,
        f_i,
        temperatures: temps,
        temperature_fits,
    })
}

/// Energy per spike of `mode` at the reference current and 27 C against the supply and
/// against the membrane capacitance.
fn energy_sweeps(
    name: &str,
    mode: &NeuronMode,
    vdd: f64,
    opts: &Options,
    progress: &Progress,
) -> Result<(Vec<SweepPoint>, Vec<SweepPoint>)> {
    let sweeps: Vec<(bool, f64)> = ENERGY_VDDS
        .iter()
        .map(|&v| (true, v))
        .chain(ENERGY_CMEMS_FF.iter().map(|&c| (false, c)))
        .collect();
    let mut swept =
        parallel(&sweeps, opts.jobs, |&(is_vdd, value)| {
            let mut mode = mode.clone();
            let supply = if is_vdd { value } else { vdd };
            if !is_vdd {
                mode.cmem_ff = value;
            }
            let r = measure_neuron(name, &mode, supply, REFERENCE_CURRENT_NA * 1e-9, 27.0, None)
                .map(|p| SweepPoint {
                    value,
                    rate_hz: p.rate_hz,
                    energy_per_spike_fj: p.energy_per_spike_fj,
                });
            progress.inc();
            r
        })
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
    let vs_cmem = swept.split_off(ENERGY_VDDS.len());
    Ok((swept, vs_cmem))
}
