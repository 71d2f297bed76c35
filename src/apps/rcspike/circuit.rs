//! `snngen sim spice` on a TTFS design: images through the crossbar netlists in ngspice,
//! layer by layer, each layer driven by the firing times the circuit's previous layer
//! produced; every neuron's time compared with the model's for the same inputs, and the
//! circuit's class with the model's class for the image.

use super::model;
use super::task::Task;
use crate::compiler::design::load_design;
use crate::compiler::emit::deck;
use crate::compiler::ir::TileIr;
use crate::compiler::lower::spice::cells::{
    TileStimulus, tile_column, tile_input_source, tile_steps,
};
use crate::compiler::{compile_loaded, with_tile_weights};
use crate::model::ttfs_network::{Layer, Network, crosspoint, encode};
use crate::support::error::{Error, Result};
use crate::support::fs::{create_dir, write};
use crate::support::idx;
use crate::support::parallel::parallel_in_order;
use crate::support::plot::{Chart, Mark, Series, plot_path, write_chart};
use crate::support::progress::{Progress, Verbosity};
use crate::tools::ngspice;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Largest ngspice time step as a fraction of the window: 1 us in the 408 us window of the
/// example design. The membrane is smooth between input steps (which are breakpoints), and
/// crossings are interpolated: against 0.2 us steps the firing times move by < 0.01 %.
const POINTS: usize = 400;

#[derive(Debug, Clone)]
pub struct CircuitOptions {
    pub model: PathBuf,
    pub data: PathBuf,
    /// N images of the folder's split: the first N, or with `last` the last N (the
    /// validation part of a training split).
    pub images: usize,
    pub last: bool,
    /// Keep the crosspoints of lines that never step in an image (slower, same times).
    pub full_netlist: bool,
    pub out: PathBuf,
    pub jobs: usize,
    pub verbosity: Verbosity,
}

/// Timing agreement of one layer over all images.
#[derive(Debug, Clone, Serialize)]
pub struct LayerAgreement {
    pub layer: String,
    /// Neurons that fired in both the circuit and the model.
    pub compared: usize,
    pub median_timing_error: f64,
    pub worst_timing_error: f64,
    /// Neurons that fired in one and not the other.
    pub fire_mismatches: usize,
    /// |Vth - v| (mV) at every crossing, fired in both or in one: the model's membrane at
    /// the circuit's crossing time, or the circuit's at the model's when only the model fired.
    pub median_threshold_gap_mv: f64,
    pub worst_threshold_gap_mv: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CircuitReport {
    pub design: String,
    pub split: String,
    pub images: usize,
    /// Images whose circuit class equals the model's class.
    pub class_agreement: f64,
    pub circuit_accuracy: f64,
    pub model_accuracy: f64,
    /// |t_circuit - t_model| / t_model over every neuron that fired in both, the model
    /// driven by the circuit's own input times.
    pub median_timing_error: f64,
    pub worst_timing_error: f64,
    /// The same crossings in volts (see LayerAgreement): where a membrane levels off at the
    /// threshold, a timing error of any size is a small voltage one.
    pub median_threshold_gap_mv: f64,
    pub worst_threshold_gap_mv: f64,
    pub layers: Vec<LayerAgreement>,
    /// Energy the excitatory line drivers deliver in one inference, mean over images (pJ).
    pub energy_per_inference_pj: f64,
    /// The model's figure for the same images, each layer driven by the circuit's own inputs.
    pub model_energy_per_inference_pj: f64,
    /// The same per multiply-accumulate (crosspoint that conducted), and the estimate
    /// C Vth Vsyn / N of TTFS.md with N the mean number of inputs on a firing neuron (fJ).
    pub energy_per_mac_fj: f64,
    pub c_vth_vsyn_over_n_fj: f64,
    pub seconds: f64,
    pub times_csv: String,
    pub plot: String,
}

/// One image through the circuit.
struct ImageRun {
    label: usize,
    model_class: Option<usize>,
    circuit_class: Option<usize>,
    /// Per layer, per neuron: (model time, circuit time).
    times: Vec<Vec<(Option<f64>, Option<f64>)>>,
    /// Per layer: |Vth - v| (V) of every neuron that fired in the circuit or the model.
    threshold_gaps: Vec<Vec<f64>>,
    energy: f64,
    /// The model's energy for the same layer inputs (J).
    model_energy: f64,
    /// Conducting crosspoints (inputs on before a neuron fired, summed over fired neurons)
    /// and fired neurons.
    macs: usize,
    fired: usize,
}

/// The design's task and its TTFS layers compiled with a trained model's weights (on their
/// crossbar levels, as the netlists hold them); the model must fit the design.
pub fn trained_tiles(design: &Path, model_dir: &Path) -> Result<(Task, Vec<TileIr>)> {
    let task = Task::load(design, |_| {})?
        .ok_or_else(|| Error::Usage(format!("{} is not a TTFS network", design.display())))?;
    model::read_info(model_dir, &task, design)?;
    let loaded = load_design(design).map_err(Error::Input)?;
    let (_, compiled) = compile_loaded(with_tile_weights(loaded, model_dir))?;
    let net = &compiled.network;
    let tiles = net
        .ttfs
        .iter()
        .flat_map(|t| &t.layers)
        .map(|&(c, t)| net.chips[c].tiles[t].clone())
        .collect();
    Ok((task, tiles))
}

/// Runs the first `images` images of the data folder through the netlists of `tiles` (the
/// compiled design's TTFS layers, on their crossbar levels).
pub fn sim_spice(task: &Task, tiles: &[TileIr], o: &CircuitOptions) -> Result<CircuitReport> {
    let data = idx::read_split(&o.data)?;
    super::run::check_image_size(task, &o.data, &data)?;
    let total = data.labels.len();
    let n = o.images.min(total);
    if n == 0 {
        return Err(Error::Usage("--images must be at least 1".into()));
    }
    let first = if o.last { total - n } else { 0 };
    let start = Instant::now();
    let progress = Progress::new(o.verbosity, "images in ngspice", n as u64);
    let items: Vec<usize> = (first..first + n).collect();
    let mut runs = Vec::with_capacity(n);
    parallel_in_order(
        &items,
        o.jobs,
        |&i| {
            let label = usize::from(data.labels[i]);
            run_image(task, tiles, data.images.image(i), label, o.full_netlist)
        },
        |r| {
            runs.push(r?);
            progress.inc();
            Ok::<(), Error>(())
        },
    )?;
    drop(progress);
    create_dir(&o.out)?;
    let times_csv = o.out.join("spice_times.csv");
    write(&times_csv, times_table(task, &runs))?;
    let plot = plot_path(&o.out, "spice_times");
    write_chart(&times_chart(task, &runs), &plot)?;
    Ok(report(task, &data.name, &runs, start, times_csv, plot))
}

/// The model of one layer: the tile's conductances.
fn layer_model(task: &Task, tile: &TileIr) -> Network {
    let (inputs, outputs) = (tile.inputs as usize, tile.outputs as usize);
    let g = (0..outputs)
        .flat_map(|o| (0..inputs).map(move |i| crosspoint(tile.weights[i][o] * task.g_unit)))
        .collect();
    Network {
        neuron: task.neuron,
        window: task.window,
        layers: vec![Layer::new(inputs, outputs, g)],
    }
}

fn run_image(
    task: &Task,
    tiles: &[TileIr],
    pixels: &[u8],
    label: usize,
    full_netlist: bool,
) -> Result<ImageRun> {
    let input = encode(pixels, task.input_window);
    let whole = Network {
        neuron: task.neuron,
        window: task.window,
        layers: tiles
            .iter()
            .flat_map(|t| layer_model(task, t).layers)
            .collect(),
    };
    let model_class = whole.infer(&input).class();
    let mut inputs = input;
    let mut times = Vec::new();
    let mut threshold_gaps = Vec::new();
    let (mut energy, mut model_energy, mut macs, mut fired) = (0.0, 0.0, 0, 0);
    for tile in tiles {
        let layer = layer_model(task, tile);
        let trace = layer.infer(&inputs);
        let model_times: Vec<Option<f64>> = trace.output_times();
        model_energy += layer.energy(&trace).iter().sum::<f64>();
        let measured = run_layer(task, tile, &inputs, &model_times, full_netlist)?;
        let circuit_times = measured.times;
        energy += measured.energy;
        let vth = task.neuron.threshold;
        threshold_gaps.push(
            (0..circuit_times.len())
                .filter_map(|j| match (circuit_times[j], measured.at_model_times[j]) {
                    (Some(t), _) => Some(vth - layer.free_membrane(&trace, 0, j, t)),
                    (None, Some(v)) => Some(vth - v),
                    (None, None) => None,
                })
                .map(f64::abs)
                .collect(),
        );
        for (j, t) in circuit_times.iter().enumerate() {
            if let Some(t) = t {
                fired += 1;
                macs += (0..tile.inputs as usize)
                    .filter(|&i| tile.weights[i][j] != 0.0 && inputs[i].is_some_and(|s| s < *t))
                    .count();
            }
        }
        times.push(model_times.into_iter().zip(circuit_times.clone()).collect());
        inputs = circuit_times;
    }
    Ok(ImageRun {
        label,
        model_class,
        circuit_class: first_spike(&inputs),
        times,
        threshold_gaps,
        energy,
        model_energy,
        macs,
        fired,
    })
}

/// The class a TTFS readout decides: the first output to fire, ties to the lower index.
fn first_spike(times: &[Option<f64>]) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (k, t) in times.iter().enumerate() {
        if let Some(t) = *t
            && best.is_none_or(|(_, b)| t < b)
        {
            best = Some((k, t));
        }
    }
    best.map(|(k, _)| k)
}

/// What ngspice measured on one layer.
struct LayerRun {
    /// Every column's first threshold crossing within the window.
    times: Vec<Option<f64>>,
    /// Every column's membrane at the model's firing time, where the model fired.
    at_model_times: Vec<Option<f64>>,
    /// The energy the excitatory lines delivered (J).
    energy: f64,
}

/// One layer in ngspice, its inputs stepping at `inputs`.
fn run_layer(
    task: &Task,
    tile: &TileIr,
    inputs: &[Option<f64>],
    model_times: &[Option<f64>],
    full_netlist: bool,
) -> Result<LayerRun> {
    let stimulus = TileStimulus {
        steps: inputs.to_vec(),
        tstop: task.window,
        points: POINTS,
        input_currents: true,
    };
    // Crosspoints on lines that never step in this image are left out of its run: their
    // diodes stay reverse biased and leak 1e-16 A (with gmin), 1e-4 of the nA that set the
    // times. Measured against the full netlist (`--full-netlist`, 4x slower) on two images
    // of the small test network: times move by 0.24 % at most, ngspice's step control.
    let mut active = tile.clone();
    if !full_netlist {
        for (row, step) in active.weights.iter_mut().zip(inputs) {
            if step.is_none() {
                row.iter_mut().for_each(|w| *w = 0.0);
            }
        }
    }
    let view = tile_steps(&active, tile.vsyn, 27.0, &stimulus, None);
    let w = ngspice::run(&deck::tile_steps(&view, &format!("{}.cir", tile.name))?)?;
    let time = w.time();
    let threshold = task.neuron.threshold;
    let mut fired = Vec::with_capacity(tile.outputs as usize);
    let mut at_model_times = Vec::with_capacity(tile.outputs as usize);
    for (j, model_time) in model_times.iter().enumerate() {
        let v = w.get(&tile_column(j))?;
        let k = v.iter().position(|&x| x >= threshold);
        fired.push(k.filter(|&k| k > 0).map(|k| {
            time[k - 1] + (threshold - v[k - 1]) / (v[k] - v[k - 1]) * (time[k] - time[k - 1])
        }));
        at_model_times.push(model_time.map(|t| sample(time, v, t)));
    }
    let mut energy = 0.0;
    for (i, step) in inputs.iter().enumerate() {
        if step.is_none() {
            continue;
        }
        let current = w.get(&tile_input_source(i))?;
        // A source that delivers current has a negative branch current; the line is at
        // vsyn from its step on.
        energy += (1..time.len())
            .map(|k| -0.5 * (current[k] + current[k - 1]) * tile.vsyn * (time[k] - time[k - 1]))
            .sum::<f64>();
    }
    Ok(LayerRun {
        times: fired,
        at_model_times,
        energy,
    })
}

/// A waveform `v` over `time` at `t`, linear between points (held beyond the ends).
fn sample(time: &[f64], v: &[f64], t: f64) -> f64 {
    match time.iter().position(|&x| x >= t) {
        Some(0) => v[0],
        Some(k) => v[k - 1] + (t - time[k - 1]) / (time[k] - time[k - 1]) * (v[k] - v[k - 1]),
        None => v[v.len() - 1],
    }
}

/// Every threshold gap of layer `layer` over all images, in mV.
fn threshold_gaps_mv(runs: &[ImageRun], layer: usize) -> Vec<f64> {
    runs.iter()
        .flat_map(|r| r.threshold_gaps[layer].iter().map(|g| g * 1e3))
        .collect()
}

fn relative_errors(runs: &[ImageRun], layer: usize) -> (Vec<f64>, usize) {
    let mut errors = Vec::new();
    let mut mismatches = 0;
    for r in runs {
        for &(m, c) in &r.times[layer] {
            match (m, c) {
                (Some(m), Some(c)) => errors.push((c - m).abs() / m.max(1e-12)),
                (None, None) => {}
                _ => mismatches += 1,
            }
        }
    }
    (errors, mismatches)
}

/// The median (NaN for none) and the largest (0 for none) of non-negative figures.
fn median_and_worst(mut v: Vec<f64>) -> (f64, f64) {
    if v.is_empty() {
        return (f64::NAN, 0.0);
    }
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[v.len() - 1])
}

fn report(
    task: &Task,
    split: &str,
    runs: &[ImageRun],
    start: Instant,
    times_csv: PathBuf,
    plot: PathBuf,
) -> CircuitReport {
    let n = runs.len().max(1) as f64;
    let layers: Vec<LayerAgreement> = task
        .layer_names
        .iter()
        .enumerate()
        .map(|(l, name)| {
            let (errors, fire_mismatches) = relative_errors(runs, l);
            let compared = errors.len();
            let (median_timing_error, worst_timing_error) = median_and_worst(errors);
            let (median_threshold_gap_mv, worst_threshold_gap_mv) =
                median_and_worst(threshold_gaps_mv(runs, l));
            LayerAgreement {
                layer: name.clone(),
                compared,
                median_timing_error,
                worst_timing_error,
                fire_mismatches,
                median_threshold_gap_mv,
                worst_threshold_gap_mv,
            }
        })
        .collect();
    let (median_timing_error, worst_timing_error) = median_and_worst(
        (0..layers.len())
            .flat_map(|l| relative_errors(runs, l).0)
            .collect(),
    );
    let (median_threshold_gap_mv, worst_threshold_gap_mv) = median_and_worst(
        (0..layers.len())
            .flat_map(|l| threshold_gaps_mv(runs, l))
            .collect(),
    );
    let count = |f: &dyn Fn(&ImageRun) -> bool| runs.iter().filter(|r| f(r)).count() as f64 / n;
    let macs: usize = runs.iter().map(|r| r.macs).sum();
    let fired: usize = runs.iter().map(|r| r.fired).sum();
    let energy: f64 = runs.iter().map(|r| r.energy).sum();
    let inputs_per_neuron = macs as f64 / fired.max(1) as f64;
    let nrn = task.neuron;
    CircuitReport {
        design: task.design.clone(),
        split: split.to_string(),
        images: runs.len(),
        class_agreement: count(&|r| r.circuit_class == r.model_class),
        circuit_accuracy: count(&|r| r.circuit_class == Some(r.label)),
        model_accuracy: count(&|r| r.model_class == Some(r.label)),
        median_timing_error,
        worst_timing_error,
        median_threshold_gap_mv,
        worst_threshold_gap_mv,
        layers,
        energy_per_inference_pj: energy / n * 1e12,
        model_energy_per_inference_pj: runs.iter().map(|r| r.model_energy).sum::<f64>() / n * 1e12,
        energy_per_mac_fj: energy / macs.max(1) as f64 * 1e15,
        c_vth_vsyn_over_n_fj: nrn.capacitance * nrn.threshold * nrn.e_exc
            / inputs_per_neuron.max(1.0)
            * 1e15,
        seconds: start.elapsed().as_secs_f64(),
        times_csv: times_csv.display().to_string(),
        plot: plot.display().to_string(),
    }
}

fn times_table(task: &Task, runs: &[ImageRun]) -> String {
    let mut out = String::from("image,layer,neuron,model_us,circuit_us\n");
    let us = |t: Option<f64>| t.map_or(String::new(), |t| format!("{:.6}", t * 1e6));
    for (i, r) in runs.iter().enumerate() {
        for (l, layer) in r.times.iter().enumerate() {
            for (j, &(m, c)) in layer.iter().enumerate() {
                out.push_str(&format!(
                    "{i},{},{j},{},{}\n",
                    task.layer_names[l],
                    us(m),
                    us(c)
                ));
            }
        }
    }
    out
}

fn times_chart(task: &Task, runs: &[ImageRun]) -> Chart {
    let series = task
        .layer_names
        .iter()
        .enumerate()
        .map(|(l, name)| Series {
            name: name.clone(),
            points: runs
                .iter()
                .flat_map(|r| &r.times[l])
                .filter_map(|&(m, c)| Some((m? * 1e6, c? * 1e6)))
                .collect(),
            mark: Mark::Points,
        })
        .collect();
    Chart {
        title: format!("{}: firing times, ngspice against the model", task.design),
        x_label: "model (us)".into(),
        y_label: "ngspice (us)".into(),
        series,
    }
}
