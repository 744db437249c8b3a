//! Hostile documents end quickly with a diagnostic, never a panic, hang or
//! runaway memory. Timings are asserted only in optimized builds; the
//! benchmarks report the real figures.

use std::time::{Duration, Instant};

use openjd_lsp::analysis::{Code, Options, analyze};

const HEADER: &str = "specificationVersion: jobtemplate-2023-09\n";

fn limit() -> Duration {
    if cfg!(debug_assertions) {
        Duration::from_secs(20)
    } else {
        Duration::from_secs(1)
    }
}

/// Analyse, check the time, and return the diagnostic codes.
fn timed(text: &str) -> Vec<Code> {
    let start = Instant::now();
    let a = analyze(text, &Options::default());
    let elapsed = start.elapsed();
    assert!(elapsed < limit(), "took {elapsed:?}");
    a.diagnostics.iter().map(|d| d.code).collect()
}

/// A small deterministic generator, so the "random" input is reproducible.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect()
}

#[test]
fn empty_document_is_not_a_template() {
    let a = analyze("", &Options::default());
    assert!(!a.is_template());
    assert!(a.diagnostics.is_empty());
}

#[test]
fn a_megabyte_of_random_bytes_after_a_template_header() {
    let bytes = noise(1 << 20, 0x9e3779b97f4a7c15);
    let text = format!("{HEADER}name: {}", String::from_utf8_lossy(&bytes));
    assert!(!timed(&text).is_empty());
}

#[test]
fn nul_bytes() {
    let text = format!("{HEADER}name: \"a\0b\"\nsteps: [\0]\n");
    assert!(!timed(&text).is_empty());
}

#[test]
fn deep_nesting() {
    let text = format!("{HEADER}name: {}", "[".repeat(100_000));
    let codes = timed(&text);
    assert!(
        codes.contains(&Code::Syntax) || codes.contains(&Code::TooDeep),
        "{codes:?}"
    );
    let block: String = (0..100_000)
        .map(|i| format!("{}k:\n", " ".repeat(i % 200)))
        .collect();
    assert!(!timed(&format!("{HEADER}{block}")).is_empty());
}

#[test]
fn alias_bomb() {
    let mut text = format!("{HEADER}name: J\nsteps: []\nx0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        text.push_str(&format!(
            "x{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    assert!(timed(&text).contains(&Code::AliasExpansion));
}

#[test]
fn multiple_documents() {
    let text = format!("{HEADER}name: J\n---\n{HEADER}name: K\n");
    assert!(timed(&text).contains(&Code::MultipleDocuments));
}

#[test]
fn twenty_megabyte_valid_template() {
    let mut text = format!("{HEADER}name: Big\nsteps:\n");
    let mut i = 0;
    while text.len() < 20 << 20 {
        text.push_str(&format!(
            "  - name: Step{i}\n    script:\n      actions:\n        onRun:\n          command: echo\n          args: [\"{{{{Task.File.Run}}}}\", \"{}\"]\n      embeddedFiles:\n        - name: Run\n          type: TEXT\n          data: |\n            echo step {i} {{{{Session.WorkingDirectory}}}}\n",
            "x".repeat(200)
        ));
        i += 1;
    }
    let start = Instant::now();
    let a = analyze(&text, &Options::default());
    let elapsed = start.elapsed();
    let codes: Vec<Code> = a.diagnostics.iter().map(|d| d.code).collect();
    // Valid, but past the reference reader's node budget: a warning that
    // OpenJD tools will refuse it, and no error.
    assert_eq!(
        codes,
        [Code::ReferenceLimit],
        "{:?}",
        &a.diagnostics[..a.diagnostics.len().min(3)]
    );
    // A bound against hangs only; `scripts/bench.sh` measures the real time.
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");
}
