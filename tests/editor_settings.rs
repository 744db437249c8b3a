//! The editor configurations agree with the server's own list of settings
//! (`server::config::SETTINGS`): VS Code's `package.json` declares each one
//! with the same default, and the settings tables of the README and of the
//! extension's README list them. Client-side settings are those whose first
//! key is in `CLIENT_SETTINGS`.

use std::path::Path;

use openjd_lsp::server::config::{CLIENT_SETTINGS, SETTINGS};
use serde_json::Value;

fn read(path: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn package_json() -> Value {
    serde_json::from_str(&read("editors/vscode/package.json")).expect("package.json is JSON")
}

fn is_client_side(key: &str) -> bool {
    CLIENT_SETTINGS.contains(&key.split('.').next().unwrap_or(key))
}

/// `| `openjd.KEY` | `DEFAULT` | …` rows of a Markdown table.
fn table_rows(markdown: &str) -> Vec<(String, String)> {
    markdown
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let key = cells.get(1)?.strip_prefix("`openjd.")?.strip_suffix('`')?;
            let default = cells.get(2)?.trim_matches('`');
            Some((key.to_string(), default.to_string()))
        })
        .collect()
}

#[test]
fn package_json_declares_every_server_setting_with_its_default() {
    let manifest = package_json();
    let props = manifest["contributes"]["configuration"]["properties"]
        .as_object()
        .expect("contributes.configuration.properties");
    for s in SETTINGS {
        let prop = props
            .get(&format!("openjd.{}", s.key))
            .unwrap_or_else(|| panic!("package.json does not declare openjd.{}", s.key));
        let default: Value = serde_json::from_str(s.default).expect("JSON default");
        assert_eq!(prop["default"], default, "default of openjd.{}", s.key);
    }
    for key in props.keys() {
        let key = key
            .strip_prefix("openjd.")
            .unwrap_or_else(|| panic!("{key} is outside the openjd section"));
        assert!(
            is_client_side(key) || SETTINGS.iter().any(|s| s.key == key),
            "package.json declares openjd.{key}, which the server does not know; add it to server::config::SETTINGS (or CLIENT_SETTINGS if only the extension reads it)"
        );
    }
}

#[test]
fn the_readme_tables_list_every_setting_with_its_default() {
    let section = |text: &str, heading: &str| -> String {
        let start = text
            .find(heading)
            .unwrap_or_else(|| panic!("no {heading:?}"));
        let rest = &text[start + heading.len()..];
        let end = rest.find("\n#").unwrap_or(rest.len());
        rest[..end].to_string()
    };
    let readme = table_rows(&section(&read("README.md"), "### Settings"));
    let server: Vec<(String, String)> = SETTINGS
        .iter()
        .map(|s| (s.key.to_string(), s.default.to_string()))
        .collect();
    assert_eq!(
        readme, server,
        "README.md's settings table, in the order of server::config::SETTINGS"
    );

    let manifest = package_json();
    let props = &manifest["contributes"]["configuration"]["properties"];
    let extension = table_rows(&section(&read("editors/vscode/README.md"), "## Settings"));
    let declared = props.as_object().map_or(0, |m| m.len());
    assert_eq!(
        extension.len(),
        declared,
        "the extension's README lists each setting of package.json once: {extension:?}"
    );
    for (key, default) in extension {
        let prop = &props[format!("openjd.{key}")];
        assert!(
            prop.is_object(),
            "the extension's README lists openjd.{key}, which package.json does not declare"
        );
        let documented: Value = serde_json::from_str(&default)
            .unwrap_or_else(|e| panic!("default of openjd.{key} in the extension's README: {e}"));
        assert_eq!(prop["default"], documented, "default of openjd.{key}");
    }
}

#[test]
fn the_extension_names_the_repository_of_the_crate() {
    let manifest = package_json();
    assert_eq!(
        manifest["repository"]["url"],
        env!("CARGO_PKG_REPOSITORY"),
        "package.json's repository.url and Cargo.toml's repository"
    );
    assert_eq!(manifest["license"], env!("CARGO_PKG_LICENSE"));
    assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn the_extension_readme_shows_images_the_marketplace_can_load() {
    // The marketplace renders the README away from the repository, so a
    // relative image link is broken there: images are absolute URLs of
    // files of this repository's main branch.
    let readme = read("editors/vscode/README.md");
    let prefix = format!("{}/raw/main/", env!("CARGO_PKG_REPOSITORY"));
    let mut images = 0;
    for (i, _) in readme.match_indices("![") {
        let rest = &readme[i..];
        let open = rest.find("](").expect("an image link") + 2;
        let close = rest[open..].find(')').expect("a closing parenthesis") + open;
        let url = &rest[open..close];
        let path = url
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("image {url} is not under {prefix}"));
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(path).is_file(),
            "image {url}: no file {path} in the repository"
        );
        images += 1;
    }
    assert!(
        images > 0,
        "the extension's README shows the extension at work"
    );
}

#[test]
fn package_json_lets_the_debounce_be_auto_or_milliseconds() {
    let manifest = package_json();
    let prop =
        &manifest["contributes"]["configuration"]["properties"]["openjd.diagnostics.debounceMs"];
    let choices = prop["anyOf"]
        .as_array()
        .expect("anyOf: the word or a number");
    assert!(
        choices
            .iter()
            .any(|c| c["enum"] == serde_json::json!(["auto"])),
        "{prop}"
    );
    assert!(
        choices
            .iter()
            .any(|c| c["type"] == "number" && c["minimum"] == 0),
        "{prop}"
    );
}
