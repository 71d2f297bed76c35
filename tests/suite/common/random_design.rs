//! Random valid designs for differential testing: every knob the RTL depends on (chip count,
//! population and tile sizes, routes with ranges and patterns, encoder width, readout widths,
//! formats, weights, windows, time bins and the shared AER bus) drawn from a seed.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;

/// A source group: endpoint text and its size.
struct Group {
    endpoint: String,
    size: u32,
}

fn sub_range(rng: &mut ChaCha8Rng, base: &str, size: u32) -> Group {
    if size > 1 && rng.random_bool(0.5) {
        let a = rng.random_range(0..size);
        let b = rng.random_range(a + 1..=size);
        Group {
            endpoint: format!("{base}[{a}..{b}]"),
            size: b - a,
        }
    } else {
        Group {
            endpoint: base.to_string(),
            size,
        }
    }
}

/// YAML text of a random valid design named `name`.
pub fn random_design(seed: u64, name: &str) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n_chips = if rng.random_bool(0.15) {
        6
    } else {
        rng.random_range(1..=3)
    };
    let channels = rng.random_range(1..=6u32);
    let sample_bits = rng.random_range(1..=10u32);
    let mut y = format!("name: {name}\nchips:\n");
    let mut sources = vec![Group {
        endpoint: "input".into(),
        size: channels,
    }];
    let mut targets = Vec::new();
    for c in 0..n_chips {
        let _ = writeln!(y, "  - name: c{c}\n    populations:");
        for p in 0..rng.random_range(1..=3) {
            let count = rng.random_range(1..=10u32);
            let mode = if rng.random_bool(0.5) {
                "regular"
            } else {
                "leaky"
            };
            let _ = writeln!(y, "      - {{name: p{p}, count: {count}, mode: {mode}}}");
            sources.push(Group {
                endpoint: format!("c{c}.p{p}"),
                size: count,
            });
            targets.push(Group {
                endpoint: format!("c{c}.p{p}"),
                size: count,
            });
        }
        if rng.random_bool(0.3) {
            let (inputs, outputs) = (rng.random_range(1..=4u32), rng.random_range(1..=4u32));
            let _ = writeln!(
                y,
                "    rc_spike:\n      - {{name: t0, inputs: {inputs}, outputs: {outputs}, r_unit_gohm: 1, c_mem_ff: 100, vsyn: 1.0, threshold_v: 0.3, weights: {{random: {{seed: {seed}, min: 0.1, max: 1.0}}}}}}"
            );
            sources.push(Group {
                endpoint: format!("c{c}.t0.out"),
                size: outputs,
            });
            targets.push(Group {
                endpoint: format!("c{c}.t0.in"),
                size: inputs,
            });
        }
    }
    let _ = writeln!(
        y,
        "fpga:\n  encoder: {{channels: {channels}, sample_bits: {sample_bits}}}\n  router:\n    routes:"
    );
    for _ in 0..rng.random_range(1..=6) {
        let s = &sources[rng.random_range(0..sources.len())];
        let t = &targets[rng.random_range(0..targets.len())];
        let (from, to) = (
            sub_range(&mut rng, &s.endpoint, s.size),
            sub_range(&mut rng, &t.endpoint, t.size),
        );
        let pattern = if from.size == to.size || from.size == 1 || to.size == 1 {
            if rng.random_bool(0.8) {
                "one_to_one"
            } else {
                "all_to_all"
            }
        } else {
            "all_to_all"
        };
        let _ = writeln!(
            y,
            "      - {{from: \"{}\", to: \"{}\", pattern: {pattern}}}",
            from.endpoint, to.endpoint
        );
    }
    let mut features = Vec::new();
    let mut n_features = 0;
    for _ in 0..rng.random_range(1..=3) {
        let s = &sources[rng.random_range(0..sources.len())];
        let g = sub_range(&mut rng, &s.endpoint, s.size);
        n_features += g.size;
        features.push(format!("\"{}\"", g.endpoint));
    }
    let classes = rng.random_range(2..=5u32);
    let int_bits = rng.random_range(1..=4u32);
    let frac_bits = rng.random_range(0..=6u32);
    let max = (1u64 << (int_bits - 1)) as f64 - 1.0 / (1u64 << frac_bits) as f64;
    let min = -((1u64 << (int_bits - 1)) as f64);
    let window =
        snngen::compiler::ir::scoring_cycles(classes, n_features) as u32 + rng.random_range(0..120);
    let count_bits = rng.random_range(1..=6u32);
    // Drawn last so the designs without time bins stay those of earlier versions; half the
    // designs name `bins` (1..=4), the rest take the default.
    let bins = if rng.random_bool(0.5) {
        format!("    bins: {}\n", rng.random_range(1..=4u32))
    } else {
        String::new()
    };
    let _ = write!(
        y,
        "  readout:\n    features: [{}]\n    classes: {classes}\n    window_cycles: {window}\n{bins}    count_bits: {count_bits}\n    weight_format: Q{int_bits}.{frac_bits}\n    weights: {{random: {{seed: {seed}, min: {min}, max: {max}, density: 0.8}}}}\n",
        features.join(", "),
    );
    // Drawn after everything else, so the designs with a bus per chip stay those of earlier
    // versions: about a third share one AER bus among their chips.
    if rng.random_bool(0.3) {
        y = y.replacen("fpga:\n", "fpga:\n  aer_bus: shared\n", 1);
    }
    y
}
