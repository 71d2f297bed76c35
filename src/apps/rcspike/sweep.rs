//! `snngen sweep`: a TTFS design trained anew at each point of a sweep, and what each point
//! reaches. `vsyn`: from strong resistive coupling (vsyn near the threshold) to the ideal
//! charge-domain neuron (vsyn far above it). `ssr`: sparse-firing regularization strengths
//! per method, the trade-off between accuracy and spikes per neuron (SEEDS.md §4).

use super::run::{TrainOptions, TrainReport, hidden_mean, train};
use super::task::Task;
use crate::model::ttfs_network::Sparsity;
use crate::support::error::{Error, Result};
use crate::support::fs::{create_dir, write};
use crate::support::plot::{Chart, Mark, Series, write_png};
use crate::support::progress::note;
use serde::Serialize;
use std::path::Path;

/// What one trained point reaches on the validation images.
#[derive(Debug, Clone, Serialize)]
pub struct Trained {
    pub validation_accuracy: f64,
    pub quantized_validation_accuracy: Option<f64>,
    /// Spikes per neuron per layer (last epoch, full precision), the output layer last.
    pub spikes_per_neuron: Vec<f64>,
    /// The same over all hidden neurons.
    pub hidden_spikes_per_neuron: f64,
    /// Energy the crossbars' line drivers deliver per inference (pJ).
    pub energy_per_inference_pj: Option<f64>,
    pub seconds: f64,
    pub model_dir: String,
}

/// One point of `sweep vsyn`.
#[derive(Debug, Clone, Serialize)]
pub struct VsynPoint {
    pub vsyn: f64,
    /// vsyn / threshold: near 1 is strong resistive coupling.
    pub coupling: f64,
    #[serde(flatten)]
    pub trained: Trained,
}

/// One point of `sweep ssr`: a regularizer at a strength (the plain network is method none).
#[derive(Debug, Clone, Serialize)]
pub struct SsrPoint {
    pub method: Sparsity,
    pub strength: f64,
    #[serde(flatten)]
    pub trained: Trained,
}

#[derive(Debug, Clone, Serialize)]
pub struct SweepReport<P> {
    pub design: String,
    pub points: Vec<P>,
    pub csv: String,
    pub plot: String,
}

/// Trains the design at every value of `vsyn` (every TTFS tile driven at it), each into
/// `<o.out>/vsyn_<value>/`, and writes sweep.csv and sweep.png into `o.out`.
pub fn sweep_vsyn(
    design: &Path,
    values: &[f64],
    o: &TrainOptions,
) -> Result<SweepReport<VsynPoint>> {
    if values.is_empty() {
        return Err(Error::Usage("give at least one --vsyn value".into()));
    }
    let mut points = Vec::new();
    let mut name = String::new();
    for &vsyn in values {
        let task = load(design, Some(vsyn))?;
        name = task.design.clone();
        note(o.verbosity, &format!("vsyn {vsyn} V"));
        let trained = train_point(&task, o, &format!("vsyn_{vsyn}"), |_| {})?;
        points.push(VsynPoint {
            vsyn,
            coupling: vsyn / task.neuron.threshold,
            trained,
        });
    }
    finish(&name, points, o, vsyn_table, vsyn_chart)
}

/// Trains the design once without regularization (`<o.out>/none/`) and then with every
/// method at every strength (`<o.out>/<method>_<strength>/`), and writes sweep.csv and
/// sweep.png (accuracy against hidden spikes per neuron, one curve per method) into `o.out`.
pub fn sweep_ssr(
    design: &Path,
    methods: &[Sparsity],
    strengths: &[f64],
    o: &TrainOptions,
) -> Result<SweepReport<SsrPoint>> {
    if methods.is_empty() || strengths.is_empty() {
        return Err(Error::Usage(
            "give at least one method (--methods) and one strength (--strengths)".into(),
        ));
    }
    if let Some(s) = strengths.iter().find(|s| !(s.is_finite() && **s > 0.0)) {
        return Err(Error::Usage(format!(
            "--strengths must be positive (the plain network is trained anyway), got {s}"
        )));
    }
    let task = load(design, None)?;
    let mut runs = vec![(Sparsity::None, 0.0)];
    runs.extend(
        methods
            .iter()
            .filter(|m| **m != Sparsity::None)
            .flat_map(|&m| strengths.iter().map(move |&s| (m, s))),
    );
    let mut points = Vec::new();
    for (i, &(method, strength)) in runs.iter().enumerate() {
        let label = match method {
            Sparsity::None => "none".to_string(),
            _ => format!("{}_{strength}", method_name(method)),
        };
        note(
            o.verbosity,
            &format!("point {}/{}: {label}", i + 1, runs.len()),
        );
        let trained = train_point(&task, o, &label, |h| {
            h.sparsity = method;
            h.sparsity_strength = strength;
        })?;
        points.push(SsrPoint {
            method,
            strength,
            trained,
        });
    }
    finish(&task.design, points, o, ssr_table, ssr_chart)
}

/// The command-line name of a sparse-firing method.
pub fn method_name(m: Sparsity) -> &'static str {
    match m {
        Sparsity::None => "none",
        Sparsity::Mssr => "mssr",
        Sparsity::Fssr => "fssr",
        Sparsity::Membrane => "membrane",
    }
}

fn load(design: &Path, vsyn: Option<f64>) -> Result<Task> {
    Task::load(design, |d| {
        for tile in d.chips.iter_mut().flat_map(|c| &mut c.rc_spike) {
            if let Some(v) = vsyn {
                tile.vsyn = v;
            }
        }
    })?
    .ok_or_else(|| Error::Usage(format!("{} is not a TTFS network", design.display())))
}

/// Trains one point into `<o.out>/<dir>/` with the hyperparameters `edit` sets.
fn train_point(
    task: &Task,
    o: &TrainOptions,
    dir: &str,
    edit: impl FnOnce(&mut super::task::Hyper),
) -> Result<Trained> {
    let mut opts = o.clone();
    opts.out = o.out.join(dir);
    edit(&mut opts.hyper);
    let r = train(task, &opts)?;
    Ok(trained(task, &r))
}

fn trained(task: &Task, r: &TrainReport) -> Trained {
    let last = r.epochs.last().map(|e| e.validation.clone());
    let spikes = last
        .as_ref()
        .map(|v| v.spikes_per_neuron.clone())
        .unwrap_or_default();
    Trained {
        validation_accuracy: r.validation_accuracy,
        quantized_validation_accuracy: r.quantized_validation_accuracy,
        hidden_spikes_per_neuron: hidden_mean(&task.sizes, &spikes),
        spikes_per_neuron: spikes,
        energy_per_inference_pj: last.and_then(|v| v.energy_per_inference_pj),
        seconds: r.seconds,
        model_dir: r.model_dir.clone(),
    }
}

/// Writes the table and the chart of `points` into `o.out`.
fn finish<P>(
    design: &str,
    points: Vec<P>,
    o: &TrainOptions,
    table: fn(&[P]) -> String,
    chart: fn(&str, &[P]) -> Chart,
) -> Result<SweepReport<P>> {
    create_dir(&o.out)?;
    let csv = o.out.join("sweep.csv");
    write(&csv, table(&points))?;
    let plot = o.out.join("sweep.png");
    write_png(&chart(design, &points), &plot)?;
    Ok(SweepReport {
        design: design.to_string(),
        points,
        csv: csv.display().to_string(),
        plot: plot.display().to_string(),
    })
}

/// The columns every sweep's CSV ends with.
const TRAINED_COLUMNS: &str = "validation_accuracy,quantized_validation_accuracy,hidden_spikes_per_neuron,spikes_per_neuron,energy_per_inference_pj,seconds";

fn trained_cells(t: &Trained) -> String {
    let spikes: Vec<String> = t
        .spikes_per_neuron
        .iter()
        .map(|s| format!("{s:.4}"))
        .collect();
    let optional =
        |x: Option<f64>, digits: usize| x.map_or(String::new(), |x| format!("{x:.digits$}"));
    format!(
        "{:.4},{},{:.4},{},{},{:.1}",
        t.validation_accuracy,
        optional(t.quantized_validation_accuracy, 4),
        t.hidden_spikes_per_neuron,
        spikes.join(" "),
        optional(t.energy_per_inference_pj, 2),
        t.seconds
    )
}

fn vsyn_table(points: &[VsynPoint]) -> String {
    let mut out = format!("vsyn_v,vsyn_over_threshold,{TRAINED_COLUMNS}\n");
    for p in points {
        out.push_str(&format!(
            "{},{:.4},{}\n",
            p.vsyn,
            p.coupling,
            trained_cells(&p.trained)
        ));
    }
    out
}

fn ssr_table(points: &[SsrPoint]) -> String {
    let mut out = format!("method,strength,{TRAINED_COLUMNS}\n");
    for p in points {
        out.push_str(&format!(
            "{},{},{}\n",
            method_name(p.method),
            p.strength,
            trained_cells(&p.trained)
        ));
    }
    out
}

fn vsyn_chart(design: &str, points: &[VsynPoint]) -> Chart {
    let mut series = vec![Series {
        name: "full precision".into(),
        points: points
            .iter()
            .map(|p| (p.coupling, p.trained.validation_accuracy))
            .collect(),
        mark: Mark::Line,
    }];
    let quantized: Vec<(f64, f64)> = points
        .iter()
        .filter_map(|p| Some((p.coupling, p.trained.quantized_validation_accuracy?)))
        .collect();
    if !quantized.is_empty() {
        series.push(Series {
            name: "on the crossbar's levels".into(),
            points: quantized,
            mark: Mark::Line,
        });
    }
    Chart {
        title: format!("{design}: validation accuracy against drive voltage"),
        x_label: "vsyn / threshold (1 = strongest coupling)".into(),
        y_label: "validation accuracy".into(),
        series,
    }
}

/// One curve per method from the plain network through its strengths.
fn ssr_chart(design: &str, points: &[SsrPoint]) -> Chart {
    let at = |p: &SsrPoint| {
        (
            p.trained.hidden_spikes_per_neuron,
            p.trained.validation_accuracy,
        )
    };
    let plain: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.method == Sparsity::None)
        .map(at)
        .collect();
    let mut methods: Vec<Sparsity> = points.iter().map(|p| p.method).collect();
    methods.dedup();
    let series = methods
        .into_iter()
        .filter(|m| *m != Sparsity::None)
        .map(|m| Series {
            name: match m {
                Sparsity::Mssr => "M-SSR",
                Sparsity::Fssr => "F-SSR",
                _ => "membrane penalty (baseline)",
            }
            .into(),
            points: plain
                .iter()
                .copied()
                .chain(points.iter().filter(|p| p.method == m).map(at))
                .collect(),
            mark: Mark::Line,
        })
        .collect();
    Chart {
        title: format!("{design}: validation accuracy against hidden spikes per neuron"),
        x_label: "spikes per hidden neuron per image".into(),
        y_label: "validation accuracy".into(),
        series,
    }
}
