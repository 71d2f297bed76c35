//! Stimulus of a co-simulation: seeded random traffic generated together with the model's
//! outputs, and the harness's text format (one line per cycle, hex) both ways.

use crate::model::digital::host_link;
use crate::model::digital::{
    BoardInputs, BoardModel, BoardOutputs, ChipInputs, ChipOutputs, Inputs, Outputs, Params,
    SpiHost, SystemModel,
};
use crate::support::text::quoted;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;

/// How busy the random stimulus is during one phase: chances per cycle of a valid sample,
/// of a chip starting a spike event, and of a responder finishing a handshake step.
#[derive(Debug, Clone, Copy)]
struct Activity {
    p_valid: f64,
    p_event: f64,
    p_handshake: f64,
}

impl Activity {
    fn draw(rng: &mut ChaCha8Rng) -> Activity {
        let log_uniform = |rng: &mut ChaCha8Rng, lo: f64, hi: f64| {
            (lo.ln() + (hi.ln() - lo.ln()) * rng.random::<f64>()).exp()
        };
        Activity {
            p_valid: log_uniform(rng, 1e-4, 0.6),
            p_event: log_uniform(rng, 1e-4, 0.5),
            p_handshake: rng.random_range(0.3..1.0),
        }
    }
}

/// Random stimulus for `cycles` cycles, generated together with the model's outputs: the chip
/// responders follow the four-phase protocol against the model's own acks and requests.
pub fn random_run(p: &Params, cycles: u64, seed: u64) -> (Vec<Inputs>, Vec<Outputs>) {
    let mut model = SystemModel::new(p.clone());
    let (mut inputs, mut outputs) = (Vec::new(), Vec::new());
    random_traffic(p, cycles, seed, |rng, rst, p_valid, chips| {
        let i = Inputs {
            rst,
            in_valid: rng.random_bool(p_valid),
            samples: random_row(p, rng),
            chips: p.bus_inputs(&chips, &model.outputs()),
        };
        let o = model.cycle(&i);
        let views = p.chip_views(&o);
        inputs.push(i);
        outputs.push(o);
        views
    });
    (inputs, outputs)
}

/// Random stimulus of the board-level top: a host on the serial link writes whole and
/// abandoned rows and reads the decision word, SCK at clk / 4 or clk / 6, CS_N high for
/// 0 to 5 cycles between transactions; the chips as in `random_run`.
pub fn random_board_run(
    p: &Params,
    cycles: u64,
    seed: u64,
) -> (Vec<BoardInputs>, Vec<BoardOutputs>) {
    let mut model = BoardModel::new(p.clone());
    let mut host = SpiHost::default();
    let (mut inputs, mut outputs) = (Vec::new(), Vec::new());
    let beats = host_link::beats(p);
    random_traffic(p, cycles, seed, |rng, rst, p_valid, chips| {
        if host.queued() == 0 && rng.random_bool(p_valid) {
            let half = rng.random_range(2..=3);
            let gap = rng.random_range(0..6);
            match rng.random_range(0..8) {
                0..5 => host.send(p, &random_row(p, rng), half, beats, gap),
                5 => {
                    let part = rng.random_range(0..beats);
                    host.send(p, &random_row(p, rng), half, part, gap);
                }
                _ => host.read(host_link::result_bits(p), half, gap),
            }
        }
        let i = BoardInputs {
            rst,
            host: host.next_pins(),
            chips: p.bus_inputs(&chips, &model.outputs().top),
        };
        let o = model.cycle(&i);
        let views = p.chip_views(&o.top);
        inputs.push(i);
        outputs.push(o);
        views
    });
    (inputs, outputs)
}

fn random_row(p: &Params, rng: &mut ChaCha8Rng) -> Vec<u32> {
    (0..p.channels)
        .map(|_| rng.random_range(0..(1u32 << p.sample_bits)))
        .collect()
}

/// Drives `cycle` (one clock of a model, given reset, the chance of a sample this cycle
/// and what each chip drives; it returns what each chip sees of the buses' outputs, see
/// `Params::bus_inputs` and `chip_views`) for `cycles` cycles with random activity.
fn random_traffic(
    p: &Params,
    cycles: u64,
    seed: u64,
    mut cycle: impl FnMut(&mut ChaCha8Rng, bool, f64, Vec<ChipInputs>) -> Vec<ChipOutputs>,
) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Activity levels drawn anew every phase, log-uniform from sparse to saturated, so that
    // one run has both: saturated traffic starves the router's low-priority sources, sparse
    // traffic lets every route through.
    let phase = (p.window as u64 * p.bins as u64 / 2).clamp(2_000, 50_000);
    let mut level = Activity::draw(&mut rng);
    // Resets at most about once in four readout frames, so that frames complete and the
    // readout decides (every 5,000 cycles left six_chip's 65,536-cycle frames unscored).
    let frame = (p.window as f64 * p.bins as f64).max(1.0);
    let p_reset = if rng.random_bool(0.3) {
        (0.25 / frame).min(2e-4)
    } else {
        0.0
    };
    let mut chips = vec![ChipInputs::default(); p.chip_sources.len()];
    let mut last = vec![ChipOutputs::default(); p.chip_sources.len()];
    for n in 0..cycles {
        if n > 0 && n % phase == 0 {
            level = Activity::draw(&mut rng);
        }
        let Activity {
            p_valid,
            p_event,
            p_handshake,
        } = level;
        for (k, c) in chips.iter_mut().enumerate() {
            let out = last[k];
            if !c.req && !out.ack && rng.random_bool(p_event) {
                c.req = true;
                // Mostly real neurons; sometimes an address past the chip's last source.
                c.addr = if rng.random_bool(0.95) {
                    rng.random_range(0..p.chip_sources[k])
                } else {
                    rng.random_range(0..(1u32 << p.src_w))
                };
            } else if c.req && out.ack && rng.random_bool(p_handshake) {
                c.req = false;
            }
            if out.syn_req != c.syn_ack && rng.random_bool(p_handshake) {
                c.syn_ack = out.syn_req;
            }
        }
        let rst = n < 3 || rng.random_bool(p_reset);
        last = cycle(&mut rng, rst, p_valid, chips.clone());
    }
}

/// Checks that the chips in a stimulus keep the four-phase AER handshake with the acks the
/// model answered: a chip raises `req` only while its `ack` is low and drops it only while
/// `ack` is high. A chip that does not can send a spike every two cycles, faster than the
/// readout's counter lanes take them (the handshake itself spaces them six cycles apart).
pub fn check_handshakes(p: &Params, inputs: &[Inputs], outputs: &[Outputs]) -> Result<(), String> {
    let mut last_req = vec![false; p.chip_sources.len()];
    let mut last_ack = vec![false; p.chip_sources.len()];
    for (cycle, (i, o)) in inputs.iter().zip(outputs).enumerate() {
        for (k, c) in i.chips.iter().enumerate() {
            let rises = c.req && !last_req[k];
            let falls = !c.req && last_req[k];
            if !i.rst && ((rises && last_ack[k]) || (falls && !last_ack[k])) {
                return Err(format!(
                    "cycle {cycle}: chip {} {} req while its ack is {} (the four-phase \
                     handshake raises req only while ack is low and drops it only while ack is high)",
                    p.chip_names[k],
                    if rises { "raises" } else { "drops" },
                    if last_ack[k] { "high" } else { "low" }
                ));
            }
            last_req[k] = c.req;
            last_ack[k] = o.chips[k].ack;
        }
    }
    Ok(())
}

/// Hex of `values`, each `bits` wide, value 0 in the least significant bits, without
/// leading zeros (`%h` reads any width; idle cycles of a wide encoder stay one digit).
fn pack_hex(values: &[u32], bits: u32) -> String {
    let total = values.len() as u32 * bits;
    let bit = |i: u32| (values[(i / bits) as usize] >> (i % bits)) & 1;
    let hex: String = (0..total.div_ceil(4))
        .rev()
        .map(|n| {
            let v = (0..4)
                .filter(|b| n * 4 + b < total && bit(n * 4 + b) == 1)
                .fold(0, |acc, b| acc | (1 << b));
            char::from_digit(v, 16).unwrap()
        })
        .collect();
    match hex.trim_start_matches('0') {
        "" => "0".to_string(),
        digits => digits.to_string(),
    }
}

fn unpack_hex(text: &str, count: usize, bits: u32) -> std::result::Result<Vec<u32>, String> {
    let mut values = vec![0u32; count];
    for (n, ch) in text.chars().rev().enumerate() {
        let d = ch
            .to_digit(16)
            .ok_or_else(|| format!("`{}` is not hex", quoted(text, 20)))?;
        for b in 0..4 {
            let i = n as u32 * 4 + b;
            if d >> b & 1 == 1 {
                if i >= count as u32 * bits {
                    return Err(format!(
                        "`{}` is wider than {} bits",
                        quoted(text, 20),
                        count as u32 * bits
                    ));
                }
                values[(i / bits) as usize] |= 1 << (i % bits);
            }
        }
    }
    Ok(values)
}

/// One line per cycle: `rst in_valid in_data` then `req addr syn_ack` per chip, all hex.
pub fn format_stimulus(inputs: &[Inputs], p: &Params) -> String {
    let mut s = String::new();
    for i in inputs {
        let _ = write!(
            s,
            "{:x} {:x} {}",
            i.rst as u8,
            i.in_valid as u8,
            pack_hex(&i.samples, p.sample_bits)
        );
        write_chips(&mut s, &i.chips);
    }
    s
}

/// The chips' fields of a stimulus line (` req addr syn_ack` each) and its end.
fn write_chips(s: &mut String, chips: &[ChipInputs]) {
    for c in chips {
        let _ = write!(s, " {:x} {:x} {:x}", c.req as u8, c.addr, c.syn_ack as u8);
    }
    s.push('\n');
}

/// The board-level top's stimulus: `rst spi_sck spi_cs_n spi_sdi` then the chips' fields.
pub fn format_board_stimulus(inputs: &[BoardInputs]) -> String {
    let mut s = String::new();
    for i in inputs {
        let h = i.host;
        let _ = write!(
            s,
            "{:x} {:x} {:x} {:x}",
            i.rst as u8, h.sck as u8, h.cs_n as u8, h.sdi
        );
        write_chips(&mut s, &i.chips);
    }
    s
}

/// Reads a stimulus of at most `max_cycles` lines (refused beyond that, before parsing on).
pub fn parse_stimulus(
    text: &str,
    p: &Params,
    max_cycles: u64,
) -> std::result::Result<Vec<Inputs>, String> {
    let fields = 3 + 3 * p.chip_sources.len();
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .enumerate()
        .map(|(k, (n, line))| {
            if k as u64 >= max_cycles {
                return Err(format!("more than {max_cycles} cycles"));
            }
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() != fields {
                return Err(format!(
                    "line {}: {} fields, expected {fields}",
                    n + 1,
                    f.len()
                ));
            }
            let num = |s: &str| {
                u32::from_str_radix(s, 16)
                    .map_err(|_| format!("line {}: `{}` is not hex", n + 1, quoted(s, 20)))
            };
            let chips = f[3..]
                .chunks(3)
                .map(|c| {
                    Ok(ChipInputs {
                        req: num(c[0])? & 1 == 1,
                        addr: num(c[1])? & ((1u64 << p.src_w) - 1) as u32,
                        syn_ack: num(c[2])? & 1 == 1,
                    })
                })
                .collect::<std::result::Result<_, String>>()?;
            Ok(Inputs {
                rst: num(f[0])? & 1 == 1,
                in_valid: num(f[1])? & 1 == 1,
                samples: unpack_hex(f[2], p.channels, p.sample_bits)
                    .map_err(|e| format!("line {}: {e}", n + 1))?,
                chips,
            })
        })
        .collect()
}
