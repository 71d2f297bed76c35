//! `--backend slurm` through a real, throwaway single-node Slurm (munged, slurmctld, slurmd
//! started by scripts/slurm-local in a temp folder on the fixed ports 6817/6818, stopped by
//! PID however the test ends). The scenarios share one cluster and run in sequence.

use crate::common;

use common::{require_tool, root};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A running local cluster; dropping it (also on a failed assertion) stops its daemons.
struct LocalSlurm {
    base: tempfile::TempDir,
}

impl LocalSlurm {
    fn start() -> LocalSlurm {
        let base = tempfile::tempdir().unwrap();
        let cluster = LocalSlurm { base };
        let out = cluster.script("start");
        assert!(out.status.success(), "slurm-local start:\n{}", text(&out));
        cluster
    }

    fn script(&self, command: &str) -> Output {
        Command::new(root().join("scripts/slurm-local"))
            .args([command, &self.base.path().display().to_string()])
            .output()
            .unwrap()
    }

    fn conf(&self) -> PathBuf {
        self.base.path().join("etc/slurm.conf")
    }
}

impl Drop for LocalSlurm {
    fn drop(&mut self) {
        let _ = self.script("stop");
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A small sweep: 13 runs (nominal and 12 draws) at three temperatures, 39 ngspice runs.
fn mc_args(out: &Path) -> Vec<String> {
    [
        "mc",
        "designs/single_lif.yaml",
        "--runs",
        "12",
        "--temps",
        "-20,27,85",
        "--seed",
        "5",
        "-q",
        "-o",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([out.display().to_string()])
    .collect()
}

fn snngen_command(cluster: &LocalSlurm, args: &[String]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_snngen"));
    cmd.args(args)
        .current_dir(root())
        .env("SLURM_CONF", cluster.conf())
        .stdin(Stdio::null());
    cmd
}

fn run(cluster: &LocalSlurm, args: &[String]) -> Output {
    let child = snngen_command(cluster, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    finish(cluster, child)
}

/// Waits for snngen, at most LIMIT: a sweep of seconds that takes minutes hangs, and the
/// cluster's logs say why.
fn finish(cluster: &LocalSlurm, mut child: std::process::Child) -> Output {
    const LIMIT: Duration = Duration::from_secs(240);
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > LIMIT {
            child.kill().unwrap();
            let log = |name: &str| {
                std::fs::read_to_string(cluster.base.path().join("log").join(name))
                    .unwrap_or_default()
            };
            let tail = |t: String| t.lines().rev().take(30).collect::<Vec<_>>().join("\n");
            panic!(
                "snngen ran over {LIMIT:?}; squeue: {}\nslurmctld.log (last lines first):\n{}\nslurmd.log:\n{}",
                text(
                    &Command::new("squeue")
                        .env("SLURM_CONF", cluster.conf())
                        .output()
                        .unwrap()
                ),
                tail(log("slurmctld.log")),
                tail(log("slurmd.log"))
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// `--backend slurm` in tasks of `chunk` runs, and `extra`.
fn slurm(chunk: u32, extra: &[&str]) -> Vec<String> {
    let chunk = chunk.to_string();
    ["--backend", "slurm", "--array-chunk", &chunk]
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect()
}

fn results(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("results.csv")).unwrap()
}

#[test]
fn slurm_sweeps_match_the_local_runner_through_crashes_retries_and_a_controller_restart() {
    for tool in [
        "ngspice",
        "sbatch",
        "squeue",
        "scancel",
        "munged",
        "slurmctld",
        "slurmd",
    ] {
        if !require_tool(tool) {
            return;
        }
    }
    let cluster = LocalSlurm::start();
    let tmp = tempfile::tempdir().unwrap();
    let local = tmp.path().join("local");
    let out = run(&cluster, &mc_args(&local));
    assert!(out.status.success(), "{}", text(&out));
    let expected = results(&local);
    assert_eq!(expected.lines().count(), 1 + 13 * 3);

    // Four tasks of up to four runs; task 1 crashes on its first submission and is retried.
    let array = tmp.path().join("array");
    let args = [
        mc_args(&array),
        slurm(4, &["--inject-task-crash-once", "1"]),
    ]
    .concat();
    let out = run(&cluster, &args);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(results(&array), expected, "slurm rows differ from local");
    assert!(array.join("slurm/task_1.crashed").exists());

    // Task 2 crashes on every submission: retried once, then its runs (8..=11) are failed
    // rows and every other row is the local one.
    let failing = tmp.path().join("failing");
    let args = [mc_args(&failing), slurm(4, &["--inject-task-crash", "2"])].concat();
    let out = run(&cluster, &args);
    assert!(out.status.success(), "{}", text(&out));
    let got = results(&failing);
    assert_eq!(got.lines().count(), expected.lines().count());
    for (g, e) in got.lines().zip(expected.lines()) {
        let run: u32 = e.split(',').next().unwrap().parse().unwrap_or(u32::MAX);
        if (8..=11).contains(&run) {
            assert!(
                g.contains(",failed: slurm task 2 failed every submission,"),
                "{g}"
            );
        } else {
            assert_eq!(g, e);
        }
    }

    // slurmctld is killed mid-sweep; snngen, told to wait no longer for it, stops and says
    // to resume. A dying node leaves a task's rows cut short. With the controller back,
    // --resume finishes the sweep to the same bytes.
    let restarted = tmp.path().join("restarted");
    let args = [mc_args(&restarted), slurm(1, &[])].concat();
    let child = snngen_command(&cluster, &args)
        .env("SNNGEN_SLURM_WAIT", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let first_rows = restarted.join("slurm/task_0.csv");
    let start = Instant::now();
    while !first_rows.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no task finished"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let killed = cluster.script("ctld-kill");
    assert!(killed.status.success(), "{}", text(&killed));
    let out = finish(&cluster, child);
    let said = text(&out);
    // Most of the 13 tasks were still to run, and none starts without the controller.
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("rerun with --resume"), "{said}");
    let cut = std::fs::read_to_string(&first_rows).unwrap();
    std::fs::write(&first_rows, &cut[..cut.len() / 2]).unwrap();
    let restarted_ctld = cluster.script("ctld-start");
    assert!(restarted_ctld.status.success(), "{}", text(&restarted_ctld));
    let resume = [args.clone(), vec!["--resume".into()]].concat();
    let out = run(&cluster, &resume);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        results(&restarted),
        expected,
        "resumed rows differ from local"
    );

    // The robustness sweep of `train` (six_chip, speakers george and jackson, 3 draws at two
    // temperatures): the same robustness.csv and table through Slurm as here.
    if let Some(fsdd) = common::fsdd_dir() {
        let data = tmp.path().join("fsdd");
        std::fs::create_dir(&data).unwrap();
        for entry in std::fs::read_dir(&fsdd).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let f: Vec<&str> = name.trim_end_matches(".wav").split('_').collect();
            let keep = f.len() == 3 && ["george", "jackson"].contains(&f[1]) && f[2].len() == 1;
            if keep {
                std::os::unix::fs::symlink(fsdd.join(&name), data.join(&name)).unwrap();
            }
        }
        let train = |out: &str, backend: &[String]| {
            let out = tmp.path().join(out);
            let mut args: Vec<String> = [
                "train",
                "designs/six_chip.yaml",
                "--validate-speaker",
                "jackson",
                "--mismatch-runs",
                "3",
                "--temps",
                "27,85",
                "-q",
                "--data",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            args.extend([
                data.display().to_string(),
                "-o".into(),
                out.display().to_string(),
            ]);
            args.extend(backend.iter().cloned());
            let run = run(&cluster, &args);
            assert!(run.status.success(), "{}", text(&run));
            let csv = std::fs::read_to_string(out.join("robustness.csv")).unwrap();
            (String::from_utf8_lossy(&run.stdout).into_owned(), csv)
        };
        let (local_table, local_csv) = train("train-local", &[]);
        let (slurm_table, slurm_csv) = train("train-slurm", &slurm(2, &[]));
        assert_eq!(local_csv.lines().count(), 1 + 2 * 4);
        assert_eq!(slurm_csv, local_csv);
        // The robustness table (the training time above it differs run to run).
        let table = |t: &str| {
            let rows: Vec<String> = t
                .lines()
                .skip_while(|l| !l.starts_with("temp C"))
                .filter(|l| !l.contains("written to"))
                .map(String::from)
                .collect();
            assert_eq!(rows.len(), 3, "{t}");
            rows
        };
        assert_eq!(table(&slurm_table), table(&local_table));
    }

    // Bad input: a partition that does not exist, no sbatch on PATH, a Slurm flag without
    // --backend slurm.
    let bad = tmp.path().join("bad");
    let args = [mc_args(&bad), slurm(4, &["--partition", "nosuch"])].concat();
    let out = run(&cluster, &args);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("Invalid partition name"),
        "{}",
        text(&out)
    );
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let ngspice = snngen::tools::find("ngspice").unwrap();
    std::os::unix::fs::symlink(ngspice, bin.join("ngspice")).unwrap();
    let mut no_sbatch = snngen_command(&cluster, &[mc_args(&bad), slurm(4, &[])].concat());
    no_sbatch
        .env("PATH", &bin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = finish(&cluster, no_sbatch.spawn().unwrap());
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("apt-get install slurm-client"),
        "{}",
        text(&out)
    );
    let args = [mc_args(&bad), vec!["--partition".into(), "debug".into()]].concat();
    let out = run(&cluster, &args);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("--partition is for --backend slurm"));
}
