//! File access with the path in every error: reading what the user named is an input error
//! (exit 2), writing output is an output error (exit 3).

use super::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Reads a file the user named (at most `MAX_INPUT_BYTES`, a regular file, UTF-8).
pub fn read_input(path: &Path) -> Result<String> {
    read_text(path, MAX_INPUT_BYTES).map_err(|reason| Error::Read {
        path: path.to_path_buf(),
        reason,
    })
}

/// The largest input file snngen reads: a design, a weight matrix, a stimulus, results.
pub const MAX_INPUT_BYTES: u64 = 256 << 20;

/// Reads a regular file of at most `limit` bytes as UTF-8. Anything else is refused with
/// a reason (to follow "cannot read FILE: ") saying what it is: a FIFO or device (reading one could block or never end),
/// a file too large, bytes that are not UTF-8 (with their line and column).
pub fn read_text(path: &Path, limit: u64) -> std::result::Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        let kind = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file (a FIFO, socket or device)"
        };
        return Err(format!("it is {kind}"));
    }
    if meta.len() > limit {
        return Err(format!(
            "{} bytes, more than the {} bytes snngen reads",
            meta.len(),
            limit
        ));
    }
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(format!("more than the {limit} bytes snngen reads"));
    }
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
        format!("not UTF-8 text: an invalid byte at line {line}, column {column}")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_small_regular_utf8_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let ok = dir.path().join("ok.txt");
        std::fs::write(&ok, "a\nb").unwrap();
        assert_eq!(read_text(&ok, 10).unwrap(), "a\nb");
        assert!(read_text(&ok, 2).unwrap_err().contains("more than"));
        assert!(read_text(dir.path(), 10).unwrap_err().contains("a folder"));
        assert!(
            read_text(Path::new("/dev/zero"), 10)
                .unwrap_err()
                .contains("not a regular file")
        );
        let bad = dir.path().join("bad.txt");
        std::fs::write(&bad, b"ab\ncd\xffe").unwrap();
        assert_eq!(
            read_text(&bad, 100).unwrap_err(),
            "not UTF-8 text: an invalid byte at line 2, column 3"
        );
    }
}
