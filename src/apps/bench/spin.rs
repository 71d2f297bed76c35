//! `snngen bench spin`: the spintronic learning core on the first seconds of a design's
//! training stream, in the bit-exact model and in Verilator side by side (same ticks, same
//! spikes and weights, or an error), and the model of the whole training alone.

use crate::apps::spintronic::learn;
use crate::flows::spintronic::rtl::{Segment, cosimulate, run_model};
use crate::flows::spintronic::setup::SpinSetup;
use crate::support::error::{Error, Result};
use serde::Serialize;
use std::path::Path;
use std::time::Instant;

#[derive(Debug, Clone, Serialize)]
pub struct SpinRow {
    pub engine: &'static str,
    pub ticks: usize,
    pub seconds: f64,
    pub ticks_per_second: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpinBench {
    pub design: String,
    pub inputs: usize,
    pub rows: Vec<SpinRow>,
    /// Cycles per second of the RTL run (one synapse per cycle).
    pub rtl_cycles_per_second: f64,
    pub identical: bool,
    pub compiled_from_cache: bool,
}

impl SpinBench {
    pub fn table(&self) -> String {
        let mut t = format!(
            "spintronic learning core of {} ({} synapses), learning on\n",
            self.design, self.inputs
        );
        t += "engine                 ticks   seconds     ticks/s  vs RTL\n";
        let rtl = self
            .rows
            .iter()
            .find(|r| r.engine.starts_with("RTL"))
            .map_or(f64::NAN, |r| r.ticks_per_second);
        for r in &self.rows {
            t += &format!(
                "{:<20} {:>7}  {:>8.2}  {:>10.0}  {:>6.0}x\n",
                r.engine,
                r.ticks,
                r.seconds,
                r.ticks_per_second,
                r.ticks_per_second / rtl
            );
        }
        t += &format!(
            "RTL: {:.1} M cycles/s (Verilator model {}); spikes and weights identical: {}\n",
            self.rtl_cycles_per_second / 1e6,
            if self.compiled_from_cache {
                "from the cache"
            } else {
                "compiled for this run"
            },
            self.identical
        );
        t
    }
}

/// Times `seconds` of the design's training stream on the model and on the RTL, and the whole
/// training on the model.
pub fn run(design: &Path, seconds: f64) -> Result<SpinBench> {
    let setup = SpinSetup::load(design)?;
    let streams = learn::streams(&setup);
    let ticks = ((seconds / setup.tick_s()).round() as usize).min(streams.train.ticks.len());
    if ticks == 0 {
        return Err(Error::Usage(
            "--seconds must cover at least one tick".into(),
        ));
    }
    let params = setup.core(0);
    let segments = [Segment {
        ticks: &streams.train.ticks[..ticks],
        learn: true,
    }];
    let row = |engine, ticks: usize, seconds: f64| SpinRow {
        engine,
        ticks,
        seconds,
        ticks_per_second: ticks as f64 / seconds,
    };
    let start = Instant::now();
    let model = run_model(&params, &segments);
    let model_row = row("core model", ticks, start.elapsed().as_secs_f64());
    let whole = streams.train.ticks.len();
    let start = Instant::now();
    run_model(
        &params,
        &[Segment {
            ticks: &streams.train.ticks,
            learn: true,
        }],
    );
    let whole_row = row("core model, all", whole, start.elapsed().as_secs_f64());
    let rtl = cosimulate(&setup.design.name, &setup.card.name, &params, &segments)?;
    Ok(SpinBench {
        design: setup.design.name.clone(),
        inputs: setup.inputs(),
        rows: vec![
            model_row,
            whole_row,
            row("RTL (Verilator)", ticks, rtl.rtl_seconds),
        ],
        rtl_cycles_per_second: rtl.cycles as f64 / rtl.rtl_seconds,
        identical: rtl.fired == model.0 && rtl.weights == model.1,
        compiled_from_cache: rtl.compiled_from_cache,
    })
}
