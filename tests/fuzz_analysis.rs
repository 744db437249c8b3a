//! A mutation fuzzer over the analysis, on stable Rust with a seeded
//! generator: templates of the conformance suite and the examples, mutated
//! (bytes, lines, indentation, quotes, `{{ }}` expressions, anchors and
//! aliases, tags, numbers, Unicode, nesting deep enough to exhaust a
//! recursive parser in every grammar we read, aliases of large scalars),
//! each analysed under a deadline. A panic,
//! a hang or a diagnostic range outside the text or inside a character fails
//! the run, and the input is written to `target/fuzz-findings/` to become a
//! regression fixture.
//!
//! `cargo test --release --test fuzz_analysis` runs it for a few seconds;
//! `OPENJD_FUZZ_SECONDS=600` for longer, `OPENJD_FUZZ_SEED=N` to vary or
//! replay a run. It prints the counts of inputs, crashes and hangs.

mod support;

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use openjd_lsp::analysis::{Options, analyze};
use support::fuzz::{Rng, seeds};

const SNIPPETS: &[&str] = &[
    "{{",
    "}}",
    "{{ Param.X }}",
    "{{ range(99999999) }}",
    "{{ repr_py(range(5000000)) }}",
    "{{ 'x' * 100000000 }}",
    "{{ [x for x in Param.L if x] }}",
    "{{ Task.File.",
    "{{ a if b else }}",
    "&a ",
    "*a",
    "&anchor [*anchor]",
    "<<: *a",
    "!!str ",
    "!!int ",
    "!custom ",
    "!!binary ",
    "'",
    "\"",
    "\\",
    "\\u",
    "\\ud83d",
    "#",
    ": ",
    "- ",
    "? ",
    "|",
    ">-",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "\t",
    "\r",
    "\r\n",
    "\u{feff}",
    "\u{0}",
    "\u{200b}",
    "é",
    "😀",
    "\u{10ffff}",
    "\u{85}",
    "\u{2028}",
    "9223372036854775808",
    "-9223372036854775809",
    "1e309",
    "0x1F",
    "0o17",
    ".nan",
    "-.inf",
    "1_000",
    "specificationVersion: jobtemplate-2023-09\n",
    "extensions: [EXPR, WRAP_ACTIONS, FEATURE_BUNDLE_1]\n",
    "onWrapTaskRun:",
    "WrappedAction.Command",
    "let:",
    "- x = ",
    "null",
    "~",
    "[]",
    "{}",
    "[[[[[[[[",
];

fn char_floor(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mutate(text: &str, rng: &mut Rng, all: &[String]) -> String {
    let mut s = text.to_string();
    for _ in 0..1 + rng.below(4) {
        let at = char_floor(&s, rng.below(s.len() + 1));
        match rng.below(14) {
            // Bytes: insert, delete or flip (kept valid UTF-8: documents are).
            0 => {
                let b = rng.below(128) as u8 as char;
                s.insert(at, b);
            }
            1 => {
                let end = char_floor(&s, at + 1 + rng.below(16));
                s.replace_range(at..end, "");
            }
            // Lines: duplicate, delete or swap one.
            2 | 3 => {
                let mut lines: Vec<&str> = s.split_inclusive('\n').collect();
                if lines.is_empty() {
                    continue;
                }
                let i = rng.below(lines.len());
                let j = rng.below(lines.len());
                match rng.below(3) {
                    0 => lines.insert(j, lines[i]),
                    1 => {
                        lines.remove(i);
                    }
                    _ => lines.swap(i, j),
                }
                s = lines.concat();
            }
            // Indentation: shift a line left or right.
            4 => {
                let start = s[..at].rfind('\n').map_or(0, |i| i + 1);
                if rng.below(2) == 0 {
                    s.insert_str(start, rng.pick_str(&[" ", "  ", "\t", "    "]));
                } else if s[start..].starts_with(' ') {
                    s.remove(start);
                }
            }
            // Snippets: quotes, expressions, anchors, tags, numbers, Unicode.
            5..=8 => s.insert_str(at, rng.pick_str(SNIPPETS)),
            // Replace a scalar-looking word by a number or a special value.
            9 => {
                let end = s[at..]
                    .find(|c: char| c.is_whitespace() || ",:[]{}".contains(c))
                    .map_or(s.len(), |i| at + i);
                s.replace_range(
                    at..end,
                    rng.pick_str(&["0", "-1", "1.5", "true", "TrUe", "null", "''", "\"\\x\""]),
                );
            }
            // Splice a piece of another seed.
            10 => {
                let other = rng.pick(all);
                let a = char_floor(other, rng.below(other.len() + 1));
                let b = char_floor(other, a + rng.below(400));
                s.insert_str(at, &other[a..b]);
            }
            // Deep nesting in a grammar that is parsed by recursive descent,
            // inside an expression where one is, else anywhere.
            12 if rng.one_in(2) => {
                let deep = deep_construct(rng);
                let at = s.find("{{").map_or(at, |i| i + 2);
                s.insert_str(at, &deep);
            }
            // A combination, a range or aliases made to exhaust the reader.
            13 if rng.one_in(2) => s = exhausting_template(rng),
            // Repeat a span (deep nesting, long lines).
            _ => {
                let end = char_floor(&s, at + rng.below(40));
                let piece = s[at..end].to_string();
                let times = 1 + rng.below(50);
                s.insert_str(end, &piece.repeat(times));
            }
        }
    }
    s
}

/// Nesting from a few levels to far past what any parser's stack holds.
fn depth(rng: &mut Rng) -> usize {
    [3, 150, 250, 2_000, 30_000][rng.below(5)] + rng.below(50)
}

/// An expression that nests `depth` levels by one of the constructs a
/// recursive-descent expression parser descends into.
fn deep_construct(rng: &mut Rng) -> String {
    let n = depth(rng);
    match rng.below(7) {
        0 => format!("{}1{}", "(".repeat(n), ")".repeat(n)),
        1 => format!("{}1{}", "[".repeat(n), "]".repeat(n)),
        2 => format!("{}x", "not ".repeat(n)),
        3 => format!("{}1", "-".repeat(n)),
        4 => format!("2{}", "**2".repeat(n)),
        5 => format!("1{}", " if x else 1".repeat(n)),
        _ => format!("{}1{}", "{'a': ".repeat(n), "}".repeat(n)),
    }
}

fn exhausting_template(rng: &mut Rng) -> String {
    let n = depth(rng);
    let head = "specificationVersion: jobtemplate-2023-09\nextensions: [EXPR]\nname: J\n";
    let run = "  script:\n    actions:\n      onRun:\n        command: echo\n";
    match rng.below(4) {
        0 => format!(
            "{head}steps:\n- name: S\n  parameterSpace:\n    taskParameterDefinitions:\n    - {{name: A, type: INT, range: '1-2'}}\n    combination: \"{}A{}\"\n{run}",
            "(".repeat(n),
            ")".repeat(n)
        ),
        1 => format!(
            "{head}steps:\n- name: S\n  parameterSpace:\n    taskParameterDefinitions:\n    - {{name: A, type: INT, range: \"{}1{}\"}}\n{run}",
            "[".repeat(n),
            "]".repeat(n)
        ),
        2 => format!(
            "{head}steps:\n- name: S\n{run}        args: ['{{{{ {} }}}}']\n",
            deep_construct(rng)
        ),
        _ => {
            let mut t = format!(
                "{head}description: &big '{}'\nsteps:\n",
                "x".repeat(1 + rng.below(100_000))
            );
            for i in 0..rng.below(3_000) {
                t.push_str(&format!("- {{name: S{i}, description: *big}}\n"));
            }
            t
        }
    }
}

/// A diagnostic range must lie in the text, on character boundaries.
fn check_ranges(text: &str, a: &openjd_lsp::analysis::Analysis) -> Result<(), String> {
    for d in &a.diagnostics {
        let r = &d.span;
        if r.start > r.end
            || r.end > text.len()
            || !text.is_char_boundary(r.start)
            || !text.is_char_boundary(r.end)
        {
            return Err(format!(
                "diagnostic {} has range {r:?} in a text of {} bytes",
                d.code,
                text.len()
            ));
        }
    }
    Ok(())
}

fn save(kind: &str, n: usize, text: &str) -> PathBuf {
    let p = support::fuzz::findings_dir().join(format!("analysis-{kind}-{n}.yaml"));
    let _ = std::fs::write(&p, text);
    p
}

#[test]
fn mutated_templates_never_panic_hang_or_misplace_a_range() {
    let seed = support::fuzz::seed();
    let all = seeds();
    assert!(!all.is_empty(), "no seeds");
    let mut rng = Rng::new(seed);
    let deadline = Instant::now() + support::fuzz::duration(3);
    let per_input = Duration::from_secs(if cfg!(debug_assertions) { 60 } else { 10 });
    let (mut inputs, mut crashes, mut hangs) = (0usize, Vec::new(), Vec::new());
    // One worker thread analyses; the test thread watches the clock.
    let (to_worker, work) = mpsc::channel::<String>();
    let (results, from_worker) = mpsc::channel::<Result<(), String>>();
    std::thread::spawn(move || {
        while let Ok(text) = work.recv() {
            let r = std::panic::catch_unwind(|| {
                let a = analyze(&text, &Options::default());
                check_ranges(&text, &a)
            })
            .unwrap_or_else(|p| {
                Err(p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "panic".into()))
            });
            if results.send(r).is_err() {
                break;
            }
        }
    });
    std::panic::set_hook(Box::new(|_| {}));
    while Instant::now() < deadline {
        let base = rng.pick(&all).clone();
        let text = mutate(&base, &mut rng, &all);
        inputs += 1;
        to_worker.send(text.clone()).expect("worker");
        match from_worker.recv_timeout(per_input) {
            Ok(Ok(())) => {}
            Ok(Err(why)) => crashes.push((why, save("crash", inputs, &text))),
            Err(_) => {
                hangs.push(save("hang", inputs, &text));
                break;
            }
        }
    }
    let _ = std::panic::take_hook();
    eprintln!(
        "analysis fuzzer: seed {seed}, {} seeds, {inputs} inputs, {} crashes, {} hangs",
        all.len(),
        crashes.len(),
        hangs.len()
    );
    assert!(
        crashes.is_empty() && hangs.is_empty(),
        "crashes: {crashes:?}\nhangs: {hangs:?}"
    );
}
