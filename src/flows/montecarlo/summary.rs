//! What a sweep found: statistics per temperature from results.csv and tiles.csv rows,
//! summary.json, the plain-text table and the plots.

use super::McOptions;
use crate::compiler::ir::Network;
use crate::flows::measure::REFERENCE_CURRENT_NA;
use crate::support::error::{Error, Result};
use crate::support::plot::{Chart, Mark, Series, plot_path, write_chart, write_panels};
use crate::support::stats::Stats;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

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

pub fn summarize(
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

pub fn summarize_tiles(s: &mut McSummary, rows: &[String]) {
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

pub fn write_summary(s: &McSummary, rows: &[String], dir: &Path) -> Result<()> {
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
    write_chart(
        &Chart {
            title: format!(
                "{}: firing rate at {} nA under mismatch",
                s.design, REFERENCE_CURRENT_NA
            ),
            x_label: "rate (kHz)".into(),
            y_label: "instances".into(),
            series,
        },
        &plot_path(dir, "rate_histogram"),
    )?;
    write_panels(&temperature_charts(s), &plot_path(dir, "temperature"))
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
