//! Replays every fuzz target over its seeds (the files in tests/fixtures) and over every input that ever
//! crashed it (fuzz/regressions/<target>/), on the stable toolchain: what the fuzzers found stays fixed.

use std::path::{Path, PathBuf};

use herald::fuzzing::TARGETS;

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn every_target_survives_its_seeds_and_every_past_finding() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seeds = Vec::new();
    files_under(&root.join("tests/fixtures"), &mut seeds);
    assert!(seeds.len() > 70, "fixtures present: {}", seeds.len());
    let mut replayed = 0;
    for (name, target) in TARGETS {
        let mut inputs = Vec::new();
        files_under(&root.join("fuzz/regressions").join(name), &mut inputs);
        // Every target also gets a slice of the seeds (the large pages only to the page targets).
        for path in inputs.iter().chain(&seeds) {
            let data = std::fs::read(path).expect("readable");
            if data.len() > 64 * 1024 && !matches!(*name, "article" | "html_text" | "feed") {
                continue;
            }
            target(&data);
            replayed += 1;
        }
    }
    assert!(replayed > 500, "{replayed}");
}
