//! The library's error type and the CLI exit code of each kind, and the error of an
//! external tool run (the tools themselves live in `tools/`).

use super::diag::Diagnostics;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The design (or a file it names) is invalid: exit code 2.
    #[error("{0}")]
    Input(Diagnostics),
    /// Bad command-line use that clap cannot see (e.g. an output folder that is not ours): exit 2.
    #[error("{0}")]
    Usage(String),
    /// A data file (recording, trained model) cannot be used: exit 2.
    #[error("{path}: {message}")]
    Data { path: PathBuf, message: String },
    /// A file the user named (stimulus, hand-edited RTL, results to resume) cannot be read:
    /// exit 2.
    #[error("cannot read {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    /// The design does not fit the FPGA it is built for: exit 2.
    #[error("{0}")]
    DoesNotFit(String),
    /// Writing the output failed: exit 3.
    #[error("cannot write {path}: {source}")]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    /// An external simulator or synthesis tool failed: exit 3.
    #[error(transparent)]
    Tool(#[from] ToolError),
    /// Generated hardware disagrees with the reference model: exit 1.
    #[error("verification failed: {0}")]
    Mismatch(String),
    /// A template failed to render: a bug in snngen, reported as a tool failure (exit 3).
    #[error("internal error while rendering templates: {0}")]
    Render(#[from] askama::Error),
}

impl Error {
    /// The error as JSON (`--json` prints it on standard output): its kind, exit code and
    /// message, and for an invalid design every diagnostic with its location.
    pub fn to_json(&self) -> serde_json::Value {
        let kind = match self {
            Error::Input(_) => "input",
            Error::Usage(_) => "usage",
            Error::DoesNotFit(_) => "does_not_fit",
            Error::Data { .. } => "data",
            Error::Read { .. } => "read",
            Error::Output { .. } => "output",
            Error::Tool(_) => "tool",
            Error::Mismatch(_) => "mismatch",
            Error::Render(_) => "internal",
        };
        let mut error = serde_json::json!({
            "kind": kind,
            "exit_code": self.exit_code(),
            "message": self.to_string(),
        });
        if let Error::Input(d) = self {
            error["design"] = d.to_json();
        }
        serde_json::json!({ "error": error })
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Mismatch(_) => 1,
            Error::Input(_)
            | Error::Usage(_)
            | Error::DoesNotFit(_)
            | Error::Data { .. }
            | Error::Read { .. } => 2,
            Error::Output { .. } | Error::Tool(_) | Error::Render(_) => 3,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// What `tools::find` suggests when a tool is missing.
pub const INSTALL_HINT: &str = "install the tools with `apt-get install -y verilator ngspice yosys iverilog ccache nextpnr-ice40 fpga-icestorm` (scripts/test does this)";

#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("`{tool}` was not found on PATH: {INSTALL_HINT}")]
    Missing { tool: String },
    #[error("could not run `{tool}`: {source}")]
    Io {
        tool: String,
        source: std::io::Error,
    },
    #[error("`{command}` failed ({status}):\n{excerpt}")]
    Failed {
        command: String,
        status: String,
        excerpt: String,
    },
    #[error(
        "`{command}` did not finish within {seconds} s and was killed (--tool-timeout)\n{excerpt}"
    )]
    Timeout {
        command: String,
        seconds: f64,
        excerpt: String,
    },
    #[error("{tool}: {message}\n{excerpt}")]
    Simulation {
        tool: String,
        message: String,
        excerpt: String,
    },
}
