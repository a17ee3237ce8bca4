//! Running the real `berth` binary in tests: a fresh data dir, a clean environment, the
//! exit code and both output streams.

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// Environment variables a test must not inherit.
const BERTH_VARS: &[&str] = &[
    "BERTH_NOW",
    "BERTH_DATABASE_URL",
    "BERTH_LOG",
    "BERTH_DATA_DIR",
    "BERTH_SERVER_LOCK_SCOPE",
    "BERTH_SERVER_HARD_QUOTA",
    "BERTH_SERVER_HOSTNAME",
];

/// One run of the binary.
pub struct Run {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Standard output as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }

    /// The `error` object printed on standard error with `--json`.
    pub fn error(&self) -> Value {
        let v: Value = serde_json::from_str(self.stderr.trim())
            .unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {}", self.stderr));
        v["error"].clone()
    }
}

/// Runs `berth --data-dir DIR ARGS` with `env` and optional `stdin`.
pub fn berth(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_berth"));
    cmd.arg("--data-dir").arg(dir).args(args);
    for key in BERTH_VARS {
        cmd.env_remove(key);
    }
    cmd.envs(env.iter().copied());
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("berth runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Runs and asserts success.
pub fn ok(dir: &Path, args: &[&str]) -> Run {
    let run = berth(dir, args, &[], None);
    assert_eq!(run.code, 0, "berth {args:?} failed: {}", run.stderr);
    run
}

/// A fresh, initialized data dir.
pub fn initialized() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "--admin-password", "admin-pass-1"]);
    dir
}
