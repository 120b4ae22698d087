//! The house without loops: no module of herald imports one of a higher layer, and no two files import each
//! other. Read from the `use crate::…` / `super::…` paths of `src/` (test modules left out).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module's layer: a module may import its own layer's lowest modules and anything lower.
/// `config`, `locale`, `query`, `text`, `item`, `clock` and `report` are the base; `store` sits on them;
/// `sources` and `brief` are siblings on the store (neither imports the other); `delivery`, `upkeep` and
/// `telemetry` run them; `discord` is the only serenity code; `cli` wires everything.
const LAYERS: &[(&str, u8)] = &[
    ("config", 0),
    ("locale", 0),
    ("query", 0),
    ("text", 0),
    ("item", 0),
    ("clock", 0),
    ("report", 0),
    ("USER_AGENT", 0),
    ("store", 1),
    ("sources", 2),
    ("brief", 2),
    ("delivery", 3),
    ("upkeep", 3),
    ("telemetry", 3),
    ("discord", 4),
    ("cli", 5),
    ("fuzzing", 6),
];

/// File pairs that still import each other, each with the issue that removes it (none left).
const KNOWN_MUTUAL: &[(&str, &str)] = &[];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: `src/store/items.rs` → `store::items`, `src/store/mod.rs` → `store`.
fn module_of(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.join("::")
}

/// The code of a file without its test modules and comments.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let cut = regex::Regex::new(r"#\[cfg\(test\)\]\s*(pub\(crate\) )?mod tests").unwrap();
    let body = match cut.find(&text) {
        Some(m) => &text[..m.start()],
        None => &text,
    };
    body.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every (file, module it imports) pair, each module resolved to the longest known module path.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    files(&root, &mut paths);
    let modules: BTreeMap<String, PathBuf> = paths
        .iter()
        .map(|p| (module_of(&root, p), p.clone()))
        .collect();
    let path_re = regex::Regex::new(r"\b(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)+)").unwrap();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, path) in &modules {
        let is_folder = path.file_name().is_some_and(|f| f == "mod.rs");
        let mut segments: Vec<&str> = module.split("::").collect();
        if !is_folder {
            segments.pop();
        }
        let parent = segments.join("::");
        for m in path_re.captures_iter(&code(path)) {
            let rest = &m[2][2..];
            let full = if &m[1] == "super" {
                if is_folder {
                    let mut up: Vec<&str> = module.split("::").collect();
                    up.pop();
                    [up.join("::"), rest.to_owned()]
                        .iter()
                        .filter(|s| !s.is_empty())
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("::")
                } else if parent.is_empty() {
                    rest.to_owned()
                } else {
                    format!("{parent}::{rest}")
                }
            } else {
                rest.to_owned()
            };
            let segs: Vec<&str> = full.split("::").collect();
            let target = (1..=segs.len())
                .rev()
                .map(|k| segs[..k].join("::"))
                .find(|c| modules.contains_key(c) || LAYERS.iter().any(|(n, _)| n == c));
            if let Some(t) = target
                && &t != module
            {
                edges.entry(module.clone()).or_default().insert(t);
            }
        }
    }
    edges
}

fn layer(module: &str) -> Option<u8> {
    let top = module.split("::").next().unwrap_or_default();
    LAYERS.iter().find(|(n, _)| *n == top).map(|(_, l)| *l)
}

#[test]
fn no_module_imports_a_higher_layer_or_a_sibling() {
    let mut wrong = Vec::new();
    for (from, targets) in imports() {
        let (Some(mine), top) = (layer(&from), from.split("::").next().unwrap_or_default()) else {
            continue;
        };
        for to in targets {
            let other = to.split("::").next().unwrap_or_default();
            if other == top {
                continue;
            }
            let Some(theirs) = layer(&to) else { continue };
            if theirs > mine || (theirs == mine && mine > 0) {
                wrong.push(format!("{from} -> {to}"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layers: {wrong:#?}");
}

#[test]
fn no_two_files_import_each_other() {
    let edges = imports();
    let mut mutual = Vec::new();
    for (a, targets) in &edges {
        for b in targets {
            // A folder module and its own files are one unit.
            if a.starts_with(&format!("{b}::")) || b.starts_with(&format!("{a}::")) {
                continue;
            }
            if a < b
                && edges.get(b).is_some_and(|t| t.contains(a))
                && !KNOWN_MUTUAL.contains(&(a.as_str(), b.as_str()))
            {
                mutual.push(format!("{a} <-> {b}"));
            }
        }
    }
    assert!(mutual.is_empty(), "files importing each other: {mutual:#?}");
}
