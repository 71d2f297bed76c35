//! nextpnr-ice40 (place and route) and icepack (bitstream).

use super::{ToolError, run, spawn};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::LazyLock;

/// Where nextpnr puts the design and how fast it must run.
#[derive(Debug, Clone)]
pub struct PnrJob<'a> {
    /// Device flag and package, e.g. `["--hx8k", "--package", "ct256"]`.
    pub device_args: &'a [&'a str],
    /// The clock target (MHz).
    pub freq_mhz: f64,
    /// Pin constraints (without, nextpnr places the IO itself).
    pub pcf: Option<&'a Path>,
}

/// Used and available cells of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Usage {
    pub used: u64,
    pub available: u64,
}

impl Usage {
    /// Used, in percent of available.
    pub fn percent(&self) -> f64 {
        100.0 * self.used as f64 / self.available.max(1) as f64
    }
}

/// The slowest path of a clock domain.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CriticalPath {
    pub from: String,
    pub to: String,
    pub delay_ns: f64,
    pub logic_ns: f64,
    pub routing_ns: f64,
}

/// What a place and route run measured.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PnrReport {
    /// Achieved Fmax of each clock (MHz).
    pub fmax_mhz: BTreeMap<String, f64>,
    /// Per bel type (ICESTORM_LC, ICESTORM_RAM, SB_IO, ...).
    pub utilization: BTreeMap<String, Usage>,
    pub critical_paths: Vec<CriticalPath>,
}

/// A finished nextpnr run: its log, and its report when it placed and routed the design.
#[derive(Debug)]
pub struct PnrRun {
    pub log: String,
    pub report: Option<PnrReport>,
    /// The "Device utilisation" table of the log (written before placement, so also there
    /// when the design does not fit).
    pub utilization: BTreeMap<String, Usage>,
}

/// Places and routes `netlist.json` in `dir` into `design.asc`. A missed clock target is
/// not a failure here (`--timing-allow-fail`): the report says by how much.
pub fn place_and_route(job: &PnrJob, dir: &Path) -> Result<PnrRun, ToolError> {
    let mut args: Vec<String> = job.device_args.iter().map(|s| s.to_string()).collect();
    args.extend(
        [
            "--json",
            "netlist.json",
            "--asc",
            "design.asc",
            "--report",
            "report.json",
            "--timing-allow-fail",
            "--seed",
            "1",
            "--freq",
        ]
        .map(String::from),
    );
    args.push(format!("{}", job.freq_mhz));
    if let Some(pcf) = job.pcf {
        args.push("--pcf".into());
        args.push(pcf.display().to_string());
    }
    let output = spawn("nextpnr-ice40", &args, dir, &[])?;
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let utilization = parse_utilization(&log);
    let report = if output.status.success() {
        let text =
            std::fs::read_to_string(dir.join("report.json")).map_err(|source| ToolError::Io {
                tool: "nextpnr-ice40".into(),
                source,
            })?;
        Some(parse_report(&text).ok_or_else(|| ToolError::Simulation {
            tool: "nextpnr-ice40".into(),
            message: "report.json is not the report nextpnr 0.4 writes".into(),
            excerpt: text.chars().take(400).collect(),
        })?)
    } else {
        None
    };
    Ok(PnrRun {
        log,
        report,
        utilization,
    })
}

/// `icepack design.asc design.bin` in `dir`.
pub fn icepack(dir: &Path) -> Result<(), ToolError> {
    run("icepack", &["design.asc".into(), "design.bin".into()], dir).map(|_| ())
}

static UTIL_LINE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?m)^Info:\s+([A-Z0-9_]+):\s+(\d+)/\s*(\d+)\s+\d+%").expect("valid regex")
});

fn parse_utilization(log: &str) -> BTreeMap<String, Usage> {
    UTIL_LINE
        .captures_iter(log)
        .filter_map(|c| {
            Some((
                c[1].to_string(),
                Usage {
                    used: c[2].parse().ok()?,
                    available: c[3].parse().ok()?,
                },
            ))
        })
        .collect()
}

/// nextpnr 0.4's `--report` JSON: `fmax`, `utilization` and `critical_paths`.
fn parse_report(text: &str) -> Option<PnrReport> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let fmax_mhz = v["fmax"]
        .as_object()?
        .iter()
        .filter_map(|(clock, f)| Some((clock.clone(), f["achieved"].as_f64()?)))
        .collect();
    let utilization = v["utilization"]
        .as_object()?
        .iter()
        .filter_map(|(bel, u)| {
            Some((
                bel.clone(),
                Usage {
                    used: u["used"].as_u64()?,
                    available: u["available"].as_u64()?,
                },
            ))
        })
        .collect();
    let critical_paths = v["critical_paths"]
        .as_array()
        .map(|paths| paths.iter().filter_map(critical_path).collect())
        .unwrap_or_default();
    Some(PnrReport {
        fmax_mhz,
        utilization,
        critical_paths,
    })
}

fn critical_path(p: &serde_json::Value) -> Option<CriticalPath> {
    let steps = p["path"].as_array()?;
    let delay = |kind: &str| -> f64 {
        steps
            .iter()
            .filter(|s| kind.is_empty() || s["type"] == kind)
            .filter_map(|s| s["delay"].as_f64())
            .sum()
    };
    let cell = |s: Option<&serde_json::Value>, end: &str| -> String {
        s.and_then(|s| s[end]["cell"].as_str())
            .unwrap_or("?")
            .to_string()
    };
    Some(CriticalPath {
        from: cell(steps.first(), "from"),
        to: cell(steps.last(), "to"),
        delay_ns: delay(""),
        logic_ns: delay("logic") + delay("clk-to-q") + delay("setup"),
        routing_ns: delay("routing"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utilisation_table_is_read_from_the_log() {
        let log = "Info: Device utilisation:\nInfo: \t         ICESTORM_LC: 13522/ 7680   176%\n\
                   Info: \t               SB_IO:   519/  256   202%\n";
        let u = parse_utilization(log);
        assert_eq!(
            u["ICESTORM_LC"],
            Usage {
                used: 13522,
                available: 7680
            }
        );
        assert_eq!(u["SB_IO"].used, 519);
    }

    #[test]
    fn report_gives_fmax_utilization_and_the_path() {
        let text = r#"{"fmax": {"clk": {"achieved": 63.8, "constraint": 50}},
            "utilization": {"ICESTORM_LC": {"available": 7680, "used": 246}},
            "critical_paths": [{"from": "posedge clk", "to": "posedge clk", "path": [
              {"type": "clk-to-q", "delay": 0.5, "from": {"cell": "a"}, "to": {"cell": "a"}},
              {"type": "routing", "delay": 1.5, "from": {"cell": "a"}, "to": {"cell": "b"}},
              {"type": "logic", "delay": 0.4, "from": {"cell": "b"}, "to": {"cell": "b"}},
              {"type": "setup", "delay": 0.1, "from": {"cell": "b"}, "to": {"cell": "c"}}]}]}"#;
        let r = parse_report(text).unwrap();
        assert_eq!(r.fmax_mhz["clk"], 63.8);
        assert_eq!(r.utilization["ICESTORM_LC"].used, 246);
        let p = &r.critical_paths[0];
        assert_eq!((p.from.as_str(), p.to.as_str()), ("a", "c"));
        assert!((p.delay_ns - 2.5).abs() < 1e-12 && (p.logic_ns - 1.0).abs() < 1e-12);
    }
}
