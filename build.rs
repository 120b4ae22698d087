//! Compiles the background word frequencies (src/text/wordfreq/*.txt) into a finite-state transducer that the
//! binary embeds: lookups need no start-up work and the table takes a third of its text size.

use std::collections::BTreeMap;
use std::path::PathBuf;

fn main() {
    let root = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = PathBuf::from(root).join("src/text/wordfreq");
    let mut words: BTreeMap<String, u64> = BTreeMap::new();
    // English first: a Latin word in the Ukrainian or Russian lists keeps its English frequency.
    for name in ["en.txt", "cyrillic.txt"] {
        let path = dir.join(name);
        println!("cargo::rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        for line in text.lines() {
            let mut parts = line.split(' ');
            let zipf: u64 = parts
                .next()
                .and_then(|z| z.parse().ok())
                .unwrap_or_else(|| {
                    panic!("{}: a line without its value: {line:.40}", path.display())
                });
            for word in parts {
                words.entry(word.to_owned()).or_insert(zipf);
            }
        }
    }
    let map = fst::Map::from_iter(words).expect("words are sorted and unique");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("wordfreq.fst");
    std::fs::write(&out, map.as_fst().as_bytes())
        .unwrap_or_else(|e| panic!("writing {}: {e}", out.display()));
}
