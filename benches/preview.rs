//! Session preview benchmark: `openjd-lsp preview`'s work without the file
//! reads — instantiating the job as the runtime does (openjd-model: values,
//! steps in dependency order, task lists), walking the session, evaluating
//! every field and writing the text — on the generated 200-step job.
//! Run: cargo bench --bench preview

mod common;

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use common::{large_job, load_average, report};
use openjd_lsp::analysis::preview::{self, Given};
use openjd_lsp::analysis::{Options, analyze};
use openjd_lsp::workspace::preview::Session;

fn time(label: &str, text: &str, given: &[(String, Given)], tasks: usize, runs: usize) -> f64 {
    let analysis = analyze(text, &Options::own());
    let job = analysis.template.as_ref().expect("a job");
    let mut actions = 0;
    let mut split = (0.0, 0.0);
    let mut once = || {
        let start = Instant::now();
        let instance = preview::instantiate(
            (text, false),
            analysis.root.as_ref(),
            &[],
            given,
            "/bench",
            "/bench",
            tasks,
        )
        .expect("instantiate");
        split.0 += start.elapsed().as_secs_f64() * 1000.0;
        let start = Instant::now();
        let plan = preview::plan(&[], job, &instance, &[]);
        let p = preview::preview(&plan, None);
        actions = p.actions.len();
        let sessions = [Session {
            queue: None,
            environments: Vec::new(),
            preview: Ok(p),
        }];
        let text = black_box(openjd_lsp::ide::preview::to_text(
            Path::new("job.yaml"),
            &sessions,
        ));
        split.1 += start.elapsed().as_secs_f64() * 1000.0;
        text
    };
    for _ in 0..3 {
        once();
    }
    let mut samples: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let text = once();
            let elapsed = start.elapsed().as_secs_f64() * 1000.0;
            drop(text);
            elapsed
        })
        .collect();
    let (p50, _) = report(label, &mut samples);
    let n = (runs + 3) as f64;
    println!(
        "  ({actions} actions in the session; mean {:.2} ms instantiating the job with openjd-model, {:.2} ms walking, evaluating and writing)",
        split.0 / n,
        split.1 / n
    );
    p50
}

fn main() {
    println!("load average at start: {}", load_average());
    // The generator writes steps until the template has this many lines:
    // 5,620 lines are 200 steps.
    let text = large_job(5620);
    let steps = text.matches("  - name: Step").count();
    println!(
        "generated job: {} lines, {steps} steps",
        text.lines().count()
    );
    let one_frame = [
        ("Scene".to_string(), Given::Text("/shots/a.ma".into())),
        ("Frames".to_string(), Given::Text("1".into())),
    ];
    let p50 = time(
        "preview of the 200-step job, one task per step",
        &text,
        &one_frame,
        preview::DEFAULT_TASKS,
        50,
    );
    let frames = [("Scene".to_string(), Given::Text("/shots/a.ma".into()))];
    let p50_many = time(
        "preview of the 200-step job, 100 tasks per step (Frames 1-100)",
        &text,
        &frames,
        preview::DEFAULT_TASKS,
        5,
    );
    // For scale on this machine now: the full analysis of the same template.
    let mut samples: Vec<f64> = (0..20)
        .map(|_| {
            let start = Instant::now();
            black_box(analyze(&text, &Options::default()));
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    report(
        "for scale: full analysis of the same template",
        &mut samples,
    );
    println!("load average at end: {}", load_average());
    println!(
        "targets: 200 steps p50 {p50:.2} ms (<= 50 ms); with 20,000 tasks p50 {p50_many:.0} ms"
    );
}
