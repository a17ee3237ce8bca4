//! The virtual host template (R8.3): archives built here, in every accepted format, with
//! every kind of hostile entry.

use std::fs;
use std::io::{Cursor, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use berth_provision::template::{
    Description, EntryKind, Format, Limits, Skeleton, TemplateError, built_in, seed_new_webspace,
};

/// One entry of an archive built by a test.
enum E<'a> {
    File(&'a str, &'a [u8], u32),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
    Hardlink(&'a str, &'a str),
    Fifo(&'a str),
}

/// A tar archive with raw names (the builder's own checks would refuse hostile ones).
fn tar_bytes(entries: &[E]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for entry in entries {
        let mut header = tar::Header::new_ustar();
        let (name, data, kind, mode, link): (&str, &[u8], tar::EntryType, u32, &str) = match entry {
            E::File(n, d, m) => (n, d, tar::EntryType::Regular, *m, ""),
            E::Dir(n) => (n, b"", tar::EntryType::Directory, 0o755, ""),
            E::Symlink(n, t) => (n, b"", tar::EntryType::Symlink, 0o777, t),
            E::Hardlink(n, t) => (n, b"", tar::EntryType::Link, 0o644, t),
            E::Fifo(n) => (n, b"", tar::EntryType::Fifo, 0o644, ""),
        };
        let old = header.as_old_mut();
        old.name[..name.len()].copy_from_slice(name.as_bytes());
        old.linkname[..link.len()].copy_from_slice(link.as_bytes());
        header.set_entry_type(kind);
        header.set_mode(mode);
        header.set_size(data.len() as u64);
        header.set_cksum();
        builder.append(&header, data).unwrap();
    }
    builder.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn zip_bytes(entries: &[E]) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for entry in entries {
        match entry {
            E::File(n, d, m) => {
                writer.start_file(*n, options.unix_permissions(*m)).unwrap();
                writer.write_all(d).unwrap();
            }
            E::Dir(n) => writer.add_directory(*n, options).unwrap(),
            E::Symlink(n, t) => writer.add_symlink(*n, *t, options).unwrap(),
            E::Hardlink(..) | E::Fifo(_) => panic!("zip archives have no such entries"),
        }
    }
    writer.finish().unwrap().into_inner()
}

/// A small, complete template.
fn good<'a>() -> Vec<E<'a>> {
    vec![
        E::Dir("httpdocs/"),
        E::File("httpdocs/index.html", b"<h1>Welcome</h1>", 0o644),
        E::File("httpdocs/img/logo.txt", b"logo", 0o644),
        E::File("cgi-bin/run.cgi", b"#!/bin/sh\necho hi\n", 0o755),
        E::File("error_docs/404.html", b"custom 404", 0o644),
        E::Symlink("httpdocs/missing.html", "../error_docs/404.html"),
    ]
}

fn paths(d: &Description) -> Vec<&str> {
    d.entries.iter().map(|e| e.path.as_str()).collect()
}

fn refused(result: Result<Description, TemplateError>, needle: &str) {
    match result {
        Err(e) => assert!(
            e.to_string().contains(needle) && e.to_string().starts_with("R8.3"),
            "expected a refusal naming R8.3 and {needle:?}, got: {e}"
        ),
        Ok(d) => panic!("expected a refusal ({needle}), got {:?}", paths(&d)),
    }
}

fn check_installed(skeleton: &Skeleton, d: &Description) {
    assert!(!d.built_in);
    for p in [
        "httpdocs/index.html",
        "httpdocs/img/logo.txt",
        "cgi-bin/run.cgi",
        "error_docs/404.html",
    ] {
        assert!(paths(d).contains(&p), "{p} missing from {:?}", paths(d));
    }
    assert_eq!(d.files, 4);
    assert_eq!(d.total_bytes, 16 + 4 + 18 + 10);
    let link = d
        .entries
        .iter()
        .find(|e| e.path == "httpdocs/missing.html")
        .unwrap();
    assert_eq!(link.kind, EntryKind::Symlink);
    let current = skeleton.current().unwrap();
    let mode = fs::metadata(current.join("cgi-bin/run.cgi"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o755);
}

fn install(bytes: &[u8], declared: Option<Format>) -> (tempfile::TempDir, Skeleton, Description) {
    let dir = tempfile::tempdir().unwrap();
    let skeleton = Skeleton::new(dir.path().join("vhost-template"));
    let d = skeleton.install_archive(bytes, declared).unwrap();
    (dir, skeleton, d)
}

#[test]
fn r8_3_a_tar_archive_is_installed() {
    let bytes = tar_bytes(&good());
    assert_eq!(Format::detect(&bytes), Some(Format::Tar));
    let (_dir, skeleton, d) = install(&bytes, None);
    check_installed(&skeleton, &d);
}

#[test]
fn r8_3_a_tgz_archive_is_installed() {
    let bytes = gzip(&tar_bytes(&good()));
    let (_dir, skeleton, d) = install(&bytes, Some(Format::parse("tgz").unwrap()));
    check_installed(&skeleton, &d);
}

#[test]
fn r8_3_a_tar_gz_archive_is_installed_by_its_content() {
    let bytes = gzip(&tar_bytes(&good()));
    assert_eq!(Format::detect(&bytes), Some(Format::TarGz));
    // Declared as zip by mistake: the content decides.
    let (_dir, skeleton, d) = install(&bytes, Some(Format::Zip));
    check_installed(&skeleton, &d);
}

#[test]
fn r8_3_a_zip_archive_is_installed() {
    let bytes = zip_bytes(&good());
    assert_eq!(Format::detect(&bytes), Some(Format::Zip));
    let (_dir, skeleton, d) = install(&bytes, Some(Format::parse("application/zip").unwrap()));
    check_installed(&skeleton, &d);
}

#[test]
fn r8_3_declared_formats_parse_and_unknown_ones_are_refused() {
    assert_eq!(Format::parse("tar.gz").unwrap(), Format::TarGz);
    assert_eq!(Format::parse("application/gzip").unwrap(), Format::TarGz);
    assert_eq!(Format::parse("application/x-tar").unwrap(), Format::Tar);
    assert_eq!(Format::parse("ZIP").unwrap(), Format::Zip);
    assert!(matches!(
        Format::parse("rar"),
        Err(TemplateError::Format(_))
    ));
}

#[test]
fn r8_3_an_unknown_format_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let skeleton = Skeleton::new(dir.path().join("t"));
    let junk = b"Rar!\x1a\x07\x00 this is no template".repeat(30);
    refused(
        skeleton.install_archive(&junk, None),
        "not a tgz, tar, tar.gz or zip",
    );
    // Declared tar, but not one.
    refused(skeleton.install_archive(&junk, Some(Format::Tar)), "");
    assert!(skeleton.describe().unwrap().built_in);
}

#[test]
fn r8_3_absolute_paths_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let skeleton = Skeleton::new(dir.path().join("t"));
    let entry = [E::File("/etc/cron.d/evil", b"x", 0o644)];
    refused(
        skeleton.install_archive(&tar_bytes(&entry), None),
        "absolute paths are refused",
    );
    refused(
        skeleton.install_archive(&zip_bytes(&entry), None),
        "absolute paths are refused",
    );
    assert!(!dir.path().join("etc").exists());
}

#[test]
fn r8_3_dot_dot_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let skeleton = Skeleton::new(dir.path().join("t"));
    let entry = [E::File("httpdocs/../../../escaped", b"x", 0o644)];
    refused(skeleton.install_archive(&tar_bytes(&entry), None), "`..`");
    refused(skeleton.install_archive(&zip_bytes(&entry), None), "`..`");
    assert!(!dir.path().join("escaped").exists());
}

#[test]
fn r8_3_symlinks_leaving_the_tree_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let skeleton = Skeleton::new(dir.path().join("t"));
    for entries in [
        vec![E::Symlink("httpdocs/passwd", "/etc/passwd")],
        vec![E::Symlink("httpdocs/up", "../../outside")],
        // Each link stays inside on its own; together they lead out.
        vec![
            E::Symlink("httpdocs/top", ".."),
            E::Symlink("httpdocs/esc", "top/.."),
        ],
    ] {
        refused(skeleton.install_archive(&tar_bytes(&entries), None), "leav");
    }
    refused(
        skeleton.install_archive(&zip_bytes(&[E::Symlink("httpdocs/up", "../../x")]), None),
        "links leaving the tree are refused",
    );
}

#[test]
fn r8_3_nothing_is_written_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let skeleton = Skeleton::new(dir.path().join("t"));
    let entries = [
        E::Symlink("httpdocs/docs", "../error_docs"),
        E::File("httpdocs/docs/500.html", b"x", 0o644),
    ];
    refused(
        skeleton.install_archive(&tar_bytes(&entries), None),
        "inside a link",
    );
    // A link replaced by a file of the same name would write through it.
    let twice = [
        E::Symlink("httpdocs/a", "b"),
        E::File("httpdocs/a", b"x", 0o644),
    ];
    refused(skeleton.install_archive(&tar_bytes(&twice), None), "twice");
}

#[test]
fn r8_3_hard_links_leaving_the_tree_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let skeleton = Skeleton::new(dir.path().join("t"));
    for target in ["/etc/passwd", "../../etc/passwd", "httpdocs/not-there"] {
        let entries = [E::Hardlink("httpdocs/h", target)];
        refused(
            skeleton.install_archive(&tar_bytes(&entries), None),
            "hard link",
        );
    }
    // Inside the tree, a hard link becomes a copy.
    let ok = [
        E::File("httpdocs/a.html", b"same", 0o644),
        E::Hardlink("error_docs/b.html", "httpdocs/a.html"),
    ];
    let d = skeleton.install_archive(&tar_bytes(&ok), None).unwrap();
    assert_eq!(d.files, 2);
    assert_eq!(d.total_bytes, 8);
}

#[test]
fn r8_3_special_files_and_setuid_bits_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let skeleton = Skeleton::new(dir.path().join("t"));
    refused(
        skeleton.install_archive(&tar_bytes(&[E::Fifo("httpdocs/pipe")]), None),
        "fifos",
    );
    let suid = [E::File("cgi-bin/root-shell", b"x", 0o4755)];
    refused(skeleton.install_archive(&tar_bytes(&suid), None), "setuid");
    let mut zip = zip_bytes(&suid);
    let central = zip.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    let attributes = (0o104_755u32 << 16).to_le_bytes();
    zip[central + 38..central + 42].copy_from_slice(&attributes);
    // The zip reader drops special bits itself; what lands on disk never has them.
    skeleton.install_archive(&zip, None).unwrap();
    let mode = fs::metadata(skeleton.current().unwrap().join("cgi-bin/root-shell"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o7777, 0o755);
}

#[test]
fn r8_3_only_the_webspace_directories_sit_at_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let skeleton = Skeleton::new(dir.path().join("t"));
    let nested = [E::File("template/httpdocs/index.html", b"x", 0o644)];
    refused(
        skeleton.install_archive(&tar_bytes(&nested), None),
        "only httpdocs, cgi-bin, anon_ftp and error_docs",
    );
    let file_at_root = [E::File("httpdocs", b"not a directory", 0o644)];
    refused(
        skeleton.install_archive(&zip_bytes(&file_at_root), None),
        "must be directories",
    );
    let link_at_root = [E::Symlink("cgi-bin", "httpdocs")];
    refused(
        skeleton.install_archive(&tar_bytes(&link_at_root), None),
        "must be directories",
    );
}

#[test]
fn r8_3_names_and_depth_are_limited() {
    let dir = tempfile::tempdir().unwrap();
    let skeleton = Skeleton::new(dir.path().join("t"));
    let long = format!("httpdocs/{}", "n".repeat(256));
    let entries = [E::File(&long, b"x", 0o644)];
    refused(
        skeleton.install_archive(&zip_bytes(&entries), None),
        "255 bytes",
    );
    let deep = format!("httpdocs/{}x", "d/".repeat(40));
    let entries = [E::File(&deep, b"x", 0o644)];
    refused(
        skeleton.install_archive(&zip_bytes(&entries), None),
        "levels deep",
    );
}

fn small_limits() -> Limits {
    Limits {
        total_bytes: 1024 * 1024,
        entries: 20,
        ..Limits::default()
    }
}

#[test]
fn r8_3_too_big_archives_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let skeleton = Skeleton::new(dir.path().join("t")).with_limits(small_limits());
    let big = vec![0u8; 1024 * 1024 + 1];
    let entries = [E::File("httpdocs/big.bin", &big, 0o644)];
    for bytes in [
        tar_bytes(&entries),
        gzip(&tar_bytes(&entries)),
        zip_bytes(&entries),
    ] {
        let result = skeleton.install_archive(&bytes, None);
        assert!(
            matches!(result, Err(TemplateError::TooLarge(_))),
            "{result:?}"
        );
    }
    let tiny = Skeleton::new(dir.path().join("t")).with_limits(Limits {
        archive_bytes: 100,
        ..Limits::default()
    });
    refused(
        tiny.install_archive(&tar_bytes(&good()), None),
        "more than the 100 accepted",
    );
}

/// Sets the uncompressed size a zip declares for its only file (local header and central
/// directory) to `size`.
fn declare_size(zip: &mut [u8], size: u32) {
    assert_eq!(&zip[..4], b"PK\x03\x04");
    zip[22..26].copy_from_slice(&size.to_le_bytes());
    let central = zip.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    zip[central + 24..central + 28].copy_from_slice(&size.to_le_bytes());
}

#[test]
fn r8_3_a_zip_bomb_lying_about_its_size_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let skeleton = Skeleton::new(dir.path().join("t")).with_limits(small_limits());
    let zeros = vec![0u8; 4 * 1024 * 1024];
    let mut bomb = zip_bytes(&[E::File("httpdocs/bomb.bin", &zeros, 0o644)]);
    assert!(bomb.len() < 64 * 1024, "deflate shrinks zeros");
    // Honest: refused on the declared size before anything is unpacked.
    refused(
        skeleton.install_archive(&bomb, None),
        "declares 4194304 bytes",
    );
    // Lying: declares 10 bytes, the data inflates to 4 MiB.
    declare_size(&mut bomb, 10);
    let result = skeleton.install_archive(&bomb, None);
    assert!(
        matches!(
            result,
            Err(TemplateError::Format(_) | TemplateError::TooLarge(_))
        ),
        "a lying zip was accepted: {result:?}"
    );
    assert!(skeleton.describe().unwrap().built_in);
    assert!(
        fs::read_dir(dir.path().join("t/versions"))
            .unwrap()
            .next()
            .is_none(),
        "the staging directory was left behind"
    );
}

#[test]
fn r8_3_too_many_entries_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let skeleton = Skeleton::new(dir.path().join("t")).with_limits(small_limits());
    let names: Vec<String> = (0..21).map(|i| format!("httpdocs/f{i}.html")).collect();
    let entries: Vec<E> = names.iter().map(|n| E::File(n, b"x", 0o644)).collect();
    for bytes in [tar_bytes(&entries), zip_bytes(&entries)] {
        refused(skeleton.install_archive(&bytes, None), "entries");
    }
}

#[test]
fn r8_3_a_refused_upload_leaves_the_previous_template_live() {
    let (dir, skeleton, before) = install(&tar_bytes(&good()), None);
    let bad = [
        E::File("httpdocs/new.html", b"new", 0o644),
        E::File("/etc/passwd", b"x", 0o644),
    ];
    assert!(skeleton.install_archive(&tar_bytes(&bad), None).is_err());
    assert_eq!(skeleton.describe().unwrap(), before);
    let web = dir.path().join("www/shop.example");
    assert!(seed_new_webspace(&dir.path().join("vhost-template"), &web).unwrap());
    assert!(!web.join("httpdocs/new.html").exists());
    assert_eq!(
        fs::read_to_string(web.join("httpdocs/index.html")).unwrap(),
        "<h1>Welcome</h1>"
    );
}

#[test]
fn r8_3_a_dry_run_checks_without_installing() {
    let dir = tempfile::tempdir().unwrap();
    let skeleton = Skeleton::new(dir.path().join("t"));
    let d = skeleton.check_archive(&zip_bytes(&good()), None).unwrap();
    assert_eq!(d.files, 4);
    assert!(skeleton.describe().unwrap().built_in);
}

#[test]
fn r8_3_reset_restores_the_built_in_skeleton() {
    let (_dir, skeleton, d) = install(&zip_bytes(&good()), None);
    assert!(!d.built_in);
    let reset = skeleton.reset().unwrap();
    assert!(reset.built_in);
    assert_eq!(skeleton.describe().unwrap(), reset);
    assert!(skeleton.current().is_none());
    let names = paths(&reset);
    for code in ["400", "401", "403", "404", "500", "503"] {
        assert!(names.contains(&format!("error_docs/{code}.html").as_str()));
    }
    assert!(names.contains(&"httpdocs/index.html"));
}

#[test]
fn r9_1_a_new_webspace_is_seeded_from_the_built_in_skeleton() {
    let dir = tempfile::tempdir().unwrap();
    let web = dir.path().join("www/shop.example");
    assert!(seed_new_webspace(&dir.path().join("none"), &web).unwrap());
    for d in ["httpdocs", "cgi-bin", "error_docs", "anon_ftp", "logs"] {
        assert!(web.join(d).is_dir(), "{d}");
    }
    let suspended = fs::read_to_string(web.join("error_docs/503.html")).unwrap();
    assert!(suspended.contains("suspended"));
    let index = fs::read_to_string(web.join("httpdocs/index.html")).unwrap();
    assert!(index.contains("being set up"));
    assert_eq!(built_in().len(), 7);
}

#[test]
fn r8_3_the_template_seeds_new_webspaces_only() {
    let (dir, _skeleton, _) = install(&tar_bytes(&good()), None);
    let template = dir.path().join("vhost-template");
    let web = dir.path().join("www/shop.example");
    fs::create_dir_all(web.join("httpdocs")).unwrap();
    fs::write(web.join("httpdocs/index.html"), "the customer's own").unwrap();
    assert!(!seed_new_webspace(&template, &web).unwrap());
    assert!(
        !web.join("cgi-bin").exists(),
        "an existing webspace was seeded"
    );
    // Seeding into an existing tree never overwrites a file.
    Skeleton::new(&template).seed_into(&web).unwrap();
    assert_eq!(
        fs::read_to_string(web.join("httpdocs/index.html")).unwrap(),
        "the customer's own"
    );
    assert_eq!(
        fs::read_to_string(web.join("error_docs/404.html")).unwrap(),
        "custom 404"
    );
    assert_eq!(
        fs::read_link(web.join("httpdocs/missing.html")).unwrap(),
        Path::new("../error_docs/404.html")
    );
}

#[test]
fn r8_3_data_carried_by_directory_entries_counts_toward_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let skeleton = Skeleton::new(dir.path().join("t")).with_limits(small_limits());
    let mut builder = tar::Builder::new(Vec::new());
    let payload = vec![7u8; 600 * 1024];
    for name in ["httpdocs/a/", "httpdocs/b/"] {
        let mut header = tar::Header::new_ustar();
        header.set_path(name).unwrap();
        header.set_entry_type(tar::EntryType::Directory);
        header.set_mode(0o755);
        header.set_size(payload.len() as u64);
        header.set_cksum();
        builder.append(&header, payload.as_slice()).unwrap();
    }
    let bytes = gzip(&builder.into_inner().unwrap());
    let result = skeleton.install_archive(&bytes, None);
    assert!(
        matches!(result, Err(TemplateError::TooLarge(_))),
        "{result:?}"
    );
}

#[test]
fn r8_3_leftovers_of_interrupted_uploads_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let skeleton = Skeleton::new(dir.path().join("t"));
    let versions = dir.path().join("t/versions");
    fs::create_dir_all(versions.join("old.staging")).unwrap();
    fs::create_dir_all(versions.join("running.staging")).unwrap();
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    fs::File::open(versions.join("old.staging"))
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    skeleton.install_archive(&tar_bytes(&good()), None).unwrap();
    assert!(!versions.join("old.staging").exists());
    assert!(versions.join("running.staging").exists());
    skeleton.reset().unwrap();
    assert!(versions.join("running.staging").exists());
    let left: Vec<_> = fs::read_dir(&versions).unwrap().flatten().collect();
    assert_eq!(left.len(), 1, "only the upload in flight stays");
}

#[test]
fn r8_3_concurrent_uploads_leave_one_complete_template_live() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("t");
    let archives: Vec<Vec<u8>> = (0..8)
        .map(|i| {
            let body = format!("upload {i}");
            tar_bytes(&[E::File("httpdocs/index.html", body.as_bytes(), 0o644)])
        })
        .collect();
    std::thread::scope(|scope| {
        for archive in &archives {
            let template = template.clone();
            scope.spawn(move || {
                Skeleton::new(template)
                    .install_archive(archive, None)
                    .unwrap()
            });
        }
    });
    let skeleton = Skeleton::new(&template);
    let live = skeleton.current().expect("a template is live");
    let index = fs::read_to_string(live.join("httpdocs/index.html")).unwrap();
    assert!(index.starts_with("upload "), "{index}");
    let versions = fs::read_dir(template.join("versions")).unwrap().count();
    assert_eq!(versions, 1, "older versions are pruned, the live one kept");
}
