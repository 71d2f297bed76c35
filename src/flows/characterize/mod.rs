//! `snngen characterize`: every neuron mode of a design measured in ngspice (f-I curve,
//! first-spike latency, spike width, threshold, energy per spike at three temperatures),
//! the behavioural model fitted to those measurements (`fit`), tiles against their models,
//! and the report (`report`) and calibration file (`calibration`) written from it.

pub mod calibration;
pub mod fit;
pub mod report;

pub use fit::fit;
pub use report::{Characterization, ModeReport, SweepPoint, TemperatureSweep, table, write};

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

/// Characterizes every neuron mode the design uses.
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
    let mut temperatures = opts.temperatures.clone();
    temperatures.push(27.0);
    temperatures.sort_by(f64::total_cmp);
    temperatures.dedup();
    // The f-I sweep at every temperature, plus the reference current where the sweep
    // does not hold it.
    let mut currents = opts.currents_na.clone();
    if !currents
        .iter()
        .any(|&i| (i - REFERENCE_CURRENT_NA).abs() < 1e-12)
    {
        currents.push(REFERENCE_CURRENT_NA);
    }
    let mut jobs: Vec<(String, f64, f64)> = Vec::new();
    for name in modes.keys() {
        for &t in &temperatures {
            jobs.extend(currents.iter().map(|&i| (name.clone(), i, t)));
        }
    }
    let progress = Progress::new(opts.verbosity, "f-I sweeps", jobs.len() as u64);
    let results = parallel(&jobs, opts.jobs, |(name, current, celsius)| {
        let r = measure_neuron(name, &modes[name], net.vdd, current * 1e-9, *celsius, None).map(
            |mut p| {
                p.current_na = *current;
                p
            },
        );
        progress.inc();
        r
    });
    drop(progress);
    // Per mode: the sweep at each temperature (in job order: ascending temperature).
    let mut by_mode: BTreeMap<&str, Vec<(f64, Vec<NeuronPoint>)>> = BTreeMap::new();
    for ((name, _, celsius), r) in jobs.iter().zip(results) {
        let point = r?;
        let sweeps = by_mode.entry(name).or_default();
        match sweeps.last_mut() {
            Some((t, points)) if t == celsius => points.push(point),
            _ => sweeps.push((*celsius, vec![point])),
        }
    }
    let reports: Vec<ModeReport> = by_mode
        .into_iter()
        .map(|(name, sweeps)| {
            let mode = &modes[name];
            let is_reference =
                |p: &&NeuronPoint| (p.current_na - REFERENCE_CURRENT_NA).abs() < 1e-12;
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
                .map(|&k| measure_rest(name, mode, net.vdd, k, 27.0).map(|v| (k, v)))
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
        })
        .collect::<Result<Vec<_>>>()?;
    let energy = first_mode.as_ref().and_then(|m| {
        reports
            .iter()
            .find(|r| r.mode == *m)?
            .temperatures
            .iter()
            .find(|p| p.temperature_c == 27.0)?
            .energy_per_spike_fj
    });
    if reports.is_empty() {
        return Err(Error::Usage(
            "the design has no neuron population to characterize".into(),
        ));
    }
    let sweep_mode = first_mode
        .as_ref()
        .map(|m| (m.clone(), modes[m].clone()))
        .expect("a design with populations has a first mode");
    let sweeps: Vec<(bool, f64)> = ENERGY_VDDS
        .iter()
        .map(|&v| (true, v))
        .chain(ENERGY_CMEMS_FF.iter().map(|&c| (false, c)))
        .collect();
    let swept = parallel(&sweeps, opts.jobs, |&(is_vdd, value)| {
        let (name, mut mode) = sweep_mode.clone();
        let vdd = if is_vdd { value } else { net.vdd };
        if !is_vdd {
            mode.cmem_ff = value;
        }
        measure_neuron(&name, &mode, vdd, REFERENCE_CURRENT_NA * 1e-9, 27.0, None).map(|p| {
            SweepPoint {
                value,
                rate_hz: p.rate_hz,
                energy_per_spike_fj: p.energy_per_spike_fj,
            }
        })
    })
    .into_iter()
    .collect::<Result<Vec<_>>>()?;
    let (energy_vs_vdd, energy_vs_cmem) = swept.split_at(ENERGY_VDDS.len());
    let synapse = measure_input_synapse(net.vdd, 27.0)?;
    let tile_jobs: Vec<(&TileIr, f64)> = net
        .chips
        .iter()
        .flat_map(|c| &c.tiles)
        .flat_map(|t| TILE_VSYN_FACTORS.iter().map(move |f| (t, t.vsyn * f)))
        .collect();
    let tiles = parallel(&tile_jobs, opts.jobs, |(t, vsyn)| {
        measure_tile(t, *vsyn, net.temperature, None)
    })
    .into_iter()
    .collect::<Result<Vec<_>>>()?;
    let mac_energy = net
        .chips
        .iter()
        .flat_map(|c| &c.tiles)
        .map(|t| measure_mac_energy(t, net.temperature))
        .collect::<Result<Vec<_>>>()?;
    Ok(Characterization {
        design: net.name.clone(),
        vdd: net.vdd,
        reference_current_na: REFERENCE_CURRENT_NA,
        energy_per_spike_fj: energy,
        modes: reports,
        ngspice_runs: jobs.len() + sweeps.len() + tile_jobs.len() + mac_energy.len() + 1,
        mac_energy,
        input_synapse_charge_fc: synapse.charge.iter().map(|q| q * 1e15).collect(),
        input_synapse_off_pa: synapse.off_current * 1e12,
        energy_vs_vdd: energy_vs_vdd.to_vec(),
        energy_vs_cmem: energy_vs_cmem.to_vec(),
        tiles,
        seconds: start.elapsed().as_secs_f64(),
    })
}
