//! Finding template candidates on disk: the one walk that both the
//! workspace index and `check` use.

use std::path::{Path, PathBuf};

/// A file the workspace looks at: YAML or JSON by extension.
pub fn is_candidate(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("yaml" | "yml" | "json")
    )
}

/// Template candidates under `dir`, sorted, honouring .gitignore and
/// skipping the usual build and tool directories.
pub fn walk_dir(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .git_ignore(true)
        .require_git(false)
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            !(e.file_type().is_some_and(|t| t.is_dir())
                && matches!(name.as_ref(), ".git" | "target" | "node_modules"))
        })
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .filter(|p| is_candidate(p))
        .collect();
    files.sort();
    files
}

/// A file's text, if it can be read as UTF-8.
pub fn read_text(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}
