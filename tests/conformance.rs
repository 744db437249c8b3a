//! The specification's conformance suite: every `normative` template in
//! `MANIFEST.tsv` must be accepted (no error) or rejected (at least one error)
//! exactly as the manifest says.

use std::path::PathBuf;

use openjd_lsp::analysis::{Options, Severity, analyze};

fn conformance_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("OPENJD_CONFORMANCE_DIR") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance")
}

#[test]
fn conformance_suite_agrees_with_the_manifest() {
    let dir = conformance_dir();
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv"))
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.join("MANIFEST.tsv").display()));
    let mut total = 0;
    let mut failures = Vec::new();
    let (mut rejects, mut own_rejects) = (0, 0);
    let mut missed_by_own = Vec::new();
    let mut own_false_alarms = Vec::new();
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (Some(path), Some(expectation), Some(status)) =
            (cols.first(), cols.get(1), cols.get(2))
        else {
            continue;
        };
        if *status != "normative" || !matches!(*expectation, "accept" | "reject") {
            continue;
        }
        total += 1;
        let text = std::fs::read_to_string(dir.join(path)).expect("read fixture");
        let analysis = analyze(&text, &Options::default());
        let errors: Vec<String> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| format!("{} [{}] {}", d.span.start, d.code, d.message))
            .collect();
        let own = analyze(&text, &Options::own());
        let own_errors = own
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        if *expectation == "reject" {
            rejects += 1;
            if own_errors > 0 {
                own_rejects += 1;
            } else {
                missed_by_own.push(path.to_string());
            }
        } else if own_errors > 0 {
            own_false_alarms.push(path.to_string());
        }
        let ok = match *expectation {
            "accept" => errors.is_empty() && analysis.is_template(),
            _ => !errors.is_empty(),
        };
        if !ok {
            failures.push(format!("{expectation} {path}: {errors:#?}"));
        }
    }
    println!(
        "conformance: {} of {total} normative templates agree with the manifest",
        total - failures.len()
    );
    println!(
        "conformance: our own passes alone reject {own_rejects} of {rejects} rejects; the reference validator adds the rest"
    );
    for p in &missed_by_own {
        println!("  left to the reference: {p}");
    }
    assert!(
        own_false_alarms.is_empty(),
        "our own passes reject valid templates: {own_false_alarms:#?}"
    );
    assert_eq!(
        total, 297,
        "the manifest lists 297 normative accept/reject rows"
    );
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
