//! A fuzzer over the protocol: the real `openjd-lsp` binary over stdio,
//! driven by a seeded random client.
//!
//! Each session starts a server (UTF-8 or UTF-16 positions, push or pull
//! diagnostics), opens templates of the conformance suite and the examples,
//! and then, at random:
//!
//! - edits them incrementally (`didChange` with ranges, several changes per
//!   message, typing bursts, pastes, whole-text replacements), at positions
//!   inside and outside the document and in the middle of multi-byte
//!   characters and surrogate pairs, inserting text with lone surrogates
//!   (`"\ud83d"`), emoji and line breaks of every kind;
//! - sends every request the server advertises (read from its
//!   capabilities: a capability this fuzzer does not know fails the run, so
//!   that a new feature is fuzzed too) at random positions and ranges,
//!   including out-of-range ones, and sometimes cancels it at once;
//! - interleaves malformed frames (invalid JSON or UTF-8, invalid requests,
//!   garbage between frames, lowercase headers, mutated bodies), other
//!   notifications (settings, watched files) and close/reopen.
//!
//! The client keeps its own copy of every document, edited as the
//! protocol says (a position past a line's end is the line's end, one
//! inside a character is that character's start). It checks that the
//! server never dies, that every request is answered within a timeout (a
//! hang is a failure), that no well-formed request gets an error other than
//! `ContentModified` or `RequestCancelled` (an `InternalError` is a panic
//! caught by the server), that every range and position in an answer or a
//! versioned `publishDiagnostics` lies within the document of that version
//! on a character boundary (semantic tokens decoded), and at the end of a
//! session that a valid request is still answered and `shutdown` / `exit`
//! end the process with code 0.
//!
//! A failing session's exact byte stream is written to
//! `target/fuzz-findings/protocol-<seed>-<session>.bin`; such a stream
//! becomes a fixture under `tests/fixtures/protocol-fuzz/`, replayed by
//! `recorded_streams_leave_the_server_serving` below.
//!
//! `cargo test --release --test fuzz_protocol` runs it for a few seconds,
//! `scripts/test.sh` for a minute; a longer run is
//! `OPENJD_FUZZ_SECONDS=3600 cargo test --release --test fuzz_protocol --
//! --nocapture` (`OPENJD_FUZZ_SEED=N` to vary or replay it). It prints the
//! seed and its counts.

mod support;

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::Client;
use support::fuzz::{Rng, seeds};

/// How long a request may take before it counts as a hang.
const ANSWER_WITHIN: Duration = Duration::from_secs(if cfg!(debug_assertions) { 60 } else { 10 });
/// Actions per server process before it is shut down and a new one started.
const STEPS_PER_SESSION: usize = 400;
/// Stand-ins for escaped lone surrogates in edit text: the JSON is written
/// with `\ud83d` and `\ude00` in their place.
const HIGH: char = '\u{e123}';
const LOW: char = '\u{e124}';

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Enc {
    Utf8,
    Utf16,
}

fn units(c: char, enc: Enc) -> usize {
    match enc {
        Enc::Utf8 => c.len_utf8(),
        Enc::Utf16 => c.len_utf16(),
    }
}

/// Each line's content as byte offsets (start, end before its break);
/// breaks are `\n`, `\r\n` and `\r`, as in LSP.
fn lines(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        match b[i] {
            b'\n' => {
                out.push((start, i));
                i += 1;
                start = i;
            }
            b'\r' => {
                out.push((start, i));
                i += if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                start = i;
            }
            _ => i += 1,
        }
    }
    out.push((start, b.len()));
    out
}

/// Where the server puts a client position: past the end of a line is its
/// end, past the last line the document's end, inside a character its start.
fn server_offset(text: &str, line: u64, character: u64, enc: Enc) -> usize {
    let ls = lines(text);
    let Some(&(start, end)) = usize::try_from(line).ok().and_then(|l| ls.get(l)) else {
        return text.len();
    };
    let mut seen = 0u64;
    for (i, c) in text[start..end].char_indices() {
        let n = units(c, enc) as u64;
        if seen == character || seen + n > character {
            return start + i;
        }
        seen += n;
    }
    end
}

/// Is this client position in the document, on a character boundary?
fn valid_position(text: &str, ls: &[(usize, usize)], p: &Value, enc: Enc) -> Result<(), String> {
    CHECKED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (Some(line), Some(character)) = (p["line"].as_u64(), p["character"].as_u64()) else {
        return Err(format!("not a position: {p}"));
    };
    let Some(&(start, end)) = usize::try_from(line).ok().and_then(|l| ls.get(l)) else {
        return Err(format!("line {line} of a {}-line document", ls.len()));
    };
    let mut seen = 0u64;
    for c in text[start..end].chars() {
        if seen == character {
            return Ok(());
        }
        if seen > character {
            return Err(format!("{p} is inside a character"));
        }
        seen += units(c, enc) as u64;
    }
    if seen == character {
        Ok(())
    } else if seen > character {
        Err(format!("{p} is inside a character"))
    } else {
        Err(format!("{p} is past the end of its line ({seen} units)"))
    }
}

fn position_order(p: &Value) -> (u64, u64) {
    (
        p["line"].as_u64().unwrap_or(0),
        p["character"].as_u64().unwrap_or(0),
    )
}

fn is_position(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        o.len() == 2 && o.get("line").is_some_and(Value::is_u64) && o.contains_key("character")
    })
}

fn is_range(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        o.get("start").is_some_and(is_position) && o.get("end").is_some_and(is_position)
    })
}

/// Every range and position in `v`, checked against the document its
/// nearest `uri` names (`default` outside any), if it is one of ours.
fn check_value(
    v: &Value,
    uri: &str,
    docs: &dyn Fn(&str) -> Option<String>,
    enc: Enc,
    path: &str,
) -> Result<(), String> {
    match v {
        Value::Array(xs) => {
            for (i, x) in xs.iter().enumerate() {
                check_value(x, uri, docs, enc, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        Value::Object(o) => {
            let mut uri = uri.to_string();
            if let Some(u) = o.get("uri").and_then(Value::as_str) {
                uri = u.to_string();
            }
            if let Some(u) = o.get("textDocument").and_then(|t| t["uri"].as_str()) {
                uri = u.to_string();
            }
            if is_range(v) {
                let Some(text) = docs(&uri) else {
                    return Ok(());
                };
                let ls = lines(&text);
                for end in ["start", "end"] {
                    valid_position(&text, &ls, &v[end], enc)
                        .map_err(|e| format!("{path}.{end}: {e}"))?;
                }
                if position_order(&v["start"]) > position_order(&v["end"]) {
                    return Err(format!("{path}: range ends before it starts: {v}"));
                }
                return Ok(());
            }
            for (k, x) in o {
                if k == "changes" && x.is_object() {
                    for (u, edits) in x.as_object().into_iter().flatten() {
                        check_value(edits, u, docs, enc, &format!("{path}.changes"))?;
                    }
                } else if is_position(x) {
                    if let Some(text) = docs(&uri) {
                        valid_position(&text, &lines(&text), x, enc)
                            .map_err(|e| format!("{path}.{k}: {e}"))?;
                    }
                } else {
                    check_value(x, &uri, docs, enc, &format!("{path}.{k}"))?;
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The position of the end of `text`.
fn doc_end(text: &str, enc: Enc) -> Value {
    let ls = lines(text);
    let (a, b) = ls[ls.len() - 1];
    let width: usize = text[a..b].chars().map(|c| units(c, enc)).sum();
    json!({"line": ls.len() - 1, "character": width})
}

/// Semantic tokens: each decoded token lies within one line.
fn check_tokens(text: &str, data: &[Value], legend: usize, enc: Enc) -> Result<(), String> {
    let ls = lines(text);
    let (mut line, mut start) = (0u64, 0u64);
    for (i, t) in data.chunks(5).enumerate() {
        let n: Vec<u64> = t.iter().filter_map(Value::as_u64).collect();
        if n.len() != 5 {
            return Err(format!("token {i}: {t:?}"));
        }
        if n[0] > 0 {
            line += n[0];
            start = n[1];
        } else {
            start += n[1];
        }
        let Some(&(a, b)) = usize::try_from(line).ok().and_then(|l| ls.get(l)) else {
            return Err(format!("token {i} on line {line} of {}", ls.len()));
        };
        let width: u64 = text[a..b].chars().map(|c| units(c, enc) as u64).sum();
        if start + n[2] > width || n[3] as usize >= legend {
            return Err(format!(
                "token {i} at {line}:{start} length {} type {} on a line of {width} units",
                n[2], n[3]
            ));
        }
    }
    Ok(())
}

/// A document as the client holds it, with its recent versions (for
/// checking diagnostics published for an older one).
struct Doc {
    uri: String,
    version: i64,
    text: String,
    history: BTreeMap<i64, String>,
}

impl Doc {
    fn remember(&mut self) {
        self.history.insert(self.version, self.text.clone());
        while self.history.len() > 64 {
            self.history.pop_first();
        }
    }
}

/// Times the server's copy of a document was seen to end where the
/// client's does.
static SYNCED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// Positions checked so far.
static CHECKED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[derive(Default, Debug)]
struct Counts {
    sessions: usize,
    inputs: usize,
    edits: usize,
    requests: usize,
    malformed: usize,
    publishes: usize,
    /// Edits of one didChange with many content changes.
    many_changes: usize,
    /// Sessions whose client answered the server's requests only at the end.
    late_answers: usize,
    /// Sessions that sent `shutdown` and `exit` in one write.
    back_to_back: usize,
    crashes: Vec<String>,
    hangs: Vec<String>,
    wrong: Vec<String>,
}

const INSERTS: &[&str] = &[
    "",
    " ",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "x",
    "é",
    "😀",
    "日本",
    "\u{10ffff}",
    "\u{200b}",
    "\u{feff}",
    "{{",
    "}}",
    "{{ Param.",
    "{{ Task.File.Run }}",
    "{{ range(9999999) }}",
    "{{ repr_py(range(5000000)) }}",
    ": ",
    "- ",
    "name: ",
    "  ",
    "'",
    "\"",
    "&a ",
    "*a",
    "!!str ",
    "#",
    "[",
    "]",
    "{",
    "}",
    "extensions: [EXPR, WRAP_ACTIONS]\n",
    "onWrapTaskRun:\n  command: '{{WrappedAction.Command}}'\n",
    "let:\n  - x = 1\n",
];

struct Session<'a> {
    rng: &'a mut Rng,
    seeds: &'a [String],
    client: Client,
    enc: Enc,
    transcript: Vec<u8>,
    docs: Vec<Doc>,
    closed: HashMap<String, String>,
    methods: Vec<&'static str>,
    /// The commands the server advertises.
    commands: Vec<String>,
    legend: usize,
    next_id: i64,
    next_version: i64,
    /// The length of the transcript before the final checks.
    random_part: usize,
    counts: &'a mut Counts,
}

/// Why a session stopped early.
enum Stop {
    Crash(String),
    Hang(String),
    Wrong(String),
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// The JSON of a message, with the surrogate stand-ins written as escaped
/// lone surrogates.
fn encode(msg: &Value) -> Vec<u8> {
    let body = serde_json::to_string(msg).expect("json");
    body.replace(HIGH, "\\ud83d")
        .replace(LOW, "\\ude00")
        .into_bytes()
}

/// What the server makes of text with stand-ins: a high then a low one is
/// the pair they escape (U+1F600), any other is U+FFFD.
fn decoded(text: &str) -> String {
    text.replace(&format!("{HIGH}{LOW}"), "😀")
        .replace([HIGH, LOW], "\u{fffd}")
}

impl Session<'_> {
    fn send(&mut self, bytes: &[u8]) {
        self.transcript.extend_from_slice(bytes);
        self.client.send_raw(bytes);
    }

    fn notify(&mut self, method: &str, params: Value) {
        let body = encode(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
        self.send(&frame(&body));
    }

    /// Send a request; its response (or why there is none).
    fn request(&mut self, method: &str, params: Value, cancel: bool) -> Result<Value, Stop> {
        let id = self.next_id;
        self.next_id += 1;
        let body = encode(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.send(&frame(&body));
        if cancel {
            self.notify("$/cancelRequest", json!({"id": id}));
        }
        self.counts.requests += 1;
        match self
            .client
            .wait_response_within(|m| m["id"] == json!(id), ANSWER_WITHIN)
        {
            Some(r) => Ok(r),
            None if !self.client.alive() => {
                Err(Stop::Crash(format!("the server died on {method}")))
            }
            None => Err(Stop::Hang(format!(
                "{method} unanswered after {ANSWER_WITHIN:?}: {params}"
            ))),
        }
    }

    fn docs_lookup(&self) -> impl Fn(&str) -> Option<String> + '_ {
        |uri: &str| {
            self.docs
                .iter()
                .find(|d| d.uri == uri)
                .map(|d| d.text.clone())
        }
    }

    /// Check a response to a well-formed request.
    fn check_response(&mut self, method: &str, uri: &str, resp: &Value) -> Result<(), Stop> {
        if let Some(err) = resp.get("error") {
            let code = err["code"].as_i64().unwrap_or(0);
            // ContentModified and RequestCancelled are the only errors a
            // well-formed request may get in general.
            // Rename may also refuse: nothing to rename there, or an
            // invalid new name.
            if code == -32801
                || code == -32800
                || (method == "textDocument/rename" && (code == -32602 || code == -32803))
                // A command may refuse its arguments (a document that is
                // no job, a step it does not have).
                || (method == "workspace/executeCommand" && code == -32602)
            {
                return Ok(());
            }
            return Err(Stop::Wrong(format!("{method} got {err}")));
        }
        let result = &resp["result"];
        let lookup = self.docs_lookup();
        check_value(result, uri, &lookup, self.enc, method)
            .map_err(|e| Stop::Wrong(format!("{method}: {e}")))?;
        // The outermost selection range is the whole document: its end
        // must be where this client's copy ends, or the copies differ.
        if method == "textDocument/selectionRange"
            && let (Some(items), Some(text)) = (result.as_array(), lookup(uri))
        {
            let end = doc_end(&text, self.enc);
            for item in items {
                let mut outer = item;
                while outer["parent"].is_object() {
                    outer = &outer["parent"];
                }
                if outer["range"]["end"] != end {
                    return Err(Stop::Wrong(format!(
                        "the document ends at {} for the server, at {end} for the client",
                        outer["range"]["end"]
                    )));
                }
            }
            SYNCED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        if method.starts_with("textDocument/semanticTokens")
            && let (Some(data), Some(text)) = (result["data"].as_array(), lookup(uri))
        {
            check_tokens(&text, data, self.legend, self.enc)
                .map_err(|e| Stop::Wrong(format!("{method}: {e}")))?;
        }
        Ok(())
    }

    /// Diagnostics published so far: within the version they name.
    fn check_published(&mut self) -> Result<(), Stop> {
        let backlog = std::mem::take(&mut self.client.backlog);
        for m in backlog {
            if m["method"] != "textDocument/publishDiagnostics" {
                continue;
            }
            self.counts.publishes += 1;
            let p = &m["params"];
            let (Some(uri), Some(version)) = (p["uri"].as_str(), p["version"].as_i64()) else {
                continue;
            };
            let text = self
                .docs
                .iter()
                .find(|d| d.uri == uri)
                .and_then(|d| d.history.get(&version).cloned());
            if let Some(text) = text {
                check_value(
                    &p["diagnostics"],
                    uri,
                    &|_| Some(text.clone()),
                    self.enc,
                    "published",
                )
                .map_err(|e| Stop::Wrong(format!("publishDiagnostics {uri} v{version}: {e}")))?;
            }
        }
        if !self.client.alive() {
            return Err(Stop::Crash("the server exited".into()));
        }
        Ok(())
    }

    fn open(&mut self, uri: String) {
        let text = self.rng.pick(self.seeds).clone();
        let lang = if text.trim_start().starts_with('{') {
            "json"
        } else {
            "yaml"
        };
        let uri = if lang == "json" {
            uri.replace(".yaml", ".json")
        } else {
            uri
        };
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": lang, "version": self.next_version + 1, "text": text}}),
        );
        self.counts.inputs += 1;
        // Versions are unique across reopenings, so that a late publish
        // for a closed document is recognised.
        self.next_version += 1;
        let version = self.next_version;
        let mut doc = Doc {
            uri,
            version,
            text,
            history: BTreeMap::new(),
        };
        doc.remember();
        self.docs.push(doc);
    }

    /// A position in `text`: mostly on a line, sometimes past its end or
    /// past the document, sometimes inside a multi-byte character.
    fn position(&mut self, text: &str) -> Value {
        let ls = lines(text);
        let line = if self.rng.one_in(20) {
            ls.len() + self.rng.below(5)
        } else {
            self.rng.below(ls.len())
        };
        let Some(&(a, b)) = ls.get(line) else {
            return json!({"line": line, "character": self.rng.below(10)});
        };
        let content = &text[a..b];
        let width: usize = content.chars().map(|c| units(c, self.enc)).sum();
        let wide: Vec<usize> = {
            let mut at = 0;
            let mut out = Vec::new();
            for c in content.chars() {
                if units(c, self.enc) > 1 {
                    out.push(at + 1);
                }
                at += units(c, self.enc);
            }
            out
        };
        let character = match self.rng.below(12) {
            0 => width + 1 + self.rng.below(40),
            1 if !wide.is_empty() => *self.rng.pick(&wide),
            2 => 0,
            3 => width,
            4 if self.rng.one_in(8) => u32::MAX as usize,
            _ => self.rng.below(width + 1),
        };
        json!({"line": line, "character": character})
    }

    fn range(&mut self, text: &str) -> Value {
        let start = self.position(text);
        let end = match self.rng.below(4) {
            0 => start.clone(),
            1 => self.position(text),
            _ => {
                let character =
                    start["character"].as_u64().unwrap_or(0) + self.rng.below(12) as u64;
                json!({"line": start["line"], "character": character.min(u64::from(u32::MAX))})
            }
        };
        json!({"start": start, "end": end})
    }

    fn insert_text(&mut self) -> String {
        match self.rng.below(10) {
            0 => {
                let other = self.rng.pick(self.seeds);
                let a = floor(other, self.rng.below(other.len() + 1));
                let b = floor(other, a + self.rng.below(300));
                other[a..b].to_string()
            }
            1 => [HIGH, LOW, 'x', '😀']
                .iter()
                .map(|_| *self.rng.pick(&[HIGH, LOW, 'a', '😀']))
                .collect(),
            2 if self.rng.one_in(30) => "  - name: Big\n".repeat(2000 + self.rng.below(6000)),
            _ => self.rng.pick_str(INSERTS).to_string(),
        }
    }

    /// One `didChange` with one to three changes (or a typing burst).
    fn edit(&mut self) {
        if self.docs.is_empty() {
            return;
        }
        let d = self.rng.below(self.docs.len());
        let burst = if self.rng.one_in(6) {
            2 + self.rng.below(10)
        } else {
            1
        };
        for _ in 0..burst {
            let mut text = self.docs[d].text.clone();
            let mut changes = Vec::new();
            // Now and then one didChange with hundreds of changes.
            let count = if burst == 1 && self.rng.one_in(25) {
                self.counts.many_changes += 1;
                5 + self.rng.below(400)
            } else {
                1 + self.rng.below(if burst > 1 { 1 } else { 3 })
            };
            for _ in 0..count {
                let insert = if burst > 1 {
                    self.rng
                        .pick_str(&["a", " ", "\n", ":", "{", "é", "😀", ""])
                        .to_string()
                } else {
                    self.insert_text()
                };
                if self.rng.one_in(40) {
                    text = decoded(&insert);
                    changes.push(json!({"text": insert}));
                    continue;
                }
                let range = self.range(&text);
                let pos = |p: &Value| {
                    (
                        p["line"].as_u64().unwrap_or(0),
                        p["character"].as_u64().unwrap_or(0),
                    )
                };
                let (sl, sc) = pos(&range["start"]);
                let (el, ec) = pos(&range["end"]);
                let mut a = server_offset(&text, sl, sc, self.enc);
                let mut b = server_offset(&text, el, ec, self.enc);
                if a > b {
                    std::mem::swap(&mut a, &mut b);
                }
                text.replace_range(a..b, &decoded(&insert));
                changes.push(json!({"range": range, "text": insert}));
            }
            self.next_version += 1;
            let doc = &mut self.docs[d];
            doc.version = self.next_version;
            doc.text = text;
            doc.remember();
            let params = json!({"textDocument": {"uri": doc.uri, "version": doc.version},
                                "contentChanges": changes});
            self.notify("textDocument/didChange", params);
            self.counts.edits += 1;
        }
    }

    /// Parameters for `method` on `doc` at random places.
    fn params(&mut self, method: &str, uri: &str, text: &str) -> Value {
        let td = json!({"uri": uri});
        match method {
            "textDocument/documentSymbol"
            | "textDocument/semanticTokens/full"
            | "textDocument/foldingRange"
            | "textDocument/codeLens"
            | "textDocument/diagnostic" => json!({"textDocument": td}),
            "textDocument/semanticTokens/range" | "textDocument/inlayHint" => {
                json!({"textDocument": td, "range": self.range(text)})
            }
            "textDocument/codeAction" => {
                let range = self.range(text);
                json!({"textDocument": td, "range": range,
                       "context": {"diagnostics": [{"range": range, "message": "x", "code": "unknown-key", "source": "openjd"}]}})
            }
            "textDocument/selectionRange" => {
                let positions: Vec<Value> = (0..1 + self.rng.below(3))
                    .map(|_| self.position(text))
                    .collect();
                json!({"textDocument": td, "positions": positions})
            }
            "textDocument/references" => {
                json!({"textDocument": td, "position": self.position(text),
                       "context": {"includeDeclaration": self.rng.one_in(2)}})
            }
            "textDocument/rename" => {
                let name = match self.rng.below(6) {
                    0 => String::new(),
                    1 => "x".repeat(1_000_000),
                    2 => "Renamed😀".into(),
                    3 => "has space".into(),
                    _ => format!("Name{}", self.rng.below(100)),
                };
                json!({"textDocument": td, "position": self.position(text), "newName": name})
            }
            "textDocument/completion" => {
                let trigger = self.rng.pick_str(&["{", ".", " ", ":", "-", "\""]);
                json!({"textDocument": td, "position": self.position(text),
                       "context": {"triggerKind": 1 + self.rng.below(2), "triggerCharacter": trigger}})
            }
            "workspace/executeCommand" => {
                // An advertised command (or not) on this document and a
                // step of it (or none, or not one).
                let command = match self.commands.len() {
                    0 => "openjd.unknown".to_string(),
                    n => self.commands[self.rng.below(n)].clone(),
                };
                let steps: Vec<&str> = text
                    .lines()
                    .filter_map(|l| l.trim_start().strip_prefix("- name: "))
                    .collect();
                let step = match self.rng.below(4) {
                    0 => Value::Null,
                    1 => json!("NoSuchStep"),
                    2 => json!(42),
                    _ if !steps.is_empty() => json!(steps[self.rng.below(steps.len())]),
                    _ => Value::Null,
                };
                json!({"command": command, "arguments": [uri, step]})
            }
            _ => json!({"textDocument": td, "position": self.position(text)}),
        }
    }

    fn random_request(&mut self) -> Result<(), Stop> {
        let method = *self.rng.pick(&self.methods);
        // Mostly an open document; sometimes a closed or unknown one.
        let (uri, text) = if self.docs.is_empty() || self.rng.one_in(15) {
            (
                "file:///fuzz/unknown.yaml".to_string(),
                "a: 1\n".to_string(),
            )
        } else {
            let d = self.rng.pick(&self.docs);
            (d.uri.clone(), d.text.clone())
        };
        let params = self.params(method, &uri, &text);
        let cancel = self.rng.one_in(12);
        let resp = self.request(method, params, cancel)?;
        self.check_response(method, &uri, &resp)
    }

    fn malformed(&mut self) {
        self.counts.malformed += 1;
        let hover = json!({"jsonrpc": "2.0", "id": 900_000_000 + self.next_id, "method": "textDocument/hover",
                           "params": {"textDocument": {"uri": self.docs.first().map_or("file:///x.yaml".into(), |d| d.uri.clone())},
                                      "position": {"line": 1, "character": 1}}});
        let bytes: Vec<u8> = match self.rng.below(14) {
            0 => frame(b"{\"jsonrpc\": \"2.0\", \"id\": 1,"),
            1 => frame(b"{\"jsonrpc\":\"2.0\",\"method\":\"x\xff\xfe\"}"),
            2 => frame(b"null"),
            3 => frame(b"[]"),
            4 => frame(
                br#"[{"jsonrpc":"2.0","id":900000001,"method":"textDocument/hover","params":{}}]"#,
            ),
            5 => frame(br#"{"jsonrpc":"2.0","id":1.5,"method":"textDocument/hover","params":{}}"#),
            6 => frame(br#"{"jsonrpc":"2.0","id":1180591620717411303424,"method":"shutdown"}"#),
            7 => frame(br#"{"jsonrpc":"1.0","id":900000002,"method":"shutdown"}"#),
            8 => frame(br#"{"id":900000003,"method":"shutdown"}"#),
            9 => b"\x00\xff garbage\r\n\r\n".to_vec(),
            10 => b"Content-Length: many\r\n\r\n{}".to_vec(),
            11 => {
                let body = serde_json::to_vec(&hover).expect("json");
                let mut out = format!("content-length: {}\n\n", body.len()).into_bytes();
                out.extend_from_slice(&body);
                out
            }
            12 => frame(br#"{"jsonrpc":"2.0","id":900000004,"method":"$/fuzz","params":{}}"#),
            _ => {
                // A read-only request with a few bytes of its body changed.
                let mut body = serde_json::to_vec(&hover).expect("json");
                for _ in 0..1 + self.rng.below(3) {
                    let i = self.rng.below(body.len());
                    match self.rng.below(3) {
                        0 => body[i] = self.rng.below(256) as u8,
                        1 => {
                            body.remove(i);
                        }
                        _ => body.insert(i, *self.rng.pick(b"{}[]\",:0\\")),
                    }
                }
                frame(&body)
            }
        };
        self.send(&bytes);
    }

    fn other_notification(&mut self) {
        match self.rng.below(4) {
            0 => {
                let debounce = *self.rng.pick(&[0, 1, 50]);
                let settings = match self.rng.below(3) {
                    0 => json!({"openjd": {"diagnostics": {"debounceMs": debounce}}}),
                    1 => {
                        json!({"openjd": {"diagnostics": {"debounceMs": "soon"}, "files": {"maxSizeMiB": 0}}})
                    }
                    _ => {
                        json!({"openjd": {"queues": [{"name": "q", "environments": ["/dev/zero", "nowhere.yaml"], "jobs": ["**"]}]}})
                    }
                };
                self.notify(
                    "workspace/didChangeConfiguration",
                    json!({"settings": settings}),
                );
            }
            1 => {
                let uri = self
                    .docs
                    .first()
                    .map_or("file:///fuzz/x.yaml".into(), |d| d.uri.clone());
                let typ = 1 + self.rng.below(3);
                self.notify(
                    "workspace/didChangeWatchedFiles",
                    json!({"changes": [{"uri": uri, "type": typ}]}),
                );
            }
            2 => {
                if let Some(d) = self.docs.first() {
                    let uri = d.uri.clone();
                    self.notify(
                        "textDocument/didSave",
                        json!({"textDocument": {"uri": uri}}),
                    );
                }
            }
            _ => self.notify("fuzz/unknownNotification", json!({"x": 1})),
        }
    }

    fn close_or_reopen(&mut self) {
        if !self.docs.is_empty() && (self.docs.len() > 2 || self.rng.one_in(2)) {
            let d = self.docs.remove(self.rng.below(self.docs.len()));
            self.notify(
                "textDocument/didClose",
                json!({"textDocument": {"uri": d.uri}}),
            );
            self.closed.insert(d.uri, d.text);
        } else {
            let uri = format!("file:///fuzz/doc{}.yaml", self.rng.below(4));
            if self
                .docs
                .iter()
                .any(|d| d.uri == uri || d.uri == uri.replace(".yaml", ".json"))
            {
                return;
            }
            self.open(uri);
        }
    }

    fn run(&mut self, deadline: Instant) -> Result<(), Stop> {
        for i in 0..1 + self.rng.below(2) {
            self.open(format!("file:///fuzz/doc{i}.yaml"));
        }
        for step in 0..STEPS_PER_SESSION {
            if Instant::now() > deadline {
                break;
            }
            match self.rng.below(100) {
                0..45 => self.edit(),
                45..82 => self.random_request()?,
                82..90 => self.malformed(),
                90..95 => self.other_notification(),
                _ => self.close_or_reopen(),
            }
            if step % 16 == 15 {
                self.client.drain(Duration::from_millis(1));
                self.check_published()?;
            }
        }
        // Still serving: a valid request is answered, and shutdown/exit
        // end the process cleanly. (A kept stream ends before this.)
        self.random_part = self.transcript.len();
        if self.docs.is_empty() {
            self.open("file:///fuzz/last.yaml".into());
        }
        // And each document the same on both sides.
        for uri in self.docs.iter().map(|d| d.uri.clone()).collect::<Vec<_>>() {
            let method = "textDocument/selectionRange";
            let params =
                json!({"textDocument": {"uri": uri}, "positions": [{"line": 0, "character": 0}]});
            let resp = self.request(method, params, false)?;
            if !resp["result"].is_array() {
                return Err(Stop::Wrong(format!("the last {method} got {resp}")));
            }
            self.check_response(method, &uri, &resp)?;
        }
        self.client.drain(Duration::from_millis(50));
        self.check_published()?;
        // A client that answered nothing so far answers everything now.
        if !self.client.answer_requests {
            for asked in std::mem::take(&mut self.client.server_requests) {
                let result = match asked["method"].as_str() {
                    Some("workspace/configuration") => json!([null]),
                    _ => Value::Null,
                };
                let answer = json!({"jsonrpc": "2.0", "id": asked["id"], "result": result});
                self.send(&frame(&encode(&answer)));
            }
            self.client.answer_requests = true;
        }
        let resp = if self.rng.one_in(2) {
            // `shutdown` and `exit` in one write.
            self.counts.back_to_back += 1;
            let id = self.next_id;
            self.next_id += 1;
            let mut both = frame(&encode(
                &json!({"jsonrpc": "2.0", "id": id, "method": "shutdown", "params": null}),
            ));
            both.extend(frame(&encode(
                &json!({"jsonrpc": "2.0", "method": "exit", "params": null}),
            )));
            self.send(&both);
            self.client
                .wait_response_within(|m| m["id"] == json!(id), ANSWER_WITHIN)
                .ok_or_else(|| Stop::Hang("shutdown sent with exit unanswered".into()))?
        } else {
            let resp = self.request("shutdown", Value::Null, false)?;
            self.notify("exit", Value::Null);
            resp
        };
        if resp.get("error").is_some() {
            return Err(Stop::Wrong(format!("shutdown got {resp}")));
        }
        match self.client.wait_exit() {
            Some(0) => Ok(()),
            other => Err(Stop::Crash(format!(
                "exit code {other:?} after shutdown and exit"
            ))),
        }
    }
}

fn floor(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The requests each capability stands for. A capability missing here
/// fails the run: add its requests so that they are fuzzed too.
fn advertised(caps: &Value) -> Vec<&'static str> {
    let mut methods = Vec::new();
    for (key, value) in caps.as_object().into_iter().flatten() {
        if value.is_null() || value == &json!(false) {
            continue;
        }
        let these: &[&'static str] = match key.as_str() {
            "positionEncoding" | "textDocumentSync" | "workspace" => &[],
            "hoverProvider" => &["textDocument/hover"],
            "completionProvider" => &["textDocument/completion"],
            "definitionProvider" => &["textDocument/definition"],
            "referencesProvider" => &["textDocument/references"],
            "renameProvider" => &["textDocument/rename", "textDocument/prepareRename"],
            "documentSymbolProvider" => &["textDocument/documentSymbol"],
            "foldingRangeProvider" => &["textDocument/foldingRange"],
            "selectionRangeProvider" => &["textDocument/selectionRange"],
            "documentHighlightProvider" => &["textDocument/documentHighlight"],
            "semanticTokensProvider" => &[
                "textDocument/semanticTokens/full",
                "textDocument/semanticTokens/range",
            ],
            "inlayHintProvider" => &["textDocument/inlayHint"],
            "codeActionProvider" => &["textDocument/codeAction"],
            "signatureHelpProvider" => &["textDocument/signatureHelp"],
            "diagnosticProvider" => &["textDocument/diagnostic"],
            "codeLensProvider" => &["textDocument/codeLens"],
            "executeCommandProvider" => &["workspace/executeCommand"],
            other => panic!("the server advertises `{other}`, which this fuzzer does not send yet"),
        };
        methods.extend_from_slice(these);
    }
    methods
}

#[test]
fn random_sessions_never_crash_hang_or_misplace_a_range() {
    let seed = support::fuzz::seed();
    let all = seeds();
    assert!(!all.is_empty(), "no seeds");
    let mut rng = Rng::new(seed);
    let started = Instant::now();
    let deadline = started + support::fuzz::duration(3);
    let mut counts = Counts::default();
    while Instant::now() < deadline || counts.sessions == 0 {
        counts.sessions += 1;
        let enc = if rng.one_in(2) { Enc::Utf8 } else { Enc::Utf16 };
        let pull = rng.one_in(3);
        let mut client = Client::start();
        let mut caps = json!({"general": {"positionEncodings":
            if enc == Enc::Utf8 { json!(["utf-8", "utf-16"]) } else { json!(["utf-16"]) }}});
        if pull {
            caps["textDocument"] = json!({"diagnostic": {"dynamicRegistration": false}});
            caps["workspace"] = json!({"diagnostics": {"refreshSupport": true}});
        }
        if rng.one_in(2) {
            caps["window"] = json!({"workDoneProgress": true});
        }
        let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                          "params": {"processId": null, "rootUri": null, "capabilities": caps}});
        let mut transcript = frame(&encode(&init));
        client.send_raw(&transcript);
        let answer = client
            .wait_response_within(|m| m["id"] == 0, ANSWER_WITHIN)
            .expect("initialize answered");
        let server_caps = &answer["result"]["capabilities"];
        let negotiated = server_caps["positionEncoding"].as_str().unwrap_or("utf-16");
        assert_eq!(negotiated == "utf-8", enc == Enc::Utf8, "{server_caps}");
        let legend = server_caps["semanticTokensProvider"]["legend"]["tokenTypes"]
            .as_array()
            .map_or(0, Vec::len);
        let methods = advertised(server_caps);
        let commands: Vec<String> = server_caps["executeCommandProvider"]["commands"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str().map(str::to_owned))
            .collect();
        let initialized = frame(br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#);
        client.send_raw(&initialized);
        transcript.extend_from_slice(&initialized);
        let session_no = counts.sessions;
        // Some clients read the server's requests late: they answer them
        // only once the session's random part is over.
        if rng.one_in(4) {
            counts.late_answers += 1;
            client.answer_requests = false;
        }
        let mut session = Session {
            rng: &mut rng,
            seeds: &all,
            client,
            enc,
            transcript,
            docs: Vec::new(),
            closed: HashMap::new(),
            methods,
            commands,
            legend,
            next_id: 1,
            next_version: 0,
            random_part: 0,
            counts: &mut counts,
        };
        let outcome = session.run(deadline);
        if std::env::var_os("OPENJD_FUZZ_KEEP").is_some() {
            let path = support::fuzz::findings_dir()
                .join(format!("protocol-{seed}-{session_no}-kept.bin"));
            let end = if session.random_part > 0 {
                session.random_part
            } else {
                session.transcript.len()
            };
            let _ = std::fs::write(&path, &session.transcript[..end]);
        }
        if let Err(stop) = outcome {
            let path =
                support::fuzz::findings_dir().join(format!("protocol-{seed}-{session_no}.bin"));
            let _ = std::fs::write(&path, &session.transcript);
            let (list, why) = match stop {
                Stop::Crash(w) => (&mut counts.crashes, w),
                Stop::Hang(w) => (&mut counts.hangs, w),
                Stop::Wrong(w) => (&mut counts.wrong, w),
            };
            list.push(format!(
                "session {session_no} ({enc:?}): {why} [stream: {}]",
                path.display()
            ));
        }
    }
    eprintln!(
        "protocol fuzzer: seed {seed}, {:.0} s, {} seeds, {} sessions, {} inputs, {} edits, \
         {} requests, {} malformed frames, {} diagnostics published, {} positions checked, \
         {} copies compared, {} edits of many changes, {} sessions answering late, \
         {} back-to-back shutdown/exit; {} crashes, {} hangs, {} wrong answers",
        started.elapsed().as_secs_f64(),
        all.len(),
        counts.sessions,
        counts.inputs,
        counts.edits,
        counts.requests,
        counts.malformed,
        counts.publishes,
        CHECKED.load(std::sync::atomic::Ordering::Relaxed),
        SYNCED.load(std::sync::atomic::Ordering::Relaxed),
        counts.many_changes,
        counts.late_answers,
        counts.back_to_back,
        counts.crashes.len(),
        counts.hangs.len(),
        counts.wrong.len()
    );
    assert!(
        counts.crashes.is_empty() && counts.hangs.is_empty() && counts.wrong.is_empty(),
        "crashes: {:#?}\nhangs: {:#?}\nwrong answers: {:#?}",
        counts.crashes,
        counts.hangs,
        counts.wrong
    );
}

#[test]
fn the_client_copy_follows_the_protocol_rules() {
    // Past the end of a line is its end; inside a character its start.
    let text = "a😀b\r\ncd\rx";
    assert_eq!(lines(text), vec![(0, 6), (8, 10), (11, 12)]);
    assert_eq!(server_offset(text, 0, 2, Enc::Utf16), 1, "inside the pair");
    assert_eq!(server_offset(text, 0, 3, Enc::Utf16), 5);
    assert_eq!(
        server_offset(text, 0, 3, Enc::Utf8),
        1,
        "inside the UTF-8 bytes"
    );
    assert_eq!(server_offset(text, 0, 5, Enc::Utf8), 5);
    assert_eq!(server_offset(text, 0, 99, Enc::Utf8), 6);
    assert_eq!(server_offset(text, 9, 0, Enc::Utf8), text.len());
    let ls = lines(text);
    assert!(valid_position(text, &ls, &json!({"line": 0, "character": 2}), Enc::Utf16).is_err());
    assert!(valid_position(text, &ls, &json!({"line": 0, "character": 4}), Enc::Utf16).is_ok());
    assert!(valid_position(text, &ls, &json!({"line": 1, "character": 3}), Enc::Utf16).is_err());
    assert!(valid_position(text, &ls, &json!({"line": 3, "character": 0}), Enc::Utf16).is_err());
    assert_eq!(decoded("x\u{e123}\u{e124}\u{e124}"), "x😀\u{fffd}");
}

/// Streams recorded from fuzzing sessions (`OPENJD_FUZZ_KEEP=1` keeps every
/// session's; a failing one is always kept), replayed byte for byte: the
/// server must still answer a request at the end and exit cleanly.
#[test]
fn recorded_streams_leave_the_server_serving() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/protocol-fuzz");
    let mut streams: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/protocol-fuzz")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .collect();
    streams.sort();
    assert!(
        !streams.is_empty(),
        "no recorded streams in {}",
        dir.display()
    );
    for path in streams {
        let bytes = std::fs::read(&path).expect("stream");
        let mut client = Client::start();
        client.send_raw(&bytes);
        let last = json!({"jsonrpc": "2.0", "id": 999_999_999, "method": "textDocument/documentSymbol",
                          "params": {"textDocument": {"uri": "file:///fuzz/doc0.yaml"}}});
        client.send_raw(&frame(&encode(&last)));
        let answer = client.wait_response_within(|m| m["id"] == 999_999_999, ANSWER_WITHIN);
        assert!(
            answer.as_ref().is_some_and(|a| a.get("result").is_some()),
            "{}: {answer:?}",
            path.display()
        );
        assert_eq!(client.shutdown_and_exit(), Some(0), "{}", path.display());
    }
}
