//! Runs the real `named-checkzone` (Debian's bind9-utils; `scripts/test` installs it) on a
//! zone's text, with the strictness BIND applies to master zones (`check-names fail`) and
//! the in-zone integrity checks, offline.

use std::process::Command;

/// Asserts that `named-checkzone` accepts `text` as the zone `origin` (ASCII).
pub fn assert_valid_zone(origin: &str, text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zone");
    std::fs::write(&path, text).unwrap();
    let out = Command::new("named-checkzone")
        .args(["-k", "fail", "-i", "local", origin])
        .arg(&path)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "named-checkzone could not run ({e}): install it with \
                 `apt-get install bind9-utils` (scripts/test does)"
            )
        });
    assert!(
        out.status.success(),
        "named-checkzone refused the zone {origin}:\n{}{}\n--- zone ---\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
