//! yosys: structural checks (multiple drivers, missing modules) and iCE40 synthesis.

use super::{ToolError, path_args, run};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn read_script(files: &[PathBuf], dir: &Path) -> String {
    // Files inside the folder yosys runs in are named relative to it: yosys puts the source
    // path into the names of some wires, and a scratch folder's random name would make each
    // netlist of the same RTL differ (and miss the cache of compiled gate-level models).
    let relative: Vec<PathBuf> = files
        .iter()
        .map(|f| f.strip_prefix(dir).unwrap_or(f).to_path_buf())
        .collect();
    format!("read_verilog -sv {}", path_args(&relative).join(" "))
}

/// `hierarchy -check; proc; check -assert`: fails on multiple drivers, undriven or missing
/// modules. (A `check` after synthesis misses multiple drivers, so this runs on the RTL.)
pub fn check(files: &[PathBuf], top: &str, dir: &Path) -> Result<(), ToolError> {
    let script = format!(
        "{}; hierarchy -check -top {top}; proc; check -assert",
        read_script(files, dir)
    );
    run("yosys", &["-q".into(), "-p".into(), script], dir).map(|_| ())
}

/// Resource counts after `synth_ice40`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SynthStats {
    pub luts: u64,
    pub flip_flops: u64,
    pub ram_blocks: u64,
    /// Every cell type with its count.
    pub cells: BTreeMap<String, u64>,
}

impl SynthStats {
    /// Counts from a map of cell type to count.
    pub fn from_cells(cells: BTreeMap<String, u64>) -> SynthStats {
        let sum = |pred: &dyn Fn(&str) -> bool| -> u64 {
            cells.iter().filter(|(k, _)| pred(k)).map(|(_, v)| v).sum()
        };
        SynthStats {
            luts: sum(&|k| k == "SB_LUT4"),
            flip_flops: sum(&|k| k.starts_with("SB_DFF")),
            ram_blocks: sum(&|k| k.starts_with("SB_RAM")),
            cells,
        }
    }
}

/// What a `synth_ice40` run writes besides its counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct SynthOutputs {
    /// Map multipliers onto the UP5K's SB_MAC16 blocks (`-dsp`).
    pub dsp: bool,
    /// The mapped netlist as JSON (for nextpnr) in `netlist.json`.
    pub json: bool,
    /// The mapped netlist as Verilog over the iCE40 cell library in `gate.v`.
    pub gate_verilog: bool,
}

/// yosys's simulation models of the iCE40 cells, which a gate-level netlist instantiates:
/// `<prefix>/share/yosys/ice40/cells_sim.v` beside `<prefix>/bin/yosys` (`yosys-config
/// --datdir` would say so, but it comes only with the development package).
pub fn ice40_cell_models() -> Result<PathBuf, ToolError> {
    let yosys = super::find("yosys")?;
    let prefix = yosys
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("/"));
    let path = prefix.join("share/yosys/ice40/cells_sim.v");
    if path.is_file() {
        Ok(path)
    } else {
        Err(ToolError::Io {
            tool: "yosys".into(),
            source: std::io::Error::other(format!(
                "the iCE40 cell models are not at {} (installed with yosys)",
                path.display()
            )),
        })
    }
}

/// Icarus flags a gate-level netlist over the cell models needs (Icarus 11 does not parse
/// the ports' default values either).
pub const ICE40_CELL_IVERILOG_FLAGS: &[&str] = &["-DNO_ICE40_DEFAULT_ASSIGNMENTS"];

/// Verilator flags a gate-level netlist over the cell models needs. Without the define the
/// models give ports default values, which Verilator 5.006 does not parse; they set a
/// timescale the netlist does not; the DSP model has width warnings of its own; and a
/// netlist's words whose bits feed each other through cells look like combinational loops
/// to Verilator (UNOPTFLAT: it evaluates them correctly, only more slowly). Warnings stay
/// printed, none stops the build.
pub const ICE40_CELL_VERILATOR_FLAGS: &[&str] = &[
    "-DNO_ICE40_DEFAULT_ASSIGNMENTS",
    "-Wno-TIMESCALEMOD",
    "-Wno-WIDTH",
    "-Wno-UNOPTFLAT",
    "-Wno-fatal",
];

/// The netlist files a `synth_ice40` run writes into its folder.
pub const NETLIST_JSON: &str = "netlist.json";
pub const GATE_VERILOG: &str = "gate.v";
const STAT_JSON: &str = "synth_stat.json";

/// `synth_ice40` with LUT, flip-flop and RAM counts.
pub fn synth_ice40(files: &[PathBuf], top: &str, dir: &Path) -> Result<SynthStats, ToolError> {
    synth_ice40_with(files, top, dir, SynthOutputs::default())
}

/// `synth_ice40` writing the netlists `outputs` asks for into `dir`. The counts come from
/// `stat -json`, whose form does not change between yosys versions as the text table does.
pub fn synth_ice40_with(
    files: &[PathBuf],
    top: &str,
    dir: &Path,
    outputs: SynthOutputs,
) -> Result<SynthStats, ToolError> {
    let script = synth_script(files, top, dir, outputs);
    run("yosys", &["-q".into(), "-p".into(), script], dir)?;
    let io = |source| ToolError::Io {
        tool: "yosys".into(),
        source,
    };
    let text = std::fs::read_to_string(dir.join(STAT_JSON)).map_err(io)?;
    let cells = parse_stat_json(&text, top).ok_or_else(|| {
        io(std::io::Error::other(format!(
            "{STAT_JSON} holds no cell counts for {top}"
        )))
    })?;
    Ok(SynthStats::from_cells(cells))
}

/// The yosys script of `synth_ice40_with` (what a cached netlist is keyed by).
pub fn synth_script(files: &[PathBuf], top: &str, dir: &Path, outputs: SynthOutputs) -> String {
    let mut script = format!("{}; synth_ice40 -top {top}", read_script(files, dir));
    if outputs.dsp {
        script += " -dsp";
    }
    if outputs.json {
        script += &format!(" -json {NETLIST_JSON}");
    }
    if outputs.gate_verilog {
        script += &format!("; write_verilog -noattr {GATE_VERILOG}");
    }
    script + &format!("; tee -q -o {STAT_JSON} stat -json")
}

/// `yosys -V`: the version line.
pub fn version(dir: &Path) -> Result<String, ToolError> {
    let out = run("yosys", &["-V".into()], dir)?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The cell counts of `top` in the output of `stat -json` (module names carry a leading
/// backslash there).
fn parse_stat_json(text: &str, top: &str) -> Option<BTreeMap<String, u64>> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let module = &v["modules"][format!("\\{top}")];
    let by_type = module["num_cells_by_type"].as_object()?;
    Some(
        by_type
            .iter()
            .filter_map(|(k, n)| Some((k.clone(), n.as_u64()?)))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_json_counts_by_cell_type() {
        let text = r#"{"modules": {"\\t": {"num_cells": 4, "num_cells_by_type":
            {"SB_LUT4": 2, "SB_DFFESR": 1, "SB_DFF": 3, "SB_RAM40_4K": 1}}}}"#;
        let s = SynthStats::from_cells(parse_stat_json(text, "t").unwrap());
        assert_eq!((s.luts, s.flip_flops, s.ram_blocks), (2, 4, 1));
        assert_eq!(parse_stat_json(text, "other"), None);
    }
}
