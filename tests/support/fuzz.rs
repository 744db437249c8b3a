//! What the fuzzers share: a seeded generator and their seed templates
//! (the examples, the benchmark fixture and the conformance suite).

use std::path::{Path, PathBuf};
use std::time::Duration;

/// xorshift64*: small, seeded, reproducible.
pub struct Rng(pub u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    /// True with probability 1/n.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    pub fn pick_str(&mut self, xs: &[&'static str]) -> &'static str {
        xs[self.below(xs.len())]
    }
}

/// How long to run: `OPENJD_FUZZ_SECONDS`, else `default`.
pub fn duration(default: u64) -> Duration {
    Duration::from_secs(
        std::env::var("OPENJD_FUZZ_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default),
    )
}

/// The run's seed: `OPENJD_FUZZ_SEED`, else a fixed default (so that CI
/// runs are reproducible; vary it to explore).
pub fn seed() -> u64 {
    std::env::var("OPENJD_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_201)
}

/// Every template of the examples, the benchmark fixtures and the
/// conformance suite (under 200 kB), sorted.
pub fn seeds() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs: Vec<PathBuf> = vec![root.join("examples"), root.join("benches/fixtures")];
    dirs.extend(super::conformance::conformance_dir(
        "fuzzing seeds from the conformance suite",
    ));
    let mut out = Vec::new();
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p
                .extension()
                .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
                && let Ok(text) = std::fs::read_to_string(&p)
                && text.len() < 200_000
            {
                out.push(text);
            }
        }
    }
    out.sort();
    out
}

/// Where a finding is written, to become a regression fixture.
pub fn findings_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../fuzz-findings");
    let _ = std::fs::create_dir_all(&dir);
    dir
}
