//! `snngen sweep`: a TTFS design trained anew at each point of a sweep, and what each point
//! reaches. `vsyn`: from strong resistive coupling (vsyn near the threshold) to the ideal
//! charge-domain neuron (vsyn far above it). `ssr`: sparse-firing regularization strengths
//! per method, the trade-off between accuracy and spikes per neuron (SEEDS.md §4).

use super::run::{TrainOptions, TrainReport, has_run, hidden_mean, train};
use super::task::Task;
use crate::model::ttfs_network::Sparsity;
use crate::support::error::{Error, Result};
use crate::support::fs::{create_dir, write};
use crate::support::plot::{Chart, Mark, Series, plot_path, write_chart};
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

/// One point of `sweep ssr`: a regularizer at a strength (the plain network is method none),
/// trained from one seed's initial weights and batch order.
#[derive(Debug, Clone, Serialize)]
pub struct SsrPoint {
    pub method: Sparsity,
    pub strength: f64,
    pub seed: u64,
    #[serde(flatten)]
    pub trained: Trained,
}

#[derive(Debug, Clone, Serialize)]
pub struct SweepReport<P> {
    pub design: String,
    pub points: Vec<P>,
    /// For `sweep ssr`: how each method's curve lies against the membrane-penalty baseline's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub comparisons: Vec<CurveComparison>,
    pub csv: String,
    pub plot: String,
}

/// One method's trade-off curve against the baseline's: at every spike count the baseline
/// reached within the method's span, the method's accuracy there (linear between its points,
/// the plain network included) minus the baseline's, so that curves whose points fall at
/// different spike counts compare at the same sparsity. Curves compare within a seed (the
/// same initial weights and batch order); a sweep over several seeds adds one comparison per
/// method that pools every seed's gaps (`seed` None).
#[derive(Debug, Clone, Serialize)]
pub struct CurveComparison {
    pub method: Sparsity,
    pub baseline: Sparsity,
    pub seed: Option<u64>,
    pub gaps: Vec<CurveGap>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CurveGap {
    pub hidden_spikes_per_neuron: f64,
    /// Validation accuracy of the method minus the baseline's (fraction, not points).
    pub accuracy_difference: f64,
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
    finish(&name, points, Vec::new(), o, vsyn_table, vsyn_chart)
}

/// Trains the design once without regularization (`<o.out>/none/`) and then with every
/// method at every strength (`<o.out>/<method>_<strength>/`), and writes sweep.csv and
/// sweep.png (accuracy against hidden spikes per neuron, one curve per method) into `o.out`.
/// Given `seeds`, the whole sweep is trained from each (`<o.out>/seed_<seed>/...`, one curve
/// per method and seed); with none, from `o.hyper.seed`.
pub fn sweep_ssr(
    design: &Path,
    methods: &[Sparsity],
    strengths: &[f64],
    seeds: &[u64],
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
    if distinct(seeds.iter()).len() < seeds.len() {
        return Err(Error::Usage(format!(
            "--seeds lists a seed twice ({seeds:?}): each seed is one run of the whole sweep"
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
    // With --seeds every seed's points go into its own folder, even a single seed's, so
    // that a sweep over more seeds later resumes them.
    let per_seed_folders = !seeds.is_empty();
    let seeds = if seeds.is_empty() {
        vec![o.hyper.seed]
    } else {
        seeds.to_vec()
    };
    let total = runs.len() * seeds.len();
    let mut points = Vec::new();
    for &seed in &seeds {
        for &(method, strength) in &runs {
            let mut label = match method {
                Sparsity::None => "none".to_string(),
                _ => format!("{}_{strength}", method_name(method)),
            };
            if per_seed_folders {
                label = format!("seed_{seed}/{label}");
            }
            note(
                o.verbosity,
                &format!("point {}/{total}: {label}", points.len() + 1),
            );
            let trained = train_point(&task, o, &label, |h| {
                h.sparsity = method;
                h.sparsity_strength = strength;
                h.seed = seed;
            })?;
            points.push(SsrPoint {
                method,
                strength,
                seed,
                trained,
            });
        }
    }
    let comparisons = compare_with_baseline(&points);
    finish(&task.design, points, comparisons, o, ssr_table, ssr_chart)
}

/// What every method's curve is compared with: the membrane-potential penalty of rate-coded
/// work, the seed's baseline.
const BASELINE: Sparsity = Sparsity::Membrane;

/// The curve of every method but the baseline (the membrane penalty) against the baseline's
/// points of the same seed, if the sweep has them; with several seeds, then every method's
/// gaps pooled over the seeds.
fn compare_with_baseline(points: &[SsrPoint]) -> Vec<CurveComparison> {
    let seeds = distinct(points.iter().map(|p| p.seed));
    let mut comparisons: Vec<CurveComparison> = seeds
        .iter()
        .flat_map(|&seed| compare_one_seed(points, seed))
        .collect();
    if seeds.len() > 1 {
        let methods = distinct(comparisons.iter().map(|c| c.method));
        let pooled: Vec<CurveComparison> = methods
            .into_iter()
            .map(|method| CurveComparison {
                method,
                baseline: BASELINE,
                seed: None,
                gaps: comparisons
                    .iter()
                    .filter(|c| c.method == method)
                    .flat_map(|c| c.gaps.clone())
                    .collect(),
            })
            .collect();
        comparisons.extend(pooled);
    }
    comparisons
}

/// The values in the order they first appear.
fn distinct<T: PartialEq>(values: impl Iterator<Item = T>) -> Vec<T> {
    let mut out = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// `compare_with_baseline` on the points of one seed.
fn compare_one_seed(points: &[SsrPoint], seed: u64) -> Vec<CurveComparison> {
    let baseline = BASELINE;
    let of_seed = || points.iter().filter(move |p| p.seed == seed);
    // The baseline's own points: the plain one is on every curve and compares as 0.
    let reference: Vec<(f64, f64)> = of_seed()
        .filter(|p| p.method == baseline)
        .map(spikes_and_accuracy)
        .collect();
    if reference.is_empty() {
        return Vec::new();
    }
    distinct(of_seed().map(|p| p.method))
        .into_iter()
        .filter(|m| ![Sparsity::None, baseline].contains(m))
        .filter_map(|method| {
            let curve = trade_off_curve(points, method, seed)?;
            let gaps = reference
                .iter()
                .filter_map(|&(spikes, accuracy)| {
                    Some(CurveGap {
                        hidden_spikes_per_neuron: spikes,
                        accuracy_difference: interpolate(&curve, spikes)? - accuracy,
                    })
                })
                .collect();
            Some(CurveComparison {
                method,
                baseline,
                seed: Some(seed),
                gaps,
            })
        })
        .collect()
}

/// A method's (hidden spikes per neuron, validation accuracy) points from one seed, from the
/// plain network through its strengths, sorted by spikes; None if the sweep did not train the
/// method from that seed.
fn trade_off_curve(points: &[SsrPoint], method: Sparsity, seed: u64) -> Option<Vec<(f64, f64)>> {
    let of_seed = || points.iter().filter(|p| p.seed == seed);
    if !of_seed().any(|p| p.method == method) {
        return None;
    }
    let mut curve: Vec<(f64, f64)> = of_seed()
        .filter(|p| p.method == method || p.method == Sparsity::None)
        .map(spikes_and_accuracy)
        .collect();
    curve.sort_by(|a, b| a.0.total_cmp(&b.0));
    Some(curve)
}

/// Where a point sits on the trade-off: (hidden spikes per neuron, validation accuracy).
fn spikes_and_accuracy(p: &SsrPoint) -> (f64, f64) {
    (
        p.trained.hidden_spikes_per_neuron,
        p.trained.validation_accuracy,
    )
}

/// The curve's value at `x`, linear between its points; None outside its span.
fn interpolate(curve: &[(f64, f64)], x: f64) -> Option<f64> {
    let (first, last) = (curve.first()?, curve.last()?);
    if x < first.0 || x > last.0 {
        return None;
    }
    let i = curve.partition_point(|p| p.0 < x);
    let right = curve.get(i)?;
    if i == 0 || right.0 == x {
        return Some(right.1);
    }
    let left = curve[i - 1];
    Some(left.1 + (right.1 - left.1) * (x - left.0) / (right.0 - left.0))
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

/// Trains one point into `<o.out>/<dir>/` with the hyperparameters `edit` sets. A resumed
/// sweep reads back the points it finished, goes on with the one it was killed in, and trains
/// the ones it had not reached afresh.
fn train_point(
    task: &Task,
    o: &TrainOptions,
    dir: &str,
    edit: impl FnOnce(&mut super::task::Hyper),
) -> Result<Trained> {
    let mut opts = o.clone();
    opts.out = o.out.join(dir);
    opts.resume = o.resume && has_run(&opts.out);
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
    comparisons: Vec<CurveComparison>,
    o: &TrainOptions,
    table: fn(&[P]) -> String,
    chart: fn(&str, &[P]) -> Chart,
) -> Result<SweepReport<P>> {
    create_dir(&o.out)?;
    let csv = o.out.join("sweep.csv");
    write(&csv, table(&points))?;
    let plot = plot_path(&o.out, "sweep");
    write_chart(&chart(design, &points), &plot)?;
    Ok(SweepReport {
        design: design.to_string(),
        points,
        comparisons,
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
    let mut out = format!("method,strength,seed,{TRAINED_COLUMNS}\n");
    for p in points {
        out.push_str(&format!(
            "{},{},{},{}\n",
            method_name(p.method),
            p.strength,
            p.seed,
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

/// One curve per method (and seed, if several) from the plain network through its strengths.
fn ssr_chart(design: &str, points: &[SsrPoint]) -> Chart {
    let seeds = distinct(points.iter().map(|p| p.seed));
    let methods = distinct(points.iter().map(|p| p.method));
    let series = seeds
        .iter()
        .flat_map(|&seed| {
            methods
                .iter()
                .filter(|m| **m != Sparsity::None)
                .map(move |&m| (seed, m))
        })
        .map(|(seed, m)| {
            let name = match m {
                Sparsity::Mssr => "M-SSR",
                Sparsity::Fssr => "F-SSR",
                _ => "membrane penalty (baseline)",
            };
            Series {
                name: if seeds.len() > 1 {
                    format!("{name}, seed {seed}")
                } else {
                    name.into()
                },
                points: trade_off_curve(points, m, seed).unwrap_or_default(),
                mark: Mark::Line,
            }
        })
        .collect();
    Chart {
        title: format!("{design}: validation accuracy against hidden spikes per neuron"),
        x_label: "spikes per hidden neuron per image".into(),
        y_label: "validation accuracy".into(),
        series,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(method: Sparsity, spikes: f64, accuracy: f64) -> SsrPoint {
        SsrPoint {
            method,
            strength: 1.0,
            seed: 1,
            trained: Trained {
                validation_accuracy: accuracy,
                quantized_validation_accuracy: None,
                spikes_per_neuron: vec![spikes, 1.0],
                hidden_spikes_per_neuron: spikes,
                energy_per_inference_pj: None,
                seconds: 0.0,
                model_dir: String::new(),
            },
        }
    }

    #[test]
    fn interpolation_is_linear_between_points_and_none_outside() {
        let curve = [(0.1, 0.90), (0.3, 0.94), (0.5, 0.96)];
        assert_eq!(interpolate(&curve, 0.1), Some(0.90));
        assert_eq!(interpolate(&curve, 0.5), Some(0.96));
        assert!((interpolate(&curve, 0.2).unwrap() - 0.92).abs() < 1e-12);
        assert!((interpolate(&curve, 0.4).unwrap() - 0.95).abs() < 1e-12);
        assert_eq!(interpolate(&curve, 0.05), None);
        assert_eq!(interpolate(&curve, 0.6), None);
    }

    #[test]
    fn each_method_is_compared_with_the_baseline_at_the_baselines_spike_counts() {
        use Sparsity::{Membrane, Mssr, None as Plain};
        let points = [
            point(Plain, 0.5, 0.96),
            point(Mssr, 0.3, 0.95),
            point(Mssr, 0.1, 0.93),
            point(Membrane, 0.4, 0.94),
            point(Membrane, 0.2, 0.93),
            point(Membrane, 0.05, 0.90),
        ];
        let c = compare_with_baseline(&points);
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].method, c[0].baseline), (Mssr, Membrane));
        // 0.05 lies below M-SSR's sparsest point and is left out; the plain point is on both
        // curves and not compared.
        let gaps: Vec<(f64, f64)> = c[0]
            .gaps
            .iter()
            .map(|g| (g.hidden_spikes_per_neuron, g.accuracy_difference))
            .collect();
        let expected = [(0.2, 0.94 - 0.93), (0.4, 0.955 - 0.94)];
        let mut sorted = gaps.clone();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert_eq!(sorted.len(), expected.len(), "{gaps:?}");
        for (g, e) in sorted.iter().zip(expected) {
            assert!(
                (g.0 - e.0).abs() < 1e-12 && (g.1 - e.1).abs() < 1e-12,
                "{gaps:?}"
            );
        }
        // Without the baseline in the sweep there is nothing to compare.
        assert!(compare_with_baseline(&points[..3]).is_empty());
    }

    #[test]
    fn several_seeds_compare_within_each_seed_and_pool_the_gaps() {
        use Sparsity::{Membrane, Mssr, None as Plain};
        let seeded = |seed: u64, method: Sparsity, spikes: f64, accuracy: f64| SsrPoint {
            seed,
            ..point(method, spikes, accuracy)
        };
        // Seed 1's M-SSR curve lies below its baseline point, seed 2's above; each seed's
        // baseline compares with its own seed's curve only, then the gaps are pooled.
        let points = [
            seeded(1, Plain, 0.5, 0.96),
            seeded(1, Mssr, 0.1, 0.92),
            seeded(1, Membrane, 0.3, 0.95),
            seeded(2, Plain, 0.5, 0.97),
            seeded(2, Mssr, 0.1, 0.95),
            seeded(2, Membrane, 0.3, 0.94),
        ];
        let c = compare_with_baseline(&points);
        let summary: Vec<(Option<u64>, Vec<f64>)> = c
            .iter()
            .map(|c| {
                let gaps = c.gaps.iter().map(|g| g.accuracy_difference).collect();
                (c.seed, gaps)
            })
            .collect();
        assert_eq!(summary.len(), 3, "{summary:?}");
        let expected = [
            (Some(1), vec![0.94 - 0.95]),
            (Some(2), vec![0.96 - 0.94]),
            (None, vec![0.94 - 0.95, 0.96 - 0.94]),
        ];
        for ((seed, gaps), (e_seed, e_gaps)) in summary.iter().zip(&expected) {
            assert_eq!(seed, e_seed, "{summary:?}");
            assert_eq!(gaps.len(), e_gaps.len(), "{summary:?}");
            for (g, e) in gaps.iter().zip(e_gaps) {
                assert!((g - e).abs() < 1e-12, "{summary:?}");
            }
        }
        // One curve per method and seed.
        let chart = ssr_chart("d", &points);
        let names: Vec<&str> = chart.series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "M-SSR, seed 1",
                "membrane penalty (baseline), seed 1",
                "M-SSR, seed 2",
                "membrane penalty (baseline), seed 2"
            ]
        );
    }
}
