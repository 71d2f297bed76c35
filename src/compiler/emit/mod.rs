//! Rendering: askama templates over the lowered view models, plus the manifest and the
//! FuseSoC core file. Everything is rendered in memory; `flows::build` writes it atomically.
//! `deck` renders the single-cell decks that characterization and Monte-Carlo run.

pub mod deck;
pub mod spin;

use crate::compiler::board::{DeviceSpec, pins};
use crate::compiler::lower::Header;
use crate::compiler::lower::spice::SpiceDeck;
use crate::compiler::lower::verilog::{BusView, HarnessView, LinkView, VerilogModel};
use crate::support::hash::sha256_hex;
use askama::Template;
use serde::Serialize;

/// One emitted file: its path inside the output directory ('/'-separated) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmittedFile {
    pub path: String,
    pub contents: String,
}

macro_rules! verilog_template {
    ($name:ident, $path:literal) => {
        #[derive(Template)]
        #[template(path = $path, escape = "none")]
        struct $name<'a> {
            v: &'a VerilogModel,
            h: &'a Header,
        }
    };
}

verilog_template!(EncoderTemplate, "verilog/encoder.v");
verilog_template!(TtfsEncoderTemplate, "verilog/encoder_ttfs.v");
verilog_template!(FirstSpikeReadoutTemplate, "verilog/readout_first_spike.v");
verilog_template!(ChipIfTemplate, "verilog/chip_if.v");
verilog_template!(SynSenderTemplate, "verilog/syn_sender.v");
verilog_template!(RouterTemplate, "verilog/router.v");
verilog_template!(ReadoutTemplate, "verilog/readout.v");
verilog_template!(CountLaneTemplate, "verilog/count_lane.v");
verilog_template!(TopTemplate, "verilog/top.v");
verilog_template!(TestbenchTemplate, "tb/tb.sv");

/// The host link and the board-level top, over the link's view.
macro_rules! link_template {
    ($name:ident, $path:literal) => {
        #[derive(Template)]
        #[template(path = $path, escape = "none")]
        struct $name<'a> {
            v: &'a VerilogModel,
            l: &'a LinkView,
            h: &'a Header,
        }
    };
}

link_template!(HostLinkTemplate, "verilog/host_link.v");

#[derive(Template)]
#[template(path = "verilog/aer_bus.v", escape = "none")]
struct AerBusTemplate<'a> {
    v: &'a VerilogModel,
    b: &'a BusView,
    h: &'a Header,
}
link_template!(BoardTemplate, "verilog/board.v");

#[derive(Template)]
#[template(path = "tb/cosim.sv", escape = "none")]
struct CosimTemplate<'a> {
    name: &'a str,
    hv: &'a HarnessView,
    h: &'a Header,
}

#[derive(Template)]
#[template(path = "spice/chip.cir", escape = "none")]
struct NetlistTemplate<'a> {
    d: &'a SpiceDeck,
    h: &'a Header,
}

#[derive(Template)]
#[template(path = "spice/chip_run.cir", escape = "none")]
struct RunFileTemplate<'a> {
    d: &'a SpiceDeck,
    h: &'a Header,
}

#[derive(Template)]
#[template(path = "fusesoc.core", escape = "none")]
struct CoreTemplate<'a> {
    v: &'a VerilogModel,
    rtl: &'a [String],
    tb: &'a str,
    bitstream: Option<BitstreamView>,
}

/// The core's bitstream target: the design's device, its board and pin file.
struct BitstreamView {
    device: &'static str,
    board: &'static str,
    pcf: String,
    nextpnr_options: String,
}

/// The pin file of the design's top-level ports on its device's board, when it names a
/// device and the ports fit the board's pins.
fn board_pins(v: &VerilogModel) -> Option<(EmittedFile, BitstreamView)> {
    let spec = DeviceSpec::of(v.device?);
    let pcf = pins::generate(&v.hardware_ports(), spec, &v.prefix)?;
    let path = format!("pcf/{}_{}.pcf", v.prefix, spec.device.name());
    let mut args: Vec<String> = spec.nextpnr_args.iter().map(|a| a.to_string()).collect();
    args.extend(["--freq".into(), format!("{}", v.clock_mhz)]);
    let view = BitstreamView {
        device: spec.device.name(),
        board: spec.board,
        pcf: path.clone(),
        nextpnr_options: args.join(", "),
    };
    Some((
        EmittedFile {
            path,
            contents: pcf,
        },
        view,
    ))
}

#[derive(Template)]
#[template(path = "tb/files.f", escape = "none")]
struct FileListTemplate<'a> {
    rtl: &'a [String],
}

/// Paths of the RTL files, leaves first, as the file list and the core file name them.
pub fn rtl_paths(v: &VerilogModel) -> Vec<String> {
    v.module_names()
        .iter()
        .map(|m| format!("rtl/{m}.v"))
        .collect()
}

pub fn testbench_path(v: &VerilogModel) -> String {
    format!("tb/{}_tb.sv", v.prefix)
}

/// The co-simulation harness `snngen sim rtl` drives.
pub fn cosim_path(v: &VerilogModel) -> String {
    format!("tb/{}.sv", cosim_module(v, false))
}

/// The module name of the co-simulation harness of the system top or of the board.
pub fn cosim_module(v: &VerilogModel, board: bool) -> String {
    if board {
        format!("{}_board_cosim", v.prefix)
    } else {
        format!("{}_cosim", v.prefix)
    }
}

/// The ports of the harness `cosim_module` names; None for the board of a design without
/// a host link.
pub fn cosim_harness(v: &VerilogModel, board: bool) -> Option<HarnessView> {
    match (board, &v.link) {
        (false, _) => Some(v.top_harness()),
        (true, Some(l)) => Some(v.board_harness(l)),
        (true, None) => None,
    }
}

/// The harness `snngen sim rtl --board` drives (designs with a host link).
pub fn board_cosim_path(v: &VerilogModel) -> String {
    format!("tb/{}.sv", cosim_module(v, true))
}

/// Renders every file of a build except the manifest.
pub fn render(
    v: &VerilogModel,
    decks: &[SpiceDeck],
    models: &[(String, String)],
) -> Result<Vec<EmittedFile>, askama::Error> {
    let h = &v.h;
    let rtl = rtl_paths(v);
    // The coding and the decision pick a block's template; its module and ports stay.
    let encoder = if v.encoder.ttfs {
        TtfsEncoderTemplate { v, h }.render()?
    } else {
        EncoderTemplate { v, h }.render()?
    };
    let readout = if v.readout.first_spike {
        FirstSpikeReadoutTemplate { v, h }.render()?
    } else {
        ReadoutTemplate { v, h }.render()?
    };
    // The chips' side: an interface per chip, or the one shared bus.
    let chips = match &v.top.bus {
        Some(b) => AerBusTemplate { v, b, h }.render()?,
        None => ChipIfTemplate { v, h }.render()?,
    };
    let mut rendered = vec![
        encoder,
        SynSenderTemplate { v, h }.render()?,
        chips,
        RouterTemplate { v, h }.render()?,
    ];
    if v.has_count_lanes() {
        rendered.push(CountLaneTemplate { v, h }.render()?);
    }
    rendered.extend([readout, TopTemplate { v, h }.render()?]);
    if let Some(l) = &v.link {
        rendered.push(HostLinkTemplate { v, l, h }.render()?);
        rendered.push(BoardTemplate { v, l, h }.render()?);
    }
    let mut files: Vec<EmittedFile> = rtl
        .iter()
        .zip(rendered)
        .map(|(path, contents)| EmittedFile {
            path: path.clone(),
            contents,
        })
        .collect();
    let tb = testbench_path(v);
    files.push(EmittedFile {
        path: tb.clone(),
        contents: TestbenchTemplate { v, h }.render()?,
    });
    for board in [false, true] {
        if let Some(hv) = cosim_harness(v, board) {
            files.push(EmittedFile {
                path: if board {
                    board_cosim_path(v)
                } else {
                    cosim_path(v)
                },
                contents: CosimTemplate {
                    name: &cosim_module(v, board),
                    hv: &hv,
                    h,
                }
                .render()?,
            });
        }
    }
    files.push(EmittedFile {
        path: "tb/files.f".into(),
        contents: FileListTemplate { rtl: &rtl }.render()?,
    });
    let (pcf, bitstream) = board_pins(v).unzip();
    files.extend(pcf);
    files.push(EmittedFile {
        path: format!("{}.core", v.prefix),
        contents: CoreTemplate {
            v,
            rtl: &rtl,
            tb: &tb,
            bitstream,
        }
        .render()?,
    });
    files.extend(render_spice(h, decks, models)?);
    for f in &mut files {
        if !f.contents.ends_with('\n') {
            f.contents.push('\n');
        }
    }
    Ok(files)
}

/// Renders each chip's netlist and ngspice run file, and the device models they include.
fn render_spice(
    h: &Header,
    decks: &[SpiceDeck],
    models: &[(String, String)],
) -> Result<Vec<EmittedFile>, askama::Error> {
    let mut files = Vec::new();
    for d in decks {
        files.push(EmittedFile {
            path: format!("spice/{}", d.netlist_file),
            contents: NetlistTemplate { d, h }.render()?,
        });
        files.push(EmittedFile {
            path: format!("spice/{}", d.run_file),
            contents: RunFileTemplate { d, h }.render()?,
        });
    }
    for (name, text) in models {
        files.push(EmittedFile {
            path: format!("spice/models/{name}"),
            contents: text.clone(),
        });
    }
    for f in &mut files {
        if !f.contents.ends_with('\n') {
            f.contents.push('\n');
        }
    }
    Ok(files)
}

#[derive(Serialize)]
struct Manifest<'a> {
    snngen_version: &'a str,
    design: &'a str,
    design_hash: &'a str,
    files: Vec<ManifestEntry>,
    /// What `build --fpga` measured, when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    fpga: Option<&'a serde_json::Value>,
}

#[derive(Serialize)]
struct ManifestEntry {
    path: String,
    bytes: usize,
    sha256: String,
}

/// Where the manifest goes in a build folder.
pub const MANIFEST: &str = "manifest.json";

/// `manifest.json`: every emitted file with its size and sha256, sorted by path.
pub fn manifest(design: &str, design_hash: &str, files: &[EmittedFile]) -> EmittedFile {
    let listed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|f| (f.path.as_str(), f.contents.as_bytes()))
        .collect();
    manifest_of(design, design_hash, &listed, None)
}

/// `manifest`, of files given as bytes (a bitstream among them), with the FPGA report.
pub fn manifest_of(
    design: &str,
    design_hash: &str,
    files: &[(&str, &[u8])],
    fpga: Option<&serde_json::Value>,
) -> EmittedFile {
    let mut entries: Vec<ManifestEntry> = files
        .iter()
        .filter(|(path, _)| *path != MANIFEST)
        .map(|(path, bytes)| ManifestEntry {
            path: path.to_string(),
            bytes: bytes.len(),
            sha256: sha256_hex(bytes),
        })
        .collect();
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    let m = Manifest {
        snngen_version: env!("CARGO_PKG_VERSION"),
        design,
        design_hash,
        files: entries,
        fpga,
    };
    let mut contents = serde_json::to_string_pretty(&m).expect("manifest serializes");
    contents.push('\n');
    EmittedFile {
        path: MANIFEST.into(),
        contents,
    }
}
