//! Monte-Carlo sweeps: reproducible whatever the parallelism, resumable, robust to a failing
//! run, and predicted by the reference model's mismatch sensitivities.

use crate::common;

use common::require_tool;
use snngen::device::mismatch;
use snngen::device::neuron::NeuronParams;
use snngen::device::process::builtin_modes;
use snngen::flows::measure::{measure_neuron, measure_tile};
use snngen::flows::montecarlo::{self, McOptions};
use std::path::Path;

fn options(out: &Path, jobs: usize) -> McOptions {
    McOptions {
        runs: 6,
        temperatures: vec![27.0, 85.0],
        seed: 7,
        jobs,
        out: out.to_path_buf(),
        resume: false,
        verbosity: Default::default(),
        current_na: 1.0,
        inject_failure: None,
        inject_hang: None,
        backend: Default::default(),
        inject_task_crash: None,
    }
}

const DESIGN: &str = "designs/single_lif.yaml";

#[test]
fn same_seed_same_bytes_whatever_the_jobs_and_a_resume_finishes_the_rest() {
    if !require_tool("ngspice") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    montecarlo::mc(Path::new(DESIGN), &options(&one, 1)).unwrap();
    let s = montecarlo::mc(Path::new(DESIGN), &options(&two, 2)).unwrap();
    let full = std::fs::read_to_string(one.join("results.csv")).unwrap();
    assert_eq!(
        full,
        std::fs::read_to_string(two.join("results.csv")).unwrap()
    );
    assert_eq!(s.rows, 7 * 2, "runs 0..=6 at two temperatures, one neuron");

    // A sweep killed after three rows, in the middle of writing the fourth.
    let lines: Vec<&str> = full.lines().collect();
    let killed = format!("{}\n{}", lines[..4].join("\n"), &lines[4][..10]);
    std::fs::write(two.join("results.csv"), killed).unwrap();
    let resumed = montecarlo::mc(
        Path::new(DESIGN),
        &McOptions {
            resume: true,
            ..options(&two, 2)
        },
    )
    .unwrap();
    assert_eq!(resumed.rows_resumed, 3, "finished rows are not redone");
    assert_eq!(
        std::fs::read_to_string(two.join("results.csv")).unwrap(),
        full
    );
    assert!(two.join("summary.json").is_file() && two.join("rate_histogram.png").is_file());
    let png = std::fs::read(two.join("temperature.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000);
    assert_eq!(
        std::fs::read(one.join("neuron_params.csv")).unwrap(),
        std::fs::read(two.join("neuron_params.csv")).unwrap()
    );
}

/// A hung ngspice is killed by the tool timeout; its run is marked failed and the sweep
/// finishes. Through the command line: the timeout is per process (`--tool-timeout`).
#[test]
fn a_hung_run_is_killed_by_the_timeout_and_the_sweep_goes_on() {
    if !require_tool("ngspice") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let start = std::time::Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_snngen"))
        .args([
            "mc",
            DESIGN,
            "--runs",
            "2",
            "--jobs",
            "2",
            "--inject-hang",
            "1",
        ])
        // Healthy decks here take well under a second even on a loaded machine.
        .args(["--tool-timeout", "2", "-q", "-o"])
        .arg(dir.path())
        .current_dir(common::root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // The hung deck sleeps 100000 s: only the 2 s kill ends it.
    assert!(start.elapsed().as_secs() < 60, "{:?}", start.elapsed());
    let csv = std::fs::read_to_string(dir.path().join("results.csv")).unwrap();
    for row in csv.lines().skip(1) {
        let status = row.split(',').nth(6).unwrap();
        if row.starts_with("1,") {
            assert!(status.contains("did not finish within 2 s"), "{row}");
        } else {
            assert_eq!(status, "ok", "{row}");
        }
    }
}

#[test]
fn a_failing_run_is_reported_and_the_sweep_goes_on() {
    if !require_tool("ngspice") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let opts = McOptions {
        inject_failure: Some(2),
        ..options(dir.path(), 2)
    };
    let s = montecarlo::mc(Path::new(DESIGN), &opts).unwrap();
    let csv = std::fs::read_to_string(dir.path().join("results.csv")).unwrap();
    for row in csv.lines().skip(1) {
        let failed = row.split(',').nth(6).unwrap().starts_with("failed");
        assert_eq!(failed, row.starts_with("2,"), "{row}");
    }
    assert!(
        s.temperatures
            .iter()
            .all(|t| t.failed == 1 && t.rate_hz.count == 6)
    );
}

#[test]
fn the_model_predicts_drawn_instances() {
    if !require_tool("ngspice") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let s = montecarlo::mc(
        Path::new(DESIGN),
        &McOptions {
            runs: 12,
            ..options(dir.path(), 2)
        },
    )
    .unwrap();
    print!("{}", snngen::cli::report::Report::table(&s));
    for t in &s.temperatures {
        // Rate sigma is a few % (A_VT 5 mV um on 0.2-0.5 um^2 devices): the draws do vary...
        assert!(t.rate_hz.sigma / t.rate_hz.mean > 0.01, "{t:?}");
        // ... and the first-order sensitivity model follows them: 4.9 % worst over 150
        // draws in the benchmark run, so 8 % leaves room for a rare draw in 12.
        let worst = t
            .prediction_error
            .min
            .abs()
            .max(t.prediction_error.max.abs());
        assert!(worst < 0.08, "{t:?}");
        assert!(t.prediction_error.mean.abs() < 0.03, "{t:?}");
        // The drawn behavioural neuron (see drawn_neurons_fire_like_their_ngspice_instances):
        // 3.0 % worst over 50 regular draws at 1 nA (and -20 / 85 C within that).
        let worst = t.model_error.min.abs().max(t.model_error.max.abs());
        assert!(worst < DRAWN_MODEL_TOLERANCE, "{t:?}");
    }
}

/// Rate error allowed between a drawn behavioural neuron (`mismatch::neuron_params`) and its
/// ngspice instance. Measured at 27 C over 30 draws (seed 7, runs 1..=30): regular mode
/// 1.10 / 0.68 / 0.67 % rms and 2.9 / 1.7 / 1.4 % worst at 0.3 / 1 / 2.5 nA; leaky mode
/// 0.50 % rms and 1.3 % worst at 1 nA. Over 50 regular draws per temperature (`snngen mc
/// designs/single_lif.yaml --runs 50 --seed 7`): 2.8 / 3.0 / 2.4 % worst at -20 / 27 / 85 C. (The sensitivity model of `snngen mc`, on the same
/// draws at 1 nA: regular 0.96 % rms, 2.6 % worst; leaky 9.0 % rms, 21 % worst, since the
/// leak's exponential is far from linear over a 10 mV sigma.) 4 % is the worst seen plus
/// room for a rarer draw; the undrawn model alone is off by up to 6 % (regular) and 140 %
/// (leaky) on these draws.
const DRAWN_MODEL_TOLERANCE: f64 = 0.04;

#[test]
fn drawn_neurons_fire_like_their_ngspice_instances() {
    if !require_tool("ngspice") {
        return;
    }
    let modes = builtin_modes();
    let mut runs = Vec::new();
    // Leaky: above its 0.55 nA rheobase, and below 2.5 nA, where a weak drawn reset comes
    // close to latching and the fitted widening q / (i_reset - I) no longer holds (a
    // +1.7 sigma mr2 was 10 % off there).
    for (name, currents) in [("regular", [0.3, 1.0]), ("leaky", [1.0, 2.0])] {
        for run in 1..=4 {
            for current_na in currents {
                runs.push((name, run, current_na));
            }
        }
    }
    let mut worst = 0.0f64;
    for (name, run, current_na) in runs {
        let mode = &modes[name];
        let draw = mismatch::draw(7, run, 0);
        let circuit =
            measure_neuron(name, mode, 0.6, current_na * 1e-9, 27.0, Some(&draw)).unwrap();
        assert!(circuit.spikes >= 3, "{name} run {run} at {current_na} nA");
        let nominal = NeuronParams::from_mode(mode, 0.6, 27.0);
        let drawn = mismatch::neuron_params(&nominal, &draw);
        let (model, undrawn) = (
            drawn.rate(current_na * 1e-9),
            nominal.rate(current_na * 1e-9),
        );
        let error = model / circuit.rate_hz - 1.0;
        println!(
            "{name} run {run} at {current_na} nA: ngspice {:.0} Hz, drawn model {model:.0} Hz \
             ({:+.2} %), nominal model {:+.2} %",
            circuit.rate_hz,
            error * 100.0,
            (undrawn / circuit.rate_hz - 1.0) * 100.0
        );
        assert!(
            error.abs() < DRAWN_MODEL_TOLERANCE,
            "{name} run {run} at {current_na} nA: {model} Hz vs {} Hz",
            circuit.rate_hz
        );
        worst = worst.max(error.abs());
    }
    println!("worst drawn-model error {:.2} %", worst * 100.0);
}

#[test]
fn neuron_params_csv_round_trips() {
    let (_, compiled) = snngen::compiler::compile(Path::new("designs/two_chip.yaml")).unwrap();
    let net = &compiled.network;
    let jobs = montecarlo::jobs(net, 3, &[-20.0, 27.0, 85.0]);
    let dir = tempfile::tempdir().unwrap();
    montecarlo::write_neuron_params(net, &jobs, 5, dir.path()).unwrap();
    let rows = montecarlo::load_neuron_params(&dir.path().join("neuron_params.csv")).unwrap();
    assert_eq!(rows.len(), jobs.len());
    for (job, row) in jobs.iter().zip(&rows) {
        let expected = montecarlo::drawn_neuron(net, job, 5);
        // Bit for bit, and found again by its coordinates.
        assert_eq!(*row, expected);
        assert_eq!(
            montecarlo::find_neuron_params(&rows, job.run, job.temperature, job.instance),
            Some(&expected.params)
        );
    }
    // Run 0 is the nominal chip: the mode's own parameters.
    let nominal = &rows[0];
    let mode = &net.chips[0].populations[0].mode;
    assert_eq!(
        nominal.params,
        NeuronParams::from_mode(mode, net.vdd, nominal.temperature_c)
    );
    // Drawn instances differ from each other, and the leaky mode's reset is finite (widening).
    assert_ne!(rows[jobs.len() - 1].params, rows[jobs.len() - 2].params);
    assert!(
        rows.iter()
            .any(|r| r.mode == "leaky" && r.params.i_reset.is_finite())
    );
    assert!(
        rows.iter()
            .any(|r| r.mode == "regular" && r.params.i_reset.is_infinite())
    );
    // A damaged file is an error that names the line.
    let path = dir.path().join("bad.csv");
    std::fs::write(
        &path,
        format!("{}\n1,27,0,0,0,regular,x", montecarlo::NEURON_PARAMS_HEADER),
    )
    .unwrap();
    let e = montecarlo::load_neuron_params(&path)
        .unwrap_err()
        .to_string();
    assert!(e.contains("bad.csv:2"), "{e}");
}

#[test]
fn a_drawn_tile_deck_follows_the_drawn_tile_model() {
    if !require_tool("ngspice") {
        return;
    }
    let (_, compiled) = snngen::compiler::compile(Path::new("designs/rc_spike_tile.yaml")).unwrap();
    let tile = &compiled.network.chips[0].tiles[0];
    let (inputs, outputs) = (tile.inputs as usize, tile.outputs as usize);
    let draw = mismatch::tile_draw(7, 1, 0, inputs, outputs, tile.c_mem_ff);
    let nominal = measure_tile(tile, tile.vsyn, 27.0, None).unwrap();
    let drawn = measure_tile(tile, tile.vsyn, 27.0, Some(&draw)).unwrap();
    // The tile tolerance of tests/suite/analog.rs (measured: under 5e-6 of full scale).
    assert!(
        drawn.diode_model_error <= 1e-3,
        "{}",
        drawn.diode_model_error
    );
    for j in 0..outputs {
        let (t0, t, model) = (
            nominal.threshold_time_s[j].unwrap(),
            drawn.threshold_time_s[j].unwrap(),
            drawn.model_threshold_time_s[j].unwrap(),
        );
        println!(
            "column {j}: threshold at {:.3} us nominal, {:.3} us drawn, model {:.3} us",
            t0 * 1e6,
            t * 1e6,
            model * 1e6
        );
        // The draw moves each column (2 % resistors, 0.1 % capacitor: ~0.6 % in time) far
        // more than the model misses it by.
        assert!((model / t - 1.0).abs() < 1e-4, "column {j}");
        assert!(
            (t / t0 - 1.0).abs() > 1e-3,
            "column {j}: the draw changed nothing"
        );
    }
    // snngen mc runs the same tile decks and writes them to tiles.csv.
    let dir = tempfile::tempdir().unwrap();
    let s = montecarlo::mc(
        Path::new("designs/rc_spike_tile.yaml"),
        &McOptions {
            runs: 2,
            temperatures: vec![27.0],
            ..options(dir.path(), 2)
        },
    )
    .unwrap();
    let csv = std::fs::read_to_string(dir.path().join("tiles.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 3 * outputs, "runs 0..=2, one tile");
    let run1: Vec<&str> = csv.lines().filter(|l| l.starts_with("1,")).collect();
    for (j, row) in run1.iter().enumerate() {
        let f: Vec<&str> = row.split(',').collect();
        assert_eq!(f[6], "ok");
        assert_eq!(f[7].parse::<f64>().unwrap(), draw.c_factor[j]);
        let t: f64 = f[8].parse().unwrap();
        assert!((t / (drawn.threshold_time_s[j].unwrap() * 1e6) - 1.0).abs() < 1e-9);
    }
    let t = &s.temperatures[0];
    assert!(t.tile_model_error.max <= 1e-3 && t.tile_threshold_time_deviation.count == 8);
}

/// `--resume` checks every row it keeps: a row with an impossible number, an unknown status
/// or another sweep's key, or a file that is not text, is refused with its line, and the
/// file is left as it was (nothing is silently redone or trusted). Bad temperatures and
/// absurd sweep sizes are refused before anything runs.
#[test]
fn a_corrupt_results_file_is_refused_with_its_line_not_trusted_or_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("results.csv");
    let good = "0,7,27,0,0,regular,ok,31803.1,14.1,35.2,31800.0,31790.5";
    let resume = |rows: &[u8]| {
        let mut text = format!("{}\n", montecarlo::CSV_HEADER).into_bytes();
        text.extend_from_slice(rows);
        std::fs::write(&csv, &text).unwrap();
        let opts = McOptions {
            resume: true,
            ..options(dir.path(), 1)
        };
        let e = montecarlo::mc(Path::new(DESIGN), &opts).unwrap_err();
        assert_eq!(std::fs::read(&csv).unwrap(), text, "the file is left alone");
        assert_eq!(e.exit_code(), 2);
        e.to_string()
    };
    // Row 2 is fine; row 3 (run 0 at 85 C) has a rate no neuron has.
    let hot = good
        .replace("0,7,27,", "0,7,85,")
        .replace("31803.1", "1e308");
    let e = resume(format!("{good}\n{hot}\n").as_bytes());
    assert!(
        e.contains("line 3: rate (Hz) `1e308` is not a number"),
        "{e}"
    );
    let e = resume(format!("{}\n", good.replace("31803.1", "inf")).as_bytes());
    assert!(e.contains("line 2: rate (Hz) `inf`"), "{e}");
    let e = resume(format!("{}\n", good.replace("31803.1", "abc")).as_bytes());
    assert!(e.contains("line 2: rate (Hz) `abc`"), "{e}");
    let e = resume(format!("{}\n", good.replace(",ok,", ",fine,")).as_bytes());
    assert!(e.contains("line 2: status `fine`"), "{e}");
    let e = resume(format!("{}\n", good.replace("0,7,27", "0,8,27")).as_bytes());
    assert!(
        e.contains("line 2:") && e.contains("another design, seed"),
        "{e}"
    );
    let e = resume(b"0,7,27,0,0,regular,ok,3\xff\n");
    assert!(
        e.contains("not UTF-8 text: an invalid byte at line 2"),
        "{e}"
    );
    // Temperatures and sizes.
    for temps in [vec![f64::NAN], vec![200.0], vec![]] {
        let opts = McOptions {
            temperatures: temps,
            ..options(dir.path(), 1)
        };
        assert_eq!(
            montecarlo::mc(Path::new(DESIGN), &opts)
                .unwrap_err()
                .exit_code(),
            2
        );
    }
    let opts = McOptions {
        runs: u32::MAX,
        ..options(dir.path(), 1)
    };
    let e = montecarlo::mc(Path::new(DESIGN), &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("rows, at most 1000000"), "{e}");
}

/// `--plot-format svg` writes the sweep's plots as SVG (for papers) instead of PNG.
#[test]
fn plots_can_be_svg() {
    if !require_tool("ngspice") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mc");
    let out_s = out.display().to_string();
    let (code, _, stderr) = common::snngen(&[
        "mc",
        DESIGN,
        "--runs",
        "2",
        "--temps",
        "27",
        "--plot-format",
        "svg",
        "-o",
        &out_s,
        "-q",
    ]);
    assert_eq!(code, 0, "{stderr}");
    for plot in ["rate_histogram", "temperature"] {
        let svg = std::fs::read_to_string(out.join(format!("{plot}.svg"))).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("firing rate at"),
            "{plot}"
        );
        assert!(!out.join(format!("{plot}.png")).exists());
    }
}
