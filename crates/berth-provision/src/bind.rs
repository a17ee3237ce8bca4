//! BIND configuration for the zones Berth serves (R7.4, R9.1): one zone file per zone
//! (`<zone>.zone`, rendered by `berth-core`) and a generated include list (`zones.conf`)
//! meant to be included from `named.conf`, naming each zone and its file.

use std::fmt::Write;
use std::path::Path;

use crate::nginx::UnsafeValue;

/// The include list's file name in the zone directory's live set.
pub const INCLUDE_FILE: &str = "zones.conf";

/// The suffix of zone files.
pub const ZONE_SUFFIX: &str = ".zone";

/// The file name of zone `zone` (ASCII).
pub fn zone_file_name(zone: &str) -> String {
    format!("{zone}{ZONE_SUFFIX}")
}

/// The zone a file name holds, if it is a zone file.
pub fn zone_of_file(name: &str) -> Option<&str> {
    name.strip_suffix(ZONE_SUFFIX).filter(|z| !z.is_empty())
}

fn checked_zone(zone: &str) -> Result<&str, UnsafeValue> {
    let safe = !zone.is_empty()
        && zone
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
    if safe {
        Ok(zone)
    } else {
        Err(UnsafeValue {
            what: "zone name",
            value: zone.to_owned(),
        })
    }
}

/// The include list: a `zone` statement per master zone, its file under `live_dir`.
pub fn include_list<'a>(
    live_dir: &Path,
    zones: impl IntoIterator<Item = &'a str>,
) -> Result<String, UnsafeValue> {
    let dir = live_dir.to_string_lossy();
    if dir.contains(['"', ';', '\n', '{', '}']) {
        return Err(UnsafeValue {
            what: "path",
            value: dir.into_owned(),
        });
    }
    let mut out = String::from("// Berth: the zones this server is master for. Generated.\n");
    for zone in zones {
        let zone = checked_zone(zone)?;
        let _ = writeln!(
            out,
            "zone \"{zone}\" {{ type master; file \"{dir}/{}\"; }};",
            zone_file_name(zone)
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r7_4_the_include_list_names_every_zone_and_its_file() {
        let list = include_list(
            Path::new("/var/lib/berth/zones/current"),
            ["shop.example", "xn--bcher-kva.example"],
        )
        .unwrap();
        assert!(list.contains(
            "zone \"shop.example\" { type master; file \"/var/lib/berth/zones/current/shop.example.zone\"; };"
        ));
        assert!(list.contains("xn--bcher-kva.example.zone"));
        assert_eq!(zone_of_file("shop.example.zone"), Some("shop.example"));
        assert_eq!(zone_of_file("zones.conf"), None);
    }

    #[test]
    fn unsafe_names_never_reach_the_include_list() {
        assert!(include_list(Path::new("/z"), ["evil\"; };"]).is_err());
        assert!(include_list(Path::new("/z\";"), ["ok.example"]).is_err());
    }
}
