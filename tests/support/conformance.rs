// Where the specification's conformance suite is, for the tests and
// benchmarks that read it. In this order:
//
// 1. `../shared/conformance` beside the repository (the project's own
//    layout);
// 2. the folder named by `OPENJD_CONFORMANCE_DIR`;
// 3. `target/conformance`, where `scripts/fetch-conformance.sh` puts the
//    suite it fetches at the commits `tests/conformance/MANIFEST.tsv` pins
//    (`scripts/test.sh` runs it when neither of the above is there).
//
// Each must hold a `MANIFEST.tsv`. Without any, a test that needs the suite
// says so loudly on stderr (past the test harness's output capture) and
// skips.
//
// Used by tests/conformance.rs and benches/corpus.rs as a module, and by
// the unit test in src/analysis/tree_value.rs through `include!` (hence
// plain comments here rather than `//!`).

use std::ffi::OsStr;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Where the suite was found, and how.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    Shared(PathBuf),
    Env(PathBuf),
    Fetched(PathBuf),
}

impl Found {
    pub fn dir(&self) -> &Path {
        match self {
            Found::Shared(p) | Found::Env(p) | Found::Fetched(p) => p,
        }
    }
}

/// The lookup itself, from the repository folder and the value of
/// `OPENJD_CONFORMANCE_DIR`. `Err` when the variable names a folder without
/// a `MANIFEST.tsv`: a wrong setting is an error, not a reason to skip.
pub fn resolve(repo: &Path, env: Option<&OsStr>) -> Result<Option<Found>, String> {
    let has_manifest = |d: &Path| d.join("MANIFEST.tsv").is_file();
    let shared = repo.join("../shared/conformance");
    if has_manifest(&shared) {
        return Ok(Some(Found::Shared(shared)));
    }
    if let Some(dir) = env.filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(dir);
        return if has_manifest(&dir) {
            Ok(Some(Found::Env(dir)))
        } else {
            Err(format!(
                "OPENJD_CONFORMANCE_DIR={} has no MANIFEST.tsv",
                dir.display()
            ))
        };
    }
    let fetched = repo.join("target/conformance");
    if has_manifest(&fetched) {
        return Ok(Some(Found::Fetched(fetched)));
    }
    Ok(None)
}

/// The suite's folder for this checkout, or `None` after a loud notice that
/// `what` is skipped.
pub fn conformance_dir(what: &str) -> Option<PathBuf> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let env = std::env::var_os("OPENJD_CONFORMANCE_DIR");
    match resolve(repo, env.as_deref()) {
        Ok(Some(found)) => Some(found.dir().to_path_buf()),
        Ok(None) => {
            // Straight to stderr: the harness captures eprintln! of a
            // passing test, and this must be seen.
            let banner = format!(
                "\n\
                 ######################################################################\n\
                 ## SKIPPED: {what}\n\
                 ## The OpenJD conformance suite was not found: no ../shared/conformance,\n\
                 ## no OPENJD_CONFORMANCE_DIR, no target/conformance. Fetch it with\n\
                 ##   scripts/fetch-conformance.sh\n\
                 ## (scripts/test.sh does that by itself).\n\
                 ######################################################################\n"
            );
            // One write, so that parallel tests' output does not cut into it.
            let _ = std::io::stderr().write_all(banner.as_bytes());
            None
        }
        Err(e) => panic!("{e}"),
    }
}
