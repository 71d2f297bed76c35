//! The last pass: the names the emitted files declare, checked for collisions in each
//! target's namespace. Two design names can become one generated name (chips `a` and
//! `a_syn` both give the port `a_syn_req`; modes `regular` and `Regular` both give the
//! source `vvleak_regular`), and the tools then reject what was written. Declarations are
//! read off the rendered text itself, so a new template is covered without a list to keep.
//! Names are compared ignoring case: SPICE folds case, and so do some synthesis flows.

use super::codes;
use super::emit::EmittedFile;
use super::ir::Network;
use super::lower::spice::SpiceDeck;
use crate::support::diag::Diagnostic;
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Every clash of two declarations in one scope of one file, blamed on the design names
/// that make them.
pub fn check(net: &Network, files: &[EmittedFile]) -> Vec<Diagnostic> {
    let owners = owners(net);
    let mut problems = Vec::new();
    for f in files {
        let scopes = if f.path.ends_with(".v") || f.path.ends_with(".sv") {
            verilog_scopes(&f.contents)
        } else if f.path.ends_with(".cir") {
            spice_scopes(&f.contents)
        } else {
            continue;
        };
        for (scope, names) in scopes {
            let mut seen: BTreeMap<String, usize> = BTreeMap::new();
            for name in names {
                let key = name.to_ascii_lowercase();
                *seen.entry(key).or_insert(0) += 1;
            }
            for (name, n) in seen.into_iter().filter(|(_, n)| *n > 1) {
                problems.push(clash(&owners, &f.path, &scope, &name, n));
            }
        }
    }
    problems
}

/// Every node of every chip deck made by two different things (a mode's bias line and a
/// neuron's membrane, say): the netlist would join what the design keeps apart, and no
/// tool would notice. The things are read off the lowered decks.
pub fn check_nodes(net: &Network, decks: &[SpiceDeck]) -> Vec<Diagnostic> {
    let owners = owners(net);
    let mut problems = Vec::new();
    for d in decks {
        let mut made: BTreeMap<String, String> = BTreeMap::new();
        let mut clashes: Vec<String> = Vec::new();
        let mut make = |node: String, by: String| match made.get(&node) {
            Some(first) if *first != by => clashes.push(node),
            Some(_) => {}
            None => {
                made.insert(node, by);
            }
        };
        for fixed in ["0", "vdd", "test_b"] {
            make(fixed.into(), "the deck".into());
        }
        for b in &d.biases {
            make(b.name.clone(), format!("bias line {}", b.name));
        }
        for n in &d.neurons {
            for end in ["mem", "spk", "spkb"] {
                make(format!("{}_{end}", n.name), format!("neuron {}", n.name));
            }
        }
        for t in &d.tiles {
            let by = format!("tile {}", t.name);
            for l in &t.lines {
                make(l.name.clone(), by.clone());
            }
            for c in &t.columns {
                make(c.mem.clone(), by.clone());
                make(c.spk.clone(), by.clone());
            }
            for x in &t.crosspoints {
                make(format!("{}_x", x.name), by.clone());
            }
        }
        clashes.sort();
        clashes.dedup();
        let file = format!("spice/{}", d.netlist_file);
        problems.extend(
            clashes
                .iter()
                .map(|node| clash(&owners, &file, "the deck's nodes", node, 2)),
        );
    }
    problems
}

/// The design names that become generated names: (lower-case name, field, what it is).
fn owners(net: &Network) -> Vec<(String, String, String)> {
    let mut v = Vec::new();
    for (ci, c) in net.chips.iter().enumerate() {
        v.push((
            c.name.to_ascii_lowercase(),
            format!("chips[{ci}].name"),
            format!("chip `{}`", c.name),
        ));
        for (pi, p) in c.populations.iter().enumerate() {
            v.push((
                p.name.to_ascii_lowercase(),
                format!("chips[{ci}].populations[{pi}].name"),
                format!("population `{}`", p.name),
            ));
            v.push((
                p.mode_name.to_ascii_lowercase(),
                format!("chips[{ci}].populations[{pi}].mode"),
                format!("mode `{}`", p.mode_name),
            ));
        }
        for (ti, t) in c.tiles.iter().enumerate() {
            v.push((
                t.name.to_ascii_lowercase(),
                format!("chips[{ci}].rc_spike[{ti}].name"),
                format!("tile `{}`", t.name),
            ));
        }
    }
    v.sort();
    v.dedup_by(|a, b| a.0 == b.0 && a.2 == b.2);
    v
}

/// A diagnostic for `name` declared `n` times, on the design names inside it (longest
/// first: they explain the clash best).
fn clash(
    owners: &[(String, String, String)],
    file: &str,
    scope: &str,
    name: &str,
    n: usize,
) -> Diagnostic {
    let mut blamed: Vec<&(String, String, String)> = owners
        .iter()
        .filter(|(o, _, _)| contains_word(name, o))
        .collect();
    blamed.sort_by_key(|(o, _, _)| std::cmp::Reverse(o.len()));
    let who = match blamed.as_slice() {
        [] => "names of the design make".to_string(),
        [one] => format!("{} makes", one.2),
        [a, b, ..] => format!("{} and {} make", b.2, a.2),
    };
    let field = blamed.first().map_or(String::new(), |b| b.1.clone());
    Diagnostic::new(
        codes::NAME_CLASH.id,
        field,
        format!("{who} the name `{name}` {n} times in {scope} of {file}"),
    )
    .help("rename one of them: generated names join design names with fixed suffixes")
}

/// Whether `part` stands in `name` between `_` boundaries (or its ends).
fn contains_word(name: &str, part: &str) -> bool {
    let bytes = name.as_bytes();
    name.match_indices(part).any(|(i, _)| {
        let before = i == 0 || bytes[i - 1] == b'_' || !bytes[i - 1].is_ascii_alphanumeric();
        let end = i + part.len();
        let after = end == name.len() || bytes[end] == b'_' || bytes[end].is_ascii_digit();
        before && after
    })
}

static MODULE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)\bmodule\s+(\w+)(.*?)\bendmodule\b").unwrap());
static SUBROUTINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)\b(function|task)\b.*?\bend(function|task)\b").unwrap());
/// Ports, nets, variables and parameters: the last identifier before `;`, `,`, `=` or `)`.
static DECLARATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?m)^\s*(?:input|output|inout|wire|reg|integer|localparam|parameter)\b[^;,=()]*?\b([A-Za-z_][A-Za-z0-9_]*)\s*(?:\[[^\]]*\]\s*)?(?:[;,=)]|$)",
    )
    .unwrap()
});
/// Instances: `module_name [#(...)] instance_name (`.
static INSTANCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*[A-Za-z_]\w*\s*(?:#\(.*\)\s*)?\s+([A-Za-z_]\w*)\s*\($").unwrap()
});

/// Per module of a Verilog file, every name it declares.
fn verilog_scopes(text: &str) -> Vec<(String, Vec<String>)> {
    let text: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut modules: Vec<(String, Vec<String>)> = MODULE
        .captures_iter(&text)
        .map(|m| {
            // Functions and tasks are scopes of their own.
            let body = SUBROUTINE.replace_all(&m[2], "");
            let names = DECLARATION
                .captures_iter(&body)
                .chain(INSTANCE.captures_iter(&body))
                .map(|c| c[1].to_string())
                .collect();
            (format!("module {}", &m[1]), names)
        })
        .collect();
    let module_names: Vec<String> = modules.iter().map(|(m, _)| m.clone()).collect();
    modules.push(("the file's modules".into(), module_names));
    modules
}

/// Per deck: the element names (first word of an element line) and `.model` names of the
/// top level (subcircuit bodies are fixed cells, their own scope).
fn spice_scopes(text: &str) -> Vec<(String, Vec<String>)> {
    let (mut elements, mut models) = (Vec::new(), Vec::new());
    let mut in_subckt = false;
    let mut in_control = false;
    for line in text.lines() {
        let lower = line.trim_start().to_ascii_lowercase();
        let first = lower.split_whitespace().next().unwrap_or("");
        match first {
            ".subckt" => in_subckt = true,
            ".ends" => in_subckt = false,
            ".control" => in_control = true,
            ".endc" => in_control = false,
            ".model" => models.extend(lower.split_whitespace().nth(1).map(str::to_string)),
            _ if in_subckt || in_control => {}
            "" => {}
            f if f.starts_with(['*', '.', '+', '$']) => {}
            f => elements.push(f.to_string()),
        }
    }
    vec![
        ("the deck's elements".into(), elements),
        ("the deck's models".into(), models),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_and_instances_are_read_per_module() {
        let v = "module m (\n    function f;\n        input x;\n    endfunction\n    input wire a_req,\n    output wire [3:0] a_syn_req,\n    input wire a_syn_req\n);\n    wire [1:0] w;\n    foo #(.N(2)) u_a (\n    );\nendmodule\n";
        let scopes = verilog_scopes(v);
        assert_eq!(scopes[0].0, "module m");
        assert_eq!(scopes[0].1, ["a_req", "a_syn_req", "a_syn_req", "w", "u_a"]);
    }

    #[test]
    fn spice_elements_skip_cells_control_and_comments() {
        let deck = "* c\n.subckt lif a b\nm1 a b\n.ends lif\nvvleak_regular x 0 1\nVVLEAK_REGULAR y 0 1\n.control\nset x\n.endc\n.model sw_t sw()\n";
        let scopes = spice_scopes(deck);
        assert_eq!(scopes[0].1, ["vvleak_regular", "vvleak_regular"]);
        assert_eq!(scopes[1].1, ["sw_t"]);
        assert!(contains_word("a_syn_req", "a_syn"));
        assert!(contains_word("vvleak_regular", "regular"));
        assert!(!contains_word("abc_req", "b"));
    }
}
