//! Workspace benchmark: index a generated workspace of 2,000 templates
//! (time and resident memory), then hover on actions (p50/p99); then a
//! folder past the cap on files indexed. `OPENJD_BENCH_ROOT=/` also indexes
//! that folder with the default caps.
//! Run: cargo bench --bench workspace

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use openjd_lsp::analysis::{Options, analyze};
use openjd_lsp::ide::wrap;
use openjd_lsp::workspace::Workspace;
use openjd_lsp::workspace::files::IndexLimits;

use common::{load_average, report, rss_kib};

fn job(i: usize) -> String {
    format!(
        "specificationVersion: jobtemplate-2023-09
extensions: [EXPR]
name: \"Job {i} {{{{Param.Shot}}}}\"
parameterDefinitions:
  - name: Shot
    type: STRING
    default: sh{i:03}
  - name: Frames
    type: STRING
    default: \"1-10\"
jobEnvironments:
  - name: Conda
    script:
      actions:
        onEnter: {{command: conda-setup, args: [\"{{{{Session.WorkingDirectory}}}}\"]}}
        onExit: {{command: conda-teardown}}
steps:
  - name: Render
    parameterSpace:
      taskParameterDefinitions:
        - name: Frame
          type: INT
          range: \"{{{{Param.Frames}}}}\"
    script:
      actions:
        onRun:
          command: render
          args: [\"--shot\", \"{{{{Param.Shot}}}}\", \"--frame\", \"{{{{Task.Param.Frame}}}}\"]
  - name: Encode
    dependencies: [{{dependsOn: Render}}]
    script:
      actions:
        onRun: {{command: encode, args: [\"{{{{Param.Shot}}}}\"]}}
"
    )
}

fn main() {
    println!("load average at start: {}", load_average());
    let dir = std::env::temp_dir().join(format!("openjd-lsp-bench-ws-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let docker = std::fs::read_to_string("examples/queue_environments/docker.yaml")
        .expect("run from the repository root");
    for i in 0..2000 {
        let sub = dir.join(format!("jobs/{:02}/job{i}", i % 50));
        std::fs::create_dir_all(&sub).expect("mkdir");
        if i % 100 == 0 {
            std::fs::write(
                sub.join("env.yaml"),
                docker.replace("name: Docker", &format!("name: Docker{i}")),
            )
            .expect("write");
        } else {
            std::fs::write(sub.join("template.yaml"), job(i)).expect("write");
        }
    }
    std::fs::create_dir_all(dir.join("envs")).expect("mkdir");
    std::fs::write(dir.join("envs/docker.yaml"), &docker).expect("write");
    std::fs::write(
        dir.join("openjd-lsp.yaml"),
        "queues:\n  - name: q\n    environments: [envs/docker.yaml]\n    jobs: [\"jobs/**\"]\n",
    )
    .expect("write");

    let before = rss_kib("self");
    let start = Instant::now();
    let mut ws = Workspace::index(vec![dir.clone()], &IndexLimits::DEFAULT, &mut |_, _| {});
    ws.load_queues(&[], &|p: &Path| std::fs::read_to_string(p).ok());
    let index_time = start.elapsed();
    let after = rss_kib("self");
    println!(
        "index: {} templates in {:.0} ms; resident memory {:.1} MB (+{:.1} MB for the index)",
        ws.files.len(),
        index_time.as_secs_f64() * 1000.0,
        after as f64 / 1024.0,
        after.saturating_sub(before) as f64 / 1024.0
    );

    let mut samples = Vec::new();
    for i in (1..2000).filter(|i| i % 100 != 0).step_by(10).take(200) {
        let path: PathBuf = dir.join(format!("jobs/{:02}/job{i}/template.yaml", i % 50));
        let text = job(i);
        let a = analyze(&text, &Options::default());
        let offset = text.find("onRun").unwrap_or(0) + 2;
        let t = Instant::now();
        let h = wrap::hover(&a, Some(&path), &ws, offset);
        samples.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(
            h.is_some_and(|h| h.contents.contains("Wrapped")),
            "hover did not resolve the wrapper"
        );
    }
    report("hover on an action", &mut samples);
    let _ = std::fs::remove_dir_all(&dir);
    past_the_cap(&dir.with_extension("cap"));
    if let Some(root) = std::env::var_os("OPENJD_BENCH_ROOT") {
        index_folder(
            "a given folder",
            &PathBuf::from(root),
            &IndexLimits::DEFAULT,
        );
    }
}

/// A folder with more YAML and JSON than a workspace folder indexes: 25,000
/// small JSON files beside the templates, past the 20,000 files cap.
fn past_the_cap(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    for i in 0..25_000 {
        let sub = dir.join(format!("data/{:03}", i % 250));
        std::fs::create_dir_all(&sub).expect("mkdir");
        std::fs::write(sub.join(format!("{i}.json")), format!("{{\"id\": {i}}}\n")).expect("write");
    }
    index_folder("past the cap", dir, &IndexLimits::DEFAULT);
    let _ = std::fs::remove_dir_all(dir);
}

fn index_folder(label: &str, dir: &Path, limits: &IndexLimits) {
    let before = rss_kib("self");
    let start = Instant::now();
    let mut read = 0;
    let ws = Workspace::index(vec![dir.to_path_buf()], limits, &mut |_, total| {
        read = total
    });
    let after = rss_kib("self");
    println!(
        "index {label} ({}): {read} files read, {} templates, in {:.0} ms; resident memory +{:.1} MB; notices: {:?}",
        dir.display(),
        ws.files.len(),
        start.elapsed().as_secs_f64() * 1000.0,
        after.saturating_sub(before) as f64 / 1024.0,
        ws.notices
    );
}
