//! The layer rule of src/lib.rs, checked on the source: every `crate::`, `super::` and
//! `self::` path in every file (test modules aside) must point into the file's own layer or
//! one below it, and the files must import each other without cycles. A module's edges to
//! its own children (a mod.rs declaring and re-exporting them) are no cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers from the bottom up: a file may use its own layer and those before it.
const LAYERS: [&str; 8] = [
    "support", "device", "compiler", "model", "tools", "flows", "apps", "cli",
];

type Module = Vec<String>;

/// Every source file under src/ by module path (`flows/cosim/mod.rs` is `flows::cosim`).
fn modules(src: &Path) -> BTreeMap<Module, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Module = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            out.insert(parts, std::fs::read_to_string(&path).unwrap());
        }
    }
    out
}

/// The text that counts: before the first test module, without comments.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where a path head (`crate`, `self`, `super`, `super::super`) starts from in `module`.
fn base(module: &Module, head: &[&str]) -> Module {
    match head.first() {
        Some(&"crate") => Vec::new(),
        Some(&"self") => module.clone(),
        _ => {
            let mut b = module.clone();
            for _ in head.iter().filter(|h| **h == "super") {
                b.pop();
            }
            b
        }
    }
}

/// Every module path a file refers to: `use` trees (braces nested to any depth) and paths
/// written inline in code.
fn references(module: &Module, text: &str) -> Vec<Module> {
    let mut out = Vec::new();
    let mut rest = text;
    // `use` statements, whole trees.
    while let Some(i) = find_use(rest) {
        let stmt_start = i + 4;
        let end = rest[stmt_start..]
            .find(';')
            .map_or(rest.len(), |e| stmt_start + e);
        expand_tree(module, rest[stmt_start..end].trim(), &[], &mut out);
        rest = &rest[end..];
    }
    // Inline paths such as `crate::support::fs::write(..)`.
    let bytes = text.as_bytes();
    for head in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(k) = text[from..].find(head) {
            let at = from + k;
            from = at + head.len();
            if at > 0
                && (bytes[at - 1].is_ascii_alphanumeric()
                    || bytes[at - 1] == b'_'
                    || bytes[at - 1] == b':')
            {
                continue;
            }
            let path: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
            let heads = parts
                .iter()
                .take_while(|p| matches!(**p, "crate" | "super" | "self"))
                .count();
            let mut target = base(module, &parts[..heads]);
            target.extend(
                parts[heads..]
                    .iter()
                    .take_while(|p| p.starts_with(|c: char| c.is_ascii_lowercase()))
                    .map(|p| p.to_string()),
            );
            out.push(target);
        }
    }
    out
}

/// Byte offset of the next `use ` that starts a statement.
fn find_use(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(k) = text[from..].find("use ") {
        let at = from + k;
        let before = text[..at].chars().last();
        if before.is_none_or(|c| c.is_whitespace() || c == ';' || c == '{' || c == '}') {
            return Some(at);
        }
        from = at + 4;
    }
    None
}

/// Adds the modules a use tree (`a::b::{c, d::{e}}`, after `prefix`) names.
fn expand_tree(module: &Module, tree: &str, prefix: &[String], out: &mut Vec<Module>) {
    let tree = tree.trim();
    if tree.is_empty() {
        return;
    }
    let (path, group) = match tree.find('{') {
        Some(i) => (
            &tree[..i],
            Some(&tree[i + 1..tree.rfind('}').unwrap_or(tree.len())]),
        ),
        None => (tree, None),
    };
    let path = path
        .split(" as ")
        .next()
        .unwrap_or("")
        .trim()
        .trim_end_matches("::");
    let mut full: Vec<String> = prefix.to_vec();
    full.extend(
        path.split("::")
            .filter(|p| !p.is_empty())
            .map(str::to_string),
    );
    let Some(first) = full.first() else { return };
    if !matches!(first.as_str(), "crate" | "super" | "self") {
        return;
    }
    match group {
        None => {
            resolve(module, &full, out);
        }
        Some(items) => {
            for item in split_top_level(items) {
                if item.trim() == "self" {
                    resolve(module, &full, out);
                } else {
                    expand_tree(module, &item, &full, out);
                }
            }
        }
    }
}

/// Comma-separated items of a use group, braces kept together.
fn split_top_level(s: &str) -> Vec<String> {
    let (mut items, mut depth, mut cur) = (Vec::new(), 0, String::new());
    for c in s.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    items.push(cur);
    items
}

fn resolve(module: &Module, full: &[String], out: &mut Vec<Module>) {
    let heads = full
        .iter()
        .take_while(|p| matches!(p.as_str(), "crate" | "super" | "self"))
        .count();
    let head: Vec<&str> = full[..heads].iter().map(String::as_str).collect();
    let mut target = base(module, &head);
    target.extend(
        full[heads..]
            .iter()
            .take_while(|p| p.starts_with(|c: char| c.is_ascii_lowercase()))
            .cloned(),
    );
    out.push(target);
}

/// The file a module path lands in: its longest prefix that is a file.
fn owner<'a>(files: &'a BTreeMap<Module, String>, path: &Module) -> Option<&'a Module> {
    (0..=path.len())
        .rev()
        .find_map(|k| files.get_key_value(&path[..k]).map(|(m, _)| m))
}

fn layer(module: &Module) -> Option<usize> {
    let top = module.first()?;
    LAYERS.iter().position(|l| l == top)
}

fn name(m: &Module) -> String {
    if m.is_empty() {
        "crate root".into()
    } else {
        m.join("::")
    }
}

/// The import graph: file module to the file modules it uses (children aside).
fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = modules(&src);
    let mut edges = BTreeMap::new();
    for (module, text) in &files {
        let mut to = BTreeSet::new();
        for r in references(module, &code(text)) {
            let Some(o) = owner(&files, &r) else { continue };
            if o != module && !o.starts_with(module) {
                to.insert(o.clone());
            }
        }
        edges.insert(module.clone(), to);
    }
    edges
}

#[test]
fn every_folder_is_a_known_layer() {
    for module in graph().keys() {
        let root = module.is_empty() || *module == ["main"];
        assert!(
            root || layer(module).is_some(),
            "src/{} is in no layer: add its folder to LAYERS here and to the table in src/lib.rs",
            module.join("/")
        );
    }
}

#[test]
fn no_file_imports_a_layer_above_its_own() {
    let mut upward = Vec::new();
    for (from, to) in graph() {
        let Some(own) = layer(&from) else { continue };
        for t in to {
            if layer(&t).is_some_and(|l| l > own) || t.is_empty() {
                upward.push(format!("{} uses {}", name(&from), name(&t)));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "upward imports:\n  {}",
        upward.join("\n  ")
    );
}

#[test]
fn no_import_cycles() {
    let g = graph();
    // Tarjan's strongly connected components.
    struct State<'a> {
        g: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on: BTreeSet<&'a Module>,
        cycles: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Module) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on.insert(v);
        for w in &s.g[v] {
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on.remove(w);
                comp.push(name(w));
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.cycles.push(comp);
            }
        }
    }
    let mut s = State {
        g: &g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        cycles: Vec::new(),
    };
    for v in g.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    let cycles: Vec<String> = s.cycles.iter().map(|c| c.join(" <-> ")).collect();
    assert!(
        cycles.is_empty(),
        "import cycles:\n  {}",
        cycles.join("\n  ")
    );
}

#[test]
fn the_checker_sees_what_it_must() {
    let m: Module = vec!["flows".into(), "cosim".into()];
    let refs = references(
        &m,
        "use crate::compiler::{self, Rendered, emit::{deck, Deck}};\nuse super::measure;\nfn f() { crate::cli::run(); }",
    );
    let names: BTreeSet<String> = refs.iter().map(name).collect();
    for want in [
        "compiler",
        "compiler::emit::deck",
        "compiler::emit",
        "flows::measure",
        "cli::run",
    ] {
        assert!(names.contains(want), "{want} not in {names:?}");
    }
    // The real tree has every layer and no file outside them.
    let g = graph();
    for l in LAYERS {
        assert!(g.keys().any(|m| m.first().is_some_and(|f| f == l)), "{l}");
    }
}
