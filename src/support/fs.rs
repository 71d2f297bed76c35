//! File access with the path in every error: reading what the user named is an input error
//! (exit 2), writing output is an output error (exit 3).

use super::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Reads a file the user named.
pub fn read_input(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes one output file.
pub fn write(path: &Path, contents: impl AsRef<[u8]>) -> Result<()> {
    std::fs::write(path, contents).map_err(|source| Error::Output {
        path: path.to_path_buf(),
        source,
    })
}

/// Creates an output folder and its parents.
pub fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Output {
        path: dir.to_path_buf(),
        source,
    })
}

/// A temporary folder for scratch work (tool runs), deleted when dropped.
pub fn scratch_dir(prefix: &str) -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .map_err(|source| Error::Output {
            path: std::env::temp_dir(),
            source,
        })
}

/// Absolute form of a path (Verilator's C++ harness and tools run in other folders).
pub fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}
