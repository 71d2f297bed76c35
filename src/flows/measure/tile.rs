//! An RC-Spike tile in ngspice without its comparator: the column membranes under input
//! steps against the diode-aware, resistor-only and weighted-sum models, and the energy of
//! one time-domain multiply-accumulate.

use crate::compiler::emit::deck;
use crate::compiler::ir::TileIr;
use crate::compiler::lower::spice::cells::{
    TileStimulus, tile_column, tile_input_source, tile_steps,
};
use crate::device::mismatch::TileDraw;
use crate::device::neuron::thermal_voltage;
use crate::device::tile::{ResistorDiode, TileColumn, crosspoint_saturation_current};
use crate::support::error::Result;
use crate::tools::ngspice;
use serde::Serialize;

/// Membrane trajectories of one tile at one drive voltage, ngspice against three models.
#[derive(Debug, Clone, Serialize)]
pub struct TileTrajectory {
    pub tile: String,
    pub vsyn: f64,
    /// Times (s) at which input i steps to vsyn.
    pub input_steps_s: Vec<f64>,
    #[serde(skip)]
    pub time_s: Vec<f64>,
    /// ngspice membrane voltage per column (written to CSV, not JSON).
    #[serde(skip)]
    pub columns_v: Vec<Vec<f64>>,
    /// Largest |model - ngspice| relative to the largest membrane voltage: the diode-aware
    /// model over the whole run; a resistor-only model and the ideal weighted sum (constant
    /// currents vsyn / R, the conventional in-memory-computing assumption) up to where the
    /// membrane reaches the comparator threshold, the part a time-domain MAC reads.
    pub diode_model_error: f64,
    pub resistor_model_error: f64,
    pub weighted_sum_error: f64,
    /// When each column's membrane reaches the comparator threshold (s; None: never), in
    /// ngspice and in the diode-aware model.
    pub threshold_time_s: Vec<Option<f64>>,
    pub model_threshold_time_s: Vec<Option<f64>>,
}

/// Energy of one time-domain RC multiply-accumulate: column 0 of a tile, every input with a
/// crosspoint there stepping to vsyn at once, until the membrane reaches the threshold.
#[derive(Debug, Clone, Serialize)]
pub struct MacEnergy {
    pub tile: String,
    /// Inputs with a crosspoint on column 0.
    pub inputs: usize,
    pub vsyn: f64,
    pub threshold_v: f64,
    pub time_to_threshold_us: f64,
    /// Energy the input sources deliver until the threshold, and per input.
    pub energy_fj: f64,
    pub energy_per_input_fj: f64,
    /// Morie's estimate C V^2 / N with V = vsyn, N = inputs.
    pub cv2_over_n_fj: f64,
}

pub fn measure_mac_energy(tile: &TileIr, celsius: f64) -> Result<MacEnergy> {
    let mut column0 = tile.clone();
    column0.outputs = 1;
    column0.weights = tile.weights.iter().map(|row| vec![row[0]]).collect();
    let inputs = column0.weights.iter().filter(|r| r[0] > 0.0).count();
    let tau = tile.r_unit_gohm * 1e9 * tile.c_mem_ff * 1e-15;
    let tstop = 2.0 * tau;
    let at = 1e-6;
    let steps = vec![at; tile.inputs as usize];
    let stimulus = TileStimulus {
        steps: steps.iter().map(|&t| Some(t)).collect(),
        tstop,
        points: 2000,
        input_currents: true,
    };
    let view = tile_steps(&column0, tile.vsyn, celsius, &stimulus, None);
    let w = ngspice::run(&deck::tile_steps(&view, "mac.cir")?)?;
    let t = w.time();
    let v = w.get(&tile_column(0))?;
    let end = (0..v.len())
        .find(|&k| v[k] >= tile.threshold_v)
        .unwrap_or(v.len() - 1);
    let mut energy = 0.0;
    for i in 0..steps.len() {
        let current = w.get(&tile_input_source(i))?;
        // A source delivering current has a negative branch current.
        energy += (1..=end)
            .map(|k| -0.5 * (current[k] + current[k - 1]) * tile.vsyn * (t[k] - t[k - 1]))
            .sum::<f64>();
    }
    let c = tile.c_mem_ff * 1e-15;
    Ok(MacEnergy {
        tile: tile.name.clone(),
        inputs,
        vsyn: tile.vsyn,
        threshold_v: tile.threshold_v,
        time_to_threshold_us: (t[end] - at) * 1e6,
        energy_fj: energy * 1e15,
        energy_per_input_fj: energy * 1e15 / inputs.max(1) as f64,
        cv2_over_n_fj: c * tile.vsyn * tile.vsyn / inputs.max(1) as f64 * 1e15,
    })
}

/// Steps the inputs of `tile` to `vsyn` one after another (no comparator) and compares the
/// column membranes with the models.
/// With `draw`, a mismatched tile: the same drawn resistors and capacitors in the deck and
/// in the behavioural columns.
pub fn measure_tile(
    tile: &TileIr,
    vsyn: f64,
    celsius: f64,
    draw: Option<&TileDraw>,
) -> Result<TileTrajectory> {
    let tau = tile.r_unit_gohm * 1e9 * tile.c_mem_ff * 1e-15;
    let tstop = 3.0 * tau;
    let steps: Vec<f64> = (0..tile.inputs)
        .map(|i| tstop * 0.5 * i as f64 / tile.inputs as f64 + 1e-6)
        .collect();
    let stimulus = TileStimulus {
        steps: steps.iter().map(|&t| Some(t)).collect(),
        tstop,
        points: 2000,
        input_currents: false,
    };
    let view = tile_steps(tile, vsyn, celsius, &stimulus, draw);
    let w = ngspice::run(&deck::tile_steps(&view, "tile.cir")?)?;
    let time = w.time().to_vec();
    let measured: Vec<Vec<f64>> = (0..tile.outputs as usize)
        .map(|j| w.get(&tile_column(j)).map(<[f64]>::to_vec))
        .collect::<std::result::Result<_, _>>()?;
    let n_vt = thermal_voltage(celsius);
    let saturation_current = crosspoint_saturation_current(celsius);
    let model_column = |j: usize, diodes: bool| {
        let mut col = TileColumn {
            capacitance: tile.c_mem_ff * 1e-15,
            threshold: f64::INFINITY,
            hysteresis: 0.0,
            crosspoints: tile
                .weights
                .iter()
                .map(|row| {
                    (row[j] > 0.0).then(|| ResistorDiode {
                        ohms: tile.r_unit_gohm * 1e9 / row[j],
                        saturation_current,
                        n_vt,
                    })
                })
                .collect(),
            diodes,
        };
        if let Some(d) = draw {
            d.apply(j, &mut col);
        }
        col
    };
    let inputs_at = |t: f64| -> Vec<f64> {
        steps
            .iter()
            .map(|&s| if t >= s { vsyn } else { 0.0 })
            .collect()
    };
    // Integrate each model along ngspice's own time points, subdividing long intervals.
    let simulate = |j: usize, diodes: bool| -> Vec<f64> {
        let col = model_column(j, diodes);
        let mut v = 0.0;
        let mut out = vec![0.0];
        for k in 1..time.len() {
            let (t0, t1) = (time[k - 1], time[k]);
            let pieces = ((t1 - t0) / (tau / 2000.0)).ceil().max(1.0) as usize;
            let h = (t1 - t0) / pieces as f64;
            for p in 0..pieces {
                col.step(&mut v, &inputs_at(t0 + (p as f64 + 0.5) * h), h);
            }
            out.push(v);
        }
        out
    };
    let weighted_sum = |j: usize| -> Vec<f64> {
        time.iter()
            .map(|&t| {
                let r_factor = |i: usize| draw.map_or(1.0, |d| d.r_factor[i][j]);
                let c_factor = draw.map_or(1.0, |d| d.c_factor[j]);
                tile.weights
                    .iter()
                    .zip(&steps)
                    .enumerate()
                    .filter(|(_, (row, s))| row[j] > 0.0 && t > **s)
                    .map(|(i, (row, s))| {
                        vsyn * row[j] / (tile.r_unit_gohm * 1e9 * r_factor(i)) * (t - s)
                    })
                    .sum::<f64>()
                    / (tile.c_mem_ff * 1e-15 * c_factor)
            })
            .collect()
    };
    let scale = measured
        .iter()
        .flatten()
        .fold(0.0f64, |m, v| m.max(v.abs()))
        .max(1e-12);
    let error = |model: &dyn Fn(usize) -> Vec<f64>, limit: f64| -> f64 {
        (0..measured.len())
            .map(|j| {
                model(j)
                    .iter()
                    .zip(&measured[j])
                    .take_while(|(_, b)| **b <= limit)
                    .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()))
            })
            .fold(0.0, f64::max)
            / scale
    };
    let threshold = tile.threshold_v;
    // When each column reaches the comparator threshold, linearly between time points.
    let crossing = |v: &[f64]| -> Option<f64> {
        let k = v.iter().position(|&x| x >= threshold)?;
        (k > 0).then(|| {
            time[k - 1] + (threshold - v[k - 1]) / (v[k] - v[k - 1]) * (time[k] - time[k - 1])
        })
    };
    let model: Vec<Vec<f64>> = (0..measured.len()).map(|j| simulate(j, true)).collect();
    Ok(TileTrajectory {
        tile: tile.name.clone(),
        vsyn,
        input_steps_s: steps.clone(),
        threshold_time_s: measured.iter().map(|v| crossing(v)).collect(),
        model_threshold_time_s: model.iter().map(|v| crossing(v)).collect(),
        diode_model_error: error(&|j| model[j].clone(), f64::INFINITY),
        resistor_model_error: error(&|j| simulate(j, false), threshold),
        weighted_sum_error: error(&weighted_sum, threshold),
        time_s: time.clone(),
        columns_v: measured,
    })
}
