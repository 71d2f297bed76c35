//! Verilog view model: module parameters, ROM contents as Verilog literals, top-level wiring.

use super::{Header, index_width, value_width};
use crate::compiler::board::Port;
use crate::compiler::design::{Coding, Decision, FpgaDevice};
use crate::compiler::ir::scoring_cycles;
use crate::compiler::passes::Compiled;

/// The one place that turns design names into Verilog identifiers: letters, digits and `_`
/// only, never starting with a digit, never a keyword. Validation already restricts names;
/// this keeps a name from ever carrying Verilog syntax even if that check changes.
pub fn ident(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert_str(0, "n_");
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

const KEYWORDS: &[&str] = &[
    "always",
    "assign",
    "begin",
    "case",
    "default",
    "else",
    "end",
    "endcase",
    "endfunction",
    "endgenerate",
    "endmodule",
    "for",
    "function",
    "generate",
    "genvar",
    "if",
    "initial",
    "inout",
    "input",
    "integer",
    "localparam",
    "logic",
    "module",
    "negedge",
    "output",
    "parameter",
    "posedge",
    "reg",
    "signed",
    "wire",
    "bit",
    "byte",
    "int",
    "class",
    "package",
    "interface",
];

/// A sized Verilog literal, `width'dvalue`.
fn lit(width: u32, value: u64) -> String {
    format!("{width}'d{value}")
}

/// A sized two's-complement literal of a signed value, `width'hXX`.
fn signed_lit(width: u32, value: i64) -> String {
    let mask = if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    };
    format!("{width}'h{:x}", (value as u64) & mask)
}

/// A `width`-bit hex literal with bit i set where `set(i)`.
/// For each bit of a `width`-bit index into `n` one-hot lines, the mask of the lines whose
/// index has that bit set: ORing a one-hot vector through them encodes it.
fn index_masks(n: u32, width: u32) -> Vec<RomEntry> {
    (0..width)
        .map(|bit| RomEntry {
            key: bit.to_string(),
            value: mask_lit(n, |i| (i >> bit) & 1 == 1),
        })
        .collect()
}

fn lower_encoder(net: &crate::compiler::ir::Network) -> EncoderView {
    let e = &net.encoder;
    let step = e.step_cycles.max(1);
    let step_w = value_width(step as u64 - 1);
    EncoderView {
        channels: e.channels,
        bits: e.sample_bits,
        ttfs: e.coding == Coding::Ttfs,
        step_cycles: step,
        step_w,
        step_last: lit(step_w, step as u64 - 1),
        step_one: lit(step_w, 1),
        level_one: lit(e.sample_bits, 1),
    }
}

fn mask_lit(width: u32, set: impl Fn(u32) -> bool) -> String {
    let nibbles = width.div_ceil(4);
    let digits: String = (0..nibbles)
        .rev()
        .map(|n| {
            let v = (0..4)
                .filter(|b| n * 4 + b < width && set(n * 4 + b))
                .fold(0u32, |acc, b| acc | (1 << b));
            char::from_digit(v, 16).unwrap()
        })
        .collect();
    format!("{width}'h{digits}")
}

#[derive(Debug, Clone)]
pub struct RomEntry {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone)]
pub struct EncoderView {
    pub channels: u32,
    pub bits: u32,
    /// Time-to-first-spike coding (templates/verilog/encoder_ttfs.v) rather than rate.
    pub ttfs: bool,
    /// TTFS: cycles per level and the counter that counts them.
    pub step_cycles: u32,
    pub step_w: u32,
    pub step_last: String,
    pub step_one: String,
    pub level_one: String,
}

#[derive(Debug, Clone)]
pub struct ChipIfView {
    pub src_w: u32,
    pub syn_w: u32,
}

#[derive(Debug, Clone)]
pub struct RouterView {
    pub nsrc: u32,
    pub src_w: u32,
    pub nchips: u32,
    pub chip_w: u32,
    pub syn_w: u32,
    pub ptr_w: u32,
    pub one_chip: String,
    pub ptr_one: String,
    /// Sources per group of the lowest-pending search, and the groups.
    pub group: u32,
    pub groups: u32,
    /// Bits of a source index that number it within its group (the rest number the group).
    pub local_w: u32,
    /// For each bit of a source's index within its group, the mask of a group's sources with
    /// that bit set; for each bit of a group's index, the mask of the groups with it set.
    pub local_masks: Vec<RomEntry>,
    pub group_masks: Vec<RomEntry>,
    /// First and last destination of each source with destinations.
    pub base_rom: Vec<RomEntry>,
    pub last_rom: Vec<RomEntry>,
    /// Sources with exactly one destination.
    pub single_rom: Vec<RomEntry>,
    pub dest_rom: Vec<RomEntry>,
}

#[derive(Debug, Clone)]
pub struct ReadoutView {
    pub nfeat: u32,
    pub nclass: u32,
    pub cnt_w: u32,
    pub w_w: u32,
    pub q_int: u32,
    pub q_frac: u32,
    pub prod_w: u32,
    pub acc_w: u32,
    pub win_w: u32,
    pub feat_w: u32,
    pub class_w: u32,
    /// Windows (time bins) per decision; 1 leaves out the bin counter and the frame totals.
    pub bins: u32,
    pub bin_w: u32,
    /// Width of a weight ROM address.
    pub key_w: u32,
    /// How the weight ROM is laid out, for the RTL comment.
    pub key_fields: String,
    pub key_one: String,
    pub window_last: String,
    pub win_one: String,
    pub cnt_one: String,
    pub feat_last: String,
    pub feat_one: String,
    pub class_last: String,
    pub class_one: String,
    pub bin_last: String,
    pub bin_one: String,
    pub weight_rom: Vec<RomEntry>,
    /// A first-spike decision (templates/verilog/readout_first_spike.v) rather than linear.
    pub first_spike: bool,
    pub feat_one_hot: String,
    /// For each bit of a feature index, the mask of the features whose index has it set.
    pub index_masks: Vec<RomEntry>,
    /// The features whose counters are in a block-RAM lane (the others are registers).
    pub in_lane_mask: String,
    /// The block-RAM counter lanes (one per chip that has features).
    pub lanes: Vec<LaneView>,
    /// Lanes, at least 1 (the width of the lane buses), and a 1 that wide.
    pub lane_slots: u32,
    pub lane_one: String,
    /// Width of a lane's local feature index (the largest lane's), and of a lane number.
    pub lane_w: u32,
    pub lane_id_w: u32,
    /// Per feature: {in a lane, lane, local index} (`lane_entry_w` bits; register features 0).
    pub lane_rom: Vec<RomEntry>,
    pub lane_entry_w: u32,
}

/// One lane of spike counters in block RAM: features of which at most one spikes in a cycle.
#[derive(Debug, Clone)]
pub struct LaneView {
    pub index: u32,
    /// Its features, the width of an index to them, and that width's top bit.
    pub size: u32,
    pub lw: u32,
    pub lw_msb: u32,
    /// The features of the lane, as a mask over the feature vector.
    pub hit_mask: String,
    /// For each bit of the local index, the mask of the lane's features with that bit set.
    pub idx_masks: Vec<RomEntry>,
}

#[derive(Debug, Clone)]
pub struct TopChip {
    pub name: String,
    pub index: u32,
    /// Its number on the shared bus's chip selects, as a literal of their width, and its
    /// first source among the bus's `events` (all chips' sources, in chip order).
    pub sel: String,
    pub event_offset: u32,
    pub sources: u32,
    /// Synapse inputs: every synapse address the chip is sent is below this.
    pub synapses: u32,
    pub slice: String,
    pub range: String,
}

#[derive(Debug, Clone)]
pub struct TopFeature {
    pub index: u32,
    pub source: u32,
}

#[derive(Debug, Clone)]
pub struct TopView {
    pub in_data_msb: u32,
    pub src_msb: u32,
    pub syn_msb: u32,
    pub class_msb: u32,
    pub acc_msb: u32,
    pub nsrc_msb: u32,
    pub nchips_msb: u32,
    pub nfeat_msb: u32,
    pub encoder_slice: String,
    pub encoder_range: String,
    pub chips: Vec<TopChip>,
    pub features: Vec<TopFeature>,
    /// The chips' AER ports (their own buses', or the shared one's), in harness order.
    pub aer_ports: Vec<AerPort>,
    /// The shared AER bus, when the chips share one.
    pub bus: Option<BusView>,
}

/// One AER port of the system top (and the board): `input`/`output`, the vector range
/// (`[3:0] ` for an address or chip select, empty for a handshake line), its name and top bit.
#[derive(Debug, Clone)]
pub struct AerPort {
    pub dir: &'static str,
    pub range: String,
    pub name: String,
    pub msb: u32,
}

/// The shared, time-multiplexed AER bus (templates/verilog/aer_bus.v).
#[derive(Debug, Clone)]
pub struct BusView {
    pub nchips: u32,
    pub chip_w: u32,
    pub chip_msb: u32,
    pub chip_last: String,
    pub chip_one: String,
    /// Cycles a new selection is held before the chip's request is read (the synchronizer).
    pub hold: String,
    /// The sources of all chips: the bits of `events`, and their slice of the source vector.
    pub events: u32,
    pub events_slice: String,
    /// For each bit of a chip number, the mask of the chips whose number has it set.
    pub sel_masks: Vec<RomEntry>,
}

/// The serial host link and the board-level top around the system top.
#[derive(Debug, Clone)]
pub struct LinkView {
    pub lanes: u32,
    pub lanes_msb: u32,
    /// Bits of a sample row (the encoder's in_data) and SCK rises per row.
    pub row_bits: u32,
    pub beats: u32,
    pub beat_w: u32,
    pub beat_one: String,
    /// The beat count of a complete row, as a literal of the counter's width.
    pub beat_full: String,
    pub class_w: u32,
    pub acc_w: u32,
    /// The row register after one rise: the new bits on top, shifted down by a lane width.
    pub shift_in: String,
}

/// One port of a module the co-simulation harness drives, with its top bit.
#[derive(Debug, Clone)]
pub struct PortView {
    pub name: String,
    pub msb: u32,
}

/// The co-simulation harness of one module: the stimulus gives its inputs (after clk) in
/// this order, the trace its outputs.
#[derive(Debug, Clone)]
pub struct HarnessView {
    pub module: String,
    pub inputs: Vec<PortView>,
    pub outputs: Vec<PortView>,
    /// Bytes of one cycle's stimulus word: the inputs side by side, rounded up.
    pub stimulus_bytes: u32,
    /// Top bits of that word and of the inputs in it (zero bits fill the rest).
    pub word_msb: u32,
    pub inputs_msb: u32,
}

#[derive(Debug, Clone)]
pub struct TbView {
    /// Reset is released in this cycle.
    pub reset_cycles: u32,
    pub sample_period: u32,
    /// Samples come in the cycles `sample_phase` modulo `sample_period`: the first right as
    /// reset ends.
    pub sample_phase: u32,
    pub channels: u32,
    pub sample_bits: u32,
    pub sample_msb: u32,
    /// Zero bits that widen a synapse address to 32 bits.
    pub syn_pad: u32,
    pub cycles: u64,
    /// What the smoke run must show, or it fails: this many class decisions (one per
    /// frame), and synapse events when some route starts at the encoder.
    pub decisions: u64,
    pub expect_events: bool,
    /// The last class number.
    pub class_max: u32,
}

#[derive(Debug, Clone)]
pub struct VerilogModel {
    pub h: Header,
    pub prefix: String,
    pub encoder: EncoderView,
    pub chip_if: ChipIfView,
    pub router: RouterView,
    pub readout: ReadoutView,
    pub top: TopView,
    pub tb: TbView,
    /// The host link, when the design has one.
    pub link: Option<LinkView>,
    /// The FPGA the design names, and its clock.
    pub device: Option<FpgaDevice>,
    pub clock_mhz: f64,
}

impl VerilogModel {
    /// Whether the readout counts in block-RAM lanes (a module of their own).
    pub fn has_count_lanes(&self) -> bool {
        !self.readout.first_spike && !self.readout.lanes.is_empty()
    }

    /// Module names in dependency order (leaves first, top last).
    pub fn module_names(&self) -> Vec<String> {
        [
            "encoder",
            "syn_sender",
            "chip_if",
            "aer_bus",
            "router",
            "count_lane",
            "readout",
            "top",
            "host_link",
            "board",
        ]
        .iter()
        .filter(|m| self.has_count_lanes() || **m != "count_lane")
        .filter(|m| {
            **m != if self.top.bus.is_some() {
                "chip_if"
            } else {
                "aer_bus"
            }
        })
        .filter(|m| self.link.is_some() || !matches!(**m, "host_link" | "board"))
        .map(|m| format!("{}_{m}", self.prefix))
        .collect()
    }

    /// The module that goes on the FPGA: the board-level top when there is a host link.
    pub fn hardware_top(&self) -> String {
        match self.link {
            Some(_) => format!("{}_board", self.prefix),
            None => format!("{}_top", self.prefix),
        }
    }

    /// The ports of `hardware_top`, by name (as yosys lists them), clk included.
    pub fn hardware_ports(&self) -> Vec<Port> {
        let harness = match &self.link {
            Some(l) => self.board_harness(l),
            None => self.top_harness(),
        };
        let mut ports: Vec<Port> = std::iter::once(PortView::new("clk", 0))
            .chain(harness.inputs)
            .chain(harness.outputs)
            .map(|p| Port {
                name: p.name,
                bits: p.msb as usize + 1,
            })
            .collect();
        ports.sort_by(|a, b| a.name.cmp(&b.name));
        ports
    }

    /// The co-simulation harness of the system top: parallel samples in, decisions out.
    pub fn top_harness(&self) -> HarnessView {
        let port = PortView::new;
        let t = &self.top;
        let mut inputs = vec![
            port("rst", 0),
            port("in_valid", 0),
            port("in_data", t.in_data_msb),
        ];
        inputs.extend(self.chip_inputs());
        let mut outputs = self.chip_outputs();
        outputs.extend([
            port("class_valid", 0),
            port("class_out", t.class_msb),
            port("class_score", t.acc_msb),
        ]);
        HarnessView::new(format!("{}_top", self.prefix), inputs, outputs)
    }

    /// The co-simulation harness of the board-level top: the host link's pins instead.
    pub fn board_harness(&self, l: &LinkView) -> HarnessView {
        let port = PortView::new;
        let mut inputs = vec![
            port("rst", 0),
            port("spi_sck", 0),
            port("spi_cs_n", 0),
            port("spi_sdi", l.lanes_msb),
        ];
        inputs.extend(self.chip_inputs());
        let mut outputs = self.chip_outputs();
        outputs.extend([port("irq", 0), port("spi_sdo", 0)]);
        HarnessView::new(format!("{}_board", self.prefix), inputs, outputs)
    }

    fn chip_inputs(&self) -> Vec<PortView> {
        self.aer_ports("input")
    }

    fn chip_outputs(&self) -> Vec<PortView> {
        self.aer_ports("output")
    }

    /// The AER ports of one direction, bus by bus.
    fn aer_ports(&self, dir: &str) -> Vec<PortView> {
        self.top
            .aer_ports
            .iter()
            .filter(|p| p.dir == dir)
            .map(|p| PortView::new(&p.name, p.msb))
            .collect()
    }
}

/// The AER ports of every bus: `bus_names` (the chips', or the shared bus's), each with its
/// inputs then its outputs, the chip selects last on a shared bus. The model's stimulus and
/// trace fields (cosim::stimulus, cosim::compare) keep this order.
fn lower_aer_ports(
    bus_names: &[String],
    src_msb: u32,
    syn_msb: u32,
    shared: Option<u32>,
) -> Vec<AerPort> {
    // (direction, field, top bit of an address or chip select; None for a handshake line)
    let mut fields = vec![
        ("input", "req", None),
        ("input", "addr", Some(src_msb)),
        ("input", "syn_ack", None),
        ("output", "ack", None),
        ("output", "syn_req", None),
        ("output", "syn_addr", Some(syn_msb)),
    ];
    if let Some(chip_msb) = shared {
        fields.extend([
            ("output", "sel", Some(chip_msb)),
            ("output", "syn_sel", Some(chip_msb)),
        ]);
    }
    bus_names
        .iter()
        .flat_map(|bus| {
            fields.iter().map(move |&(dir, field, msb)| AerPort {
                dir,
                range: msb.map_or(String::new(), |m| format!("[{m}:0] ")),
                name: format!("{bus}_{field}"),
                msb: msb.unwrap_or(0),
            })
        })
        .collect()
}

/// The port prefix of the shared AER bus (`aer_req`, ...).
pub const SHARED_AER_BUS: &str = "aer";

/// Cycles the shared AER bus holds a new chip select before it reads that chip's request:
/// one clock for the select to reach the chips and the newly selected one's request to come
/// back over the board, two for the request's synchronizer flops, which still hold the
/// previous chip's.
pub const AER_SELECT_HOLD: u32 = 3;
// The hold counter of aer_bus.v is 2 bits wide.
const _: () = assert!(AER_SELECT_HOLD < 4);

fn lower_bus(c: &Compiled, chip_w: u32) -> BusView {
    let chips = &c.layout.chips;
    let first = chips.first().map_or(0, |l| l.source_offset);
    let events: u32 = chips.iter().map(|l| l.sources).sum();
    // The chips' sources follow the encoder's, one chip after another (layout), so that
    // `events` is one slice of the source vector.
    debug_assert!(
        chips
            .windows(2)
            .all(|w| w[1].source_offset == w[0].source_offset + w[0].sources)
    );
    BusView {
        nchips: chips.len() as u32,
        chip_w,
        chip_msb: chip_w - 1,
        chip_last: lit(chip_w, chips.len() as u64 - 1),
        chip_one: lit(chip_w, 1),
        hold: lit(2, AER_SELECT_HOLD as u64),
        events,
        events_slice: format!("{}:{first}", first + events - 1),
        sel_masks: index_masks(chips.len() as u32, chip_w),
    }
}

/// Input samples reach the encoder every this many cycles in the smoke testbench.
const TB_SAMPLE_PERIOD: u32 = 4;
/// The smoke testbench holds reset for this many cycles.
const TB_RESET_CYCLES: u32 = 4;
/// The smoke testbench runs this many readout frames (of `bins` windows each): one decision each.
const TB_FRAMES: u64 = 3;

pub fn lower(c: &Compiled, h: &Header) -> VerilogModel {
    let net = &c.network;
    let layout = &c.layout;
    let prefix = ident(&net.name);

    let nchips = net.chips.len() as u32;
    let max_sources = layout.chips.iter().map(|l| l.sources).max().unwrap_or(1);
    let max_inputs = layout
        .chips
        .iter()
        .map(|l| l.synapse_inputs)
        .max()
        .unwrap_or(1);
    let chip_if = ChipIfView {
        src_w: index_width(max_sources as u64),
        syn_w: index_width(max_inputs as u64),
    };

    let router = lower_router(c, nchips, chip_if.syn_w);
    let readout = lower_readout(c);
    let bus = net.shared_aer_bus.then(|| lower_bus(c, router.chip_w));
    let chip_names: Vec<String> = net.chips.iter().map(|c| ident(&c.name)).collect();
    let bus_names = match bus {
        Some(_) => vec![SHARED_AER_BUS.to_string()],
        None => chip_names.clone(),
    };

    let top = TopView {
        in_data_msb: net.encoder.channels * net.encoder.sample_bits - 1,
        src_msb: chip_if.src_w - 1,
        syn_msb: chip_if.syn_w - 1,
        class_msb: readout.class_w - 1,
        acc_msb: readout.acc_w - 1,
        nsrc_msb: layout.total_sources - 1,
        nchips_msb: nchips - 1,
        nfeat_msb: readout.nfeat - 1,
        encoder_slice: format!("{}:0", net.encoder.channels - 1),
        encoder_range: format!("0..{}", net.encoder.channels - 1),
        chips: chip_names
            .iter()
            .zip(&layout.chips)
            .enumerate()
            .map(|(i, (name, l))| TopChip {
                name: name.clone(),
                index: i as u32,
                sel: lit(router.chip_w, i as u64),
                event_offset: l.source_offset - layout.chips[0].source_offset,
                sources: l.sources,
                synapses: l.synapse_inputs,
                slice: format!("{}:{}", l.source_offset + l.sources - 1, l.source_offset),
                range: format!("{}..{}", l.source_offset, l.source_offset + l.sources - 1),
            })
            .collect(),
        features: layout
            .features
            .iter()
            .enumerate()
            .map(|(i, &s)| TopFeature {
                index: i as u32,
                source: s,
            })
            .collect(),
        aer_ports: lower_aer_ports(
            &bus_names,
            chip_if.src_w - 1,
            chip_if.syn_w - 1,
            bus.as_ref().map(|b| b.chip_w - 1),
        ),
        bus,
    };

    let encoder = lower_encoder(net);
    // A TTFS frame takes a whole window: one image per window, at its start.
    let sample_period = if encoder.ttfs {
        net.readout.window_cycles
    } else {
        TB_SAMPLE_PERIOD
    };
    let tb = TbView {
        reset_cycles: TB_RESET_CYCLES,
        sample_period,
        sample_phase: TB_RESET_CYCLES % sample_period,
        channels: net.encoder.channels,
        sample_bits: net.encoder.sample_bits,
        sample_msb: net.encoder.sample_bits - 1,
        syn_pad: 32 - chip_if.syn_w,
        cycles: TB_FRAMES * net.readout.bins as u64 * net.readout.window_cycles as u64
            + scoring_cycles(net.readout.classes, c.layout.features.len() as u32)
            + 16,
        decisions: TB_FRAMES,
        class_max: net.readout.classes - 1,
        expect_events: c.routing.by_source[..net.encoder.channels as usize]
            .iter()
            .any(|d| !d.is_empty()),
    };

    let link = net
        .host_link_lanes
        .map(|lanes| lower_link(lanes, net, &readout));
    VerilogModel {
        h: h.clone(),
        prefix,
        encoder,
        chip_if,
        router,
        readout,
        top,
        tb,
        link,
        device: net.device,
        clock_mhz: net.clock_mhz,
    }
}

fn lower_link(lanes: u32, net: &crate::compiler::ir::Network, readout: &ReadoutView) -> LinkView {
    let row_bits = net.encoder.channels * net.encoder.sample_bits;
    let beats = row_bits / lanes;
    // Counts the command rise and the row's: 0 ..= beats.
    let beat_w = index_width(beats as u64 + 1);
    LinkView {
        lanes,
        lanes_msb: lanes - 1,
        row_bits,
        beats,
        beat_w,
        beat_one: format!("{beat_w}'d1"),
        beat_full: format!("{beat_w}'d{beats}"),
        class_w: readout.class_w,
        acc_w: readout.acc_w,
        shift_in: if beats == 1 {
            "sdi_sync".into()
        } else {
            "{sdi_sync, in_data[ROW_BITS-1:LANES]}".into()
        },
    }
}

impl PortView {
    fn new(name: &str, msb: u32) -> PortView {
        PortView {
            name: name.to_string(),
            msb,
        }
    }
}

impl HarnessView {
    fn new(module: String, inputs: Vec<PortView>, outputs: Vec<PortView>) -> HarnessView {
        // At least one bit: every harness drives `rst`.
        let bits: u32 = inputs.iter().map(|p| p.msb + 1).sum();
        let stimulus_bytes = bits.div_ceil(8);
        HarnessView {
            module,
            inputs,
            outputs,
            stimulus_bytes,
            word_msb: stimulus_bytes * 8 - 1,
            inputs_msb: bits - 1,
        }
    }
}

/// Sources per group of the router's lowest-pending search: the lowest pending group, then
/// the lowest source in it, two short carry chains instead of one as long as all sources
/// (336 on six_chip: 42 ns of carries on an iCE40).
const ROUTER_GROUP: u32 = 16;

fn lower_router(c: &Compiled, nchips: u32, syn_w: u32) -> RouterView {
    let nsrc = c.layout.total_sources;
    let src_w = index_width(nsrc as u64);
    let chip_w = index_width(nchips as u64);
    let ndest = c.routing.destination_count() as u64;
    let ptr_w = index_width(ndest.max(1));
    let (mut base_rom, mut last_rom, mut dest_rom) = (Vec::new(), Vec::new(), Vec::new());
    let mut single_rom = Vec::new();
    let mut next = 0u64;
    for (src, dests) in c.routing.by_source.iter().enumerate() {
        if dests.is_empty() {
            continue;
        }
        let key = lit(src_w, src as u64);
        base_rom.push(RomEntry {
            key: key.clone(),
            value: lit(ptr_w, next),
        });
        if dests.len() == 1 {
            single_rom.push(RomEntry {
                key: key.clone(),
                value: "1'b1".into(),
            });
        }
        last_rom.push(RomEntry {
            key,
            value: lit(ptr_w, next + dests.len() as u64 - 1),
        });
        for d in dests {
            dest_rom.push(RomEntry {
                key: lit(ptr_w, next),
                value: lit(
                    chip_w + syn_w,
                    ((d.chip as u64) << syn_w) | d.synapse as u64,
                ),
            });
            next += 1;
        }
    }
    // A source's index is {group, index in the group}: GROUP is a power of two.
    let local_w = src_w.min(ROUTER_GROUP.trailing_zeros());
    let groups = nsrc.div_ceil(ROUTER_GROUP);
    RouterView {
        local_w,
        local_masks: index_masks(ROUTER_GROUP, local_w),
        group_masks: index_masks(groups, src_w - local_w),
        nsrc,
        src_w,
        nchips,
        chip_w,
        syn_w,
        ptr_w,
        one_chip: lit(nchips, 1),
        ptr_one: lit(ptr_w, 1),
        group: ROUTER_GROUP,
        groups,
        base_rom,
        last_rom,
        single_rom,
        dest_rom,
    }
}

/// The counter lane of each readout feature and its index in the lane, or `None` for a
/// register counter. A lane holds the features of one chip: they arrive over its AER
/// handshake, one at a time and at least 6 cycles apart, as a lane's read-modify-write needs.
/// Encoder channels (which spike together) keep registers, and so does a source's second
/// listing (it spikes with the first).
fn count_lanes(layout: &crate::compiler::passes::place::Layout) -> Vec<Option<(u32, u32)>> {
    let chip_of = |s: u32| {
        layout
            .chips
            .iter()
            .position(|l| (l.source_offset..l.source_offset + l.sources).contains(&s))
    };
    let mut lane_of_chip: Vec<Option<u32>> = vec![None; layout.chips.len()];
    let mut members: Vec<Vec<u32>> = Vec::new();
    layout
        .features
        .iter()
        .map(|&s| {
            let chip = chip_of(s)?;
            let lane = *lane_of_chip[chip].get_or_insert_with(|| {
                members.push(Vec::new());
                members.len() as u32 - 1
            });
            let sources = &mut members[lane as usize];
            if sources.contains(&s) {
                return None;
            }
            sources.push(s);
            Some((lane, sources.len() as u32 - 1))
        })
        .collect()
}

fn lower_readout(c: &Compiled) -> ReadoutView {
    let r = &c.network.readout;
    let first_spike = r.decision == Decision::FirstSpike;
    let nfeat = c.layout.features.len() as u32;
    let (cnt_w, w_w) = (r.count_bits, r.format.width());
    let prod_w = w_w + cnt_w + 1;
    let feat_w = index_width(nfeat as u64);
    let class_w = index_width(r.classes as u64);
    let bin_w = index_width(r.bins as u64);
    let win_w = value_width(r.window_cycles as u64 - 1);
    // The ROM in the order the multiply-accumulate walks it: each bin's features, each
    // feature's classes (dense: one word per weight, so that it packs into block RAM).
    let rom_words = u64::from(r.bins) * u64::from(r.classes) * u64::from(nfeat);
    let key_w = index_width(rom_words);
    let key_fields = "address = (bin x features + feature) x classes + class";
    // A weight's column is bin x features + feature.
    let key = |cls: u64, col: u64| col * u64::from(r.classes) + cls;
    let weight_rom = c
        .readout
        .weights
        .iter()
        .enumerate()
        .flat_map(|(cls, row)| row.iter().enumerate().map(move |(col, &w)| (cls, col, w)))
        .filter(|&(_, _, w)| w != 0)
        .map(|(cls, col, w)| RomEntry {
            key: lit(key_w, key(cls as u64, col as u64)),
            value: signed_lit(w_w, w),
        })
        .collect();
    let lanes = count_lanes(&c.layout);
    let nlanes = lanes
        .iter()
        .flatten()
        .map(|&(l, _)| l + 1)
        .max()
        .unwrap_or(0);
    let lane_size = |lane: u32| lanes.iter().flatten().filter(|&&(l, _)| l == lane).count();
    let largest_lane = (0..nlanes).map(lane_size).max().unwrap_or(1) as u32;
    let lane_w = index_width(u64::from(largest_lane));
    let lane_id_w = index_width(u64::from(nlanes.max(1)));
    let lane_entry_w = 1 + lane_id_w + lane_w;
    let member = |f: u32, lane: u32| lanes[f as usize].is_some_and(|(l, _)| l == lane);
    let local = |f: u32| lanes[f as usize].map_or(0, |(_, i)| i);
    ReadoutView {
        in_lane_mask: mask_lit(nfeat, |f| lanes[f as usize].is_some()),
        lanes: (0..nlanes)
            .map(|lane| LaneView {
                index: lane,
                size: lane_size(lane) as u32,
                lw: index_width(lane_size(lane) as u64),
                lw_msb: index_width(lane_size(lane) as u64) - 1,
                hit_mask: mask_lit(nfeat, |f| member(f, lane)),
                idx_masks: (0..index_width(lane_size(lane) as u64))
                    .map(|bit| RomEntry {
                        key: bit.to_string(),
                        value: mask_lit(nfeat, |f| member(f, lane) && (local(f) >> bit) & 1 == 1),
                    })
                    .collect(),
            })
            .collect(),
        lane_slots: nlanes.max(1),
        lane_one: lit(nlanes.max(1), 1),
        lane_w,
        lane_id_w,
        lane_rom: lanes
            .iter()
            .enumerate()
            .filter_map(|(f, slot)| {
                slot.map(|(lane, i)| RomEntry {
                    key: lit(feat_w, f as u64),
                    value: lit(
                        lane_entry_w,
                        (1u64 << (lane_id_w + lane_w)) | (u64::from(lane) << lane_w) | u64::from(i),
                    ),
                })
            })
            .collect(),
        lane_entry_w,
        nfeat,
        nclass: r.classes,
        cnt_w,
        w_w,
        q_int: r.format.int_bits,
        q_frac: r.format.frac_bits,
        prod_w,
        // A frame's total sums bins x features products: no wrap for any count and weight. A
        // first-spike score is the window cycle of the winning spike, never negative.
        acc_w: if first_spike {
            win_w + 1
        } else {
            prod_w + index_width(r.bins as u64 * nfeat as u64)
        },
        win_w,
        feat_w,
        class_w,
        bins: r.bins,
        bin_w,
        key_w,
        key_fields: key_fields.to_string(),
        key_one: lit(key_w, 1),
        window_last: lit(win_w, r.window_cycles as u64 - 1),
        win_one: lit(win_w, 1),
        cnt_one: lit(cnt_w, 1),
        feat_last: lit(feat_w, nfeat as u64 - 1),
        feat_one: lit(feat_w, 1),
        class_last: lit(class_w, r.classes as u64 - 1),
        class_one: lit(class_w, 1),
        bin_last: lit(bin_w, r.bins as u64 - 1),
        bin_one: lit(bin_w, 1),
        weight_rom,
        first_spike,
        feat_one_hot: lit(nfeat, 1),
        index_masks: index_masks(nfeat, class_w),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_cannot_carry_verilog() {
        assert_eq!(ident("chip0"), "chip0");
        assert_eq!(ident("a; endmodule"), "a__endmodule");
        assert_eq!(ident("9lives"), "n_9lives");
        assert_eq!(ident("module"), "module_");
        assert_eq!(ident(""), "n_");
        assert_eq!(signed_lit(8, -128), "8'h80");
        assert_eq!(signed_lit(8, -1), "8'hff");
        assert_eq!(mask_lit(6, |i| i & 1 == 1), "6'h2a");
        assert_eq!(mask_lit(5, |i| i >= 4), "5'h10");
    }
}
