//! The specification's conformance suite: every `normative` template in
//! `MANIFEST.tsv` must be accepted (no error) or rejected (at least one error)
//! exactly as the manifest says. Where the suite comes from:
//! tests/support/conformance.rs.

use std::path::{Path, PathBuf};

use openjd_lsp::analysis::{Options, Severity, analyze};

mod support;
use support::conformance::{Found, conformance_dir, resolve};
use support::scratch::Scratch;

/// The manifest this repository pins; `scripts/fetch-conformance.sh`
/// fetches exactly these files at these commits.
fn pinned_manifest() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/MANIFEST.tsv");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn conformance_suite_agrees_with_the_manifest() {
    let Some(dir) = conformance_dir("the conformance suite test") else {
        return;
    };
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
    // Our own passes alone (the reference backstop off) find every reject,
    // and reject nothing the manifest accepts.
    println!("conformance rejects found by our own passes: {own_rejects}/{rejects}");
    for p in &missed_by_own {
        println!("  left to the reference: {p}");
    }
    assert!(
        own_false_alarms.is_empty(),
        "our own passes reject valid templates: {own_false_alarms:#?}"
    );
    assert_eq!(
        (own_rejects, rejects),
        (205, 205),
        "our own passes must find all 205 conformance rejects; left to the reference: {missed_by_own:#?}"
    );
    assert_eq!(
        total, 298,
        "the manifest lists 298 normative accept/reject rows"
    );
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every template file under `dir`, sorted.
fn templates_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            templates_under(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(path);
        }
    }
}

/// No false alarms: a template of `examples/` or `tests/` that the
/// reference validator accepts gets no error from our own passes either
/// (the suite's accepted templates are held to that above). The fixtures
/// of our own diagnostics are left out: they show errors on purpose, some
/// of them errors the reference does not find.
#[test]
fn our_own_passes_reject_nothing_the_reference_accepts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    templates_under(&root.join("examples"), &mut files);
    templates_under(&root.join("tests"), &mut files);
    let fixtures = root.join("tests/fixtures/diagnostics");
    let (mut checked, mut false_alarms) = (0, Vec::new());
    for path in files.iter().filter(|p| !p.starts_with(&fixtures)) {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let options = Options::own().for_path(path);
        let own = analyze(&text, &options);
        if !own.is_template() {
            continue;
        }
        let own_errors: Vec<String> = own
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| format!("{} [{}] {}", d.span.start, d.code, d.message))
            .collect();
        checked += 1;
        if !own_errors.is_empty() && reference_accepts(&text, path) {
            false_alarms.push(format!("{}: {own_errors:#?}", path.display()));
        }
    }
    println!("own passes against the reference: {checked} templates of examples/ and tests/");
    assert!(checked > 20, "the corpus was found ({checked} templates)");
    assert!(
        false_alarms.is_empty(),
        "our own passes reject templates the reference accepts:\n{}",
        false_alarms.join("\n")
    );
}

/// Does the reference validator alone accept the template?
fn reference_accepts(text: &str, path: &Path) -> bool {
    let json = path.extension().is_some_and(|e| e == "json");
    matches!(
        openjd_lsp::analysis::reference::run(text, json, None),
        openjd_lsp::analysis::reference::Verdict::Accepted
    )
}

#[test]
fn the_suite_in_use_is_the_one_this_repository_pins() {
    let Some(dir) = conformance_dir("the conformance manifest comparison") else {
        return;
    };
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("manifest");
    assert!(
        manifest == pinned_manifest(),
        "{} differs from tests/conformance/MANIFEST.tsv: update the pinned copy (and check that scripts/fetch-conformance.sh still fetches it)",
        dir.join("MANIFEST.tsv").display()
    );
}

#[test]
fn the_suite_is_looked_for_beside_the_repository_then_in_the_variable_then_in_target() {
    let root = Scratch::new("openjd-conformance-order", "layout");
    let repo = root.join("repo");
    let shared = root.join("shared/conformance");
    let env_dir = root.join("elsewhere");
    let fetched = repo.join("target/conformance");
    for d in [&repo, &shared, &env_dir, &fetched] {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    let env = Some(env_dir.as_os_str());
    let manifest =
        |d: &PathBuf| std::fs::write(d.join("MANIFEST.tsv"), "local_path\n").expect("write");

    // Nothing anywhere: none (the caller skips loudly).
    assert_eq!(resolve(&repo, None), Ok(None));
    // The variable names a folder without a manifest: an error, not a skip.
    assert!(resolve(&repo, env).is_err_and(|e| e.contains("has no MANIFEST.tsv")));
    // A fetched copy in target/.
    manifest(&fetched);
    assert_eq!(
        resolve(&repo, None),
        Ok(Some(Found::Fetched(fetched.clone())))
    );
    // The variable wins over target/.
    manifest(&env_dir);
    assert_eq!(resolve(&repo, env), Ok(Some(Found::Env(env_dir.clone()))));
    assert_eq!(
        resolve(&repo, Some("".as_ref())),
        Ok(Some(Found::Fetched(fetched.clone())))
    );
    // ../shared/conformance wins over both.
    manifest(&shared);
    assert_eq!(
        resolve(&repo, env),
        Ok(Some(Found::Shared(repo.join("../shared/conformance"))))
    );
}

// ---------------------------------------------------------------------------
// scripts/fetch-conformance.sh, against local git repositories standing in
// for the specification's (the real one is on GitHub).

fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Commits `files` (path, content) in the work tree `dir`; returns the commit.
fn commit(dir: &Path, files: &[(&str, &str)]) -> String {
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
        git(dir, &["add", path]);
    }
    git(dir, &["commit", "-q", "-m", "change"]);
    git(dir, &["rev-parse", "HEAD"])
}

fn sha16(text: &str) -> String {
    let out = std::process::Command::new("sh")
        .args(["-c", "sha256sum 2>/dev/null || shasum -a 256"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(text.as_bytes())?;
            child.wait_with_output()
        })
        .expect("sha256sum");
    String::from_utf8_lossy(&out.stdout)[..16].to_string()
}

fn fetch(s: &Scratch, manifest: &Path, dest: &Path) -> std::process::Output {
    std::process::Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/fetch-conformance.sh"))
        .arg(dest)
        .env("OPENJD_SPEC_GIT_BASE", s.join("remotes"))
        .env("OPENJD_CONFORMANCE_MANIFEST", manifest)
        .env("OPENJD_CONFORMANCE_GIT_CACHE", s.join("cache"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("run fetch-conformance.sh")
}

#[test]
fn the_fetch_script_writes_each_file_as_it_was_at_its_pinned_commit() {
    if std::process::Command::new("git")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!("git is needed to test scripts/fetch-conformance.sh");
    }
    let s = Scratch::new("openjd-fetch-conformance", "repos");
    // The specification: a template changed after the pinned commit, the
    // suite's README, and a fork with a file of its own.
    let spec = s.join("work/spec");
    let fork = s.join("work/fork");
    for d in [&spec, &fork] {
        std::fs::create_dir_all(d).expect("mkdir");
        git(d, &["init", "-q", "-b", "mainline"]);
    }
    let v1 = "specificationVersion: jobtemplate-2023-09\nname: pinned\n";
    let c1 = commit(
        &spec,
        &[("conformance-tests/2023-09/base/job_templates/1--a.yaml", v1)],
    );
    let readme = "# Suite\n";
    let c2 = commit(
        &spec,
        &[
            (
                "conformance-tests/2023-09/base/job_templates/1--a.yaml",
                "name: later\n",
            ),
            ("conformance-tests/README.md", readme),
        ],
    );
    let forked = "specificationVersion: environment-2023-09\n";
    let c3 = commit(
        &fork,
        &[(
            "conformance-tests/2023-09/WRAP_ACTIONS/env_templates/4--f.yaml",
            forked,
        )],
    );
    for (work, name) in [(&spec, "Spec/specs"), (&fork, "someone/specs")] {
        let bare = s.join("remotes").join(name);
        std::fs::create_dir_all(bare.parent().expect("parent")).expect("mkdir");
        git(
            &s.join("work"),
            &[
                "clone",
                "-q",
                "--bare",
                &work.display().to_string(),
                &bare.display().to_string(),
            ],
        );
    }
    let row = |path: &str, repo: &str, commit: &str, text: &str, how: &str| {
        format!(
            "{path}\taccept\tnormative\t{repo}\t{commit}\t{n}\t{n}\t{}\t{how}\n",
            sha16(text),
            n = text.len()
        )
    };
    let header = "local_path\texpectation\tstatus\tsource_repo\tsource_commit\tchars\tbytes\tsha256_16\thow\n";
    let manifest_text = [
        header.to_string(),
        row(
            "2023-09/base/job_templates/1--a.yaml",
            "Spec/specs",
            &c1,
            v1,
            "verbatim",
        ),
        row("upstream/README.md", "Spec/specs", &c2, readme, "verbatim"),
        row(
            "fork-copies/someone/2023-09/WRAP_ACTIONS/env_templates/4--f.yaml",
            "someone/specs",
            &c3,
            forked,
            "verbatim",
        ),
    ]
    .concat();
    let manifest = s.join("MANIFEST.tsv");
    std::fs::write(&manifest, &manifest_text).expect("write");
    let dest = s.join("target/conformance");

    let out = fetch(&s, &manifest, &dest);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().last(),
        Some(dest.display().to_string().as_str())
    );
    let read =
        |p: &str| std::fs::read_to_string(dest.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    assert_eq!(
        read("2023-09/base/job_templates/1--a.yaml"),
        v1,
        "the pinned version, not the newest"
    );
    assert_eq!(read("upstream/README.md"), readme);
    assert_eq!(
        read("fork-copies/someone/2023-09/WRAP_ACTIONS/env_templates/4--f.yaml"),
        forked
    );
    assert_eq!(read("MANIFEST.tsv"), manifest_text);
    // The tests find it where the script puts it by default.
    let repo = s.path();
    assert_eq!(resolve(repo, None), Ok(Some(Found::Fetched(dest.clone()))));

    // A second run leaves it alone.
    let out = fetch(&s, &manifest, &dest);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already holds"));

    // Content that does not match the manifest fails, and says where.
    let bad = manifest_text.replace(&sha16(v1), "0123456789abcdef");
    std::fs::write(&manifest, bad).expect("write");
    let out = fetch(&s, &manifest, &s.join("other"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("2023-09/base/job_templates/1--a.yaml at")
            && stderr.contains("the manifest says 0123456789abcdef"),
        "{stderr}"
    );
    assert!(!s.join("other").exists(), "nothing is left half-written");

    // A commit the repository does not have fails, naming it.
    let missing = "0".repeat(40);
    std::fs::write(&manifest, manifest_text.replace(&c3, &missing)).expect("write");
    let out = fetch(&s, &manifest, &s.join("other"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("commit {missing} is not in")),
        "{stderr}"
    );
}
