//! `snngen train` and `snngen eval` on a TTFS design, through the command line: what training
//! reports is what eval measures on the written model, an interrupted run resumes to the
//! same bytes (on the same data only), and bad data or a model of another design is refused
//! with a clear message (snapshots) and exit 2.

use crate::common;

use common::root;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const SMALL: &str = "tests/data/rcspike_small.yaml";

fn snngen(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_snngen"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{args:?} panicked:\n{stderr}");
    out
}

fn json(args: &[&str]) -> Value {
    let out = snngen(args);
    assert!(
        out.status.success(),
        "{args:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Standard error of a refused command (exit 2), with `tmp` shown as `<tmp>`.
fn refused(args: &[&str], tmp: &Path) -> String {
    let out = snngen(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{args:?}:\n{stderr}");
    stderr.replace(tmp.to_str().unwrap(), "<tmp>")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// 1,500 training images, the last 500 of the split for validation: 784-32-10 trains in a
/// few seconds.
fn train_args<'a>(data: &'a str, out: &'a str, epochs: &'a str) -> Vec<&'a str> {
    vec![
        "train", SMALL, "--data", data, "-o", out, "--epochs", epochs,
    ]
    .into_iter()
    .chain(QUICK)
    .collect()
}

/// The training options of every quick run here: 1,500 images, the last 500 of the split
/// validating, a rate for few epochs, and a JSON report.
const QUICK: [&str; 7] = [
    "--train-limit",
    "1500",
    "--validation",
    "500",
    "--learning-rate",
    "3e-3",
    "--json",
];

/// `snngen eval` of the small network's `model` on the last 500 images of `mnist`.
fn eval_last_500<'a>(model: &'a Path, mnist: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "eval",
        SMALL,
        "--model",
        s(model),
        "--data",
        s(mnist),
        "--last",
        "500",
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn eval_measures_what_training_reported_on_the_written_model() {
    let Some(mnist) = common::mnist_dir() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("model");
    let report = json(&train_args(s(&mnist), s(&model), "2"));
    let validation = report["validation_accuracy"].as_f64().unwrap();
    let quantized = report["quantized_validation_accuracy"].as_f64().unwrap();
    // Measured 0.906 full precision, 0.902 at 4 bits after 2 epochs on 1,500 images; 0.75 is
    // a floor far above chance (0.10) that other seeds clear too.
    assert!(validation >= 0.75, "{report}");
    assert!(
        !model.join("checkpoint.json").exists(),
        "a finished run keeps no checkpoint"
    );

    // The same 500 images, read back from the folder: exactly the reported accuracies.
    let eval = |extra: &[&str]| json(&eval_last_500(&model, &mnist, extra));
    let on_crossbar = eval(&["--json"]);
    assert_eq!(on_crossbar["accuracy"].as_f64().unwrap(), quantized);
    assert_eq!(on_crossbar["weights"], "4-bit crosspoints");
    let full = eval(&["--json", "--full-precision"]);
    assert_eq!(full["accuracy"].as_f64().unwrap(), validation);
    let per_class = on_crossbar["per_class"].as_array().unwrap();
    let images: u64 = per_class
        .iter()
        .map(|c| c["images"].as_u64().unwrap())
        .sum();
    assert_eq!(images, 500);
    let hidden = on_crossbar["spikes_per_neuron"].as_f64().unwrap();
    assert!(hidden > 0.0 && hidden <= 1.0, "{on_crossbar}");

    // Without --json the last line is the accuracy.
    let text = snngen(&eval_last_500(&model, &mnist, &["-q"]));
    let stdout = String::from_utf8(text.stdout).unwrap();
    assert_eq!(
        stdout.lines().last().unwrap(),
        format!("accuracy: {quantized:.4}")
    );
}

/// A model of the ideal charge-domain neuron (`--ideal-neuron`, the seed's continuous-time
/// TTFS model) is evaluated with that neuron: eval reproduces the accuracy training reported.
#[test]
fn an_ideal_neuron_model_is_evaluated_with_its_own_neuron() {
    let Some(mnist) = common::mnist_dir() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("model");
    let mut args = train_args(s(&mnist), s(&model), "1");
    args.push("--ideal-neuron");
    let report = json(&args);
    let eval = json(&eval_last_500(
        &model,
        &mnist,
        &["--full-precision", "--json"],
    ));
    assert!(
        report["validation_accuracy"].as_f64().unwrap() >= 0.6,
        "{report}"
    );
    assert_eq!(eval["accuracy"], report["validation_accuracy"], "{eval}");
}

#[test]
fn a_killed_run_resumes_to_the_same_weights() {
    let Some(mnist) = common::mnist_dir() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (whole, resumed) = (tmp.path().join("whole"), tmp.path().join("resumed"));
    json(&train_args(s(&mnist), s(&whole), "3"));

    // Kill the second run as soon as its first epoch's checkpoint is written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_snngen"))
        .args(train_args(s(&mnist), s(&resumed), "3"))
        .current_dir(root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !resumed.join("checkpoint.json").exists() {
        assert!(start.elapsed() < Duration::from_secs(120), "no checkpoint");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    // As many images from another training split: neither the checkpoint nor the finished
    // run is taken up (their data digests differ), and the checkpoint stays for the right data.
    if let Some(fashion) = common::fashion_dir() {
        for dir in [&resumed, &whole] {
            let mut other = train_args(s(&fashion), s(dir), "3");
            other.push("--resume");
            let stderr = refused(&other, tmp.path());
            assert!(stderr.contains("another training split"), "{stderr}");
        }
    }
    let mut args = train_args(s(&mnist), s(&resumed), "3");
    args.push("--resume");
    json(&args);
    for file in ["hidden1.csv", "output.csv"] {
        let a = std::fs::read(whole.join(file)).unwrap();
        let b = std::fs::read(resumed.join(file)).unwrap();
        assert!(a == b, "{file} differs after resuming");
    }
}

/// An IDX file: magic, sizes, then the bytes.
fn idx(path: &Path, magic: u32, dims: &[u32], body: &[u8]) {
    let mut bytes = magic.to_be_bytes().to_vec();
    for d in dims {
        bytes.extend_from_slice(&d.to_be_bytes());
    }
    bytes.extend_from_slice(body);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn bad_data_and_foreign_models_are_refused_with_their_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let [
        small_images,
        truncated,
        count,
        magic,
        tiny,
        model,
        nothing,
        m,
    ] = [
        "small_images",
        "truncated",
        "count",
        "magic",
        "tiny",
        "model",
        "nothing",
        "m",
    ]
    .map(|name| dir.join(name).to_str().unwrap().to_string());
    let train = |data: &str| refused(&["train", SMALL, "--data", data, "-o", &m], dir);
    let folder = |name: &str, images: (&[u32], &[u8]), labels: (u32, &[u32], &[u8])| {
        let d = Path::new(name);
        std::fs::create_dir(d).unwrap();
        idx(
            &d.join("train-images-idx3-ubyte"),
            0x803,
            images.0,
            images.1,
        );
        idx(
            &d.join("train-labels-idx1-ubyte"),
            labels.0,
            labels.1,
            labels.2,
        );
    };

    // 5x5 images for a 784-input network.
    folder(
        &small_images,
        (&[3, 5, 5], &[0; 75]),
        (0x801, &[3], &[0, 1, 2]),
    );
    insta::assert_snapshot!("image_size", train(&small_images));
    // A labels file cut short, and one with fewer labels than images.
    let images: (&[u32], &[u8]) = (&[3, 28, 28], &[0; 3 * 784]);
    folder(&truncated, images, (0x801, &[3], &[0, 1]));
    insta::assert_snapshot!("truncated_labels", train(&truncated));
    folder(&count, images, (0x801, &[2], &[0, 1]));
    insta::assert_snapshot!("label_count", train(&count));
    // Wrong magic: an images file where the labels should be.
    folder(&magic, images, (0x803, &[3], &[0, 1, 2]));
    insta::assert_snapshot!("wrong_magic", train(&magic));
    assert!(!Path::new(&m).exists(), "nothing is written");

    // A model folder of another design: same layers, another vsyn.
    let other = std::fs::read_to_string(root().join(SMALL))
        .unwrap()
        .replace("vsyn: 0.6", "vsyn: 0.9");
    let other_design = dir.join("other.yaml");
    std::fs::write(&other_design, other).unwrap();
    tiny_dataset(Path::new(&tiny));
    std::fs::create_dir(&model).unwrap();
    std::fs::write(
        Path::new(&model).join("model.json"),
        model_json(&other_design, Path::new(&tiny), &[]),
    )
    .unwrap();
    let args = ["eval", SMALL, "--model", &model, "--data", &tiny];
    insta::assert_snapshot!("foreign_model", refused(&args, dir));

    // A model of the ideal neuron: eval uses that neuron, the netlists are the RC neuron's.
    std::fs::write(
        Path::new(&model).join("model.json"),
        model_json(&root().join(SMALL), Path::new(&tiny), &["--ideal-neuron"]),
    )
    .unwrap();
    let args = ["sim", "spice", SMALL, "--model", &model, "--data", &tiny];
    insta::assert_snapshot!("ideal_neuron_model_in_ngspice", refused(&args, dir));

    // --resume with nothing to resume.
    let args = [
        "train",
        SMALL,
        "--data",
        &tiny,
        "-o",
        &nothing,
        "--resume",
        "--validation",
        "1",
    ];
    insta::assert_snapshot!("nothing_to_resume", refused(&args, dir));
}

/// Four 28x28 images with labels 0..4 in the MNIST layout.
fn tiny_dataset(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let images: Vec<u8> = (0..4 * 784).map(|i| (i % 251) as u8).collect();
    idx(
        &dir.join("train-images-idx3-ubyte"),
        0x803,
        &[4, 28, 28],
        &images,
    );
    idx(
        &dir.join("train-labels-idx1-ubyte"),
        0x801,
        &[4],
        &[0, 1, 2, 3],
    );
}

/// model.json of a real (tiny) training run of `design`, so that the refusal is about the
/// design and nothing else.
fn model_json(design: &Path, data: &Path, extra: &[&str]) -> String {
    let out = tempfile::tempdir().unwrap();
    let model = out.path().join("model");
    let args = [
        "train",
        s(design),
        "--data",
        s(data),
        "-o",
        s(&model),
        "--epochs",
        "1",
        "--validation",
        "1",
        "-q",
    ]
    .into_iter()
    .chain(extra.iter().copied())
    .collect::<Vec<_>>();
    let o = snngen(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(model.join("model.json")).unwrap()
}

#[test]
fn the_netlists_agree_with_the_model_in_ngspice() {
    let Some(mnist) = common::mnist_dir() else {
        return;
    };
    if !common::require_tool("ngspice") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (model, out, spice) = (
        tmp.path().join("model"),
        tmp.path().join("build"),
        tmp.path().join("spice"),
    );
    json(&train_args(s(&mnist), s(&model), "2"));

    // The build's chip deck holds one resistor and one diode per crosspoint that is not 0 on
    // the crossbar's 4-bit levels, on the line of its sign.
    let built = snngen(&["build", SMALL, "--model", s(&model), "-o", s(&out), "-q"]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let deck = std::fs::read_to_string(out.join("spice/xbar.cir")).unwrap();
    let diodes = deck.lines().filter(|l| l.starts_with('D')).count();
    let (_, tiles) =
        snngen::apps::rcspike::circuit::trained_tiles(&root().join(SMALL), &model).unwrap();
    let nonzero: usize = tiles
        .iter()
        .map(|t| t.weights.iter().flatten().filter(|w| **w != 0.0).count())
        .sum();
    assert_eq!(diodes, nonzero);
    assert!(
        deck.contains(" drect"),
        "TTFS crosspoints use the ideal rectifier"
    );
    let encoder = std::fs::read_to_string(out.join("rtl/rcspike_small_encoder.v")).unwrap();
    assert!(
        encoder.contains("Time-to-first-spike encoder"),
        "the RTL codes time"
    );

    // Three images through both layers: measured median 0.035 %, worst 0.058 %, every class
    // the model's. The rectifier's 0.4 mV forward drop is at most 0.13 % of the drive
    // (vsyn - v >= 0.3 V below the threshold) and the crossing is interpolated on the output
    // grid: 0.2 %. The command itself fails beyond 2 % or below 98 % agreement (issue 13's
    // targets).
    let report = json(&[
        "sim",
        "spice",
        SMALL,
        "--model",
        s(&model),
        "--data",
        s(&mnist),
        "--images",
        "3",
        "-o",
        s(&spice),
        "--json",
    ]);
    assert_eq!(report["class_agreement"].as_f64().unwrap(), 1.0, "{report}");
    let worst = report["worst_timing_error"].as_f64().unwrap();
    assert!(worst > 0.0 && worst <= 0.002, "{report}");
    // The same crossings in volts: the other's membrane at each one was measured at 0.09 mV
    // from the threshold (median), 0.17 mV at worst. Neither membrane can be further from
    // the other than the rectifier's 0.4 mV drop takes from the drive: 0.4 mV.
    let gap = report["worst_threshold_gap_mv"].as_f64().unwrap();
    assert!(gap > 0.0 && gap <= 0.4, "{report}");
    assert!(spice.join("spice_times.png").exists());
    let energy = report["energy_per_inference_pj"].as_f64().unwrap();
    assert!(energy > 0.0, "{report}");
    // The model's charge integral against ngspice's line currents: measured 3.686 against
    // 3.682 pJ (0.09 %). The rectifier's 0.4 mV drop takes up to 0.13 % of the drive near the
    // threshold and the current is integrated on the output grid (trapezoids): 0.5 %.
    let model_energy = report["model_energy_per_inference_pj"].as_f64().unwrap();
    assert!(
        (model_energy - energy).abs() <= 0.005 * energy,
        "{model_energy} pJ (model) against {energy} pJ (ngspice)"
    );
}

/// The arguments of `snngen sweep <kind...>` on the small network, one quick epoch per point,
/// into `out`.
fn sweep_args<'a>(kind: &[&'a str], mnist: &'a Path, out: &'a Path) -> Vec<&'a str> {
    let mut args = vec!["sweep"];
    args.extend_from_slice(kind);
    args.extend([SMALL, "--data", s(mnist), "-o", s(out), "--epochs", "1"]);
    args.extend(QUICK);
    args
}

/// What `snngen sweep <kind...>` reports (see `sweep_args`).
fn sweep(kind: &[&str], mnist: &Path, out: &Path) -> Value {
    json(&sweep_args(kind, mnist, out))
}

#[test]
fn the_vsyn_sweep_trains_a_network_at_each_drive_voltage() {
    let Some(mnist) = common::mnist_dir() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    let report = sweep(&["vsyn", "--vsyn", "0.45,0.9"], &mnist, &out);
    let points = report["points"].as_array().unwrap();
    assert_eq!(points.len(), 2);
    for p in points {
        // Measured 0.820 at 1.5 x and 0.866 at 3 x the threshold after one epoch on 1,500
        // images: both far above chance (0.10).
        let accuracy = p["validation_accuracy"].as_f64().unwrap();
        assert!(accuracy >= 0.6, "{report}");
        assert!(
            Path::new(p["model_dir"].as_str().unwrap())
                .join("model.json")
                .exists()
        );
    }
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert_eq!(
        csv.lines().count(),
        3,
        "a header and a row per point:\n{csv}"
    );
    assert!(out.join("sweep.png").exists());
}

#[test]
fn the_ssr_sweep_trades_spikes_for_accuracy_per_method_and_seed() {
    let Some(mnist) = common::mnist_dir() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    let kind = [
        "ssr",
        "--methods",
        "mssr,membrane",
        "--strengths",
        "10",
        "--seeds",
        "1,2",
    ];
    let report = sweep(&kind, &mnist, &out);
    let points = report["points"].as_array().unwrap();
    let runs: Vec<(&str, u64)> = points
        .iter()
        .map(|p| (p["method"].as_str().unwrap(), p["seed"].as_u64().unwrap()))
        .collect();
    let per_seed = ["none", "mssr", "membrane"];
    let expected: Vec<(&str, u64)> = [1, 2]
        .iter()
        .flat_map(|&seed| per_seed.iter().map(move |&m| (m, seed)))
        .collect();
    assert_eq!(runs, expected, "{report}");
    let hidden = |p: &Value| p["hidden_spikes_per_neuron"].as_f64().unwrap();
    let mut pooled_gaps = 0;
    for (seed, of_seed) in points.chunks(3).enumerate() {
        for p in &of_seed[1..] {
            // A strong penalty (10) fires fewer hidden neurons than the plain network.
            assert!(hidden(p) < hidden(&of_seed[0]), "{report}");
            assert!(p["energy_per_inference_pj"].as_f64().unwrap() > 0.0);
        }
        // M-SSR's curve (plain, mssr 10) is compared with the baseline's point of the same
        // seed if that point's spike count falls within it.
        let c = &report["comparisons"][seed];
        assert_eq!(
            (c["method"].as_str(), c["baseline"].as_str()),
            (Some("mssr"), Some("membrane"))
        );
        assert_eq!(c["seed"].as_u64(), Some(seed as u64 + 1), "{report}");
        let (lo, hi) = (hidden(&of_seed[1]), hidden(&of_seed[0]));
        let inside = (lo..=hi).contains(&hidden(&of_seed[2]));
        assert_eq!(
            c["gaps"].as_array().unwrap().len(),
            usize::from(inside),
            "{report}"
        );
        pooled_gaps += usize::from(inside);
    }
    // Then the gaps of both seeds pooled.
    let pooled = &report["comparisons"][2];
    assert!(pooled["seed"].is_null(), "{report}");
    assert_eq!(pooled["gaps"].as_array().unwrap().len(), pooled_gaps);
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert_eq!(
        csv.lines().count(),
        7,
        "a header and a row per point:\n{csv}"
    );
    assert!(csv.starts_with("method,strength,seed,validation_accuracy,"));
    assert!(out.join("sweep.png").exists());
    assert!(out.join("seed_2/mssr_10/model.json").exists());

    // Resumed after its last point's folder is gone (a sweep killed before reaching it), the
    // sweep reads every finished point back and trains the missing one afresh, to the same
    // figures (training is deterministic).
    std::fs::remove_dir_all(out.join("seed_2/membrane_10")).unwrap();
    let mut resumed = kind.to_vec();
    resumed.push("--resume");
    let again = sweep(&resumed, &mnist, &out);
    let figures = |r: &Value| -> Vec<(Value, Value)> {
        r["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["validation_accuracy"].clone(),
                    p["spikes_per_neuron"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(figures(&again), figures(&report));
    let seconds = |r: &Value, i: usize| r["points"][i]["seconds"].clone();
    assert_eq!(
        seconds(&again, 0),
        seconds(&report, 0),
        "read back, not retrained"
    );
    assert!(out.join("seed_2/membrane_10/model.json").exists());
    // A finished point trained with other options is not taken for this run's.
    let mut other = resumed.clone();
    other.extend(["--batch", "16"]);
    let refused = snngen(&sweep_args(&other, &mnist, &out));
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("holds a finished run"), "{stderr}");
    assert!(stderr.contains("batch: 16"), "names what differs: {stderr}");

    // The sweep sets each point's method itself.
    let refused = snngen(&[
        "sweep",
        "ssr",
        SMALL,
        "--data",
        s(&mnist),
        "--strengths",
        "1",
        "--ssr",
        "mssr",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--methods"));
    // Each seed is one run of the whole sweep, into its own folder.
    let twice = ["ssr", "--strengths", "1", "--seeds", "2,2"];
    let refused = snngen(&sweep_args(&twice, &mnist, &tmp.path().join("twice")));
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("seed twice"));
}

/// The sparse-firing seed's deep network (784-400-400-400-10, weights not shipped) trains, with
/// and without M-SSR, and reports spikes per neuron for each of its layers.
#[test]
fn the_deep_network_trains_with_and_without_ssr() {
    let Some(mnist) = common::mnist_dir() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let deep = root().join("designs/untrained/ttfs_400x3.yaml");
    let run = |extra: &[&str], out: &str| -> Value {
        let out = tmp.path().join(out);
        let mut args = vec![
            "train",
            s(&deep),
            "--data",
            s(&mnist),
            "-o",
            s(&out),
            "--epochs",
            "1",
            "--train-limit",
            "400",
            "--validation",
            "200",
            "--json",
        ];
        args.extend_from_slice(extra);
        json(&args)
    };
    let spikes = |r: &Value| -> Vec<f64> {
        r["epochs"][0]["validation"]["spikes_per_neuron"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    let plain = run(&[], "plain");
    let sparse = run(&["--ssr", "mssr", "--ssr-strength", "10"], "mssr");
    let (p, q) = (spikes(&plain), spikes(&sparse));
    assert_eq!(p.len(), 4, "{plain}");
    let hidden = |x: &[f64]| x[..3].iter().sum::<f64>() / 3.0;
    assert!(hidden(&q) < hidden(&p), "M-SSR {q:?} against plain {p:?}");
}

/// The TTFS encoder in the cycle-exact model (bit-exact with the RTL, which `sim rtl` checks)
/// steps every pixel once, at the time the network's model gives it from the frame's start.
#[test]
fn the_encoder_steps_every_pixel_at_the_models_input_time() {
    use snngen::model::digital::{ChipInputs, Inputs, Params, SystemModel};
    use snngen::model::ttfs_network::encode;
    let r = snngen::compiler::render(Path::new(SMALL)).unwrap();
    let net = &r.compiled.network;
    let p = Params::new(&r.compiled, &r.verilog);
    let clock = net.clock_mhz * 1e6;
    let levels = (1u32 << net.encoder.sample_bits) - 1;
    let input_window = f64::from(levels * net.encoder.step_cycles) / clock;
    let pixels: Vec<u8> = (0..784u32).map(|i| ((i * 37) % 256) as u8).collect();
    let mut model = SystemModel::new(p.clone());
    let idle = Inputs {
        rst: false,
        in_valid: false,
        samples: vec![0; 784],
        chips: vec![ChipInputs::default(); p.chip_sources.len()],
    };
    let mut first: Vec<Option<u64>> = vec![None; 784];
    // Cycle 0 resets, cycle 1 presents the frame.
    model.cycle(&Inputs {
        rst: true,
        ..idle.clone()
    });
    model.cycle(&Inputs {
        in_valid: true,
        samples: pixels.iter().map(|&x| u32::from(x)).collect(),
        ..idle.clone()
    });
    for cycle in 2..(u64::from(levels * net.encoder.step_cycles) + 10) {
        model.cycle(&idle);
        for (c, &s) in model.encoder_spikes().iter().enumerate() {
            if s {
                assert!(first[c].is_none(), "channel {c} spiked twice");
                first[c] = Some(cycle);
            }
        }
    }
    let expected = encode(&pixels, input_window);
    for (c, (got, want)) in first.iter().zip(&expected).enumerate() {
        // Spike registers of cycle k are seen after edge k: the frame starts at edge 2.
        let got = got.map(|k| (k - 2) as f64 / clock);
        match (got, want) {
            (Some(g), Some(w)) => assert!((g - w).abs() < 1e-12, "channel {c}: {g} vs {w}"),
            (None, None) => {}
            _ => panic!("channel {c}: {got:?} vs {want:?}"),
        }
    }
}

/// `snngen bench ttfs` times one training pass with one and with two workers, then an
/// evaluation of the trained weights, on the same images: both passes end with the same
/// weights (the trainer's shards are summed in a fixed order whatever the thread count).
#[test]
fn the_ttfs_benchmark_times_training_and_evaluation() {
    let Some(mnist) = common::mnist_dir() else {
        return;
    };
    let args = [
        "bench",
        "ttfs",
        SMALL,
        "--data",
        s(&mnist),
        "--images",
        "300",
        "--json",
    ];
    let report = json(&args);
    assert_eq!(report["same_weights"], true, "{report}");
    let rows = report["rows"].as_array().unwrap();
    let workers: Vec<u64> = rows
        .iter()
        .map(|r| r["workers"].as_u64().unwrap())
        .collect();
    assert_eq!(workers, [1, 2]);
    assert!(rows.iter().all(|r| r["images"] == 300), "{report}");
    for key in ["eval_seconds", "eval_images_per_second"] {
        assert!(report[key].as_f64().unwrap() > 0.0, "{report}");
    }
    assert!(
        rows.iter()
            .all(|r| r["images_per_second"].as_f64().unwrap() > 0.0),
        "{report}"
    );
    assert_eq!(report["model"], Value::Null, "{report}");

    // From a trained model's weights (the regime of later epochs), and only a model of the
    // design: the shipped MNIST one was trained for rcspike_mlp, not for the small design.
    let model = "designs/models/rcspike_mnist";
    let mut args = args.to_vec();
    args[2] = "designs/rcspike_mlp.yaml";
    args[6] = "40";
    args.extend(["--model", model]);
    let report = json(&args);
    assert_eq!(report["model"], model, "{report}");
    assert_eq!(report["same_weights"], true, "{report}");
    args[2] = SMALL;
    let out = snngen(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("trained for design `rcspike_mlp`"),
        "{stderr}"
    );
}
