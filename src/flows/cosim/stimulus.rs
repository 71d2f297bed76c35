//! Stimulus of a co-simulation: seeded random traffic generated together with the model's
//! outputs, the text format of `--stimulus` files (one line per cycle, hex) both ways, and
//! the binary words the harness reads.

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

/// Appends the hex of `values`, each `bits` wide (at most 32), value 0 in the least
/// significant bits, without leading zeros (the text of `--stimulus` files: idle cycles of a
/// wide encoder stay one digit).
fn write_packed_hex(s: &mut String, values: &[u32], bits: u32) {
    // Nibbles from the least significant up.
    let mut nibbles = Vec::with_capacity((values.len() * bits as usize).div_ceil(4));
    let (mut acc, mut held) = (0u64, 0u32);
    for &v in values {
        acc |= u64::from(v & mask32(bits)) << held;
        held += bits;
        while held >= 4 {
            nibbles.push((acc & 0xf) as u8);
            acc >>= 4;
            held -= 4;
        }
    }
    if held > 0 {
        nibbles.push(acc as u8);
    }
    match nibbles.iter().rposition(|&n| n != 0) {
        None => s.push('0'),
        Some(top) => s.extend(
            nibbles[..=top]
                .iter()
                .rev()
                .map(|&n| HEX_DIGITS[n as usize] as char),
        ),
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// The low `bits` bits set.
fn mask32(bits: u32) -> u32 {
    u32::MAX.checked_shr(32 - bits.min(32)).unwrap_or(0)
}

/// The values `write_packed_hex` wrote: `count` of them, `bits` wide; refused when the hex
/// is wider than they are together.
fn unpack_hex(text: &str, count: usize, bits: u32) -> std::result::Result<Vec<u32>, String> {
    let mut values = vec![0u32; count];
    let total = count as u32 * bits;
    for (n, ch) in text.bytes().rev().enumerate() {
        let d = (ch as char)
            .to_digit(16)
            .ok_or_else(|| format!("`{}` is not hex", quoted(text, 20)))?;
        let at = n as u32 * 4;
        if d != 0 && at + (32 - d.leading_zeros()) > total {
            return Err(format!("`{}` is wider than {total} bits", quoted(text, 20)));
        }
        for b in (0..4).filter(|b| d >> b & 1 == 1) {
            let i = at + b;
            values[(i / bits) as usize] |= 1 << (i % bits);
        }
    }
    Ok(values)
}

/// One input port's value in a cycle of the harness's binary stimulus.
enum Field<'a> {
    Bits(u64),
    /// Values `bits` wide side by side, value 0 in the least significant bits.
    Packed(&'a [u32], u32),
}

/// The system top's inputs in the harness's port order (lower::verilog's `top_harness`).
fn top_fields<'a>(i: &'a Inputs, p: &Params) -> Vec<Field<'a>> {
    let mut f = vec![
        Field::Bits(i.rst as u64),
        Field::Bits(i.in_valid as u64),
        Field::Packed(&i.samples, p.sample_bits),
    ];
    chip_fields(&mut f, &i.chips);
    f
}

/// The board-level top's inputs in the harness's port order (`board_harness`).
fn board_fields(i: &BoardInputs) -> Vec<Field<'_>> {
    let h = i.host;
    let mut f = vec![
        Field::Bits(i.rst as u64),
        Field::Bits(h.sck as u64),
        Field::Bits(h.cs_n as u64),
        Field::Bits(h.sdi as u64),
    ];
    chip_fields(&mut f, &i.chips);
    f
}

fn chip_fields(f: &mut Vec<Field>, chips: &[ChipInputs]) {
    for c in chips {
        f.extend([
            Field::Bits(c.req as u64),
            Field::Bits(c.addr as u64),
            Field::Bits(c.syn_ack as u64),
        ]);
    }
}

/// The harness's stimulus (tb/<name>_cosim.sv): per cycle one word of its input ports'
/// values, `widths` bits each, the first port in the top bits, rounded up to whole bytes
/// with zeros above them and written most significant byte first, the order `$fread` fills
/// a word in.
struct PackedStimulus {
    widths: Vec<u32>,
    pad: u32,
    bytes: Vec<u8>,
    /// Bits not yet a whole byte, in the low `held` bits.
    acc: u64,
    held: u32,
}

impl PackedStimulus {
    fn new(widths: Vec<u32>, cycles: usize) -> PackedStimulus {
        let bits: u32 = widths.iter().sum();
        let bytes = bits.div_ceil(8);
        PackedStimulus {
            widths,
            pad: bytes * 8 - bits,
            bytes: Vec::with_capacity(cycles * bytes as usize),
            acc: 0,
            held: 0,
        }
    }

    /// Appends the low `width` bits of `value`, most significant first.
    fn bits(&mut self, value: u64, width: u32) {
        if width > 32 {
            self.bits(value >> 32, width - 32);
            return self.bits(value & 0xffff_ffff, 32);
        }
        self.acc = (self.acc << width) | (value & ((1u64 << width) - 1));
        self.held += width;
        while self.held >= 8 {
            self.held -= 8;
            self.bytes.push((self.acc >> self.held) as u8);
        }
    }

    /// Appends one cycle: its fields, one per port.
    fn cycle(&mut self, fields: &[Field]) -> std::result::Result<(), String> {
        if fields.len() != self.widths.len() {
            return Err(format!(
                "{} stimulus fields for the harness's {} input ports",
                fields.len(),
                self.widths.len()
            ));
        }
        self.bits(0, self.pad);
        for (field, k) in fields.iter().zip(0..) {
            let width = self.widths[k];
            match *field {
                Field::Bits(v) => self.bits(v, width),
                Field::Packed(values, bits) => {
                    let used = values.len() as u32 * bits;
                    if used > width {
                        return Err(format!("{used} bits of stimulus for a {width}-bit port"));
                    }
                    self.bits(0, width - used);
                    values.iter().rev().for_each(|&v| self.bits(v as u64, bits));
                }
            }
        }
        Ok(())
    }
}

/// The stimulus file the harness reads (see `PackedStimulus`), for ports `widths` bits wide.
pub fn pack_stimulus(
    inputs: &[Inputs],
    p: &Params,
    widths: Vec<u32>,
) -> std::result::Result<Vec<u8>, String> {
    let mut packed = PackedStimulus::new(widths, inputs.len());
    for i in inputs {
        packed.cycle(&top_fields(i, p))?;
    }
    Ok(packed.bytes)
}

/// The board-level harness's stimulus file, for ports `widths` bits wide.
pub fn pack_board_stimulus(
    inputs: &[BoardInputs],
    widths: Vec<u32>,
) -> std::result::Result<Vec<u8>, String> {
    let mut packed = PackedStimulus::new(widths, inputs.len());
    for i in inputs {
        packed.cycle(&board_fields(i))?;
    }
    Ok(packed.bytes)
}

/// One line per cycle: `rst in_valid in_data` then `req addr syn_ack` per chip, all hex.
pub fn format_stimulus(inputs: &[Inputs], p: &Params) -> String {
    let mut s = String::new();
    for i in inputs {
        let _ = write!(s, "{:x} {:x} ", i.rst as u8, i.in_valid as u8,);
        write_packed_hex(&mut s, &i.samples, p.sample_bits);
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    /// Random fields `widths` bits wide (the last one a packed pair of 7-bit values under a
    /// bit of padding), their binary word as `PackedStimulus` writes it, and the same word
    /// built as one integer.
    #[test]
    fn a_packed_cycle_is_the_ports_side_by_side_most_significant_byte_first() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let widths = vec![1, 3, 40, 33, 15];
        for _ in 0..200 {
            let bits: Vec<u64> = widths[..4]
                .iter()
                .map(|&w| rng.random::<u64>() & ((1u64 << w) - 1))
                .collect();
            let pair = [rng.random_range(0..128u32), rng.random_range(0..128u32)];
            let mut fields: Vec<Field> = bits.iter().map(|&v| Field::Bits(v)).collect();
            fields.push(Field::Packed(&pair, 7));
            let mut packed = PackedStimulus::new(widths.clone(), 1);
            packed.cycle(&fields).unwrap();

            let mut word = 0u128;
            for (&v, &w) in bits.iter().zip(&widths) {
                word = (word << w) | v as u128;
            }
            word = (word << 15) | (pair[1] as u128) << 7 | pair[0] as u128;
            let total: u32 = widths.iter().sum();
            let bytes = total.div_ceil(8) as usize;
            assert_eq!(packed.bytes, word.to_be_bytes()[16 - bytes..]);
            assert_eq!(packed.held, 0, "each cycle ends on a byte boundary");
        }
    }

    #[test]
    fn a_port_narrower_than_its_values_or_a_missing_field_is_refused() {
        let mut packed = PackedStimulus::new(vec![4, 8], 1);
        let e = packed.cycle(&[Field::Bits(1), Field::Packed(&[1, 2], 5)]);
        assert_eq!(e, Err("10 bits of stimulus for a 8-bit port".into()));
        let e = packed.cycle(&[Field::Bits(1)]);
        assert_eq!(
            e,
            Err("1 stimulus fields for the harness's 2 input ports".into())
        );
    }

    /// The hex of packed samples is the hex of their value as one integer, and reads back.
    #[test]
    fn packed_hex_is_the_values_as_one_number_and_reads_back() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for bits in [1, 3, 4, 5, 8, 12] {
            let count = 128 / bits as usize;
            for _ in 0..50 {
                // Mostly zero values, so that leading zeros are trimmed in many ways.
                let values: Vec<u32> = (0..count)
                    .map(|_| rng.random_range(0..(1u32 << bits)) * rng.random_range(0..2))
                    .collect();
                let number = values
                    .iter()
                    .rev()
                    .fold(0u128, |acc, &v| (acc << bits) | v as u128);
                let mut hex = String::new();
                write_packed_hex(&mut hex, &values, bits);
                assert_eq!(hex, format!("{number:x}"));
                assert_eq!(unpack_hex(&hex, count, bits), Ok(values));
            }
        }
        assert!(
            unpack_hex("1ff", 2, 4).is_err(),
            "9 bits do not fit two 4-bit values"
        );
        assert_eq!(unpack_hex("0ff", 2, 4), Ok(vec![15, 15]));
    }
}
