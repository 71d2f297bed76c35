//! The files `snngen spin devices` and `snngen spin learn` write: JSON, CSV and the pictures
//! a device researcher expects (switching probability against pulse number and frequency,
//! the STDP window, the learning curve), all written into one folder atomically.

use super::learn::LearnRun;
use crate::flows::spintronic::devices::{StdpWindowRun, SwitchCurve};
use crate::support::error::{Error, Result};
use crate::support::output::write_atomic;
use crate::support::plot::{Chart, Mark, Series, plot_path, write_panels};
use std::fmt::Write as _;
use std::path::Path;

/// Files by name, as bytes.
pub type Files = Vec<(String, Vec<u8>)>;

/// Draws `charts` (file stem, panels one above the other) and returns their files.
fn pictures(charts: &[(&str, Vec<Chart>)]) -> Result<Files> {
    let dir = tempfile::tempdir().map_err(|source| Error::Output {
        path: std::env::temp_dir(),
        source,
    })?;
    charts
        .iter()
        .map(|(stem, chart)| {
            let path = plot_path(dir.path(), stem);
            write_panels(chart, &path)?;
            let bytes = std::fs::read(&path).map_err(|source| Error::Output {
                path: path.clone(),
                source,
            })?;
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            Ok((name, bytes))
        })
        .collect()
}

fn json_file(name: &str, json: &serde_json::Value) -> (String, Vec<u8>) {
    let text = serde_json::to_string_pretty(json).expect("report serializes") + "\n";
    (name.into(), text.into_bytes())
}

pub fn write_folder(out: &Path, files: &Files) -> Result<()> {
    write_atomic(out, files.iter().map(|(n, b)| (n.as_str(), b.as_slice())))
}

/// devices.json, switching.csv, stdp_window.csv and their pictures.
pub fn device_files(
    json: &serde_json::Value,
    curves: &[SwitchCurve],
    window: &StdpWindowRun,
) -> Result<Files> {
    let mut switching = String::from(
        "period_ms,pulses,model_probability,interval_low,interval_high,ngspice_switched,model_switched_same_draws,trials\n",
    );
    for c in curves {
        for p in &c.points {
            let _ = writeln!(
                switching,
                "{},{},{},{},{},{},{},{}",
                p.period_s * 1e3,
                p.pulses,
                p.model,
                p.interval.0,
                p.interval.1,
                p.spice,
                p.model_trials,
                p.trials
            );
        }
    }
    let mut stdp = String::from("dt_ms,model_dg,ngspice_dg,relative_error\n");
    for p in &window.points {
        let _ = writeln!(
            stdp,
            "{},{},{},{}",
            p.dt_s * 1e3,
            p.model,
            p.spice,
            p.relative_error()
        );
    }
    let mut series = Vec::new();
    for c in curves {
        let label = format!("{:.0} Hz", 1.0 / c.period_s);
        series.push(Series {
            name: format!("model, {label}"),
            points: c
                .points
                .iter()
                .map(|p| (p.pulses as f64, p.model))
                .collect(),
            mark: Mark::Line,
        });
        series.push(Series {
            name: format!("ngspice, {label}"),
            points: c
                .points
                .iter()
                .map(|p| (p.pulses as f64, f64::from(p.spice) / p.trials as f64))
                .collect(),
            mark: Mark::Points,
        });
    }
    let switching_chart = Chart {
        title: "Spintronic neuron: switching probability".into(),
        x_label: "input pulses".into(),
        y_label: "probability switched".into(),
        series,
    };
    let window_chart = Chart {
        title: "Spintronic synapse: STDP window".into(),
        x_label: "t_post - t_pre (ms)".into(),
        y_label: "conductance change (fraction of range)".into(),
        series: vec![
            Series {
                name: "model".into(),
                points: window
                    .points
                    .iter()
                    .map(|p| (p.dt_s * 1e3, p.model))
                    .collect(),
                mark: Mark::Line,
            },
            Series {
                name: "ngspice".into(),
                points: window
                    .points
                    .iter()
                    .map(|p| (p.dt_s * 1e3, p.spice))
                    .collect(),
                mark: Mark::Points,
            },
        ],
    };
    let mut files: Files = vec![
        json_file("devices.json", json),
        ("switching.csv".into(), switching.into_bytes()),
        ("stdp_window.csv".into(), stdp.into_bytes()),
    ];
    files.extend(pictures(&[
        ("switching", vec![switching_chart]),
        ("stdp_window", vec![window_chart]),
    ])?);
    Ok(files)
}

/// learn.json, learning_curve.csv, weights.csv, robustness.csv and the learning curve.
pub fn learn_files(
    json: &serde_json::Value,
    nominal: &LearnRun,
    draws: &[LearnRun],
) -> Result<Files> {
    let mut curve = String::from("t_s,hit_rate,false_alarms_per_s,output_rate_hz\n");
    for c in &nominal.curve {
        let _ = writeln!(
            curve,
            "{},{},{},{}",
            c.t_s, c.hit_rate, c.false_alarms_per_s, c.output_rate_hz
        );
    }
    let mut weights = String::from("input,in_pattern,weight_q8_8\n");
    for (i, w) in nominal.weights.iter().enumerate() {
        let _ = writeln!(weights, "{i},{},{w}", u8::from(nominal.in_pattern[i]));
    }
    let mut robustness =
        String::from("draw,hit_rate,false_alarms_per_s,latency_ms,meets_targets\n");
    for r in std::iter::once(nominal).chain(draws) {
        let _ = writeln!(
            robustness,
            "{},{},{},{},{}",
            r.draw,
            r.test.hit_rate(),
            r.test.false_alarms_per_s(),
            r.test.latency_ticks * r.tick_s * 1e3,
            super::learn::meets_targets(&r.test)
        );
    }
    let panel = |title: &str, y_label: &str, points: Vec<(f64, f64)>| Chart {
        title: title.into(),
        x_label: "training time (s)".into(),
        y_label: y_label.into(),
        series: vec![Series {
            name: format!("per {} s block", super::learn::CURVE_BLOCK_S),
            points,
            mark: Mark::Line,
        }],
    };
    let curve_panels = vec![
        panel(
            "STDP learning of a spike pattern in noise: patterns detected",
            "share of patterns the neuron fires in",
            nominal.curve.iter().map(|c| (c.t_s, c.hit_rate)).collect(),
        ),
        panel(
            "False alarms",
            "spikes outside the pattern per s of noise",
            nominal
                .curve
                .iter()
                .map(|c| (c.t_s, c.false_alarms_per_s))
                .collect(),
        ),
    ];
    let mut files: Files = vec![
        json_file("learn.json", json),
        ("learning_curve.csv".into(), curve.into_bytes()),
        ("weights.csv".into(), weights.into_bytes()),
        ("robustness.csv".into(), robustness.into_bytes()),
    ];
    files.extend(pictures(&[("learning_curve", curve_panels)])?);
    Ok(files)
}
