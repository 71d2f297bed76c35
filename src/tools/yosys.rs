//! yosys: structural checks (multiple drivers, missing modules) and iCE40 synthesis counts.

use super::{ToolError, path_args, run};
use regex::Regex;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

fn read_script(files: &[PathBuf]) -> String {
    format!("read_verilog -sv {}", path_args(files).join(" "))
}

/// `hierarchy -check; proc; check -assert`: fails on multiple drivers, undriven or missing
/// modules. (A `check` after synthesis misses multiple drivers, so this runs on the RTL.)
pub fn check(files: &[PathBuf], top: &str, dir: &Path) -> Result<(), ToolError> {
    let script = format!(
        "{}; hierarchy -check -top {top}; proc; check -assert",
        read_script(files)
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

static CELL_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^\s+(SB_[A-Z0-9_]+)\s+(\d+)\s*$").unwrap());

pub fn synth_ice40(files: &[PathBuf], top: &str, dir: &Path) -> Result<SynthStats, ToolError> {
    let script = format!(
        "{}; synth_ice40 -top {top}; tee -o synth_stat.txt stat",
        read_script(files)
    );
    run("yosys", &["-q".into(), "-p".into(), script], dir)?;
    let text =
        std::fs::read_to_string(dir.join("synth_stat.txt")).map_err(|source| ToolError::Io {
            tool: "yosys".into(),
            source,
        })?;
    let mut cells = BTreeMap::new();
    for c in CELL_LINE.captures_iter(&text) {
        *cells.entry(c[1].to_string()).or_insert(0) += c[2].parse::<u64>().unwrap_or(0);
    }
    let sum = |pred: &dyn Fn(&str) -> bool| -> u64 {
        cells.iter().filter(|(k, _)| pred(k)).map(|(_, v)| v).sum()
    };
    Ok(SynthStats {
        luts: sum(&|k| k == "SB_LUT4"),
        flip_flops: sum(&|k| k.starts_with("SB_DFF")),
        ram_blocks: sum(&|k| k.starts_with("SB_RAM")),
        cells,
    })
}
