//! A design prepared for the spoken-digit task: rendered (as a variant, with given readout
//! weights), with the front end and timing that feed it.

use super::frontend::FrontEnd;
use super::reservoir::{self, Timing};
use crate::compiler::{self, Rendered};
use crate::model::digital::Params;
use crate::support::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Cycles between two samples presented to the encoder by default: 10.24 us. A chip's AER
/// handshake takes about 7 cycles per event in each direction; at this period a six_chip
/// chip receives an input event every ~30 cycles and sends a spike every ~35, so events
/// rarely queue and the fast reservoir's timing matches the hardware's.
pub const DEFAULT_SAMPLE_PERIOD: u64 = 512;

/// Classes of the task: the digits 0..9.
const DIGITS: u32 = 10;

/// A design prepared for the task: rendered, with the front end and timing that feed it.
#[derive(Debug)]
pub struct Setup {
    pub rendered: Rendered,
    pub params: Params,
    pub front_end: FrontEnd,
    pub timing: Timing,
    pub bins: usize,
    /// Cycles one utterance occupies (reset, the bins, the last bin's scoring).
    pub cycles: u64,
}

impl Setup {
    pub fn new(rendered: Rendered, front_end: FrontEnd, sample_period: u64) -> Result<Setup> {
        let params = Params::new(&rendered.compiled, &rendered.verilog);
        let bins = readout_bins(&rendered);
        let span = bins as u64 * params.window as u64;
        front_end.check(params.channels).map_err(Error::Usage)?;
        if params.classes < DIGITS {
            return Err(Error::Usage(format!(
                "the readout scores {} classes; spoken digits need {DIGITS}",
                params.classes
            )));
        }
        let frames = front_end.frames as u64;
        if sample_period == 0
            || frames == 0
            || !span.is_multiple_of(frames)
            || !(span / frames).is_multiple_of(sample_period)
        {
            return Err(Error::Usage(format!(
                "the readout spans {bins} bins x {} cycles = {span} cycles, which must split \
                 into {frames} front-end frames of a whole number of {sample_period}-cycle \
                 sample periods",
                params.window
            )));
        }
        let timing = Timing {
            sample_period,
            frame_cycles: span / frames,
        };
        let cycles = reservoir::utterance_cycles(&params, bins);
        Ok(Setup {
            rendered,
            params,
            front_end,
            timing,
            bins,
            cycles,
        })
    }
}

/// Time bins of the design's readout.
fn readout_bins(r: &Rendered) -> usize {
    r.compiled.network.readout.bins as usize
}

/// How a trained reservoir differs from the design file: another connectivity seed, or
/// every population in one operating mode (the mixed-modes ablation).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    /// Shifts every random connectivity seed (an independent reservoir of the same design).
    pub seed: Option<u64>,
    /// Replaces every population's operating mode.
    pub mode: Option<String>,
}

impl Variant {
    pub fn apply(&self, d: &mut crate::compiler::design::Design) {
        if let Some(seed) = self.seed {
            for conn in d.chips.iter_mut().flat_map(|c| &mut c.connections) {
                if let Some(r) = &mut conn.random {
                    r.seed = r
                        .seed
                        .wrapping_add(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
                }
            }
        }
        if let Some(mode) = &self.mode {
            for p in d.chips.iter_mut().flat_map(|c| &mut c.populations) {
                p.mode.clone_from(mode);
            }
        }
    }
}

/// Which readout weights a loaded design carries.
#[derive(Debug, Clone, Copy)]
pub enum Weights<'a> {
    /// The design's own.
    Design,
    /// A CSV file, e.g. a trained model's.
    File(&'a Path),
    /// Zeros of the right shape: for training, whatever the design's file holds (it may be
    /// missing or have another shape after the readout changed).
    Untrained,
}

/// Loads a design for the task as `variant` changes it, with the given readout weights.
pub fn load_setup(
    design: &Path,
    variant: &Variant,
    weights: Weights,
    fe: FrontEnd,
    period: u64,
) -> Result<Setup> {
    let mut loaded = crate::compiler::design::load_design(design).map_err(Error::Input)?;
    variant.apply(&mut loaded.design);
    loaded = match weights {
        Weights::Design => loaded,
        Weights::File(w) => compiler::with_readout_weights(loaded, w),
        Weights::Untrained => {
            loaded.design.fpga.readout.weights = Some(crate::compiler::design::Matrix {
                random: Some(crate::compiler::design::RandomMatrix {
                    seed: 0,
                    min: 0.0,
                    max: 0.0,
                    density: 1.0,
                }),
                ..Default::default()
            });
            loaded
        }
    };
    Setup::new(compiler::render_loaded(loaded)?, fe, period)
}
