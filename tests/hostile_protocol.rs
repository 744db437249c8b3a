//! The server survives any byte stream: each malformed message gets the
//! JSON-RPC error it deserves (or none, where nobody could be told), and a
//! valid request sent right after it is still answered.

mod support;

use serde_json::{Value, json};
use support::Client;

const URI: &str = "file:///work/hostile.yaml";
const TEXT: &str = "specificationVersion: jobtemplate-2023-09\nname: J\nsteps:\n  - name: S\n    script:\n      actions:\n        onRun:\n          command: echo\n";

fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// The server still answers a hover request.
fn still_serving(c: &mut Client, after: &str) {
    let resp = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": 1}}),
    );
    assert!(
        resp.get("error").is_none() && resp["result"].is_object(),
        "after {after}: {resp}"
    );
}

fn started() -> Client {
    let mut c = Client::start();
    c.initialize(&["utf-16"], json!({}));
    c.open(URI, TEXT, 1);
    c
}

#[test]
fn each_malformed_message_gets_an_error_and_the_next_request_an_answer() {
    let mut c = started();
    // (what is sent, the error code of the answer, its id)
    let cases: Vec<(&str, Vec<u8>, i64, Value)> = vec![
        (
            "invalid JSON",
            framed(b"{\"jsonrpc\": \"2.0\", \"id\": 1,"),
            -32700,
            Value::Null,
        ),
        (
            "invalid UTF-8",
            framed(b"{\"jsonrpc\":\"2.0\",\"method\":\"x\xff\xfe\"}"),
            -32700,
            Value::Null,
        ),
        ("a null body", framed(b"null"), -32600, Value::Null),
        ("an empty batch", framed(b"[]"), -32600, Value::Null),
        (
            "a batch",
            framed(br#"[{"jsonrpc":"2.0","id":90,"method":"shutdown"}]"#),
            -32600,
            Value::Null,
        ),
        (
            "a fractional id",
            framed(br#"{"jsonrpc":"2.0","id":1.5,"method":"textDocument/hover","params":{}}"#),
            -32600,
            Value::Null,
        ),
        (
            "an id of 2^70",
            framed(br#"{"jsonrpc":"2.0","id":1180591620717411303424,"method":"shutdown"}"#),
            -32600,
            Value::Null,
        ),
        (
            "jsonrpc 1.0",
            framed(br#"{"jsonrpc":"1.0","id":91,"method":"shutdown"}"#),
            -32600,
            json!(91),
        ),
        (
            "no jsonrpc",
            framed(br#"{"id":92,"method":"shutdown"}"#),
            -32600,
            json!(92),
        ),
        (
            "params that are a string",
            framed(br#"{"jsonrpc":"2.0","id":93,"method":"textDocument/hover","params":"x"}"#),
            -32600,
            json!(93),
        ),
        (
            "an unknown $/ request",
            framed(br#"{"jsonrpc":"2.0","id":94,"method":"$/unknown","params":{}}"#),
            -32601,
            json!(94),
        ),
        (
            "a header block without Content-Length",
            b"Content-Type: application/json\r\n\r\n{\"jsonrpc\":\"2.0\"}".to_vec(),
            -32700,
            Value::Null,
        ),
        (
            "a Content-Length that is not a number",
            b"Content-Length: many\r\n\r\n{}".to_vec(),
            -32700,
            Value::Null,
        ),
        (
            "a message larger than the server reads",
            b"Content-Length: 99999999999\r\n\r\n".to_vec(),
            -32600,
            Value::Null,
        ),
    ];
    for (what, bytes, code, id) in cases {
        c.send_raw(&bytes);
        if what == "a message larger than the server reads" {
            // The server now skips that many bytes; this test does not send
            // them, so it ends here after the error answer.
            let err = c.wait_response(|m| m["error"]["code"] == code);
            assert!(err.is_some(), "no error answer to {what}");
            return;
        }
        let err = c
            .wait_response(|m| m["error"]["code"] == code && m["id"] == id)
            .unwrap_or_else(|| panic!("no error {code} with id {id} for {what}"));
        assert!(
            err["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{err}"
        );
        still_serving(&mut c, what);
    }
}

#[test]
fn lenient_framing_and_unanswerable_messages() {
    let mut c = started();
    // A lowercase header name is read as any other.
    let body = br#"{"jsonrpc":"2.0","id":50,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///work/hostile.yaml"},"position":{"line":1,"character":1}}}"#;
    let mut lower = format!("content-length: {}\n\n", body.len()).into_bytes();
    lower.extend_from_slice(body);
    c.send_raw(&lower);
    let resp = c.wait_response(|m| m["id"] == 50).expect("answer");
    assert!(resp["result"].is_object(), "{resp}");
    // Garbage between frames, a malformed response to nothing, an unknown
    // notification: skipped, dropped, ignored.
    c.send_raw(b"\x00\xff garbage \r\n");
    c.send_raw(&framed(
        br#"{"jsonrpc":"2.0","id":77,"error":{"code":"x"}}"#,
    ));
    c.send_raw(&framed(
        br#"{"jsonrpc":"2.0","method":"custom/notification","params":{}}"#,
    ));
    c.send_raw(&framed(
        br#"{"jsonrpc":"2.0","method":"$/unknownNotification"}"#,
    ));
    still_serving(&mut c, "garbage and unanswerable messages");
    assert_eq!(c.shutdown_and_exit(), Some(0));
}

#[test]
fn half_an_emoji_in_an_edit_becomes_a_replacement_character() {
    let mut c = started();
    // A JavaScript client cutting an emoji in half sends a lone surrogate.
    let edit = br#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///work/hostile.yaml","version":2},"contentChanges":[{"range":{"start":{"line":3,"character":11},"end":{"line":3,"character":11}},"text":"\ud83d"}]}}"#;
    c.send_raw(&framed(edit));
    let diags = c.diagnostics_for(URI, Some(2));
    assert!(
        diags.iter().all(|d| d["severity"] != 1),
        "the step name `S\u{fffd}` is valid: {diags:?}"
    );
    // The replacement is one UTF-16 unit, as the half emoji was: an edit
    // right after it lands where the client means.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 3}, "contentChanges": [
            {"range": {"start": {"line": 3, "character": 12}, "end": {"line": 3, "character": 12}}, "text": "K"}
        ]}),
    );
    c.diagnostics_for(URI, Some(3));
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    assert!(symbols["result"][0]["name"] == "S\u{fffd}K", "{symbols}");
    assert_eq!(c.shutdown_and_exit(), Some(0));
}

/// A workspace whose queue environment wraps the job's task.
fn wrapped_workspace(name: &str) -> (support::scratch::Scratch, std::path::PathBuf, String) {
    let dir = support::scratch::Scratch::new("openjd-lsp-hostile", name);
    let examples = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    std::fs::create_dir_all(dir.join("envs")).expect("mkdir");
    std::fs::create_dir_all(dir.join("jobs")).expect("mkdir");
    std::fs::copy(
        examples.join("queue_environments/docker.yaml"),
        dir.join("envs/docker.yaml"),
    )
    .expect("copy");
    let job = dir.join("jobs/template.yaml");
    std::fs::copy(examples.join("job_with_environments/template.yaml"), &job).expect("copy");
    std::fs::write(
        dir.join("openjd-lsp.yaml"),
        "queues:\n  - name: q\n    environments: [envs/docker.yaml]\n    jobs: [\"jobs/**\"]\n",
    )
    .expect("config");
    let text = std::fs::read_to_string(&job).expect("job");
    (dir, job, text)
}

fn hover_on_task(c: &mut Client, job: &std::path::Path, text: &str) -> String {
    let at = text.find("command: simulate").expect("task command");
    let line = text[..at].matches('\n').count();
    let uri = format!("file://{}", job.display());
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": line - 1, "character": 9}}),
    );
    hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn init_workspace(c: &mut Client, root: &std::path::Path, caps: Value) {
    let root_uri = format!("file://{}", root.display());
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": root_uri,
               "workspaceFolders": [{"uri": root_uri, "name": "ws"}],
               "capabilities": caps}),
    );
    c.notify("initialized", json!({}));
}

/// Wait until hover on the task names its wrapper (indexing is done).
fn wait_wrapped(c: &mut Client, job: &std::path::Path, text: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let hover = hover_on_task(c, job, text);
        if hover.contains("**Wrapped** by `Docker`") || std::time::Instant::now() > deadline {
            return hover;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn no_configuration_request_to_a_client_that_does_not_answer_them() {
    let (root, job, text) = wrapped_workspace("no-configuration");
    let mut c = Client::start();
    init_workspace(&mut c, root.path(), json!({}));
    c.open(&format!("file://{}", job.display()), &text, 1);
    let hover = wait_wrapped(&mut c, &job, &text);
    assert!(hover.contains("**Wrapped** by `Docker`"), "{hover}");
    assert!(
        !c.server_requests
            .iter()
            .any(|m| m["method"] == "workspace/configuration"),
        "{:?}",
        c.server_requests
    );
    assert_eq!(c.shutdown_and_exit(), Some(0));
}

#[test]
fn a_client_that_never_answers_still_gets_its_workspace_indexed() {
    let (root, job, text) = wrapped_workspace("never-answers");
    let mut c = Client::start();
    c.answer_requests = false;
    init_workspace(
        &mut c,
        root.path(),
        json!({"workspace": {"configuration": true,
                             "didChangeWatchedFiles": {"dynamicRegistration": true}}}),
    );
    c.open(&format!("file://{}", job.display()), &text, 1);
    let hover = wait_wrapped(&mut c, &job, &text);
    assert!(
        hover.contains("**Wrapped** by `Docker`"),
        "indexed without waiting for the configuration: {hover}"
    );
    assert!(
        c.server_requests
            .iter()
            .any(|m| m["method"] == "workspace/configuration"),
        "{:?}",
        c.server_requests
    );
    assert_eq!(c.shutdown_and_exit(), Some(0));
}

/// A client may read the server's requests late: it sends many messages of
/// its own before it answers. No handler waits for those answers while
/// holding a slot, so everything it sent meanwhile is answered, and the
/// late answers are matched when they come.
#[test]
fn a_client_that_answers_late_is_served_meanwhile() {
    let mut c = Client::start();
    c.answer_requests = false;
    c.initialize(
        &["utf-16"],
        json!({"workspace": {"configuration": true,
                             "diagnostic": {"refreshSupport": true}},
               "textDocument": {"diagnostic": {"dynamicRegistration": false}},
               "window": {"workDoneProgress": true}}),
    );
    c.open(URI, TEXT, 1);
    // Each asks the client for its settings: four would once fill every slot.
    for _ in 0..8 {
        c.notify(
            "workspace/didChangeConfiguration",
            json!({"settings": null}),
        );
    }
    let hover = json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": 1}});
    let first_id = 1_000;
    let count = 300;
    for id in first_id..first_id + count {
        c.send(
            &json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover", "params": hover}),
        );
    }
    // Well within the time the server gives the client to answer.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(4);
    for id in first_id..first_id + count {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let answer = c
            .wait_response_within(|m| m["id"] == json!(id), left)
            .unwrap_or_else(|| {
                panic!("hover {id} of {count} unanswered while the client owes answers")
            });
        assert!(answer["result"].is_object(), "{answer}");
    }
    // Now the client answers everything it was asked, late.
    let asked: Vec<Value> = std::mem::take(&mut c.server_requests);
    assert!(
        asked
            .iter()
            .any(|m| m["method"] == "workspace/configuration"),
        "{asked:?}"
    );
    for request in &asked {
        let result = match request["method"].as_str() {
            Some("workspace/configuration") => json!([null]),
            _ => Value::Null,
        };
        c.send(&json!({"jsonrpc": "2.0", "id": request["id"], "result": result}));
    }
    still_serving(&mut c, "late answers");
    assert_eq!(c.shutdown_and_exit(), Some(0));
}

/// `shutdown` and `exit` written in one go: `shutdown` is answered and the
/// process ends with status 0, every time.
#[test]
fn shutdown_and_exit_back_to_back_end_with_status_zero() {
    for run in 0..12 {
        let mut c = started();
        let mut both = framed(br#"{"jsonrpc":"2.0","id":77,"method":"shutdown","params":null}"#);
        both.extend(framed(
            br#"{"jsonrpc":"2.0","method":"exit","params":null}"#,
        ));
        c.send_raw(&both);
        let answer = c
            .wait_response(|m| m["id"] == json!(77))
            .unwrap_or_else(|| panic!("run {run}: shutdown unanswered"));
        assert!(answer.get("error").is_none(), "run {run}: {answer}");
        assert_eq!(c.wait_exit(), Some(0), "run {run}");
    }
}
