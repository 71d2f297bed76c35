//! `snngen bench fpga`: the FPGA flow (yosys, nextpnr-ice40, icepack) on designs, each with a
//! bus per chip and with the shared AER bus in the same run: logic cells, RAM blocks, pins,
//! Fmax and the two tools' times side by side.

use crate::compiler::design::{AerBus, FpgaDevice, load_design};
use crate::compiler::{Rendered, render_loaded};
use crate::flows::build::{FpgaRequest, fpga_target, place_and_route};
use crate::flows::fpga::FpgaTarget;
use crate::support::error::{Error, Result};
use crate::support::progress::Verbosity;
use crate::tools::nextpnr::Usage;
use serde::Serialize;
use std::path::Path;

/// One design on one device with one kind of AER bus.
#[derive(Debug, Clone, Serialize)]
pub struct FpgaRow {
    pub design: String,
    pub device: &'static str,
    pub aer_bus: &'static str,
    /// `None` when the design does not fit; `why` then says by how much.
    pub logic_cells: Option<Usage>,
    pub ram_blocks: Option<Usage>,
    pub io: Option<Usage>,
    pub fmax_mhz: Option<f64>,
    pub clock_mhz: f64,
    pub yosys_seconds: Option<f64>,
    pub nextpnr_seconds: Option<f64>,
    pub why: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FpgaBench {
    pub rows: Vec<FpgaRow>,
}

impl FpgaBench {
    pub fn table(&self) -> String {
        let mut t = format!(
            "{:<16} {:<11} {:<8} {:>14} {:>5} {:>5} {:>16} {:>8} {:>9}\n",
            "design",
            "device",
            "AER bus",
            "logic cells",
            "RAM",
            "IO",
            "Fmax (target)",
            "yosys s",
            "nextpnr s"
        );
        let used = |v: &Option<Usage>| v.as_ref().map_or("-".to_string(), |v| v.used.to_string());
        let secs = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1}"));
        for r in &self.rows {
            let cells = match &r.logic_cells {
                Some(c) => format!("{} / {}", c.used, c.available),
                None => "does not fit".to_string(),
            };
            let fmax = r
                .fmax_mhz
                .map_or("-".to_string(), |f| format!("{f:.1} ({:.0})", r.clock_mhz));
            t += &format!(
                "{:<16} {:<11} {:<8} {:>14} {:>5} {:>5} {:>16} {:>8} {:>9}\n",
                r.design,
                r.device,
                r.aer_bus,
                cells,
                used(&r.ram_blocks),
                used(&r.io),
                fmax,
                secs(r.yosys_seconds),
                secs(r.nextpnr_seconds)
            );
        }
        for r in self.rows.iter().filter(|r| r.why.is_some()) {
            t += &format!(
                "{} ({}, {} bus): {}\n",
                r.design,
                r.device,
                r.aer_bus,
                r.why.as_deref().unwrap_or("")
            );
        }
        t
    }
}

/// Runs the flow on every design for `device` (else each design's own), with a bus per
/// chip and with the shared bus. Every design is read and lowered first, so that a bad one
/// stops the run before any place and route.
pub fn run(
    designs: &[&Path],
    device: Option<FpgaDevice>,
    verbosity: Verbosity,
) -> Result<FpgaBench> {
    let mut jobs = Vec::new();
    for path in designs {
        for bus in [AerBus::PerChip, AerBus::Shared] {
            jobs.push(prepare(path, device, bus, verbosity)?);
        }
    }
    let rows = jobs
        .iter()
        .map(|(r, target, bus)| row(r, target, *bus))
        .collect::<Result<Vec<_>>>()?;
    Ok(FpgaBench { rows })
}

/// The design with its AER bus set to `bus`, lowered, and what to implement it on.
fn prepare(
    path: &Path,
    device: Option<FpgaDevice>,
    bus: AerBus,
    verbosity: Verbosity,
) -> Result<(Rendered, FpgaTarget, AerBus)> {
    let mut loaded = load_design(path).map_err(Error::Input)?;
    loaded.design.fpga.aer_bus = bus;
    let r = render_loaded(loaded)?;
    let request = FpgaRequest {
        device,
        pcf: None,
        verbosity,
    };
    let target = fpga_target(&r, &request, path)?;
    Ok((r, target, bus))
}

fn row(r: &Rendered, target: &FpgaTarget, bus: AerBus) -> Result<FpgaRow> {
    let mut row = FpgaRow {
        design: r.compiled.network.name.clone(),
        device: target.device.name(),
        aer_bus: match bus {
            AerBus::PerChip => "per chip",
            AerBus::Shared => "shared",
        },
        logic_cells: None,
        ram_blocks: None,
        io: None,
        fmax_mhz: None,
        clock_mhz: target.clock_mhz,
        yosys_seconds: None,
        nextpnr_seconds: None,
        why: None,
    };
    match place_and_route(r, target) {
        Ok(imp) => {
            let f = imp.report;
            row.logic_cells = Some(f.logic_cells);
            row.ram_blocks = Some(f.ram_blocks);
            row.io = Some(f.io);
            row.fmax_mhz = Some(f.fmax_mhz);
            row.yosys_seconds = Some(f.yosys_seconds);
            row.nextpnr_seconds = Some(f.nextpnr_seconds);
        }
        Err(Error::DoesNotFit(why)) => row.why = Some(why),
        Err(e) => return Err(e),
    }
    Ok(row)
}
