//! The language server through the real binary over stdio.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::Client;

const URI: &str = "file:///work/job.yaml";

/// `é` and an emoji before the error, so UTF-8 and UTF-16 columns differ.
const TEXT: &str = "specificationVersion: jobtemplate-2023-09
name: J
steps:
  - name: S
    script:
      actions:
        onRun:
          command: echo
          args: [\"é😀 {{Param.Fram}}\"]
";

fn range(d: &Value) -> (u64, u64, u64) {
    let r = &d["range"];
    (
        r["start"]["line"].as_u64().unwrap_or(99),
        r["start"]["character"].as_u64().unwrap_or(99),
        r["end"]["character"].as_u64().unwrap_or(99),
    )
}

#[test]
fn utf16_positions_by_default() {
    let mut c = Client::start();
    let init = c.initialize(&["utf-16"], json!({}));
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    c.open(URI, TEXT, 1);
    let diags = c.diagnostics_for(URI, Some(1));
    let d = diags
        .iter()
        .find(|d| d["code"] == "undefined-variable")
        .expect("undefined-variable");
    // `          args: ["` is 18 UTF-16 units; é is 1, 😀 is 2, then a space and `{{`.
    assert_eq!(range(d), (8, 18 + 1 + 2 + 1 + 2, 18 + 1 + 2 + 1 + 2 + 10));
    assert_eq!(c.shutdown_and_exit(), Some(0));
}

#[test]
fn utf8_positions_when_offered() {
    let mut c = Client::start();
    let init = c.initialize(&["utf-8", "utf-16"], json!({}));
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-8");
    c.open(URI, TEXT, 1);
    let diags = c.diagnostics_for(URI, Some(1));
    let d = diags
        .iter()
        .find(|d| d["code"] == "undefined-variable")
        .expect("undefined-variable");
    // é is 2 bytes, 😀 is 4.
    assert_eq!(range(d), (8, 18 + 2 + 4 + 1 + 2, 18 + 2 + 4 + 1 + 2 + 10));
}

#[test]
fn non_templates_get_an_empty_list_and_close_clears() {
    let mut c = Client::start();
    c.initialize(&["utf-16"], json!({}));
    c.open(
        "file:///work/compose.yaml",
        "services:\n  web: {image: nginx\n",
        1,
    );
    assert!(
        c.diagnostics_for("file:///work/compose.yaml", Some(1))
            .is_empty()
    );
    c.open(URI, TEXT, 1);
    assert!(!c.diagnostics_for(URI, Some(1)).is_empty());
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": URI}}),
    );
    // Publishes for the open document may still arrive (the workspace is
    // indexed in the background); the close must end in an empty list.
    let cleared = c.wait_for(
        "textDocument/publishDiagnostics",
        |p| p["uri"] == URI && p["diagnostics"] == json!([]),
        Duration::from_secs(10),
    );
    assert!(cleared.is_some(), "closing did not clear the diagnostics");
}

#[test]
fn pull_diagnostics_for_clients_that_ask() {
    let mut c = Client::start();
    let init = c.initialize(
        &["utf-16"],
        json!({"textDocument": {"diagnostic": {"dynamicRegistration": false}}}),
    );
    assert_eq!(
        init["result"]["capabilities"]["diagnosticProvider"]["identifier"],
        "openjd"
    );
    c.open(URI, TEXT, 1);
    let report = c.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": URI}}),
    );
    let items = report["result"]["items"].as_array().expect("items");
    assert!(
        items.iter().any(|d| d["code"] == "undefined-variable"),
        "{report}"
    );
    // Unknown documents give an empty report, not an error.
    let report = c.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": "file:///nope.yaml"}}),
    );
    assert_eq!(report["result"]["items"], json!([]));
}

#[test]
fn exit_without_shutdown_is_status_one() {
    let mut c = Client::start();
    c.initialize(&["utf-16"], json!({}));
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(), Some(1));
}

#[test]
fn exits_when_the_client_process_is_gone() {
    let mut parent = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .expect("sleep");
    let mut c = Client::start();
    c.request(
        "initialize",
        json!({"processId": parent.id(), "capabilities": {}}),
    );
    parent.kill().expect("kill");
    parent.wait().expect("reap");
    assert!(
        c.wait_exit().is_some(),
        "the server kept running without its client"
    );
}

#[test]
fn out_of_range_edits_are_clamped_not_fatal() {
    let mut c = Client::start();
    c.initialize(&["utf-16"], json!({}));
    c.open(URI, TEXT, 1);
    c.diagnostics_for(URI, Some(1));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 500, "character": 0}, "end": {"line": 900, "character": 4}}, "text": "# tail\n"}]}),
    );
    c.diagnostics_for(URI, Some(2));
    // Still serving.
    let report = c.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": URI}}),
    );
    assert!(report.get("result").is_some(), "{report}");
}

/// UTF-16 position of a char index in `text`, computed independently of
/// the server's own conversion code.
fn utf16_position(text: &str, char_index: usize) -> (usize, usize) {
    let (mut line, mut col) = (0, 0);
    let mut chars = text.chars().take(char_index).peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\n' => {
                line += 1;
                col = 0;
            }
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    line += 1;
                    col = 0;
                }
            }
            _ => col += ch.len_utf16(),
        }
    }
    (line, col)
}

#[test]
fn two_thousand_random_edits_match_a_fresh_open() {
    const SNIPPETS: [&str; 10] = [
        "a",
        "{{",
        "}}",
        "\n",
        "é",
        "😀",
        "Param.",
        "  - name: X\n",
        ": ",
        "\r\n",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut rand = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    let mut c = Client::start();
    c.initialize(&["utf-16"], json!({}));
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"openjd": {"diagnostics": {"debounceMs": 5}}}}),
    );
    let mut text: Vec<char> = TEXT.chars().collect();
    c.open(URI, TEXT, 1);
    let mut version = 1;
    for _ in 0..2000 {
        let len = text.len();
        let start = rand(len + 1);
        let end = (start + rand(4)).min(len);
        let insert = if rand(3) == 0 {
            ""
        } else {
            SNIPPETS[rand(SNIPPETS.len())]
        };
        let current: String = text.iter().collect();
        let (sl, sc) = utf16_position(&current, start);
        let (el, ec) = utf16_position(&current, end);
        // Never split a CRLF pair or a surrogate pair in the edit range: the
        // positions above name whole characters, so this holds by construction.
        text.splice(start..end, insert.chars());
        version += 1;
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version},
                   "contentChanges": [{"range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}}, "text": insert}]}),
        );
    }
    let edited = c.diagnostics_for(URI, Some(version));
    let final_text: String = text.iter().collect();
    c.open("file:///work/fresh.yaml", &final_text, 1);
    let fresh = c.diagnostics_for("file:///work/fresh.yaml", Some(1));
    let strip = |v: Vec<Value>| -> Vec<Value> {
        v.into_iter()
            .map(|mut d| {
                if let Some(o) = d.as_object_mut() {
                    o.remove("relatedInformation");
                }
                d
            })
            .collect()
    };
    assert_eq!(strip(edited), strip(fresh));
    let _ = Duration::ZERO;
}

const WRAPPER: &str = "specificationVersion: environment-2023-09
extensions: [WRAP_ACTIONS, EXPR]
environment:
  name: Docker
  script:
    actions:
      onWrapEnvEnter: {command: x}
      onWrapTaskRun:
        command: docker
        args: [\"{{WrappedAction.\"]
      onWrapEnvExit: {command: x}
";

#[test]
fn completion_hover_and_signature_help_over_the_wire() {
    let mut c = Client::start();
    c.initialize(&["utf-16"], json!({}));
    let uri = "file:///work/env.yaml";
    c.open(uri, WRAPPER, 1);
    // Inside the unterminated `{{WrappedAction.` on line 9.
    let line = 9;
    let character = "        args: [\"{{WrappedAction.".len();
    let resp = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
    );
    let items = resp["result"]["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{resp}"));
    let labels: Vec<&str> = items
        .iter()
        .filter_map(|i| i["textEdit"]["newText"].as_str())
        .collect();
    assert!(labels.contains(&"WrappedAction.Command"), "{labels:?}");
    assert!(
        !labels.iter().any(|l| l.starts_with("WrappedEnv")),
        "{labels:?}"
    );
    let cmd = items
        .iter()
        .find(|i| i["textEdit"]["newText"] == "WrappedAction.Command")
        .expect("Command");
    assert_eq!(
        cmd["textEdit"]["range"]["start"]["character"],
        character - "WrappedAction.".len()
    );

    c.open(URI, TEXT, 1);
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 7, "character": 12}}),
    );
    let value = hover["result"]["contents"]["value"]
        .as_str()
        .expect("hover text");
    assert!(value.contains("**command**"), "{value}");

    let text = "specificationVersion: jobtemplate-2023-09\nextensions: [EXPR]\nname: J\nsteps:\n  - name: S\n    script:\n      actions:\n        onRun:\n          command: echo\n          args: [\"{{ join(['a'], ) }}\"]\n";
    c.open("file:///work/sig.yaml", text, 1);
    let character = "          args: [\"{{ join(['a'], ".len();
    let sig = c.request(
        "textDocument/signatureHelp",
        json!({"textDocument": {"uri": "file:///work/sig.yaml"}, "position": {"line": 9, "character": character}}),
    );
    assert_eq!(sig["result"]["activeParameter"], 1, "{sig}");
    assert!(
        sig["result"]["signatures"][0]["label"]
            .as_str()
            .unwrap_or("")
            .starts_with("join("),
        "{sig}"
    );

    // Requests about documents the server does not have return nothing.
    let none = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///nope.yaml"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(none["result"], Value::Null);
}

const NAV: &str = "specificationVersion: jobtemplate-2023-09
extensions: [EXPR]
name: \"Render {{Param.Shot}}\"
parameterDefinitions:
  - name: Shot
    type: STRING
steps:
  - name: A
    script:
      actions:
        onRun:
          command: echo
          args: [\"{{Param.Shot}}\", \"{{ upper(Param.Shot) }}\"]
  - name: B
    dependencies:
      - dependsOn: A
    script:
      actions:
        onRun: {command: echo}
";

fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

#[test]
fn navigation_and_structure_requests_over_the_wire() {
    let uri = "file:///work/nav.yaml";
    let mut c = Client::start();
    c.initialize(&["utf-16"], json!({}));
    c.open(uri, NAV, 1);
    let doc = json!({"uri": uri});
    // `Shot` inside `{{Param.Shot}}` on line 12, after `          args: ["{{Param.`.
    let on_use = pos(12, 28);
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": doc, "position": on_use}),
    );
    assert_eq!(
        def["result"]["range"]["start"],
        json!({"line": 4, "character": 10}),
        "{def}"
    );
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": doc, "position": on_use, "context": {"includeDeclaration": true}}),
    );
    assert_eq!(refs["result"].as_array().map(Vec::len), Some(4), "{refs}");
    let hl = c.request(
        "textDocument/documentHighlight",
        json!({"textDocument": doc, "position": on_use}),
    );
    assert_eq!(hl["result"].as_array().map(Vec::len), Some(4), "{hl}");
    let prep = c.request(
        "textDocument/prepareRename",
        json!({"textDocument": doc, "position": on_use}),
    );
    assert_eq!(
        prep["result"]["start"],
        json!({"line": 12, "character": 26}),
        "{prep}"
    );
    let rename = c.request(
        "textDocument/rename",
        json!({"textDocument": doc, "position": on_use, "newName": "ShotName"}),
    );
    let edits = rename["result"]["changes"][uri]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(edits.len(), 4, "{rename}");
    assert!(edits.iter().all(|e| e["newText"] == "ShotName"));
    let bad = c.request(
        "textDocument/rename",
        json!({"textDocument": doc, "position": on_use, "newName": "9lives"}),
    );
    assert!(bad.get("error").is_some(), "{bad}");
    // Step names: from `dependsOn: A` to the step.
    let dep = c.request(
        "textDocument/definition",
        json!({"textDocument": doc, "position": pos(15, 19)}),
    );
    assert_eq!(dep["result"]["range"]["start"]["line"], 7, "{dep}");

    let symbols = c.request("textDocument/documentSymbol", json!({"textDocument": doc}));
    let names: Vec<&str> = symbols["result"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, vec!["Shot", "A", "B"], "{symbols}");
    let folds = c.request("textDocument/foldingRange", json!({"textDocument": doc}));
    assert!(
        folds["result"].as_array().is_some_and(|f| !f.is_empty()),
        "{folds}"
    );
    let sel = c.request(
        "textDocument/selectionRange",
        json!({"textDocument": doc, "positions": [on_use]}),
    );
    assert!(sel["result"][0]["parent"].is_object(), "{sel}");
    let tokens = c.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": doc}),
    );
    let data = tokens["result"]["data"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0);
    assert!(data > 0 && data.is_multiple_of(5), "{tokens}");
    let ranged = c.request(
        "textDocument/semanticTokens/range",
        json!({"textDocument": doc, "range": {"start": pos(12, 0), "end": pos(13, 0)}}),
    );
    let ranged_len = ranged["result"]["data"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0);
    assert!(ranged_len > 0 && ranged_len < data, "{ranged}");
}

#[test]
fn quick_fixes_over_the_wire() {
    let uri = "file:///work/fix.yaml";
    let text = "specificationVersion: jobtemplate-2023-09\nnmae: J\nsteps: []\n";
    let mut c = Client::start();
    c.initialize(&["utf-16"], json!({}));
    c.open(uri, text, 1);
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": pos(1, 1), "end": pos(1, 1)}, "context": {"diagnostics": []}}),
    );
    let list = actions["result"].as_array().cloned().unwrap_or_default();
    let fix = list
        .iter()
        .find(|a| a["title"] == "Replace with `name`")
        .unwrap_or_else(|| panic!("{actions}"));
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["edit"]["changes"][uri][0]["newText"], "name");
}

/// A document the reference validator (openjd-model 0.8.0) panics on: a
/// FEATURE_BUNDLE_1 `bash:` step whose name is not an identifier.
const CRASH: &str = "specificationVersion: jobtemplate-2023-09
extensions: [FEATURE_BUNDLE_1]
name: Crash
steps:
  - name: a½
    bash:
      script: echo {{Param.Missing}}
";

#[test]
fn a_crash_of_the_reference_keeps_diagnostics_and_features() {
    let mut c = Client::start();
    c.initialize(&["utf-16"], json!({}));
    let uri = "file:///work/crash.yaml";
    c.open(uri, CRASH, 1);
    let diags = c.diagnostics_for(uri, Some(1));
    let codes: Vec<&str> = diags.iter().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(
        codes,
        ["reference-crash", "undefined-variable"],
        "{diags:?}"
    );
    assert_eq!(diags[0]["severity"], 2, "a warning");
    // Requests on the document still work.
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": pos(6, 22)}),
    );
    assert!(hover.get("error").is_none(), "{hover}");
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(
        symbols["result"].as_array().is_some_and(|s| !s.is_empty()),
        "{symbols}"
    );
    assert_eq!(c.shutdown_and_exit(), Some(0));
}

/// Without a file name (an untitled buffer) the client's languageId says
/// YAML or JSON: a comment is fine in YAML and an error in JSON.
#[test]
fn untitled_buffers_follow_the_language_id() {
    let mut c = Client::start();
    c.initialize(&["utf-16"], json!({}));
    let text = "{\"specificationVersion\": \"jobtemplate-2023-09\", # comment\n \"name\": \"J\", \"steps\": [{\"name\": \"S\", \"script\": {\"actions\": {\"onRun\": {\"command\": \"echo\"}}}}]}\n";
    for (uri, language, errors) in [
        ("untitled:Untitled-1", "yaml", 0),
        ("untitled:Untitled-2", "json", 1),
    ] {
        c.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
        let diags = c.diagnostics_for(uri, Some(1));
        assert_eq!(diags.len(), errors, "{language}: {diags:?}");
        if errors == 1 {
            assert_eq!(diags[0]["code"], "syntax");
            assert_eq!(range(&diags[0]), (0, 48, 49), "the `#`");
        }
    }
}

/// A selection range asked for past the end of a line or of the document
/// is about the nearest place in it: the whole document here.
#[test]
fn selection_range_past_the_end_stays_in_the_document() {
    let uri = "file:///work/selection.yaml";
    let text = "specificationVersion: jobtemplate-2023-09\nname: J\n";
    let mut c = Client::start();
    c.initialize(&["utf-16"], json!({}));
    c.open(uri, text, 1);
    let sel = c.request(
        "textDocument/selectionRange",
        json!({"textDocument": {"uri": uri}, "positions": [pos(13, 4), pos(2, 40)]}),
    );
    let whole = json!({"start": pos(0, 0), "end": pos(2, 0)});
    assert_eq!(sel["result"][0]["range"], whole, "{sel}");
    assert_eq!(sel["result"][1]["range"], whole, "{sel}");
}

/// `TEXT` without its error.
const CLEAN: &str = "specificationVersion: jobtemplate-2023-09
name: J
steps:
  - name: S
    script:
      actions:
        onRun:
          command: echo
          args: [\"é😀\"]
";

/// A server whose log lists its analyses, with these settings and client
/// capabilities.
fn counting_analyses(settings: Value, capabilities: Value) -> Client {
    let mut c = Client::start_with_log(&[]);
    let mut options = settings;
    options["log"] = json!({"level": "info,openjd_lsp::analyses=debug"});
    let init = c.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": capabilities,
               "initializationOptions": {"openjd": options}}),
    );
    assert!(init.get("error").is_none(), "{init}");
    c.notify("initialized", json!({}));
    c
}

/// The versions of `URI` the server has analysed so far, in order, once
/// there are at least `expected` (or after a few seconds): its log says so
/// a moment after the diagnostics go out.
fn analysed_versions(c: &Client, expected: usize) -> Vec<i64> {
    let versions = || -> Vec<i64> {
        c.log_lines(&format!("analysis of {URI} version "))
            .iter()
            .filter_map(|l| {
                let rest = l.split(" version ").nth(1)?;
                rest.split(':').next()?.parse().ok()
            })
            .collect()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while versions().len() < expected && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    // Time for one more line, should there wrongly be one.
    std::thread::sleep(Duration::from_millis(100));
    versions()
}

fn replace_all(c: &mut Client, version: i64, text: &str) {
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": version},
               "contentChanges": [{"text": text}]}),
    );
}

fn has_the_error(items: &[Value]) -> bool {
    items.iter().any(|d| d["code"] == "undefined-variable")
}

/// Capabilities of a client that is sent diagnostics.
fn push_client() -> Value {
    json!({"general": {"positionEncodings": ["utf-16"]}})
}

/// Capabilities of a client that pulls diagnostics.
fn pull_client() -> Value {
    json!({"general": {"positionEncodings": ["utf-16"]},
           "textDocument": {"diagnostic": {"dynamicRegistration": false}}})
}

#[test]
fn by_default_each_edit_of_a_cheap_document_is_published_from_one_analysis() {
    let mut c = counting_analyses(json!({}), push_client());
    c.open(URI, TEXT, 1);
    assert!(has_the_error(&c.diagnostics_for(URI, Some(1))));
    for version in 2..=6 {
        let text = if version % 2 == 0 { CLEAN } else { TEXT };
        replace_all(&mut c, version, text);
        let items = c.diagnostics_for(URI, Some(version));
        assert_eq!(has_the_error(&items), version % 2 == 1, "version {version}");
    }
    assert_eq!(analysed_versions(&c, 6), vec![1, 2, 3, 4, 5, 6]);
    // A burst: whatever is analysed on the way, the last version is
    // published, and no version is analysed twice.
    for version in 7..=26 {
        replace_all(&mut c, version, if version == 26 { CLEAN } else { TEXT });
    }
    assert!(!has_the_error(&c.diagnostics_for(URI, Some(26))));
    // (An analysis that a newer version stopped may be logged after that
    // version's.)
    let analysed = analysed_versions(&c, 7);
    let mut unique = analysed.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), analysed.len(), "{analysed:?}");
    assert!(analysed.contains(&26), "{analysed:?}");
}

#[test]
fn a_fixed_debounce_analyses_a_burst_of_edits_once() {
    let mut c = counting_analyses(json!({"diagnostics": {"debounceMs": 400}}), push_client());
    c.open(URI, TEXT, 1);
    assert!(has_the_error(&c.diagnostics_for(URI, Some(1))));
    for version in 2..=11 {
        replace_all(&mut c, version, if version == 11 { CLEAN } else { TEXT });
    }
    assert!(!has_the_error(&c.diagnostics_for(URI, Some(11))));
    assert_eq!(analysed_versions(&c, 2), vec![1, 11]);
    let published_between = c
        .backlog
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .filter(|m| m["params"]["uri"] == URI)
        .count();
    assert_eq!(published_between, 0, "{:?}", c.backlog);
}

/// Send a pull for `URI` without waiting for its answer; its id.
fn send_pull(c: &mut Client, id: i64) {
    c.send(
        &json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/diagnostic",
                   "params": {"textDocument": {"uri": URI}}}),
    );
}

fn pulled_items(c: &mut Client, id: i64) -> Vec<Value> {
    let answer = c
        .wait_response(|m| m["id"] == json!(id))
        .unwrap_or_else(|| panic!("no answer to pull {id}"));
    answer["result"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("{answer}"))
}

#[test]
fn by_default_a_pull_is_answered_from_the_newest_version_analysed_once() {
    let mut c = counting_analyses(json!({}), pull_client());
    c.open(URI, TEXT, 1);
    send_pull(&mut c, 100);
    assert!(has_the_error(&pulled_items(&mut c, 100)));
    for version in 2..=5 {
        let text = if version % 2 == 0 { CLEAN } else { TEXT };
        replace_all(&mut c, version, text);
        send_pull(&mut c, 100 + version);
        let items = pulled_items(&mut c, 100 + version);
        assert_eq!(has_the_error(&items), version % 2 == 1, "version {version}");
    }
    // The pull and the analysis after the edit share it.
    assert_eq!(analysed_versions(&c, 5), vec![1, 2, 3, 4, 5]);
}

#[test]
fn with_a_fixed_debounce_a_pull_waits_for_it_and_answers_the_newest_version() {
    let mut c = counting_analyses(json!({"diagnostics": {"debounceMs": 400}}), pull_client());
    c.open(URI, TEXT, 1);
    send_pull(&mut c, 100);
    assert!(has_the_error(&pulled_items(&mut c, 100)));
    // A pull sent between two edits is answered for the second: it does
    // not analyse the first ahead of its wait, which the second ends.
    replace_all(&mut c, 2, CLEAN);
    send_pull(&mut c, 101);
    replace_all(&mut c, 3, TEXT);
    assert!(has_the_error(&pulled_items(&mut c, 101)));
    assert_eq!(analysed_versions(&c, 2), vec![1, 3]);
    // Once the version is analysed a pull needs no wait.
    send_pull(&mut c, 102);
    assert!(has_the_error(&pulled_items(&mut c, 102)));
    assert_eq!(analysed_versions(&c, 2), vec![1, 3]);
}
