//! What `snngen characterize` found: the report types, the plain-text table, the CSV files
//! and the plots.

use crate::compiler::lower::spice::num;
use crate::device::calibration::FittedNeuron;
use crate::flows::measure::{MacEnergy, NeuronPoint, TileTrajectory};
use crate::support::error::{Error, Result};
use crate::support::plot::{Chart, Mark, Series, plot_path, write_chart};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Serialize)]
pub struct ModeReport {
    pub mode: String,
    pub vleak: f64,
    pub vpw: f64,
    pub cmem_ff: f64,
    pub cfb_ff: f64,
    pub f_i: Vec<NeuronPoint>,
    /// Resting potential (V) with 0, 1, 2, 4 and 8 idle excitatory synapses.
    pub rest_v: Vec<(u32, f64)>,
    /// Runs at the reference current at each temperature.
    pub temperatures: Vec<NeuronPoint>,
    /// The fit at 27 C (the f_i sweep above) ...
    pub fit: FittedNeuron,
    /// ... and the f-I sweep and its fit at every temperature (27 C included).
    pub temperature_fits: Vec<TemperatureSweep>,
}

/// The f-I sweep of one mode at one temperature and the behavioural model fitted to it.
#[derive(Debug, Clone, Serialize)]
pub struct TemperatureSweep {
    pub temperature_c: f64,
    pub f_i: Vec<NeuronPoint>,
    pub fit: FittedNeuron,
}

#[derive(Debug, Clone, Serialize)]
pub struct Characterization {
    pub design: String,
    pub vdd: f64,
    pub reference_current_na: f64,
    /// Energy per spike of the design's first population's mode at 27 C and the reference current.
    pub energy_per_spike_fj: Option<f64>,
    pub modes: Vec<ModeReport>,
    /// Energy per spike of that mode at the reference current and 27 C against the supply
    /// voltage and against the membrane capacitance.
    pub energy_vs_vdd: Vec<SweepPoint>,
    pub energy_vs_cmem: Vec<SweepPoint>,
    /// Charge per input pulse (fC) of the excitatory synapse at each DAC level (index).
    pub input_synapse_charge_fc: Vec<f64>,
    /// Off-current of an idle excitatory synapse into the membrane (pA).
    pub input_synapse_off_pa: f64,
    /// Every tile at drive voltages 0.5, 0.75, 1 and 1.25 x its own vsyn.
    pub tiles: Vec<TileTrajectory>,
    /// One time-domain MAC per tile (column 0).
    pub mac_energy: Vec<MacEnergy>,
    pub ngspice_runs: usize,
    pub seconds: f64,
}

/// One point of an energy sweep.
#[derive(Debug, Clone, Serialize)]
pub struct SweepPoint {
    /// VDD (V) or membrane capacitance (fF).
    pub value: f64,
    pub rate_hz: f64,
    pub energy_per_spike_fj: Option<f64>,
}

/// The f-I, energy and tile plots of a characterization.
fn charts(c: &Characterization) -> Vec<(String, Chart)> {
    let mut charts = Vec::new();
    let mut f_i = Vec::new();
    let mut energy = Vec::new();
    for m in &c.modes {
        let spiking: Vec<&NeuronPoint> = m.f_i.iter().filter(|p| p.spikes >= 3).collect();
        f_i.push(Series {
            name: format!("{} (ngspice)", m.mode),
            points: m
                .f_i
                .iter()
                .map(|p| (p.current_na, p.rate_hz / 1e3))
                .collect(),
            mark: Mark::Points,
        });
        let model = m.fit.params(27.0);
        let (lo, hi) = (
            m.f_i.first().map_or(0.1, |p| p.current_na),
            m.f_i.last().map_or(3.0, |p| p.current_na),
        );
        f_i.push(Series {
            name: format!("{} (fitted model)", m.mode),
            points: (0..=200)
                .map(|k| lo + (hi - lo) * k as f64 / 200.0)
                .map(|i| (i, model.rate(i * 1e-9) / 1e3))
                .collect(),
            mark: Mark::Line,
        });
        energy.push(Series {
            name: m.mode.clone(),
            points: spiking
                .iter()
                .filter_map(|p| Some((p.current_na, p.energy_per_spike_fj?)))
                .collect(),
            mark: Mark::Line,
        });
    }
    charts.push((
        "f_i".into(),
        Chart {
            title: format!("{}: firing rate vs input current (27 C)", c.design),
            x_label: "input current (nA)".into(),
            y_label: "rate (kHz)".into(),
            series: f_i,
        },
    ));
    charts.push((
        "energy".into(),
        Chart {
            title: format!("{}: energy per spike (27 C, VDD {} V)", c.design, c.vdd),
            x_label: "input current (nA)".into(),
            y_label: "energy per spike (fJ)".into(),
            series: energy,
        },
    ));
    let mut by_tile: BTreeMap<&str, Vec<Series>> = BTreeMap::new();
    for t in &c.tiles {
        by_tile.entry(&t.tile).or_default().push(Series {
            name: format!("vsyn {} V", t.vsyn),
            points: t
                .time_s
                .iter()
                .zip(t.columns_v.first().map(Vec::as_slice).unwrap_or(&[]))
                .map(|(&t, &v)| (t * 1e6, v))
                .collect(),
            mark: Mark::Line,
        });
    }
    for (tile, series) in by_tile {
        charts.push((
            format!("tile_{tile}"),
            Chart {
                title: format!("RC-Spike tile {tile}: column 0 membrane, inputs stepping in turn"),
                x_label: "time (us)".into(),
                y_label: "membrane (V)".into(),
                series,
            },
        ));
    }
    charts
}

/// Writes characterization.json, f_i.csv, tile trajectory CSVs and PNG plots into `dir`.
pub fn write(c: &Characterization, dir: &Path) -> Result<()> {
    let io = |source| Error::Output {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let json = serde_json::to_string_pretty(c).expect("report serializes") + "\n";
    std::fs::write(dir.join("characterization.json"), json).map_err(io)?;
    let mut csv = String::from(
        "mode,current_na,temperature_c,spikes,rate_hz,first_spike_us,spike_width_ns,threshold_v,energy_per_spike_fj\n",
    );
    let cell = |v: Option<f64>| v.map_or(String::new(), |x| format!("{x}"));
    for m in &c.modes {
        for p in m.temperature_fits.iter().flat_map(|s| &s.f_i) {
            csv += &format!(
                "{},{},{},{},{},{},{},{},{}\n",
                m.mode,
                p.current_na,
                p.temperature_c,
                p.spikes,
                p.rate_hz,
                cell(p.first_spike_s.map(|t| t * 1e6)),
                cell(p.spike_width_ns),
                cell(p.threshold_v),
                cell(p.energy_per_spike_fj)
            );
        }
    }
    std::fs::write(dir.join("f_i.csv"), csv).map_err(io)?;
    for t in &c.tiles {
        let mut csv = String::from("time_s");
        for j in 0..t.columns_v.len() {
            csv += &format!(",mem{j}_v");
        }
        csv.push('\n');
        for (k, time) in t.time_s.iter().enumerate() {
            csv += &format!("{time}");
            for col in &t.columns_v {
                csv += &format!(",{}", col[k]);
            }
            csv.push('\n');
        }
        std::fs::write(
            dir.join(format!("tile_{}_vsyn_{}.csv", t.tile, num(t.vsyn))),
            csv,
        )
        .map_err(io)?;
    }
    for (name, chart) in charts(c) {
        write_chart(&chart, &plot_path(dir, &name))?;
    }
    Ok(())
}
