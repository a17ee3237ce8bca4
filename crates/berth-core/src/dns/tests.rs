use super::*;
use crate::ErrorCode;

fn origin() -> DomainName {
    DomainName::parse("domain", "example.com").unwrap()
}

fn rec(rtype: RecordType, host: &str, value: &str) -> RecordData {
    RecordData::parse(&origin(), rtype, host, value, None, None).unwrap()
}

fn field_of(err: Error) -> String {
    err.field.unwrap_or_default()
}

fn ctx<'a>(domain: &'a DomainName, hostname: &'a DomainName, v6: bool) -> ZoneContext<'a> {
    ZoneContext {
        domain,
        ipv4: Some(Ipv4Addr::new(192, 0, 2, 10)),
        ipv6: v6.then(|| "2001:db8::10".parse().unwrap()),
        hostname,
    }
}

fn zone_of(records: Vec<(String, RecordData)>, source: RecordSource) -> Zone {
    Zone {
        domain_id: Uuid::now_v7(),
        serial: 1,
        records: records
            .into_iter()
            .map(|(key, data)| ZoneRecord {
                id: Uuid::now_v7(),
                data,
                source,
                source_key: key,
                user_edited: false,
                removed: false,
            })
            .collect(),
        updated_at: chrono::Utc::now(),
    }
}

fn template_zone() -> Zone {
    let d = origin();
    let h = DomainName::parse("hostname", "server.example.net").unwrap();
    zone_of(
        expand_template(&default_template(), &ctx(&d, &h, true)).unwrap(),
        RecordSource::Template,
    )
}

#[test]
fn r7_4_each_type_validates_its_value() {
    use RecordType::*;
    let ok: Vec<(RecordType, &str, &str, Option<i64>, &str)> = vec![
        (A, "@", "192.0.2.1", None, "192.0.2.1"),
        (Aaaa, "www", "2001:DB8:0:0::1", None, "2001:db8::1"),
        (
            Cname,
            "shop",
            "shops.example.net.",
            None,
            "shops.example.net",
        ),
        (
            Cname,
            "sel._domainkey",
            "sel._domainkey.mail.example.net",
            None,
            "sel._domainkey.mail.example.net",
        ),
        (Mx, "@", "Mail.Example.NET", Some(20), "mail.example.net"),
        (
            Ns,
            "sub",
            "ns1.provider.example",
            None,
            "ns1.provider.example",
        ),
        (Txt, "@", "\"v=spf1 -all\"", None, "v=spf1 -all"),
        (Txt, "_acme-challenge", "abc def", None, "abc def"),
        (
            Srv,
            "_sip._tcp",
            "5 5060 sip.example.com.",
            Some(10),
            "5 5060 sip.example.com",
        ),
        (Srv, "_imap._tcp", "0 0 .", None, "0 0 ."),
        (
            Caa,
            "@",
            "0 ISSUE \"letsencrypt.org\"",
            None,
            "0 issue \"letsencrypt.org\"",
        ),
        (
            Caa,
            "@",
            "128 iodef mailto:security@example.com",
            None,
            "128 iodef \"mailto:security@example.com\"",
        ),
        (A, "*", "192.0.2.2", None, "192.0.2.2"),
        (A, "café", "192.0.2.3", None, "192.0.2.3"),
    ];
    for (rtype, host, value, priority, canonical) in ok {
        let r = RecordData::parse(&origin(), rtype, host, value, priority, None)
            .unwrap_or_else(|e| panic!("{rtype} {host} {value}: {e}"));
        assert_eq!(r.value, canonical, "{rtype} {host} {value}");
    }
    let label64 = "a".repeat(64);
    let bad: Vec<(RecordType, &str, &str, &str)> = vec![
        (A, "@", "2001:db8::1", "value"),
        (A, "@", "192.0.2.256", "value"),
        (A, "@", "192.0.2.01", "value"),
        (A, "@", "example.com", "value"),
        (Aaaa, "@", "192.0.2.1", "value"),
        (Aaaa, "@", "2001:db8::g", "value"),
        (Cname, "www", "192.0.2.1", "value"),
        (Cname, "www", "www.example.com", "value"),
        (Cname, "@", "other.example.net", "host"),
        (Mx, "@", "mail", "value"),
        (Mx, "@", "", "value"),
        (Ns, "@", "ns_1 .example.net", "value"),
        (Txt, "@", "\"\"", "value"),
        (Txt, "@", "line\nbreak", "value"),
        (Srv, "sip", "5 5060 sip.example.com", "host"),
        (Srv, "_sip._tcp", "5 sip.example.com", "value"),
        (Srv, "_sip._tcp", "5 70000 sip.example.com", "value"),
        (Caa, "@", "issue letsencrypt.org", "value"),
        (Caa, "@", "0 is-sue letsencrypt.org", "value"),
        (Caa, "@", "0 issue \"a\"b\"", "value"),
        (A, "www.example.org.", "192.0.2.1", "host"),
        (A, "bad host", "192.0.2.1", "host"),
        (A, "-x", "192.0.2.1", "host"),
        (A, &label64, "192.0.2.1", "host"),
        (A, "a.*", "192.0.2.1", "host"),
        // Host names where name servers check them (BIND check-names).
        (A, "_x", "192.0.2.1", "host"),
        (Aaaa, "my_host", "::1", "host"),
        (Mx, "_mail", "mail.example.com", "host"),
        (Mx, "@", "_mail.example.com", "value"),
        (Ns, "sub", "_ns.example.net", "value"),
        (Srv, "_sip._tcp", "5 5060 _sip.example.com", "value"),
    ];
    for (rtype, host, value, field) in bad {
        let err = RecordData::parse(&origin(), rtype, host, value, None, None)
            .expect_err(&format!("{rtype} {host:?} {value:?} should be refused"));
        assert_eq!(err.code, ErrorCode::Invalid, "{rtype} {host} {value}");
        assert_eq!(field_of(err), field, "{rtype} {host:?} {value:?}");
    }
    let long_txt = "x".repeat(TXT_MAX + 1);
    assert_eq!(
        field_of(RecordData::parse(&origin(), Txt, "@", &long_txt, None, None).unwrap_err()),
        "value"
    );
}

#[test]
fn r7_4_unknown_record_types_are_refused() {
    for bad in ["SOA", "PTR", "", "AA"] {
        assert_eq!(
            field_of(RecordType::parse("type", bad).unwrap_err()),
            "type"
        );
    }
    assert_eq!(RecordType::parse("type", "aaaa").unwrap(), RecordType::Aaaa);
}

#[test]
fn r7_4_only_mx_and_srv_take_a_priority() {
    let err =
        RecordData::parse(&origin(), RecordType::A, "@", "192.0.2.1", Some(10), None).unwrap_err();
    assert_eq!(field_of(err), "priority");
    let err = RecordData::parse(
        &origin(),
        RecordType::Mx,
        "@",
        "mx.example.net",
        Some(70_000),
        None,
    )
    .unwrap_err();
    assert_eq!(field_of(err), "priority");
    let mx =
        RecordData::parse(&origin(), RecordType::Mx, "@", "mx.example.net", None, None).unwrap();
    assert_eq!(mx.priority, Some(10));
}

#[test]
fn r7_4_ttl_is_between_1_and_2147483647_seconds() {
    for bad in [0, -5, 2_147_483_648] {
        let err = RecordData::parse(&origin(), RecordType::A, "@", "192.0.2.1", None, Some(bad))
            .unwrap_err();
        assert_eq!(field_of(err), "ttl", "{bad}");
    }
    let r = RecordData::parse(&origin(), RecordType::A, "@", "192.0.2.1", None, Some(300)).unwrap();
    assert_eq!(r.ttl, Some(300));
}

#[test]
fn r7_4_hosts_are_apex_relative_or_absolute_inside_the_zone() {
    let o = origin();
    assert_eq!(owner_name("host", "@", &o).unwrap(), "example.com");
    assert_eq!(owner_name("host", "", &o).unwrap(), "example.com");
    assert_eq!(owner_name("host", "WWW", &o).unwrap(), "www.example.com");
    assert_eq!(
        owner_name("host", "www.example.com", &o).unwrap(),
        "www.example.com"
    );
    assert_eq!(
        owner_name("host", "www.example.com.", &o).unwrap(),
        "www.example.com"
    );
    assert_eq!(
        owner_name("host", "_dmarc", &o).unwrap(),
        "_dmarc.example.com"
    );
    assert_eq!(owner_name("host", "a.b", &o).unwrap(), "a.b.example.com");
    let idn = DomainName::parse("domain", "café.example").unwrap();
    assert_eq!(
        owner_name("host", "www.café.example", &idn).unwrap(),
        "www.xn--caf-dma.example"
    );
    assert_eq!(
        owner_name("host", "bücher", &idn).unwrap(),
        "xn--bcher-kva.xn--caf-dma.example"
    );
    for bad in ["other.org.", "example.com.evil.", "a..b", "sp ace"] {
        assert_eq!(
            field_of(owner_name("host", bad, &o).unwrap_err()),
            "host",
            "{bad}"
        );
    }
}

#[test]
fn r7_4_a_cname_is_alone_at_its_name() {
    let z = template_zone();
    let mut records: Vec<RecordData> = z.live().cloned().collect();
    records.push(rec(RecordType::A, "www", "192.0.2.99"));
    let err = check_zone(&origin(), &records).unwrap_err();
    assert_eq!(
        (err.code, field_of(err)),
        (ErrorCode::Conflict, "host".to_owned())
    );
    let mut two: Vec<RecordData> = z.live().cloned().collect();
    two.push(rec(RecordType::Cname, "www", "elsewhere.example.net"));
    assert_eq!(
        check_zone(&origin(), &two).unwrap_err().code,
        ErrorCode::Conflict
    );
}

#[test]
fn r7_4_the_apex_keeps_an_ns_record() {
    let mut z = template_zone();
    let ns = rec(RecordType::Ns, "@", "ns.example.com");
    let err = remove_record(&mut z, &origin(), &ns, false).unwrap_err();
    assert_eq!(
        (err.code, field_of(err)),
        (ErrorCode::Conflict, "host".to_owned())
    );
    assert_eq!(z, template_zone_like(&z));
}

/// The zone unchanged: same records as a fresh template zone (ids aside).
fn template_zone_like(z: &Zone) -> Zone {
    let fresh = template_zone();
    assert!(z.same_records(&fresh.records));
    z.clone()
}

#[test]
fn r7_4_a_name_server_inside_the_zone_needs_an_address() {
    let mut z = template_zone();
    for address in [
        rec(RecordType::A, "ns", "192.0.2.10"),
        rec(RecordType::Aaaa, "ns", "2001:db8::10"),
    ] {
        let _ = remove_record(&mut z, &origin(), &address, false);
    }
    // The second removal was refused: the name server would have no address.
    assert!(
        z.live()
            .any(|r| r.host == "ns.example.com" && r.rtype == RecordType::Aaaa)
    );
    let mut id = Uuid::now_v7;
    let err = add_record(
        &mut z,
        &origin(),
        rec(RecordType::Ns, "@", "ns2.example.com"),
        &mut id,
    )
    .unwrap_err();
    assert_eq!(
        (err.code, field_of(err)),
        (ErrorCode::Conflict, "value".to_owned())
    );
    add_record(
        &mut z,
        &origin(),
        rec(RecordType::Ns, "@", "ns2.provider.example"),
        &mut id,
    )
    .unwrap();
}

#[test]
fn r7_4_no_record_twice() {
    let mut z = template_zone();
    let err = add_record(
        &mut z,
        &origin(),
        rec(RecordType::A, "@", "192.0.2.10"),
        &mut Uuid::now_v7,
    )
    .unwrap_err();
    assert_eq!(
        (err.code, field_of(err)),
        (ErrorCode::Conflict, "value".to_owned())
    );
}

#[test]
fn r7_4_removing_an_absent_record_is_not_found() {
    let mut z = template_zone();
    let err = remove_record(
        &mut z,
        &origin(),
        &rec(RecordType::A, "nope", "192.0.2.1"),
        false,
    )
    .unwrap_err();
    assert_eq!(
        (err.code, field_of(err)),
        (ErrorCode::NotFound, "value".to_owned())
    );
}

#[test]
fn r7_4_serials_strictly_increase_in_yyyymmddnn_style() {
    let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let first = next_serial(0, day);
    assert_eq!(first, 2026030100);
    let mut s = first;
    for _ in 0..250 {
        let n = next_serial(s, day);
        assert!(n > s);
        s = n;
    }
    // A later day starts over at nn = 00 only when that is still greater.
    let later = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    assert_eq!(next_serial(first, later), 2026030200);
    assert!(next_serial(s, later) > s);
    // A clock set back never makes a serial go down.
    let earlier = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    assert_eq!(next_serial(first, earlier), first + 1);
}

#[test]
fn r7_4_default_template_builds_the_records_of_r7_4() {
    let d = origin();
    let h = DomainName::parse("hostname", "server.example.net").unwrap();
    let got: Vec<String> = expand_template(&default_template(), &ctx(&d, &h, false))
        .unwrap()
        .into_iter()
        .map(|(_, r)| format!("{}. {} {}", r.host, r.rtype, r.rdata()))
        .collect();
    assert_eq!(
        got,
        vec![
            "example.com. NS ns.example.com.",
            "ns.example.com. A 192.0.2.10",
            "example.com. A 192.0.2.10",
            "www.example.com. CNAME example.com.",
            "ftp.example.com. CNAME example.com.",
            "mail.example.com. A 192.0.2.10",
            "example.com. MX 10 mail.example.com.",
            "webmail.example.com. A 192.0.2.10",
            "example.com. TXT \"v=spf1 +a +mx -all\"",
            "_dmarc.example.com. TXT \"v=DMARC1; p=none\"",
        ]
    );
}

#[test]
fn r7_4_aaaa_twins_come_only_with_ipv6() {
    let d = origin();
    let h = DomainName::parse("hostname", "server.example.net").unwrap();
    let with = expand_template(&default_template(), &ctx(&d, &h, true)).unwrap();
    let aaaa: Vec<&str> = with
        .iter()
        .filter(|(_, r)| r.rtype == RecordType::Aaaa)
        .map(|(_, r)| r.host.as_str())
        .collect();
    assert_eq!(
        aaaa,
        [
            "ns.example.com",
            "example.com",
            "mail.example.com",
            "webmail.example.com"
        ]
    );
    let v6_only = ZoneContext {
        ipv4: None,
        ..ctx(&d, &h, true)
    };
    let only = expand_template(&default_template(), &v6_only).unwrap();
    assert!(only.iter().all(|(_, r)| r.rtype != RecordType::A));
    check_zone(&d, only.iter().map(|(_, r)| r)).unwrap();
}

#[test]
fn r7_4_template_text_round_trips_and_keys_are_stable() {
    let text = template_to_text(&default_template());
    assert_eq!(parse_template(&text).unwrap(), default_template());
    let d = origin();
    let h = DomainName::parse("hostname", "server.example.net").unwrap();
    let keys: Vec<String> = expand_template(&default_template(), &ctx(&d, &h, true))
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert!(keys.contains(&"<domain>.|A|0".to_owned()));
    assert_eq!(keys.len(), keys.iter().collect::<BTreeSet<_>>().len());
}

#[test]
fn r7_4_templates_use_only_known_placeholders_and_build_valid_zones() {
    let custom = "<domain>. NS ns.<domain>.\nns.<domain>. A <ip>\n<domain>. 300 IN MX 5 <hostname>.\n\
                  ns.<domain>. AAAA <ipv6>\n\
                  ; a comment\n# another\n\n<domain>. CAA 0 issue \"letsencrypt.org\"\n";
    let t = parse_template(custom).unwrap();
    assert_eq!(t.len(), 5);
    assert_eq!(t[2].ttl, Some(300));
    assert_eq!(t[2].priority, Some(5));
    let bad: Vec<(&str, &str)> = vec![
        (
            "<domain>. NS ns.<domain>.\nns.<domain>. A <ip>\nx.<domain>. A <address>\n",
            "<address>",
        ),
        ("<domain>. NS ns.<domain>.\nns.<domain>. A <ipv6>\n", "IPv4"),
        (
            "<domain>. NS ns.<domain>.\nns.<domain>. A <ip>\n<domain>. MX mail.<domain>.\n",
            "priority",
        ),
        (
            "<domain>. NS ns.<domain>.\nns.<domain>. A <ip>\nother.org. A <ip>\n",
            "not inside",
        ),
        (
            "<domain>. NS ns.<domain>.\nns.<domain>. A <ip>\n<domain>. PTR x\n",
            "record type",
        ),
        ("ns.<domain>. A <ip>\n", "NS record"),
        (
            "<domain>. NS ns.<domain>.\nns.<domain>. A <ip>\nwww.<domain>. CNAME <domain>.\nwww.<domain>. A <ip>\n",
            "CNAME",
        ),
        // An IPv6-only subscription would have a name server without an address.
        ("<domain>. NS ns.<domain>.\nns.<domain>. A <ip>\n", "IPv4"),
    ];
    for (text, needle) in bad {
        let err = parse_template(text).expect_err(text);
        assert_eq!(field_of(err.clone()), "template", "{text}");
        if needle != "IPv4" {
            assert!(err.message.contains(needle), "{text}: {}", err.message);
        }
    }
}

#[test]
fn r7_4_apply_adds_and_updates_template_records_but_never_user_edited_ones() {
    let d = origin();
    let h = DomainName::parse("hostname", "server.example.net").unwrap();
    let mut z = template_zone();
    let mut id = Uuid::now_v7;
    // By hand: remove the ftp CNAME, change the SPF record (remove + add), add a record.
    remove_record(
        &mut z,
        &d,
        &rec(RecordType::Cname, "ftp", "example.com"),
        false,
    )
    .unwrap();
    remove_record(
        &mut z,
        &d,
        &rec(RecordType::Txt, "@", "v=spf1 +a +mx -all"),
        false,
    )
    .unwrap();
    add_record(
        &mut z,
        &d,
        rec(RecordType::Txt, "@", "v=spf1 mx -all"),
        &mut id,
    )
    .unwrap();
    add_record(&mut z, &d, rec(RecordType::A, "ftp", "192.0.2.77"), &mut id).unwrap();
    // A new template: the main address changes, a record is added, the SPF text changes.
    let mut t = default_template();
    for r in &mut t {
        if r.rtype == RecordType::Txt && r.host == "<domain>." {
            r.value = "\"v=spf1 a mx ~all\"".into();
        }
    }
    t.push(TemplateRecord::new(
        "autodiscover.<domain>.",
        RecordType::Cname,
        None,
        "mail.<domain>.",
    ));
    t.push(TemplateRecord::new(
        "ftp.<domain>.",
        RecordType::Cname,
        None,
        "<domain>.",
    ));
    let mut c = ctx(&d, &h, true);
    c.ipv4 = Some(Ipv4Addr::new(198, 51, 100, 1));
    let desired = expand_template(&t, &c).unwrap();
    let report = reconcile(
        &mut z,
        &d,
        &Owned::new(RecordSource::Template, "", false, &[]),
        desired,
        &mut id,
    )
    .unwrap();
    assert_eq!(report.added, 1, "{report:?}");
    assert_eq!(report.updated, 4, "{report:?}");
    assert_eq!(report.kept, 2, "{report:?}");
    assert_eq!(report.skipped.len(), 1, "{report:?}");
    assert_eq!(report.skipped[0].1.code, ErrorCode::Conflict);
    let live: Vec<String> = z
        .live()
        .map(|r| format!("{} {} {}", r.host, r.rtype, r.value))
        .collect();
    assert!(live.contains(&"example.com TXT v=spf1 mx -all".to_owned()));
    assert!(
        !live
            .iter()
            .any(|l| l.contains("~all") || l.contains("+a +mx"))
    );
    assert!(live.contains(&"ftp.example.com A 192.0.2.77".to_owned()));
    assert!(!live.contains(&"ftp.example.com CNAME example.com".to_owned()));
    assert!(live.contains(&"autodiscover.example.com CNAME mail.example.com".to_owned()));
    assert!(live.contains(&"example.com A 198.51.100.1".to_owned()));
    // Re-applying the same template changes nothing.
    let again = reconcile(
        &mut z,
        &d,
        &Owned::new(RecordSource::Template, "", false, &[]),
        expand_template(&t, &c).unwrap(),
        &mut id,
    )
    .unwrap();
    assert!(!again.changed(), "{again:?}");
}

#[test]
fn r7_4_re_adding_a_removed_template_record_revives_it() {
    let d = origin();
    let mut z = template_zone();
    let ftp = rec(RecordType::Cname, "ftp", "example.com");
    remove_record(&mut z, &d, &ftp, false).unwrap();
    assert!(!z.live().any(|r| r.same_as(&ftp)));
    add_record(&mut z, &d, ftp.clone(), &mut Uuid::now_v7).unwrap();
    let r = z.records.iter().find(|r| r.data.same_as(&ftp)).unwrap();
    assert!(!r.removed && r.user_edited && r.source == RecordSource::Template);
    assert_eq!(z.records.len(), template_zone().records.len());
}

#[test]
fn r7_3_subdomain_records_are_removed_with_their_key_prefix() {
    let d = origin();
    let mut z = template_zone();
    let mut id = Uuid::now_v7;
    let desired = vec![
        ("s1|A".to_owned(), rec(RecordType::A, "blog", "192.0.2.10")),
        (
            "s1|www".to_owned(),
            rec(RecordType::Cname, "www.blog", "blog.example.com"),
        ),
    ];
    let r = reconcile(
        &mut z,
        &d,
        &Owned::new(RecordSource::Subdomain, "s1|", true, &[]),
        desired,
        &mut id,
    )
    .unwrap();
    assert_eq!(r.added, 2);
    let r = reconcile(
        &mut z,
        &d,
        &Owned::new(RecordSource::Subdomain, "s1|", true, &[]),
        vec![],
        &mut id,
    )
    .unwrap();
    assert_eq!(r.removed, 2);
    assert!(z.same_records(&template_zone().records));
}

#[test]
fn r7_2_alias_records_are_renamed_into_the_alias_zone() {
    let d = origin();
    let alias = DomainName::parse("alias", "example.org").unwrap();
    let mx = rec(RecordType::Mx, "@", "mail.example.com");
    let renamed = mx.renamed(&d, &alias);
    assert_eq!(
        (renamed.host.as_str(), renamed.value.as_str()),
        ("example.org", "mail.example.org")
    );
    let outside = rec(RecordType::Cname, "shop", "shops.example.net").renamed(&d, &alias);
    assert_eq!(
        (outside.host.as_str(), outside.value.as_str()),
        ("shop.example.org", "shops.example.net")
    );
    let srv = RecordData::parse(
        &d,
        RecordType::Srv,
        "_sip._tcp",
        "1 5060 sip.example.com",
        Some(0),
        None,
    )
    .unwrap()
    .renamed(&d, &alias);
    assert_eq!(srv.value, "1 5060 sip.example.org");
    let txt = rec(RecordType::Txt, "@", "example.com rocks").renamed(&d, &alias);
    assert_eq!(txt.value, "example.com rocks");
}

#[test]
fn r7_4_zone_text_has_soa_absolute_names_and_escaped_txt() {
    let d = DomainName::parse("domain", "café.example").unwrap();
    let h = DomainName::parse("hostname", "server.example.net").unwrap();
    let mut records: Vec<RecordData> = expand_template(&default_template(), &ctx(&d, &h, false))
        .unwrap()
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    let long = format!("quote \" backslash \\ é {}", "y".repeat(300));
    records.push(RecordData::parse(&d, RecordType::Txt, "long", &long, None, Some(60)).unwrap());
    let refs: Vec<&RecordData> = records.iter().collect();
    let text = render_zone(&d, 2026030100, &h, "master", &refs);
    assert!(
        text.starts_with("; Zone café.example (xn--caf-dma.example) (master)"),
        "{text}"
    );
    assert!(text.contains(
        " 86400 IN SOA server.example.net. hostmaster.xn--caf-dma.example. 2026030100 10800 3600 604800 10800"
    ), "{text}");
    assert!(
        text.contains("IN MX 10 mail.xn--caf-dma.example.\n"),
        "{text}"
    );
    assert!(
        text.contains(" 60 IN TXT \"quote \\\" backslash \\\\ \\195\\169 "),
        "{text}"
    );
    // 300+ bytes are split into two strings.
    let txt_line = text.lines().find(|l| l.starts_with("long.")).unwrap();
    assert_eq!(txt_line.matches("\" \"").count(), 1, "{txt_line}");
    // The apex comes first.
    let first_record = text.lines().nth(3).unwrap();
    assert!(
        first_record.starts_with("xn--caf-dma.example."),
        "{first_record}"
    );
}

#[test]
fn r7_4_a_new_zone_is_built_from_the_template_in_one_reconcile() {
    let d = origin();
    let h = DomainName::parse("hostname", "server.example.net").unwrap();
    let mut z = zone_of(vec![], RecordSource::Template);
    let desired = expand_template(&default_template(), &ctx(&d, &h, true)).unwrap();
    let n = desired.len();
    let r = reconcile(
        &mut z,
        &d,
        &Owned::new(RecordSource::Template, "", false, &[]),
        desired,
        &mut Uuid::now_v7,
    )
    .unwrap();
    assert_eq!((r.added, r.skipped.len()), (n, 0));
    check_zone(&d, z.live()).unwrap();
}

#[test]
fn r7_4_reconciling_into_a_broken_zone_changes_nothing() {
    let d = origin();
    let mut z = zone_of(vec![], RecordSource::Template);
    let desired = vec![("k".to_owned(), rec(RecordType::A, "@", "192.0.2.1"))];
    let err = reconcile(
        &mut z,
        &d,
        &Owned::new(RecordSource::Template, "", false, &[]),
        desired,
        &mut Uuid::now_v7,
    )
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert!(z.records.is_empty());
}

#[test]
fn names_are_shown_in_unicode_with_underscores_kept() {
    assert_eq!(
        display_name("_dmarc.xn--caf-dma.example"),
        "_dmarc.café.example"
    );
    assert_eq!(display_name("www.example.com"), "www.example.com");
}

#[test]
fn r7_3_dropping_a_subdomain_takes_its_markers_too() {
    let d = origin();
    let mut z = template_zone();
    let desired = vec![("s1|A".to_owned(), rec(RecordType::A, "blog", "192.0.2.10"))];
    reconcile(
        &mut z,
        &d,
        &Owned::new(RecordSource::Subdomain, "s1|", true, &[]),
        desired,
        &mut Uuid::now_v7,
    )
    .unwrap();
    remove_record(&mut z, &d, &rec(RecordType::A, "blog", "192.0.2.10"), false).unwrap();
    assert_eq!(drop_source(&mut z, RecordSource::Subdomain, "s1|"), 1);
    assert!(z.same_records(&template_zone().records));
}

#[test]
fn r7_4_records_of_addresses_a_subscription_lost_are_withdrawn() {
    let d = origin();
    let h = DomainName::parse("hostname", "server.example.net").unwrap();
    let mut z = template_zone();
    // By hand: keep one AAAA record as the user's own.
    remove_record(
        &mut z,
        &d,
        &rec(RecordType::Aaaa, "mail", "2001:db8::10"),
        false,
    )
    .unwrap();
    add_record(
        &mut z,
        &d,
        rec(RecordType::Aaaa, "mail", "2001:db8::10"),
        &mut Uuid::now_v7,
    )
    .unwrap();
    let v4_only = ctx(&d, &h, false);
    let withdrawn = withdrawn_keys(&default_template(), &v4_only);
    assert_eq!(withdrawn.len(), 4);
    let desired = expand_template(&default_template(), &v4_only).unwrap();
    let r = reconcile(
        &mut z,
        &d,
        &Owned::new(RecordSource::Template, "", false, &withdrawn),
        desired,
        &mut Uuid::now_v7,
    )
    .unwrap();
    assert_eq!(r.removed, 3, "{r:?}");
    let aaaa: Vec<&str> = z
        .live()
        .filter(|r| r.rtype == RecordType::Aaaa)
        .map(|r| r.host.as_str())
        .collect();
    assert_eq!(aaaa, ["mail.example.com"], "the hand-edited one stays");
}
