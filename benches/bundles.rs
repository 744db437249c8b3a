//! `check` on a folder of 2,000 job bundles (template and parameter
//! values each) versus the same folder with the templates alone: checking
//! the values against their templates must cost at most as much again
//! (target: within 2x).
//!
//! The bundles are the example bundle (`examples/job_bundle`), written
//! 2,000 times under `target/tmp` and removed afterwards.
//! Run: cargo bench --bench bundles

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use common::{load_average, percentile};

const TEMPLATE: &str = include_str!("../examples/job_bundle/template.yaml");
const VALUES: &str = include_str!("../examples/job_bundle/parameter_values.yaml");
const BUNDLES: usize = 2000;

/// A folder of `BUNDLES` bundles, with or without their values files.
fn write_bundles(root: &Path, with_values: bool) {
    let _ = std::fs::remove_dir_all(root);
    for i in 0..BUNDLES {
        let dir = root.join(format!("bundle{i:04}"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("template.yaml"), TEMPLATE).expect("write");
        if with_values {
            std::fs::write(dir.join("parameter_values.yaml"), VALUES).expect("write");
        }
    }
}

/// Median wall time of `runs` runs of `check root`, in milliseconds, and
/// the summary line of the last run.
fn check_ms(ours: &Path, root: &Path, runs: usize) -> (f64, String) {
    let mut summary = String::new();
    let mut samples: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let out = Command::new(ours)
                .arg("check")
                .arg(root)
                .stderr(Stdio::null())
                .output()
                .expect("run openjd-lsp check");
            let ms = start.elapsed().as_secs_f64() * 1000.0;
            assert!(
                out.status.code() == Some(0),
                "check found problems in {}",
                root.display()
            );
            summary = String::from_utf8_lossy(&out.stdout)
                .lines()
                .last()
                .unwrap_or("")
                .to_string();
            ms
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    (percentile(&samples, 0.5), summary)
}

fn main() {
    println!("load average at start: {}", load_average());
    let ours = Path::new(env!("CARGO_BIN_EXE_openjd-lsp"));
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-bundles");
    let (alone, bundles) = (tmp.join("templates"), tmp.join("bundles"));
    write_bundles(&alone, false);
    write_bundles(&bundles, true);
    let (t_alone, s_alone) = check_ms(ours, &alone, 7);
    let (t_bundles, s_bundles) = check_ms(ours, &bundles, 7);
    println!("{BUNDLES} templates alone: {t_alone:.0} ms (median of 7): {s_alone}");
    println!(
        "{BUNDLES} bundles (template + parameter_values): {t_bundles:.0} ms (median of 7): {s_bundles}"
    );
    println!("ratio: {:.2}x (target <= 2x)", t_bundles / t_alone);
    let _ = std::fs::remove_dir_all(&tmp);
    println!("load average at end: {}", load_average());
}
