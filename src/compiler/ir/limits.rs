//! Size limits of a design, checked before anything is expanded: a design past them is
//! refused in milliseconds, whatever its numbers, instead of allocating first. Every count
//! is multiplied in u64 (or checked), so no size from the design can wrap.
//!
//! The limits (README "Limits"): what the hardware holds (six chips, a 16-bit router table)
//! and what keeps a build within seconds and a few hundred MB (about 25,000 neurons, a
//! million on-chip synapses, a million readout weights, netlists of tens of MB).

use super::validate::{MAX_CHIPS, MAX_NEURONS_PER_POPULATION, MAX_READOUT_BINS, Problems};
use crate::compiler::codes;
use crate::compiler::design::Design;

/// Neurons on one chip (its AER source space, with its tile outputs).
pub const MAX_NEURONS_PER_CHIP: u64 = 4096;
/// RC-Spike tiles on one chip.
pub const MAX_TILES_PER_CHIP: usize = 16;
/// Neuron pairs the random connections of a design may draw over (each pair costs a random
/// draw): 16 all-to-all connections of 4096 x 4096.
pub const MAX_CONNECTION_PAIRS: u64 = 1 << 28;
/// On-chip synapses of a design (each one a netlist line).
pub const MAX_SYNAPSES: u64 = 1 << 20;
/// Crosspoints (inputs x outputs) of all RC-Spike tiles of a design, each up to a resistor,
/// a diode and a weight: 784-200-200-10 has 198,800.
pub const MAX_CROSSPOINTS: u64 = 1 << 20;
/// Readout weights (classes x bins x features): the weight ROM.
pub const MAX_READOUT_WEIGHTS: u64 = 1 << 20;
/// Routes and readout features in a design.
pub const MAX_ROUTES: usize = 4096;
pub const MAX_FEATURE_GROUPS: usize = 4096;
/// Time points of the stand-alone transient (tstop / tstep) of a chip deck.
pub const MAX_TRANSIENT_POINTS: f64 = 1e7;
/// Encoder channels.
pub const MAX_CHANNELS: u32 = 1024;
/// Readout classes.
pub const MAX_CLASSES: u32 = 256;

/// Checks every size the design states; false when one is past its limit (the caller then
/// stops before expanding anything).
pub fn check_sizes(d: &Design, p: &mut Problems) -> bool {
    let before = p.count();
    let f = &d.fpga;
    if d.chips.is_empty() || d.chips.len() > MAX_CHIPS {
        // Reported by check_design; nothing below is worth checking for a design of the
        // wrong shape.
        return false;
    }
    let mut pairs: u64 = 0;
    let mut explicit: u64 = 0;
    for (ci, c) in d.chips.iter().enumerate() {
        let neurons: u64 = c.populations.iter().map(|p| p.count as u64).sum();
        if neurons > MAX_NEURONS_PER_CHIP
            && c.populations
                .iter()
                .all(|p| p.count <= MAX_NEURONS_PER_POPULATION)
        {
            p.push_help(
                codes::DESIGN_SIZE,
                format!("chips[{ci}].populations"),
                format!(
                    "chip `{}` has {neurons} neurons, at most {MAX_NEURONS_PER_CHIP} fit on a chip",
                    c.name
                ),
                "split the populations over more chips",
            );
        }
        if c.rc_spike.len() > MAX_TILES_PER_CHIP {
            p.push(
                codes::DESIGN_SIZE,
                format!("chips[{ci}].rc_spike"),
                format!(
                    "chip `{}` has {} RC-Spike tiles, at most {MAX_TILES_PER_CHIP} fit on a chip",
                    c.name,
                    c.rc_spike.len()
                ),
            );
        }
        let count = |name: &str| {
            c.populations
                .iter()
                .find(|p| p.name == name)
                .map_or(0, |p| p.count.min(MAX_NEURONS_PER_POPULATION) as u64)
        };
        for conn in &c.connections {
            if conn.random.is_some() {
                pairs += count(&conn.from) * count(&conn.to);
            }
            explicit += conn.explicit.as_ref().map_or(0, |e| e.len() as u64);
        }
    }
    if pairs > MAX_CONNECTION_PAIRS {
        p.push_help(
            codes::DESIGN_SIZE,
            "chips",
            format!(
                "the random connections range over {pairs} neuron pairs, at most {MAX_CONNECTION_PAIRS}"
            ),
            "fewer or smaller random connections",
        );
    }
    if explicit > MAX_SYNAPSES {
        p.push(
            codes::DESIGN_SIZE,
            "chips",
            format!("the explicit connections list {explicit} synapses, at most {MAX_SYNAPSES}"),
        );
    }
    let crosspoints: u64 = d
        .chips
        .iter()
        .flat_map(|c| &c.rc_spike)
        .map(|t| u64::from(t.inputs) * u64::from(t.outputs))
        .fold(0, u64::saturating_add);
    if crosspoints > MAX_CROSSPOINTS {
        p.push_help(
            codes::DESIGN_SIZE,
            "chips",
            format!("the RC-Spike tiles have {crosspoints} crosspoints, at most {MAX_CROSSPOINTS}"),
            "fewer or smaller tiles",
        );
    }
    if f.router.routes.len() > MAX_ROUTES {
        p.push(
            codes::DESIGN_SIZE,
            "fpga.router.routes",
            format!("{} routes, at most {MAX_ROUTES}", f.router.routes.len()),
        );
    }
    if f.readout.features.len() > MAX_FEATURE_GROUPS {
        p.push(
            codes::DESIGN_SIZE,
            "fpga.readout.features",
            format!(
                "{} readout feature groups, at most {MAX_FEATURE_GROUPS}",
                f.readout.features.len()
            ),
        );
    }
    let a = &d.analog_sim;
    let points = a.tstop_us * 1e3 / a.tstep_ns;
    if points.is_finite() && points > MAX_TRANSIENT_POINTS {
        p.push_help(
            codes::DESIGN_SIZE,
            "analog_sim.tstep_ns",
            format!(
                "a {} us transient in {} ns steps is {points:.3e} time points, at most {MAX_TRANSIENT_POINTS:e}",
                a.tstop_us, a.tstep_ns
            ),
            "a longer step or a shorter transient",
        );
    }
    // Sizes check_design and the per-item checks report (a population's count, a tile's
    // sides, the encoder and readout); here they only stop the expansion.
    let counts_ok = d.chips.iter().all(|c| {
        c.populations
            .iter()
            .all(|p| p.count <= MAX_NEURONS_PER_POPULATION)
            && c.rc_spike.iter().all(|t| {
                (1..=super::validate::MAX_TILE_SIDE).contains(&t.inputs)
                    && (1..=super::validate::MAX_TILE_SIDE).contains(&t.outputs)
            })
    }) && (1..=MAX_CHANNELS).contains(&f.encoder.channels)
        && (2..=MAX_CLASSES).contains(&f.readout.classes)
        && (1..=MAX_READOUT_BINS).contains(&f.readout.bins);
    p.count() == before && counts_ok
}

/// Checks that the readout's weights (classes x bins x features) fit the ROM.
pub fn check_readout_size(classes: u32, bins: u32, features: u64, p: &mut Problems) -> bool {
    let weights = classes as u64 * bins as u64 * features;
    if weights > MAX_READOUT_WEIGHTS {
        p.push_help(
            codes::DESIGN_SIZE,
            "fpga.readout.features",
            format!(
                "the readout has {classes} classes x {bins} bins x {features} features = {weights} weights, at most {MAX_READOUT_WEIGHTS}"
            ),
            "fewer features, bins or classes",
        );
        return false;
    }
    true
}
