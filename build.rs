//! Names the commit the binary was built from, for `openjd-lsp --version`.
//!
//! From git when the source is a git checkout; else from the
//! `.cargo_vcs_info.json` that `cargo package` writes into a packaged crate;
//! else "commit unknown". Nothing here fails the build.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// The commit of a packaged crate, from the file cargo writes:
/// `{"git": {"sha1": "…", "dirty": true}, "path_in_vcs": ""}`.
fn packaged_commit(manifest_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(manifest_dir.join(".cargo_vcs_info.json")).ok()?;
    let after = &text[text.find("\"sha1\"")? + "\"sha1\"".len()..];
    let after = after
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    let sha: String = after
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .take(12)
        .collect();
    if sha.len() < 7 {
        return None;
    }
    let dirty = text.contains("\"dirty\": true") || text.contains("\"dirty\":true");
    Some(format!("{sha}{}", if dirty { "-dirty" } else { "" }))
}

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    println!("cargo:rerun-if-changed=build.rs");
    if manifest_dir.join(".cargo_vcs_info.json").exists() {
        println!("cargo:rerun-if-changed=.cargo_vcs_info.json");
    }
    println!("cargo:rerun-if-env-changed=OPENJD_LSP_COMMIT");

    let from_git = || {
        // Only when this crate's folder is the top of a git checkout: a
        // packaged crate unpacked inside some other repository is not it.
        let top = git(&["rev-parse", "--show-toplevel"])?;
        let same =
            std::fs::canonicalize(&top).ok()? == std::fs::canonicalize(&manifest_dir).ok()?;
        if !same {
            return None;
        }
        // Rebuild when HEAD moves: HEAD itself, the branch it points to, and
        // packed refs. (Only files that exist: cargo reruns the script on
        // every build while a watched path is missing.)
        let mut watched = vec![git(&["rev-parse", "--git-path", "HEAD"])];
        if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
            watched.push(git(&["rev-parse", "--git-path", &branch]));
        }
        watched.push(git(&["rev-parse", "--git-path", "packed-refs"]));
        for path in watched.into_iter().flatten() {
            if Path::new(&path).exists() {
                println!("cargo:rerun-if-changed={path}");
            }
        }
        let sha = git(&["rev-parse", "--short=12", "HEAD"])?;
        let date = git(&["log", "-1", "--format=%cs", "HEAD"]);
        Some(match date {
            Some(d) => format!("{sha} {d}"),
            None => sha,
        })
    };

    let commit = std::env::var("OPENJD_LSP_COMMIT")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .or_else(from_git)
        .or_else(|| packaged_commit(&manifest_dir))
        .unwrap_or_else(|| "commit unknown".to_string());
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!("cargo:rustc-env=OPENJD_LSP_COMMIT={commit}");
    println!("cargo:rustc-env=OPENJD_LSP_VERSION={version} ({commit})");
}
