//! What a POSIX shell makes of a line, to check that a line the preview or
//! hover prints for pasting runs the argv it claims.

use std::process::Command;

/// The words a POSIX shell makes of `line`.
pub fn shell_words(line: &str) -> Vec<String> {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("printf '%s\\0' {line}"))
        .output()
        .expect("sh");
    String::from_utf8_lossy(&out.stdout)
        .split_terminator('\0')
        .map(str::to_string)
        .collect()
}
