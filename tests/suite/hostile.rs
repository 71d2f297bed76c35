//! Hostile input through the command line: files that are not files, too large, not UTF-8
//! or built to be slow; names that carry terminal escapes; designs past every size limit.
//! Each must end in exit 2 with a located message, quickly, never in a panic or a hang.

use crate::common;

use common::root;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs snngen with `args` in the package root; fails the test if it runs longer than
/// `limit` (a hang) or panics.
fn snngen(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_snngen"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            panic!("snngen {args:?} ran longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "snngen {args:?} panicked:\n{stderr}"
    );
    out
}

/// Asserts exit 2 and returns standard error.
fn refused(args: &[&str], limit: Duration) -> String {
    let out = snngen(args, limit);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "snngen {args:?}:\n{stderr}");
    stderr
}

const QUICK: Duration = Duration::from_secs(5);

fn single_lif() -> String {
    std::fs::read_to_string(root().join("designs/single_lif.yaml")).unwrap()
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn files_that_are_not_small_regular_text_are_refused_without_reading_them() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.yaml");
    mkfifo(&fifo);
    let e = refused(&["check", s(&fifo)], QUICK);
    assert!(e.contains("not a regular file"), "{e}");
    let e = refused(&["check", "/dev/zero"], QUICK);
    assert!(e.contains("not a regular file"), "{e}");
    // A gigabyte (sparse: it costs no disk) is refused by its size, not read.
    let big = dir.path().join("big.yaml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    let e = refused(&["check", s(&big)], QUICK);
    assert!(e.contains("1073741824 bytes, more than"), "{e}");
    let bad = dir.path().join("latin1.yaml");
    std::fs::write(&bad, b"name: caf\xe9\n").unwrap();
    let e = refused(&["check", s(&bad)], QUICK);
    assert!(e.contains("latin1.yaml:1:10"), "{e}");
    // The same for a weight file named on the command line.
    let out = dir.path().join("out");
    let e = refused(
        &[
            "build",
            "designs/single_lif.yaml",
            "--weights",
            s(&fifo),
            "-o",
            s(&out),
        ],
        QUICK,
    );
    assert!(e.contains("not a regular file"), "{e}");
    assert!(!out.exists());
}

#[test]
fn locations_survive_a_bom_a_second_document_and_deep_nesting_is_refused_fast() {
    let dir = tempfile::tempdir().unwrap();
    let bom = dir.path().join("bom.yaml");
    let text = format!(
        "\u{feff}# a comment\n{}",
        single_lif().replace("vdd: 0.6", "vdd: 9")
    );
    std::fs::write(&bom, text).unwrap();
    let e = refused(&["check", s(&bom)], QUICK);
    let line = 1 + single_lif().lines().position(|l| l == "vdd: 0.6").unwrap() + 1;
    assert!(e.contains(&format!("bom.yaml:{line}:6")), "{e}");
    let multi = dir.path().join("multi.yaml");
    std::fs::write(&multi, format!("{}---\n{}", single_lif(), single_lif())).unwrap();
    let e = refused(&["check", s(&multi)], QUICK);
    let second = single_lif().lines().count() + 1;
    assert!(e.contains(&format!("multi.yaml:{second}:1")), "{e}");
    // 200,000 nested brackets took the first parser 54 s. Now the typed parse stops at the
    // first bracket where a name is due, and where lists are due the parser stops at 255 deep.
    let deep = dir.path().join("deep.yaml");
    std::fs::write(&deep, format!("name: {}\n", "[".repeat(200_000))).unwrap();
    let inline = single_lif()
        .lines()
        .position(|l| l.trim() == "inline:")
        .unwrap();
    let lists = dir.path().join("lists.yaml");
    let mut text: Vec<String> = single_lif().lines().map(String::from).collect();
    text[inline + 1] = format!("        - {}{}", "[".repeat(200_000), "]".repeat(200_000));
    std::fs::write(&lists, text.join("\n")).unwrap();
    let lists_at = format!("lists.yaml:{}:", inline + 2);
    for (design, at) in [(&deep, "deep.yaml:1:7"), (&lists, lists_at.as_str())] {
        let start = Instant::now();
        let e = refused(&["check", s(design)], QUICK);
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        assert!(e.contains(at), "{e}");
    }
    assert!(
        refused(&["check", s(&lists)], QUICK).contains("recursion limit exceeded"),
        "the parser's nesting limit"
    );
}

#[test]
fn inline_weights_up_to_the_file_limit_are_parsed_and_aliases_cannot_explode() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines: Vec<String> = single_lif().lines().map(String::from).collect();
    let inline = lines.iter().position(|l| l.trim() == "inline:").unwrap();
    let row = format!("        - [{}]", vec!["0.5"; 1000].join(", "));
    lines.splice(inline + 1..inline + 3, std::iter::repeat_n(row, 800));
    let big = dir.path().join("big.yaml");
    std::fs::write(&big, lines.join("\n")).unwrap();
    assert!(std::fs::metadata(&big).unwrap().len() > 4_000_000);
    // 800,000 values parse (the parser's default budget stops at 250,000 nodes); the shape
    // check then refuses them.
    let e = refused(&["check", s(&big)], QUICK);
    assert!(e.contains("expected 2 rows, found 800"), "{e}");
    // 60,000 aliases of a 10,000-value row would expand 800 KB into 600 million values; the
    // parser's replay budget (a million events) refuses them at the 100th.
    let row = format!("        - &r [{}]", vec!["0.5"; 10_000].join(", "));
    lines.splice(inline + 1..inline + 801, [row]);
    lines.splice(
        inline + 2..inline + 2,
        vec!["        - *r".to_string(); 60_000],
    );
    std::fs::write(&big, lines.join("\n")).unwrap();
    let e = refused(&["check", s(&big)], QUICK);
    assert!(e.contains("too large or too complex"), "{e}");
    assert!(
        e.contains("= field: fpga.readout.weights.inline[100]"),
        "{e}"
    );
}

#[test]
fn quoted_user_text_is_short_and_cannot_drive_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let design = dir.path().join("escape.yaml");
    let text = single_lif().replace("mode: regular", "mode: \"\\e[2J\\e]0;owned\\a\"");
    std::fs::write(&design, text).unwrap();
    let e = refused(&["check", s(&design)], QUICK);
    assert!(!e.contains('\u{1b}') && !e.contains('\u{7}'), "{e:?}");
    assert!(e.contains("\\u{1b}[2J"), "{e}");
    // A weight file that is no CSV is quoted by a few characters, not echoed.
    let passwd = dir.path().join("passwd.yaml");
    let original = single_lif();
    let lines: Vec<&str> = original.lines().collect();
    let inline = lines.iter().position(|l| l.trim() == "inline:").unwrap();
    let mut text: Vec<String> = lines[..inline].iter().map(|l| l.to_string()).collect();
    text.push("      file: /etc/passwd".into());
    text.extend(lines[inline + 3..].iter().map(|l| l.to_string()));
    std::fs::write(&passwd, text.join("\n")).unwrap();
    let e = refused(&["check", s(&passwd)], QUICK);
    assert!(e.contains("line 1, value 1: not a number"), "{e}");
    assert!(!e.contains("/bin/"), "{e}");
}

#[test]
fn designs_past_the_size_limits_are_refused_in_well_under_a_second() {
    for design in [
        "designs/errors/huge_counts.yaml",
        "designs/errors/chip_too_large.yaml",
        "designs/errors/readout_too_large.yaml",
        "designs/errors/endpoint_index_overflow.yaml",
    ] {
        let start = Instant::now();
        refused(&["check", design], QUICK);
        refused(&["build", design, "-o", "target/never-written"], QUICK);
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "{design}: {:?}",
            start.elapsed()
        );
    }
    assert!(!root().join("target/never-written").exists());
}

#[test]
fn a_recording_that_is_a_fifo_is_refused_not_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("3_jackson_0.wav"));
    let model = dir.path().join("model");
    let e = refused(
        &[
            "train",
            "designs/six_chip.yaml",
            "--data",
            s(dir.path()),
            "-o",
            s(&model),
        ],
        QUICK,
    );
    assert!(e.contains("not a regular file"), "{e}");
}

/// A weight file as a spreadsheet saves it ("CSV UTF-8": a byte-order mark, CRLF, quoted
/// values, a trailing separator on every row) reads as the plain file does; a bad value is
/// named by its line (blank and comment lines counted) and position.
#[test]
fn a_spreadsheet_weight_file_reads_like_the_plain_one() {
    let dir = tempfile::tempdir().unwrap();
    let plain = std::fs::read_to_string(root().join("designs/two_chip_readout.csv")).unwrap();
    let rows: Vec<String> = plain
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let quoted: Vec<String> = l.split(',').map(|v| format!("\"{}\"", v.trim())).collect();
            quoted.join(",") + ","
        })
        .collect();
    let spreadsheet = format!("\u{feff}{}\r\n", rows.join("\r\n"));
    std::fs::write(dir.path().join("two_chip_readout.csv"), &spreadsheet).unwrap();
    let design = dir.path().join("two_chip.yaml");
    std::fs::copy(root().join("designs/two_chip.yaml"), &design).unwrap();
    let weights = |path: &Path| {
        snngen::compiler::compile(path)
            .unwrap_or_else(|e| panic!("{e}"))
            .1
            .readout
            .weights
    };
    assert_eq!(
        weights(&design),
        weights(&root().join("designs/two_chip.yaml"))
    );

    // The byte-order mark first, then a comment and a blank line: the bad value is on line 3.
    let rows = spreadsheet
        .trim_start_matches('\u{feff}')
        .replacen("\"-0.7371\"", "x", 1);
    let bad = format!("\u{feff}# comment\r\n\r\n{rows}");
    std::fs::write(dir.path().join("two_chip_readout.csv"), bad).unwrap();
    let e = refused(&["check", s(&design)], QUICK);
    assert!(e.contains("line 3, value 1: not a number"), "{e}");
}
