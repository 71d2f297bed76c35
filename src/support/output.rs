//! Atomic output: everything is written into a staging folder beside the target, which then
//! takes the target's place in one exchange of names (renameat2 RENAME_EXCHANGE), so a kill
//! at any instant leaves either the old or the new output in place, never neither. A failed
//! build leaves the old output as it was.
//!
//! A folder is snngen's, and may be replaced, only when it holds the marker file this module
//! writes (or is empty). Staging folders carry the writer's process id: the next build
//! sweeps those whose writer is gone (killed), and Ctrl-C or SIGTERM removes the live
//! ones (`clean_staging`, called by the interrupt handler).

use super::error::{Error, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The file that marks an output folder as snngen's.
pub const MARKER: &str = ".snngen-output";
const MARKER_TEXT: &str =
    "This folder was written by snngen build and is replaced whole by the next build.\n";
const STAGING_PREFIX: &str = ".snngen-new-";
const ASIDE_PREFIX: &str = ".snngen-old-";

/// Staging folders of writes in progress, removed on an interrupt.
static IN_PROGRESS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// Held from the moment a staging folder takes the target's name until its registration
/// is updated, and by `clean_staging`: an interrupt never deletes a folder mid-rename.
static COMMIT: Mutex<()> = Mutex::new(());

/// Writes `files` (path inside `target`, '/'-separated, and contents) as the complete
/// contents of `target`. Refuses to replace an existing non-empty folder without the
/// marker, so a wrong `-o` never wipes a folder snngen did not write.
pub fn write_atomic<'a, C: AsRef<[u8]>>(
    target: &Path,
    files: impl IntoIterator<Item = (&'a str, C)>,
) -> Result<()> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Output { path, source }
    };
    if target.exists() && !is_replaceable(target) {
        return Err(Error::Usage(format!(
            "refusing to replace {}: it is not empty and has no {MARKER}, so snngen did not write it",
            target.display()
        )));
    }
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    };
    fs::create_dir_all(&parent).map_err(io(&parent))?;
    sweep_abandoned(&parent);
    let staging = Staging::new(&parent, STAGING_PREFIX).map_err(io(&parent))?;
    for (name, contents) in files {
        let path = staging.path.join(name);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(io(dir))?;
        }
        fs::write(&path, contents).map_err(io(&path))?;
    }
    fs::write(staging.path.join(MARKER), MARKER_TEXT).map_err(io(&staging.path))?;
    let _commit = COMMIT.lock().unwrap_or_else(|e| e.into_inner());
    if target.exists() {
        // One exchange of names: the new output is the target and the old one sits in the
        // staging folder's place, to be removed.
        exchange(&staging.path, target).map_err(io(target))?;
    } else {
        fs::rename(&staging.path, target).map_err(io(target))?;
        staging.forget();
    }
    Ok(())
}

/// Whether `dir` is an output folder snngen wrote (its marker) or an empty folder.
pub fn is_replaceable(dir: &Path) -> bool {
    dir.is_dir()
        && (dir.join(MARKER).is_file()
            || fs::read_dir(dir)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false))
}

/// Swaps the names of `a` and `b` atomically, or, where the file system cannot (no
/// RENAME_EXCHANGE), moves `b` aside and `a` into its place.
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
    let (ca, cb) = (c(a)?, c(b)?);
    // SAFETY: two NUL-terminated paths relative to the working folder; renameat2 only reads them.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    let err = std::io::Error::last_os_error();
    if !matches!(err.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS)) {
        return Err(err);
    }
    // Two renames: a kill between them leaves the old output in the set-aside folder, which
    // is neither registered for an interrupt nor swept (it may be the only copy).
    let parent = b.parent().unwrap_or(Path::new("."));
    let aside = tempfile::Builder::new()
        .prefix(&format!("{ASIDE_PREFIX}{}-", std::process::id()))
        .tempdir_in(parent)?;
    let old = aside.path().join("out");
    fs::rename(b, &old)?;
    if let Err(e) = fs::rename(a, b) {
        let _ = fs::rename(&old, b);
        return Err(e);
    }
    fs::rename(&old, a)
}

/// A folder `<prefix><pid>-<n>` beside the target, removed when dropped unless forgotten,
/// and on an interrupt while it exists.
struct Staging {
    path: PathBuf,
}

impl Staging {
    fn new(parent: &Path, prefix: &str) -> std::io::Result<Staging> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("{prefix}{}-", std::process::id()))
            .tempdir_in(parent)?;
        let path = dir.keep();
        in_progress().push(path.clone());
        Ok(Staging { path })
    }

    /// The folder lives on (it became the target).
    fn forget(self) {
        in_progress().retain(|p| *p != self.path);
        std::mem::forget(self);
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
        in_progress().retain(|p| *p != self.path);
    }
}

fn in_progress() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    IN_PROGRESS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes the staging folders of writes in progress (an interrupt is ending snngen),
/// after any rename in flight has finished.
pub fn clean_staging() {
    let _commit = COMMIT.lock().unwrap_or_else(|e| e.into_inner());
    for path in in_progress().drain(..) {
        let _ = fs::remove_dir_all(path);
    }
}

/// Removes staging folders in `parent` left by a writer that no longer runs (killed with
/// SIGKILL, or a crash): their names carry its process id.
fn sweep_abandoned(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // Only staging folders (a new output that never took the target's place); a
        // set-aside old output may be the only copy and is left for the user.
        let Some(rest) = name.strip_prefix(STAGING_PREFIX) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<i32>().ok()) else {
            continue;
        };
        if !process_exists(pid) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether a process `pid` runs on this machine (also when it is hidden from /proc or
/// belongs to another user: kill(pid, 0) answers EPERM then).
fn process_exists(pid: i32) -> bool {
    if pid <= 0 {
        return true;
    }
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rewrite_exchanges_the_folders_and_leaves_nothing_beside_them() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        write_atomic(&target, [("a.txt", "one")]).unwrap();
        write_atomic(&target, [("b/c.txt", "two")]).unwrap();
        assert!(!target.join("a.txt").exists());
        assert_eq!(fs::read_to_string(target.join("b/c.txt")).unwrap(), "two");
        assert!(target.join(MARKER).is_file());
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(left.len(), 1, "only the target: {left:?}");
    }

    #[test]
    fn a_folder_without_the_marker_is_not_replaced_whatever_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("mine");
        fs::create_dir(&target).unwrap();
        // A manifest.json is a common name: it does not make the folder snngen's.
        fs::write(target.join("manifest.json"), "{}").unwrap();
        let e = write_atomic(&target, [("a.txt", "x")]).unwrap_err();
        assert!(e.to_string().contains("has no .snngen-output"), "{e}");
        assert!(target.join("manifest.json").is_file());
    }

    #[test]
    fn staging_left_by_a_dead_writer_is_swept() {
        let dir = tempfile::tempdir().unwrap();
        // No process has id 2^31 - 2 (pid_max is at most 2^22).
        let dead = dir.path().join(".snngen-new-2147483646-abc");
        // Neither a name without a process id nor a set-aside old output is touched.
        let foreign = dir.path().join(".snngen-new-notapid");
        fs::create_dir(&foreign).unwrap();
        let aside = dir.path().join(".snngen-old-2147483646-abc");
        fs::create_dir(&aside).unwrap();
        fs::create_dir(&dead).unwrap();
        let mine = dir
            .path()
            .join(format!(".snngen-new-{}-x", std::process::id()));
        fs::create_dir(&mine).unwrap();
        write_atomic(&dir.path().join("out"), [("a", "b")]).unwrap();
        assert!(!dead.exists());
        assert!(mine.exists(), "a live writer's staging is left alone");
        assert!(foreign.exists() && aside.exists());
    }
}
