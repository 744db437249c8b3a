//! A minimal LSP client for driving the real binary over stdio in tests.
#![allow(dead_code)]

pub mod conformance;
pub mod fuzz;
pub mod scratch;
pub mod shell;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for something else.
    pub backlog: Vec<Value>,
    /// Requests the server sent us (answered already), oldest first.
    pub server_requests: Vec<Value>,
    /// The answer to `workspace/configuration` (one value per item).
    pub configuration: Value,
    /// Answer the server's requests; a test of a client that never answers
    /// turns this off.
    pub answer_requests: bool,
    /// The server's log lines so far, when started with [`Client::start_with_log`].
    log: Arc<Mutex<Vec<String>>>,
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            length = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Client {
    pub fn start() -> Client {
        Client::start_with_env(&[])
    }

    /// Start the server built with these tests, or the binary named by
    /// `OPENJD_LSP_BIN` (to compare a benchmark with another build).
    pub fn start_with_env(env: &[(&str, &str)]) -> Client {
        Client::spawn(env, false)
    }

    /// As [`Client::start_with_env`], keeping the server's log (stderr)
    /// for [`Client::log_lines`].
    pub fn start_with_log(env: &[(&str, &str)]) -> Client {
        Client::spawn(env, true)
    }

    fn spawn(env: &[(&str, &str)], keep_log: bool) -> Client {
        let bin = std::env::var_os("OPENJD_LSP_BIN")
            .unwrap_or_else(|| env!("CARGO_BIN_EXE_openjd-lsp").into());
        let mut cmd = Command::new(bin);
        for (k, v) in env {
            cmd.env(k, v);
        }
        Client::spawn_command(cmd, keep_log)
    }

    /// Start another language server (a benchmark compares ours with it),
    /// talking to it over its stdin and stdout.
    pub fn start_command(cmd: Command) -> Client {
        Client::spawn_command(cmd, false)
    }

    fn spawn_command(mut cmd: Command, keep_log: bool) -> Client {
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if keep_log {
                Stdio::piped()
            } else {
                Stdio::null()
            });
        let mut child = cmd.spawn().expect("start the language server");
        let log = Arc::new(Mutex::new(Vec::new()));
        if let Some(stderr) = child.stderr.take() {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    log.lock().unwrap_or_else(|p| p.into_inner()).push(line);
                }
            });
        }
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut reader) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Client {
            stdin: child.stdin.take(),
            child,
            incoming: rx,
            next_id: 1,
            backlog: Vec::new(),
            server_requests: Vec::new(),
            configuration: Value::Null,
            answer_requests: true,
            log,
        }
    }

    /// The server's log lines so far that contain `needle` (empty unless
    /// started with [`Client::start_with_log`]).
    pub fn log_lines(&self, needle: &str) -> Vec<String> {
        let log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        log.iter().filter(|l| l.contains(needle)).cloned().collect()
    }

    pub fn send(&mut self, msg: &Value) {
        let body = serde_json::to_string(msg).expect("json");
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        stdin.flush().expect("flush");
    }

    /// Write bytes as they are, framed or not.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write");
        stdin.flush().expect("flush");
    }

    /// Wait for a message that is not a notification and satisfies `pred`
    /// (a response, such as an error answer to a malformed message).
    pub fn wait_response(&mut self, pred: impl Fn(&Value) -> bool) -> Option<Value> {
        self.wait_response_within(pred, Duration::from_secs(20))
    }

    /// As [`Client::wait_response`], with its own deadline.
    pub fn wait_response_within(
        &mut self,
        pred: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Option<Value> {
        if let Some(i) = self
            .backlog
            .iter()
            .position(|m| m.get("method").is_none() && pred(m))
        {
            return Some(self.backlog.remove(i));
        }
        let deadline = Instant::now() + timeout;
        loop {
            let msg = self.next(deadline)?;
            if msg.get("method").is_none() && pred(&msg) {
                return Some(msg);
            }
            if !msg.is_null() {
                self.backlog.push(msg);
            }
        }
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Send a request and wait for its response, answering the server's own
    /// requests (configuration, registrations) along the way.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let msg = self
                .next(deadline)
                .unwrap_or_else(|| panic!("no response to {method}"));
            if msg.get("id") == Some(&json!(id)) && msg.get("method").is_none() {
                return msg;
            }
            if !msg.is_null() {
                self.backlog.push(msg);
            }
        }
    }

    /// The next message, answering the server's requests on the way (they
    /// are kept in `server_requests`, and come back as `Null` so that
    /// waiters look again); `None` at the deadline.
    fn next(&mut self, deadline: Instant) -> Option<Value> {
        let left = deadline.checked_duration_since(Instant::now())?;
        let msg = match self.incoming.recv_timeout(left) {
            Ok(msg) => msg,
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
        };
        if let (Some(id), Some(method)) = (msg.get("id"), msg.get("method").and_then(Value::as_str))
        {
            let result = match method {
                "workspace/configuration" => json!([self.configuration]),
                _ => Value::Null,
            };
            let reply = json!({"jsonrpc": "2.0", "id": id, "result": result});
            if self.answer_requests {
                self.send(&reply);
            }
            self.server_requests.push(msg);
            return Some(Value::Null);
        }
        Some(msg)
    }

    /// Wait for a notification `method` whose params satisfy `pred`.
    pub fn wait_for(
        &mut self,
        method: &str,
        pred: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Option<Value> {
        if let Some(i) = self
            .backlog
            .iter()
            .position(|m| m["method"] == method && pred(&m["params"]))
        {
            return Some(self.backlog.remove(i)["params"].clone());
        }
        let deadline = Instant::now() + timeout;
        loop {
            let msg = self.next(deadline)?;
            if msg["method"] == method && pred(&msg["params"]) {
                return Some(msg["params"].clone());
            }
            if !msg.is_null() {
                self.backlog.push(msg);
            }
        }
    }

    /// Wait for the server to send a request `method` (it is answered as it
    /// arrives); takes it off the list.
    pub fn wait_server_request(&mut self, method: &str, timeout: Duration) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(i) = self
                .server_requests
                .iter()
                .position(|m| m["method"] == method)
            {
                return Some(self.server_requests.remove(i));
            }
            match self.next(deadline)? {
                Value::Null => {}
                m => self.backlog.push(m),
            }
        }
    }

    /// Read what has arrived so far without waiting (beyond `wait`).
    pub fn drain(&mut self, wait: Duration) {
        let deadline = Instant::now() + wait;
        while let Some(m) = self.next(deadline) {
            if !m.is_null() {
                self.backlog.push(m);
            }
        }
    }

    pub fn initialize(&mut self, encodings: &[&str], extra_caps: Value) -> Value {
        let mut caps = json!({"general": {"positionEncodings": encodings}});
        if let (Some(c), Some(extra)) = (caps.as_object_mut(), extra_caps.as_object()) {
            for (k, v) in extra {
                c.insert(k.clone(), v.clone());
            }
        }
        let resp = self.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": caps}),
        );
        self.notify("initialized", json!({}));
        resp
    }

    pub fn open(&mut self, uri: &str, text: &str, version: i64) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": version, "text": text}}),
        );
    }

    pub fn diagnostics_for(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let params = self
            .wait_for(
                "textDocument/publishDiagnostics",
                |p| p["uri"] == uri && version.is_none_or(|v| p["version"] == json!(v)),
                Duration::from_secs(20),
            )
            .unwrap_or_else(|| panic!("no diagnostics for {uri} version {version:?}"));
        params["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub fn shutdown_and_exit(mut self) -> Option<i32> {
        let resp = self.request("shutdown", Value::Null);
        assert!(resp.get("error").is_none(), "{resp}");
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    pub fn wait_exit(&mut self) -> Option<i32> {
        self.stdin.take();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        None
    }

    /// The process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
