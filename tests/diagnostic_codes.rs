//! The diagnostic-code registry (`src/analysis/codes.rs`) is the one list of
//! codes: the README shows exactly it.

use openjd_lsp::analysis::Code;

const START: &str = "<!-- diagnostic-codes:start -->\n";
const END: &str = "<!-- diagnostic-codes:end -->";

/// The README lists exactly the registry. `UPDATE_EXPECT=1` rewrites its list.
#[test]
fn readme_lists_every_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let start = readme
        .find(START)
        .expect("README has the codes start marker")
        + START.len();
    let end = readme[start..]
        .find(END)
        .expect("README has the codes end marker")
        + start;
    let want = Code::markdown_table();
    if readme[start..end] == want {
        return;
    }
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        let updated = format!("{}{want}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).expect("write README.md");
        return;
    }
    panic!(
        "README.md's list of diagnostic codes differs from the registry in src/analysis/codes.rs; \
         run `UPDATE_EXPECT=1 cargo test --test diagnostic_codes` to rewrite it.\n\
         want:\n{want}\nhave:\n{}",
        &readme[start..end]
    );
}
