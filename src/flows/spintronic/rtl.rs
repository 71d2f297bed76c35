//! The emitted spintronic learning core in Verilator against the core model: the same
//! input ticks (learning on, then off) through both, every output spike and every final
//! weight compared.

use crate::compiler::emit::EmittedFile;
use crate::compiler::emit::spin::{SPIN_RESULT, SPIN_STIMULUS, spin_files};
use crate::compiler::lower::spin_core::{CoreConstants, SpinCoreView, lower};
use crate::flows::cosim::cache::{cache_dir, cached_verilator_model};
use crate::model::spin_core::{Core, CoreParams};
use crate::support::error::{Error, Result};
use crate::tools::run_program;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

/// The core's constants as the RTL takes them.
pub fn constants(p: &CoreParams) -> CoreConstants {
    CoreConstants {
        inputs: p.inputs,
        leak: p.leak,
        gain: p.gain,
        pre_decay: p.pre_decay,
        post_decay: p.post_decay,
        p_table: p.p_table.clone(),
        a_plus: p.a_plus.clone(),
        a_minus: p.a_minus.clone(),
        a_post: p.a_post.clone(),
        initial_weight: p.initial_weight,
        seed: p.seed,
    }
}

/// The view and files of the core of `params`.
pub fn core_files(
    design: &str,
    card: &str,
    params: &CoreParams,
) -> Result<(SpinCoreView, Vec<EmittedFile>)> {
    let view = lower(design, card, &constants(params));
    let files = spin_files(&view)?;
    Ok((view, files))
}

/// One stretch of input: its ticks (spiking inputs of each) and whether learning is on.
pub struct Segment<'a> {
    pub ticks: &'a [Vec<u32>],
    pub learn: bool,
}

/// Training (learning on) followed by a test (learning off).
pub fn train_then_test<'a>(train: &'a [Vec<u32>], test: &'a [Vec<u32>]) -> [Segment<'a>; 2] {
    [
        Segment {
            ticks: train,
            learn: true,
        },
        Segment {
            ticks: test,
            learn: false,
        },
    ]
}

/// What both sides did, and how long the RTL took.
#[derive(Debug, Clone)]
pub struct CosimRun {
    pub ticks: usize,
    pub fired: Vec<usize>,
    pub weights: Vec<u32>,
    pub cycles: u64,
    pub rtl_seconds: f64,
    pub compiled_from_cache: bool,
}

/// Runs the segments through the model and through the core in Verilator; an error if any
/// output spike or final weight differs.
pub fn cosimulate(
    design: &str,
    card: &str,
    params: &CoreParams,
    segments: &[Segment],
) -> Result<CosimRun> {
    let (view, files) = core_files(design, card, params)?;
    let work = tempfile::Builder::new()
        .prefix("snngen-spin-")
        .tempdir()
        .map_err(|source| Error::Output {
            path: std::env::temp_dir(),
            source,
        })?;
    let write = |name: &str, text: &str| -> Result<PathBuf> {
        let path = work.path().join(name);
        std::fs::write(&path, text).map_err(|source| Error::Output {
            path: path.clone(),
            source,
        })?;
        Ok(path)
    };
    let paths: Vec<PathBuf> = files
        .iter()
        .filter(|f| f.path.ends_with(".v") || f.path.ends_with(".sv"))
        .map(|f| write(f.path.rsplit('/').next().unwrap_or(&f.path), &f.contents))
        .collect::<Result<_>>()?;
    let contents: Vec<String> = files
        .iter()
        .filter(|f| f.path.ends_with(".v") || f.path.ends_with(".sv"))
        .map(|f| f.contents.clone())
        .collect();
    let top = format!("{}_spin_tb", view.prefix);
    let (exe, cached) = cached_verilator_model(
        &paths,
        &contents,
        &top,
        false,
        &["-Wno-WIDTH"],
        &cache_dir(),
    )?;
    write(SPIN_STIMULUS, &stimulus(segments))?;
    let started = Instant::now();
    run_program(&exe, &[], work.path())?;
    let rtl_seconds = started.elapsed().as_secs_f64();
    let result_path = work.path().join(SPIN_RESULT);
    let text = std::fs::read_to_string(&result_path).map_err(|e| Error::Read {
        path: result_path.clone(),
        reason: e.to_string(),
    })?;
    let (rtl_fired, rtl_weights) = parse_result(&text).ok_or_else(|| {
        Error::Mismatch(format!(
            "{}: not the testbench's output format",
            SPIN_RESULT
        ))
    })?;
    let (model_fired, model_weights) = run_model(params, segments);
    compare(&model_fired, &rtl_fired, &model_weights, &rtl_weights)?;
    let ticks: usize = segments.iter().map(|s| s.ticks.len()).sum();
    Ok(CosimRun {
        ticks,
        fired: model_fired,
        weights: model_weights,
        // A tick is one cycle per input, one to finish and one to start.
        cycles: ticks as u64 * (params.inputs as u64 + 2),
        rtl_seconds,
        compiled_from_cache: cached,
    })
}

/// The testbench's stimulus: per tick, the learn flag, the count and the spiking inputs.
fn stimulus(segments: &[Segment]) -> String {
    let mut s = String::new();
    for seg in segments {
        for tick in seg.ticks {
            let _ = write!(s, "{} {}", u8::from(seg.learn), tick.len());
            for i in tick {
                let _ = write!(s, " {i}");
            }
            s.push('\n');
        }
    }
    s
}

fn parse_result(text: &str) -> Option<(Vec<usize>, Vec<u32>)> {
    let (fired, weights) = text.split_once("w\n")?;
    let fired = fired
        .lines()
        .map(|l| l.trim().parse().ok())
        .collect::<Option<_>>()?;
    let weights = weights
        .lines()
        .map(|l| l.trim().parse().ok())
        .collect::<Option<_>>()?;
    Some((fired, weights))
}

/// The model's output spike ticks (counted over all segments) and final weights.
pub fn run_model(params: &CoreParams, segments: &[Segment]) -> (Vec<usize>, Vec<u32>) {
    let mut core = Core::new(params);
    let mut fired = Vec::new();
    let mut t = 0;
    for seg in segments {
        for tick in seg.ticks {
            if core.tick(params, tick, seg.learn) {
                fired.push(t);
            }
            t += 1;
        }
    }
    (fired, core.weights)
}

fn compare(model: &[usize], rtl: &[usize], model_w: &[u32], rtl_w: &[u32]) -> Result<()> {
    if let Some(k) = (0..model.len().max(rtl.len())).find(|&k| model.get(k) != rtl.get(k)) {
        let show = |v: Option<&usize>| v.map_or("no spike".to_string(), |t| format!("tick {t}"));
        return Err(Error::Mismatch(format!(
            "output spike {} of the spintronic core: the model fired at {}, the RTL at {} \
             ({} spikes in the model, {} in the RTL)",
            k + 1,
            show(model.get(k)),
            show(rtl.get(k)),
            model.len(),
            rtl.len()
        )));
    }
    if model_w.len() != rtl_w.len() {
        return Err(Error::Mismatch(format!(
            "the RTL reported {} weights, the core has {}",
            rtl_w.len(),
            model_w.len()
        )));
    }
    if let Some(i) = (0..model_w.len()).find(|&i| model_w[i] != rtl_w[i]) {
        return Err(Error::Mismatch(format!(
            "final weight of input {i}: the model holds {}, the RTL {}",
            model_w[i], rtl_w[i]
        )));
    }
    Ok(())
}
