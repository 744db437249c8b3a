//! `check` over the whole conformance corpus versus the Rust reference CLI
//! (`openjd check FILE`, one process per file, as a CI loop over files
//! would run it).
//!
//! The reference binary comes from `OPENJD_REFERENCE_CLI`, else `openjd`
//! on PATH; `scripts/bench.sh` installs it when missing.
//! Run: cargo bench --bench corpus

mod common;
#[allow(dead_code)]
#[path = "../tests/support/conformance.rs"]
mod conformance;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use common::{load_average, percentile};

fn corpus() -> (PathBuf, Vec<PathBuf>) {
    let dir = conformance::conformance_dir("the corpus benchmark")
        .unwrap_or_else(|| panic!("the corpus benchmark needs the conformance suite"));
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv"))
        .unwrap_or_else(|e| panic!("cannot read the conformance manifest: {e}"));
    let files = manifest
        .lines()
        .skip(1)
        .filter_map(|line| line.split('\t').next())
        .map(|path| dir.join(path))
        .collect();
    (dir, files)
}

/// Median wall time of `runs` runs of `f`, in milliseconds.
fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut samples: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    percentile(&samples, 0.5)
}

fn run_quietly(cmd: &mut Command) -> bool {
    cmd.stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.code().is_some_and(|c| c <= 1))
        .unwrap_or(false)
}

fn reference_cli() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("OPENJD_REFERENCE_CLI") {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("openjd"))
            .find(|candidate| candidate.is_file())
    })
}

fn main() {
    println!("load average at start: {}", load_average());
    let ours = Path::new(env!("CARGO_BIN_EXE_openjd-lsp"));
    let (_, files) = corpus();
    println!("conformance corpus: {} files", files.len());

    let one_process = median_ms(7, || {
        let ok = run_quietly(Command::new(ours).arg("check").args(&files));
        assert!(ok, "openjd-lsp check failed to run");
    });
    println!("openjd-lsp check, one process for the corpus: {one_process:.0} ms (median of 7)");
    let per_file = median_ms(3, || {
        for file in &files {
            assert!(run_quietly(Command::new(ours).arg("check").arg(file)));
        }
    });
    println!("openjd-lsp check, one process per file: {per_file:.0} ms (median of 3)");

    match reference_cli() {
        Some(reference) => {
            let loop_ms = median_ms(3, || {
                for file in &files {
                    let ran = run_quietly(Command::new(&reference).arg("check").arg(file));
                    assert!(ran, "{} did not run", reference.display());
                }
            });
            println!(
                "reference `openjd check`, one process per file: {loop_ms:.0} ms (median of 3)"
            );
            println!(
                "ratio: {:.1}x faster over the corpus (target >= 5x); {:.2}x file for file",
                loop_ms / one_process,
                loop_ms / per_file
            );
        }
        None => println!(
            "reference CLI not found: set OPENJD_REFERENCE_CLI or put `openjd` on PATH \
             (scripts/bench.sh installs it); no ratio measured"
        ),
    }
    println!("load average at end: {}", load_average());
}
