//! The library's error type and the CLI exit code of each kind.

use crate::diag::Diagnostics;
use crate::runner::ToolError;
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
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Mismatch(_) => 1,
            Error::Input(_) | Error::Usage(_) | Error::Data { .. } => 2,
            Error::Output { .. } | Error::Tool(_) | Error::Render(_) => 3,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
