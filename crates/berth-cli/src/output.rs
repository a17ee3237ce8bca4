//! Printing results and errors: human text, or JSON (`--json`), and exit codes (CLI.md).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use berth_core::{Error, ErrorCode};
use serde::Serialize;

/// `println!` that ignores a closed stdout (`berth ... | head`) instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}
pub(crate) use say;

/// The exit code of an error (CLI.md): 1 failed, 2 invalid, 3 not found, 4 not allowed,
/// 5 limit exceeded, 6 conflict.
pub fn exit_code(code: ErrorCode) -> u8 {
    match code {
        ErrorCode::Failed => 1,
        ErrorCode::Invalid => 2,
        ErrorCode::NotFound => 3,
        ErrorCode::Forbidden => 4,
        ErrorCode::LimitExceeded => 5,
        ErrorCode::Conflict => 6,
    }
}

/// Where and how results are printed.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// `--json`.
    pub json: bool,
}

#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    error: &'a Error,
}

impl Output {
    /// Whether progress bars and prompts may be shown.
    pub fn interactive(&self) -> bool {
        !self.json && std::io::stdout().is_terminal()
    }

    /// Prints `value` as JSON (one value on stdout).
    pub fn json<T: Serialize>(&self, value: &T) {
        let text = serde_json::to_string_pretty(value).unwrap_or_else(|e| {
            format!("{{\"error\":{{\"code\":\"failed\",\"message\":\"{e}\",\"field\":null}}}}")
        });
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
    }

    /// Prints an error on stderr and returns its exit code.
    pub fn error(&self, error: &Error) -> ExitCode {
        if self.json {
            let text = serde_json::to_string(&ErrorEnvelope { error }).unwrap_or_default();
            eprintln!("{text}");
        } else {
            match &error.field {
                Some(field) => eprintln!("error: {} (field: {field})", error.message),
                None => eprintln!("error: {}", error.message),
            }
        }
        ExitCode::from(exit_code(error.code))
    }
}

/// Prints rows as an aligned table with a header.
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<width$}", width = widths[i]))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{}",
        line(header.iter().map(|h| (*h).to_owned()).collect())
    );
    for row in rows {
        let _ = writeln!(out, "{}", line(row.clone()));
    }
}
