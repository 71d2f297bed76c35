//! Atomic output: everything is written into a temporary folder beside the target, which
//! then replaces the target in one rename. A failed build leaves the old output as it was.

use super::error::{Error, Result};
use std::fs;
use std::path::Path;

/// Writes `files` (path inside `target`, '/'-separated, and contents) as the complete
/// contents of `target`.
/// Refuses to replace an existing non-empty folder that has no `manifest.json`, so a wrong
/// `-o` never wipes a folder snngen did not write.
pub fn write_atomic<'a>(
    target: &Path,
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<()> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Output { path, source }
    };
    if target.exists() && !is_replaceable(target) {
        return Err(Error::Usage(format!(
            "refusing to replace {}: it is not empty and has no manifest.json, so snngen did not write it",
            target.display()
        )));
    }
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    };
    fs::create_dir_all(&parent).map_err(io(&parent))?;
    let staging = tempfile::Builder::new()
        .prefix(".snngen-new-")
        .tempdir_in(&parent)
        .map_err(io(&parent))?;
    for (name, contents) in files {
        let path = staging.path().join(name);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(io(dir))?;
        }
        fs::write(&path, contents).map_err(io(&path))?;
    }
    if target.exists() {
        // Move the old output aside first; it is deleted only after the new one is in place.
        let old = tempfile::Builder::new()
            .prefix(".snngen-old-")
            .tempdir_in(&parent)
            .map_err(io(&parent))?;
        let aside = old.path().join("out");
        fs::rename(target, &aside).map_err(io(target))?;
        if let Err(e) = fs::rename(staging.path(), target) {
            let _ = fs::rename(&aside, target);
            return Err(io(target)(e));
        }
        drop(old);
    } else {
        fs::rename(staging.path(), target).map_err(io(target))?;
    }
    // The staging folder now lives on as the target; keep TempDir from deleting it.
    let _ = staging.keep();
    Ok(())
}

fn is_replaceable(dir: &Path) -> bool {
    dir.is_dir()
        && (dir.join("manifest.json").is_file()
            || fs::read_dir(dir)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false))
}
