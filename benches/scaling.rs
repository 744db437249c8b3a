//! Scaling benchmark: how the analysis and the editor features grow with
//! hostile input. Each case is generated at N, 2N, 4N and 8N and timed;
//! the ratio to the previous size shows the growth (about 2 when linear,
//! about 4 when quadratic).
//!
//! 1. `{{ Param.A }}` many times on one line: the analysis, the semantic
//!    tokens, and the tokens' line/column positions as the server converts
//!    them (UTF-16);
//! 2. N parameters and N references to misspelled ones (did-you-mean);
//! 3. N steps, each depending on a step that does not exist;
//! 4. one step depending on N steps;
//! 5. N job environments and N step environments of other names;
//! 6. N empty `{{}}` on one line (the analysis, and the diagnostics'
//!    line/column positions), and N stray `}}` on one line.
//!
//! Run: cargo bench --bench scaling [-- NAME] (only the cases whose label
//! contains NAME). `SCALING_N` sets the smallest N of every case (each
//! case has its own default, chosen so that its largest size takes well
//! under a second once linear).

mod common;

use std::hint::black_box;
use std::time::Instant;

use common::load_average;
use openjd_lsp::analysis::{Analysis, Options, analyze};
use openjd_lsp::ide::semantic_tokens::semantic_tokens;
use openjd_lsp::text::PositionEncoding;

const HEAD: &str = "specificationVersion: jobtemplate-2023-09\nname: J\n";

/// A job with one step whose command's only argument is `arg`, written
/// single-quoted on one line.
fn one_line_arg(params: &str, arg: &str) -> String {
    format!(
        "{HEAD}{params}steps:\n  - name: S\n    script:\n      actions:\n        onRun:\n          command: run\n          args: ['{arg}']\n"
    )
}

fn interpolations_on_one_line(n: usize) -> String {
    one_line_arg(
        "parameterDefinitions:\n  - {name: A, type: STRING}\n",
        &"{{ Param.A }} ".repeat(n),
    )
}

fn empty_interpolations(n: usize) -> String {
    one_line_arg("", &"{{}} ".repeat(n))
}

fn stray_closes(n: usize) -> String {
    one_line_arg("", &"}} ".repeat(n))
}

/// N parameters `Frame0`…, and a step that uses `Param.Fram0`… (each a
/// letter short of a parameter's name).
fn misspelled_references(n: usize) -> String {
    let mut params = String::from("parameterDefinitions:\n");
    for i in 0..n {
        params.push_str(&format!("  - {{name: Frame{i}, type: STRING}}\n"));
    }
    let uses: String = (0..n).map(|i| format!("{{{{Param.Fram{i}}}}} ")).collect();
    one_line_arg(&params, &uses)
}

fn steps(n: usize, depends: impl Fn(usize) -> String) -> String {
    let mut text = format!("{HEAD}steps:\n");
    for i in 0..n {
        text.push_str(&format!(
            "  - name: Step{i}\n    script: {{actions: {{onRun: {{command: run}}}}}}\n{}",
            depends(i)
        ));
    }
    text
}

fn unknown_dependencies(n: usize) -> String {
    steps(n, |i| {
        format!("    dependencies: [{{dependsOn: Stepp{i}}}]\n")
    })
}

fn one_step_depending_on_all(n: usize) -> String {
    let mut text = steps(n, |_| String::new());
    text.push_str(
        "  - name: Last\n    script: {actions: {onRun: {command: run}}}\n    dependencies:\n",
    );
    for i in 0..n {
        text.push_str(&format!("      - dependsOn: Step{i}\n"));
    }
    text
}

fn many_environments(n: usize) -> String {
    let env = |prefix: &str, i: usize| format!("  - {{name: {prefix}{i}, variables: {{A: b}}}}\n");
    let mut text = format!("{HEAD}jobEnvironments:\n");
    for i in 0..n {
        text.push_str(&env("Job", i));
    }
    text.push_str("steps:\n  - name: S\n    script: {actions: {onRun: {command: run}}}\n    stepEnvironments:\n");
    for i in 0..n {
        text.push_str(&format!("  {}", env("Step", i)));
    }
    text
}

/// The line/column of each token's ends, as the server converts them.
fn token_positions(a: &Analysis) -> usize {
    let tokens = semantic_tokens(a);
    tokens
        .iter()
        .map(|t| {
            let start = a
                .line_index
                .position(&a.text, t.span.start, PositionEncoding::Utf16);
            let end = a
                .line_index
                .position(&a.text, t.span.end, PositionEncoding::Utf16);
            (end.col - start.col) as usize
        })
        .sum()
}

/// The line/column of each diagnostic's ends, as the server and `check`
/// convert them.
fn diagnostic_positions(a: &Analysis) -> usize {
    a.diagnostics
        .iter()
        .map(|d| {
            let start = a
                .line_index
                .position(&a.text, d.span.start, PositionEncoding::Utf16);
            let end = a
                .line_index
                .position(&a.text, d.span.end, PositionEncoding::Utf16);
            (end.col - start.col) as usize
        })
        .sum()
}

/// What a case measures of a generated text.
enum Measure {
    Analysis,
    Tokens,
    TokenPositions,
    DiagnosticPositions,
}

struct Case {
    label: &'static str,
    generate: fn(usize) -> String,
    measure: Measure,
    smallest: usize,
}

/// Milliseconds of the fastest of a few runs (one run past a second).
fn time(text: &str, measure: &Measure) -> f64 {
    let analysis =
        (!matches!(measure, Measure::Analysis)).then(|| analyze(text, &Options::default()));
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let start = Instant::now();
        match (measure, &analysis) {
            (Measure::Tokens, Some(a)) => {
                black_box(semantic_tokens(a));
            }
            (Measure::TokenPositions, Some(a)) => {
                black_box(token_positions(a));
            }
            (Measure::DiagnosticPositions, Some(a)) => {
                black_box(diagnostic_positions(a));
            }
            _ => {
                black_box(analyze(text, &Options::default()));
            }
        }
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        best = best.min(ms);
        if ms > 1000.0 {
            break;
        }
    }
    best
}

fn run(case: &Case, smallest: usize) {
    println!("== {}", case.label);
    let mut previous: Option<f64> = None;
    for step in 0..4 {
        let n = smallest << step;
        let text = (case.generate)(n);
        let ms = time(&text, &case.measure);
        let ratio = previous.map_or(String::new(), |p| format!(", ×{:.1}", ms / p));
        println!(
            "  N = {n:>7} ({:>8.1} KiB): {ms:>9.1} ms{ratio}",
            text.len() as f64 / 1024.0
        );
        previous = Some(ms);
    }
}

fn main() {
    println!("load average at start: {}", load_average());
    let cases = [
        Case {
            label: "analysis: N `{{ Param.A }}` on one line",
            generate: interpolations_on_one_line,
            measure: Measure::Analysis,
            smallest: 5_000,
        },
        Case {
            label: "semantic tokens: N `{{ Param.A }}` on one line",
            generate: interpolations_on_one_line,
            measure: Measure::Tokens,
            smallest: 5_000,
        },
        Case {
            label: "token positions (UTF-16): N `{{ Param.A }}` on one line",
            generate: interpolations_on_one_line,
            measure: Measure::TokenPositions,
            smallest: 5_000,
        },
        Case {
            label: "analysis: N parameters, N misspelled references",
            generate: misspelled_references,
            measure: Measure::Analysis,
            smallest: 250,
        },
        Case {
            label: "analysis: N steps, each depending on an unknown step",
            generate: unknown_dependencies,
            measure: Measure::Analysis,
            smallest: 250,
        },
        Case {
            label: "analysis: one step depending on N steps",
            generate: one_step_depending_on_all,
            measure: Measure::Analysis,
            smallest: 1_000,
        },
        Case {
            label: "analysis: N job environments, N step environments",
            generate: many_environments,
            measure: Measure::Analysis,
            smallest: 1_000,
        },
        Case {
            label: "analysis: N empty `{{}}` on one line",
            generate: empty_interpolations,
            measure: Measure::Analysis,
            smallest: 5_000,
        },
        Case {
            label: "diagnostic positions (UTF-16): N empty `{{}}` on one line",
            generate: empty_interpolations,
            measure: Measure::DiagnosticPositions,
            smallest: 5_000,
        },
        Case {
            label: "analysis: N stray `}}` on one line",
            generate: stray_closes,
            measure: Measure::Analysis,
            smallest: 5_000,
        },
    ];
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let smallest: Option<usize> = std::env::var("SCALING_N").ok().and_then(|n| n.parse().ok());
    for case in &cases {
        if only.is_empty() || only.iter().any(|o| case.label.contains(o.as_str())) {
            run(case, smallest.unwrap_or(case.smallest));
        }
    }
    println!("load average at end: {}", load_average());
}
