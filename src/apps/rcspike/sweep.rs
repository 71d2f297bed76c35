//! `snngen sweep vsyn`: a TTFS design trained anew at each drive voltage, from strong
//! resistive coupling (vsyn near the threshold) to the ideal charge-domain neuron (vsyn far
//! above it), and the accuracy each reaches.

use super::run::{TrainOptions, TrainReport, train};
use super::task::Task;
use crate::support::error::{Error, Result};
use crate::support::fs::{create_dir, write};
use crate::support::plot::{Chart, Mark, Series, write_png};
use crate::support::progress::note;
use serde::Serialize;
use std::path::Path;

/// One trained point of the sweep.
#[derive(Debug, Clone, Serialize)]
pub struct SweepPoint {
    pub vsyn: f64,
    /// vsyn / threshold: near 1 is strong resistive coupling.
    pub coupling: f64,
    pub validation_accuracy: f64,
    pub quantized_validation_accuracy: Option<f64>,
    /// Spikes per neuron per layer on the validation images (last epoch).
    pub spikes_per_neuron: Vec<f64>,
    pub seconds: f64,
    pub model_dir: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SweepReport {
    pub design: String,
    pub points: Vec<SweepPoint>,
    pub csv: String,
    pub plot: String,
}

/// Trains the design at every value of `vsyn` (every TTFS tile driven at it), each into
/// `<o.out>/vsyn_<value>/`, and writes sweep.csv and sweep.png into `o.out`.
pub fn sweep_vsyn(design: &Path, values: &[f64], o: &TrainOptions) -> Result<SweepReport> {
    if values.is_empty() {
        return Err(Error::Usage("give at least one --vsyn value".into()));
    }
    let mut points = Vec::new();
    let mut name = String::new();
    for &vsyn in values {
        let task = Task::load(design, |d| {
            for tile in d.chips.iter_mut().flat_map(|c| &mut c.rc_spike) {
                tile.vsyn = vsyn;
            }
        })?
        .ok_or_else(|| Error::Usage(format!("{} is not a TTFS network", design.display())))?;
        name = task.design.clone();
        note(o.verbosity, &format!("vsyn {vsyn} V"));
        let mut opts = o.clone();
        opts.out = o.out.join(format!("vsyn_{vsyn}"));
        let r = train(&task, &opts)?;
        points.push(point(&task, vsyn, &r));
    }
    create_dir(&o.out)?;
    let csv = o.out.join("sweep.csv");
    write(&csv, table(&points))?;
    let plot = o.out.join("sweep.png");
    write_png(&chart(&name, &points), &plot)?;
    Ok(SweepReport {
        design: name,
        points,
        csv: csv.display().to_string(),
        plot: plot.display().to_string(),
    })
}

fn point(task: &Task, vsyn: f64, r: &TrainReport) -> SweepPoint {
    SweepPoint {
        vsyn,
        coupling: vsyn / task.neuron.threshold,
        validation_accuracy: r.validation_accuracy,
        quantized_validation_accuracy: r.quantized_validation_accuracy,
        spikes_per_neuron: r
            .epochs
            .last()
            .map(|e| e.validation.spikes_per_neuron.clone())
            .unwrap_or_default(),
        seconds: r.seconds,
        model_dir: r.model_dir.clone(),
    }
}

fn table(points: &[SweepPoint]) -> String {
    let mut out = String::from(
        "vsyn_v,vsyn_over_threshold,validation_accuracy,quantized_validation_accuracy,spikes_per_neuron,seconds\n",
    );
    for p in points {
        let spikes: Vec<String> = p
            .spikes_per_neuron
            .iter()
            .map(|s| format!("{s:.4}"))
            .collect();
        out.push_str(&format!(
            "{},{:.4},{:.4},{},{},{:.1}\n",
            p.vsyn,
            p.coupling,
            p.validation_accuracy,
            p.quantized_validation_accuracy
                .map_or(String::new(), |q| format!("{q:.4}")),
            spikes.join(" "),
            p.seconds
        ));
    }
    out
}

fn chart(design: &str, points: &[SweepPoint]) -> Chart {
    let mut series = vec![Series {
        name: "full precision".into(),
        points: points
            .iter()
            .map(|p| (p.coupling, p.validation_accuracy))
            .collect(),
        mark: Mark::Line,
    }];
    let quantized: Vec<(f64, f64)> = points
        .iter()
        .filter_map(|p| Some((p.coupling, p.quantized_validation_accuracy?)))
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
