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

/// A job whose one step passes `exprs` as arguments.
fn job_with_args(exprs: &[&str]) -> String {
    let args: Vec<String> = exprs.iter().map(|e| format!("'{{{{ {e} }}}}'")).collect();
    format!(
        "{HEADER}extensions: [EXPR]\nname: J\nsteps:\n  - name: A\n    script:\n      actions:\n        onRun:\n          command: echo\n          args: [{}]\n",
        args.join(", ")
    )
}

#[test]
fn expression_bombs_are_reported_as_too_large_to_check() {
    // Each of these once made the check build millions of values (`range`
    // alone: 1.65 GB and 5 s).
    let bombs = [
        "range(9999999)",
        "repr_py(range(5000000))",
        r#""x" * 100000000"#,
        "[[x for x in range(400)] for y in range(400)]",
        r#"join([repr_py(x) for x in range(190000)], ",")"#,
    ];
    for bomb in bombs {
        let a = analyze(&job_with_args(&[bomb]), &Options::default());
        let too_large: Vec<_> = a
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::ExpressionTooLarge)
            .collect();
        assert_eq!(too_large.len(), 1, "{bomb}: {:?}", a.diagnostics);
        assert_eq!(
            too_large[0].severity,
            openjd_lsp::analysis::Severity::Warning
        );
        assert!(
            too_large[0].message.contains("10,000,000 operations"),
            "names the runtime's limit: {}",
            too_large[0].message
        );
        // The reference validator, which would evaluate it with the
        // runtime's limits, was not run.
        assert!(
            a.diagnostics.iter().all(|d| d.code != Code::Reference),
            "{bomb}: {:?}",
            a.diagnostics
        );
    }
}

#[test]
fn many_expression_bombs_share_one_budget() {
    // Sixty different bombs: each stops at its own budget, and once the
    // document's budget is spent the rest stop almost at once.
    let bombs: Vec<String> = (0..60)
        .map(|i| format!("range({})", 9_999_999 - i))
        .collect();
    let refs: Vec<&str> = bombs.iter().map(String::as_str).collect();
    let codes = timed(&job_with_args(&refs));
    assert_eq!(
        codes
            .iter()
            .filter(|c| **c == Code::ExpressionTooLarge)
            .count(),
        60
    );
}

#[test]
fn expressions_within_the_budget_are_still_checked() {
    // A list of ten thousand is checked (no warning), and a type error
    // next to a bomb is still reported.
    let a = analyze(
        &job_with_args(&["range(10000)", "range(9999999)", r#"1 + "a""#]),
        &Options::default(),
    );
    let codes: Vec<Code> = a.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        [Code::ExpressionTooLarge, Code::ExpressionError],
        "{:?}",
        a.diagnostics
    );
}
