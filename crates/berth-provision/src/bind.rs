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

/// Batches with more changed zones than this are checked by one `named-checkconf -z` over
/// a generated configuration listing them, instead of one `named-checkzone` process per
/// zone (about 20 ms each: 180 s for a full run over 9,000 zones).
pub const BATCH_CHECK_THRESHOLD: usize = 20;

/// The batch check matching a configured per-zone check: when `zone_check_cmd` runs
/// `named-checkzone`, `named-checkconf -z {config}` from the same directory (it loads
/// every zone the configuration names, with the same zone checks). Any other command has
/// no batch form: it is run per zone, as configured.
pub fn batch_check_cmd(zone_check_cmd: &str) -> Option<String> {
    let program = zone_check_cmd.split_whitespace().next()?;
    let dir = program.strip_suffix("named-checkzone")?;
    if !dir.is_empty() && !dir.ends_with('/') {
        return None;
    }
    Some(format!("{dir}named-checkconf -z {{config}}"))
}

/// A configuration for `named-checkconf -z` naming each `(zone, file)` to check.
pub fn check_config<'a>(
    zones: impl IntoIterator<Item = (&'a str, &'a Path)>,
) -> Result<String, UnsafeValue> {
    let mut out = String::from("// Berth: zones of one provisioning batch, to check. Generated.\n");
    for (zone, file) in zones {
        let zone = checked_zone(zone)?;
        let path = file.to_string_lossy();
        if path.contains(['"', ';', '\n', '{', '}']) {
            return Err(UnsafeValue {
                what: "path",
                value: path.into_owned(),
            });
        }
        let _ = writeln!(out, "zone \"{zone}\" {{ type master; file \"{path}\"; }};");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r9_2_a_named_checkzone_check_has_a_batch_form_and_other_commands_do_not() {
        assert_eq!(
            batch_check_cmd("named-checkzone -q {zone} {file}").as_deref(),
            Some("named-checkconf -z {config}")
        );
        assert_eq!(
            batch_check_cmd("/usr/sbin/named-checkzone -q {zone} {file}").as_deref(),
            Some("/usr/sbin/named-checkconf -z {config}")
        );
        assert_eq!(batch_check_cmd("my-named-checkzone {zone} {file}"), None);
        assert_eq!(batch_check_cmd("/bin/true"), None);
        assert_eq!(batch_check_cmd(""), None);
    }

    #[test]
    fn r9_2_the_check_config_names_each_zone_with_its_staged_file() {
        let conf = check_config([
            ("shop.example", Path::new("/z/staging/shop.example.zone")),
            ("b.example", Path::new("/z/staging/b.example.zone")),
        ])
        .unwrap();
        assert!(conf.contains(
            "zone \"shop.example\" { type master; file \"/z/staging/shop.example.zone\"; };"
        ));
        assert!(conf.contains("zone \"b.example\""));
        assert!(check_config([("evil\"; };", Path::new("/z/a.zone"))]).is_err());
        assert!(check_config([("ok.example", Path::new("/z\";/a.zone"))]).is_err());
    }

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
