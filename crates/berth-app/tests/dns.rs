//! DNS zones (SPEC R7.4, R7.2, R7.3, R3.8) through the service layer, on SQLite and
//! PostgreSQL. Every zone a test builds goes through the real `named-checkzone`.

mod common;
mod zonecheck;

use berth_app::accounts::NewAccount;
use berth_app::dns::{RecordInput, ZoneView};
use berth_app::domains::{AliasChange, NewAlias, NewSite, NewSubdomain};
use berth_app::plans::Assignment;
use berth_app::subscriptions::{HostingChange, NewSubscription};
use berth_app::{Berth, Mode, NoProgress, ServerSettings};
use berth_core::account::{AccountKind, ContactInput};
use berth_core::property::{Group, PlanType};
use berth_core::rights::Actor;
use berth_core::{Error, ErrorCode};
use common::Env;

on_both_backends!(
    r7_4_every_domain_gets_a_zone_built_from_the_template,
    r7_4_aaaa_twins_only_when_the_subscription_has_ipv6,
    r7_4_serials_increase_on_every_change_and_only_then,
    r7_4_zone_type_is_master_or_slave_per_plan,
    r7_4_records_are_validated_per_type_and_zone_rules,
    r7_4_user_edited_records_survive_template_apply,
    r7_4_customers_edit_zones_only_with_manage_dns,
    r7_4_other_owners_zones_are_not_found,
    r7_4_the_template_is_admin_only_and_validated,
    r7_2_alias_zones_follow_their_domain_while_sync_is_on,
    r7_3_subdomains_get_records_in_their_parent_zone,
    r3_8_changing_ip_addresses_updates_the_zones,
    r1_7_moving_a_customer_to_new_addresses_updates_its_zones,
    dns_dry_runs_write_nothing,
);

fn perm(raw: &str) -> Assignment {
    (Group::Permissions, raw.to_owned())
}

fn account(login: &str) -> NewAccount {
    NewAccount {
        login: login.into(),
        password: format!("{login}-password"),
        contact: ContactInput {
            name: Some(login.into()),
            email: Some(format!("{login}@example.com")),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn record(rtype: &str, host: &str, value: &str) -> RecordInput {
    RecordInput {
        rtype: rtype.into(),
        host: host.into(),
        value: value.into(),
        priority: None,
        ttl: None,
    }
}

fn code_field(err: &Error) -> (ErrorCode, Option<&str>) {
    (err.code, err.field.as_deref())
}

/// `host TYPE value` lines of the served records, sorted.
fn lines(zone: &ZoneView) -> Vec<String> {
    let mut out: Vec<String> = zone
        .records
        .iter()
        .map(|r| match r.priority {
            Some(p) => format!("{} {} {p} {}", r.ascii_name, r.rtype, r.value),
            None => format!("{} {} {}", r.ascii_name, r.rtype, r.value),
        })
        .collect();
    out.sort();
    out
}

struct World {
    app: Berth,
    admin: Actor,
    /// Customer of the admin: `dns.example` on plan WithDns (manage_dns).
    with_dns: Actor,
    /// Customer of the admin: `nodns.example` on plan NoDns.
    no_dns: Actor,
    /// A reseller without customers here.
    reseller: Actor,
}

async fn world(env: &Env) -> World {
    let app = env.app.clone().with_settings(ServerSettings {
        hostname: "panel.example.net".into(),
        ..Default::default()
    });
    let admin = app.actor(None).await.unwrap();
    for (ip, kind) in [
        ("192.0.2.10", "shared"),
        ("2001:db8::10", "shared"),
        ("198.51.100.7", "shared"),
    ] {
        app.add_ip(&admin, ip, kind, None, Mode::Apply)
            .await
            .unwrap();
    }
    app.create_plan(
        &admin,
        "WithDns",
        PlanType::Service,
        None,
        &[perm("manage_dns=true")],
        Mode::Apply,
    )
    .await
    .unwrap();
    app.create_plan(
        &admin,
        "NoDns",
        PlanType::Service,
        None,
        &[perm("manage_dns=false")],
        Mode::Apply,
    )
    .await
    .unwrap();
    for login in ["withdns", "nodns"] {
        app.create_account(&admin, AccountKind::Customer, account(login), Mode::Apply)
            .await
            .unwrap();
    }
    app.create_account(&admin, AccountKind::Reseller, account("r1"), Mode::Apply)
        .await
        .unwrap();
    let w = World {
        with_dns: app.actor(Some("withdns")).await.unwrap(),
        no_dns: app.actor(Some("nodns")).await.unwrap(),
        reseller: app.actor(Some("r1")).await.unwrap(),
        app,
        admin,
    };
    w.subscribe("dns.example", "withdns", "WithDns", &[]).await;
    w.subscribe("nodns.example", "nodns", "NoDns", &[]).await;
    w
}

impl World {
    async fn subscribe(&self, domain: &str, owner: &str, plan: &str, ips: &[&str]) {
        self.app
            .create_subscription(
                &self.admin,
                NewSubscription {
                    domain: domain.into(),
                    owner: Some(owner.into()),
                    plan: Some(plan.into()),
                    ips: ips.iter().map(|i| (*i).to_owned()).collect(),
                    ..Default::default()
                },
                Mode::Apply,
            )
            .await
            .unwrap();
    }

    /// The zone, after checking it with named-checkzone.
    async fn zone(&self, domain: &str) -> ZoneView {
        let zone = self.app.dns_zone(&self.admin, domain).await.unwrap();
        zonecheck::assert_valid_zone(&zone.ascii_name, &zone.text);
        zone
    }

    async fn add(&self, by: &Actor, domain: &str, r: RecordInput) -> Result<u32, Error> {
        self.app
            .add_dns_record(by, domain, r, Mode::Apply)
            .await
            .map(|c| c.serial)
    }

    async fn remove(&self, by: &Actor, domain: &str, r: RecordInput) -> Result<u32, Error> {
        self.app
            .remove_dns_record(by, domain, r, Mode::Apply)
            .await
            .map(|c| c.serial)
    }

    async fn alias(&self, alias: &str, domain: &str, dns_sync: bool) {
        self.app
            .create_alias(
                &self.admin,
                NewAlias {
                    alias: alias.into(),
                    domain: domain.into(),
                    dns_sync: Some(dns_sync),
                    ..Default::default()
                },
                Mode::Apply,
            )
            .await
            .unwrap();
    }
}

async fn r7_4_every_domain_gets_a_zone_built_from_the_template(env: Env) {
    let w = world(&env).await;
    let zone = w.zone("dns.example").await;
    assert_eq!(zone.zone_type, "master");
    assert_eq!(
        zone.serial, 2026030100,
        "YYYYMMDDnn from the clock (2026-03-01)"
    );
    assert_eq!(zone.primary, "panel.example.net");
    assert_eq!(
        lines(&zone),
        [
            "_dmarc.dns.example TXT v=DMARC1; p=none",
            "dns.example A 192.0.2.10",
            "dns.example AAAA 2001:db8::10",
            "dns.example MX 10 mail.dns.example",
            "dns.example NS ns.dns.example",
            "dns.example TXT v=spf1 +a +mx -all",
            "ftp.dns.example CNAME dns.example",
            "mail.dns.example A 192.0.2.10",
            "mail.dns.example AAAA 2001:db8::10",
            "ns.dns.example A 192.0.2.10",
            "ns.dns.example AAAA 2001:db8::10",
            "webmail.dns.example A 192.0.2.10",
            "webmail.dns.example AAAA 2001:db8::10",
            "www.dns.example CNAME dns.example",
        ]
    );
    assert!(
        zone.records
            .iter()
            .all(|r| r.source == "template" && !r.user_edited)
    );
    assert!(zone.text.contains(
        "IN SOA panel.example.net. hostmaster.dns.example. 2026030100 10800 3600 604800 10800"
    ));
    // Additional domains, aliases (synced or not) and IDN names get zones too.
    w.app
        .create_site(
            &w.admin,
            NewSite {
                domain: "bücher.example".into(),
                subscription: "dns.example".into(),
                document_root: None,
            },
            Mode::Apply,
        )
        .await
        .unwrap();
    w.alias("alias.example", "dns.example", true).await;
    w.alias("own.example", "bücher.example", false).await;
    let site = w.zone("bücher.example").await;
    assert!(lines(&site).contains(&"www.xn--bcher-kva.example CNAME xn--bcher-kva.example".into()));
    assert_eq!(site.name, "bücher.example");
    let alias = w.zone("alias.example").await;
    assert_eq!(alias.follows.as_ref().unwrap().name, "dns.example");
    assert!(lines(&alias).contains(&"alias.example MX 10 mail.alias.example".into()));
    let own = w.zone("own.example").await;
    assert!(own.follows.is_none());
    assert!(lines(&own).contains(&"www.own.example CNAME own.example".into()));
}

async fn r7_4_aaaa_twins_only_when_the_subscription_has_ipv6(env: Env) {
    let w = world(&env).await;
    w.subscribe("v4.example", "withdns", "WithDns", &["192.0.2.10"])
        .await;
    w.subscribe("v6.example", "withdns", "WithDns", &["2001:db8::10"])
        .await;
    let v4 = w.zone("v4.example").await;
    assert!(v4.records.iter().all(|r| r.rtype != "AAAA"));
    assert_eq!(v4.records.len(), 10);
    let v6 = w.zone("v6.example").await;
    assert!(v6.records.iter().all(|r| r.rtype != "A"));
    assert!(lines(&v6).contains(&"ns.v6.example AAAA 2001:db8::10".into()));
}

async fn r7_4_serials_increase_on_every_change_and_only_then(env: Env) {
    let w = world(&env).await;
    let first = w.zone("dns.example").await.serial;
    let added = w
        .add(
            &w.admin,
            "dns.example",
            record("TXT", "@", "google-site-verification=abc"),
        )
        .await
        .unwrap();
    assert!(added > first);
    let removed = w
        .remove(
            &w.admin,
            "dns.example",
            record("TXT", "@", "google-site-verification=abc"),
        )
        .await
        .unwrap();
    assert!(removed > added);
    // Back to the same records, but the serial never goes back.
    assert_eq!(w.zone("dns.example").await.serial, removed);
    // Refused changes and no-op template applies leave it alone.
    let err = w
        .add(&w.admin, "dns.example", record("A", "@", "192.0.2.10"))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    let report = w
        .app
        .apply_dns_template(&w.admin, Mode::Apply, &NoProgress)
        .await
        .unwrap();
    assert_eq!((report.changed, report.added, report.updated), (0, 0, 0));
    assert_eq!(w.zone("dns.example").await.serial, removed);
    // 150 changes in a day still increase strictly.
    let mut last = removed;
    for n in 0..150 {
        let s = w
            .add(
                &w.admin,
                "dns.example",
                record("TXT", &format!("t{n}"), "x"),
            )
            .await
            .unwrap();
        assert!(s > last, "{s} > {last}");
        last = s;
    }
    w.zone("dns.example").await;
}

async fn r7_4_zone_type_is_master_or_slave_per_plan(env: Env) {
    let w = world(&env).await;
    w.app
        .create_plan(
            &w.admin,
            "Slave",
            PlanType::Service,
            None,
            &[(Group::Dns, "slave".into())],
            Mode::Apply,
        )
        .await
        .unwrap();
    w.subscribe("slave.example", "withdns", "Slave", &[]).await;
    let zone = w.zone("slave.example").await;
    assert_eq!(zone.zone_type, "slave");
    assert!(
        zone.text.starts_with("; Zone slave.example (slave)"),
        "{}",
        zone.text
    );
    assert_eq!(w.zone("dns.example").await.zone_type, "master");
}

async fn r7_4_records_are_validated_per_type_and_zone_rules(env: Env) {
    let w = world(&env).await;
    let d = "dns.example";
    let with_priority = |rtype: &str, host: &str, value: &str, p: i64| RecordInput {
        priority: Some(p),
        ..record(rtype, host, value)
    };
    let cases: Vec<(RecordInput, ErrorCode, &str)> = vec![
        (record("PTR", "@", "x.example"), ErrorCode::Invalid, "type"),
        (record("A", "@", "2001:db8::1"), ErrorCode::Invalid, "value"),
        (
            record("AAAA", "@", "192.0.2.1"),
            ErrorCode::Invalid,
            "value",
        ),
        (
            record("A", "other.org.", "192.0.2.1"),
            ErrorCode::Invalid,
            "host",
        ),
        (
            record("A", "my_host", "192.0.2.1"),
            ErrorCode::Invalid,
            "host",
        ),
        (
            record("CNAME", "@", "elsewhere.example.net"),
            ErrorCode::Invalid,
            "host",
        ),
        (record("MX", "@", "192.0.2.1"), ErrorCode::Invalid, "value"),
        (
            with_priority("A", "x", "192.0.2.1", 5),
            ErrorCode::Invalid,
            "priority",
        ),
        (
            with_priority("MX", "@", "mx.example.net", 65536),
            ErrorCode::Invalid,
            "priority",
        ),
        (
            RecordInput {
                ttl: Some(0),
                ..record("A", "x", "192.0.2.1")
            },
            ErrorCode::Invalid,
            "ttl",
        ),
        (
            record("SRV", "sip", "5 5060 sip.example.net"),
            ErrorCode::Invalid,
            "host",
        ),
        (
            record("CAA", "@", "issue letsencrypt.org"),
            ErrorCode::Invalid,
            "value",
        ),
        (record("TXT", "@", ""), ErrorCode::Invalid, "value"),
        // Zone rules.
        (record("A", "www", "192.0.2.1"), ErrorCode::Conflict, "host"),
        (
            record("CNAME", "mail", "dns.example"),
            ErrorCode::Conflict,
            "host",
        ),
        (
            record("NS", "@", "ns2.dns.example"),
            ErrorCode::Conflict,
            "value",
        ),
        (record("A", "@", "192.0.2.10"), ErrorCode::Conflict, "value"),
    ];
    let before = w.zone(d).await;
    for (input, code, field) in cases {
        let what = format!("{} {} {}", input.rtype, input.host, input.value);
        let err = w.add(&w.admin, d, input).await.expect_err(&what);
        assert_eq!(
            code_field(&err),
            (code, Some(field)),
            "{what}: {}",
            err.message
        );
    }
    let err = w
        .remove(&w.admin, d, record("NS", "@", "ns.dns.example"))
        .await
        .unwrap_err();
    assert_eq!(
        code_field(&err),
        (ErrorCode::Conflict, Some("host")),
        "the last apex NS"
    );
    let err = w
        .remove(&w.admin, d, record("A", "nothing", "192.0.2.1"))
        .await
        .unwrap_err();
    assert_eq!(code_field(&err), (ErrorCode::NotFound, Some("value")));
    let after = w.zone(d).await;
    assert_eq!(
        (lines(&after), after.serial),
        (lines(&before), before.serial)
    );
    // Every type Berth manages goes in when valid.
    for input in [
        record("A", "*", "192.0.2.99"),
        record("AAAA", "v6", "2001:DB8::99"),
        record("CNAME", "shop", "shops.example.net."),
        with_priority("MX", "@", "backup-mx.example.net", 20),
        record("TXT", "_acme-challenge", "token with \"quotes\" and é"),
        record("NS", "delegated", "ns1.example.net"),
        with_priority("SRV", "_sip._tcp", "5 5060 sip.example.net", 10),
        record("CAA", "@", "0 issue \"letsencrypt.org\""),
        RecordInput {
            ttl: Some(300),
            ..record("A", "short", "192.0.2.50")
        },
    ] {
        w.add(&w.admin, d, input).await.unwrap();
    }
    let zone = w.zone(d).await;
    assert!(zone.text.contains("_sip._tcp.dns.example."));
    assert!(zone.text.contains(" 300 IN A 192.0.2.50"));
    assert!(lines(&zone).contains(&"v6.dns.example AAAA 2001:db8::99".into()));
}

async fn r7_4_user_edited_records_survive_template_apply(env: Env) {
    let w = world(&env).await;
    let d = "dns.example";
    // By hand: change the SPF record, drop the ftp alias and put an address there, and
    // give shop an address.
    w.remove(&w.with_dns, d, record("TXT", "@", "v=spf1 +a +mx -all"))
        .await
        .unwrap();
    w.add(
        &w.with_dns,
        d,
        record("TXT", "@", "v=spf1 mx include:mail.example.net -all"),
    )
    .await
    .unwrap();
    w.remove(&w.with_dns, d, record("CNAME", "ftp", "dns.example"))
        .await
        .unwrap();
    w.add(&w.with_dns, d, record("A", "ftp", "192.0.2.77"))
        .await
        .unwrap();
    w.add(&w.with_dns, d, record("A", "shop", "192.0.2.78"))
        .await
        .unwrap();
    let before = w.zone(d).await;
    // A new template: SPF text changes, DMARC policy changes, ftp gets a TTL, a new
    // record, and a CNAME that would clash with the user's shop address.
    let mut text = w.app.dns_template(&w.admin).await.unwrap().text;
    text = text.replace("v=spf1 +a +mx -all", "v=spf1 a mx ~all");
    text = text.replace("p=none", "p=quarantine");
    text = text.replace("ftp.<domain>. CNAME", "ftp.<domain>. 600 CNAME");
    text.push_str("autodiscover.<domain>. CNAME mail.<domain>.\n");
    text.push_str("shop.<domain>. CNAME <domain>.\n");
    w.app
        .set_dns_template(&w.admin, &text, Mode::Apply)
        .await
        .unwrap();
    // Setting the template changes no zone by itself.
    assert_eq!(w.zone(d).await.serial, before.serial);
    let report = w
        .app
        .apply_dns_template(&w.admin, Mode::Apply, &NoProgress)
        .await
        .unwrap();
    assert_eq!(report.zones, 2);
    assert_eq!(report.changed, 2);
    assert_eq!(
        report.added, 3,
        "autodiscover twice, shop in nodns; {report:?}"
    );
    assert_eq!(
        report.updated, 4,
        "DMARC twice, SPF and ftp of nodns; {report:?}"
    );
    assert_eq!(
        report.kept_user_edited, 2,
        "SPF and ftp of dns.example; {report:?}"
    );
    assert_eq!(report.skipped.len(), 1, "{report:?}");
    assert_eq!(report.skipped[0].zone.name, "dns.example");
    assert!(
        report.skipped[0]
            .record
            .starts_with("shop.dns.example. CNAME")
    );
    assert!(report.failed.is_empty());
    let zone = w.zone(d).await;
    assert!(zone.serial > before.serial);
    let l = lines(&zone);
    for expected in [
        "dns.example TXT v=spf1 mx include:mail.example.net -all",
        "ftp.dns.example A 192.0.2.77",
        "shop.dns.example A 192.0.2.78",
        "_dmarc.dns.example TXT v=DMARC1; p=quarantine",
        "autodiscover.dns.example CNAME mail.dns.example",
    ] {
        assert!(l.contains(&expected.to_owned()), "{expected} in {l:#?}");
    }
    assert!(
        !l.iter().any(|x| x.contains("~all") || x.contains("+a +mx")),
        "{l:#?}"
    );
    assert!(!l.contains(&"ftp.dns.example CNAME dns.example".to_owned()));
    let user = zone
        .records
        .iter()
        .find(|r| r.value.contains("include:"))
        .unwrap();
    assert_eq!((user.source, user.user_edited), ("user", true));
    let other = w.zone("nodns.example").await;
    let l = lines(&other);
    assert!(l.contains(&"nodns.example TXT v=spf1 a mx ~all".to_owned()));
    assert!(l.contains(&"shop.nodns.example CNAME nodns.example".to_owned()));
    assert!(other.text.contains(" 600 IN CNAME nodns.example."));
    // Applying again changes nothing.
    let again = w
        .app
        .apply_dns_template(&w.admin, Mode::Apply, &NoProgress)
        .await
        .unwrap();
    assert_eq!((again.changed, again.added, again.updated), (0, 0, 0));
}

async fn r7_4_customers_edit_zones_only_with_manage_dns(env: Env) {
    let w = world(&env).await;
    let err = w
        .add(&w.no_dns, "nodns.example", record("A", "x", "192.0.2.1"))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    assert!(err.message.contains("manage_dns"), "{}", err.message);
    let err = w
        .remove(
            &w.no_dns,
            "nodns.example",
            record("CNAME", "ftp", "nodns.example"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    // It still sees its zone.
    let zone = w.app.dns_zone(&w.no_dns, "nodns.example").await.unwrap();
    assert_eq!(zone.name, "nodns.example");
    // The admin (its provider) may; a customer with manage_dns may.
    w.add(&w.admin, "nodns.example", record("A", "x", "192.0.2.1"))
        .await
        .unwrap();
    w.add(&w.with_dns, "dns.example", record("A", "x", "192.0.2.1"))
        .await
        .unwrap();
    w.zone("nodns.example").await;
    w.zone("dns.example").await;
}

async fn r7_4_other_owners_zones_are_not_found(env: Env) {
    let w = world(&env).await;
    for actor in [&w.no_dns, &w.reseller] {
        let err = w.app.dns_zone(actor, "dns.example").await.unwrap_err();
        assert_eq!(code_field(&err), (ErrorCode::NotFound, Some("domain")));
        let err = w
            .add(actor, "dns.example", record("A", "x", "192.0.2.1"))
            .await
            .unwrap_err();
        assert_eq!(code_field(&err), (ErrorCode::NotFound, Some("domain")));
    }
    let err = w
        .app
        .dns_zone(&w.admin, "absent.example")
        .await
        .unwrap_err();
    assert_eq!(code_field(&err), (ErrorCode::NotFound, Some("domain")));
}

async fn r7_4_the_template_is_admin_only_and_validated(env: Env) {
    let w = world(&env).await;
    let shown = w.app.dns_template(&w.admin).await.unwrap();
    assert_eq!(shown.records.len(), 14);
    assert_eq!(
        (
            shown.records[0].host.as_str(),
            shown.records[0].rtype,
            shown.records[0].value.as_str()
        ),
        ("<domain>.", "NS", "ns.<domain>.")
    );
    for actor in [&w.reseller, &w.with_dns] {
        assert_eq!(
            w.app.dns_template(actor).await.unwrap_err().code,
            ErrorCode::Forbidden
        );
        let err = w
            .app
            .set_dns_template(actor, &shown.text, Mode::Apply)
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Forbidden);
        let err = w
            .app
            .apply_dns_template(actor, Mode::Apply, &NoProgress)
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Forbidden);
    }
    for bad in [
        "",
        "; only a comment\n",
        "<domain>. NS ns.<domain>.\nns.<domain>. A <ip>\nns.<domain>. AAAA <ipv6>\n<domain>. A <server>\n",
        "<domain>. NS ns.<domain>.\nns.<domain>. A <ipv6>\nns.<domain>. AAAA <ipv6>\n",
        "<domain>. NS ns.<domain>.\nns.<domain>. A <ip>\n",
        "<domain>. A <ip>\n",
        "<domain>. NS ns.<domain>.\nns.<domain>. A <ip>\nns.<domain>. AAAA <ipv6>\nwww.<domain>. CNAME <domain>.\nwww.<domain>. TXT x\n",
    ] {
        let err = w
            .app
            .set_dns_template(&w.admin, bad, Mode::Apply)
            .await
            .expect_err(bad);
        assert_eq!(
            code_field(&err),
            (ErrorCode::Invalid, Some("template")),
            "{bad}"
        );
    }
    assert_eq!(w.app.dns_template(&w.admin).await.unwrap().text, shown.text);
    // A minimal template with <hostname> as the name server works and builds valid zones.
    let minimal = "<domain>. NS <hostname>.\n<domain>. A <ip>\n<domain>. AAAA <ipv6>\n";
    w.app
        .set_dns_template(&w.admin, minimal, Mode::Apply)
        .await
        .unwrap();
    w.subscribe("minimal.example", "withdns", "WithDns", &[])
        .await;
    let zone = w.zone("minimal.example").await;
    assert_eq!(
        lines(&zone),
        [
            "minimal.example A 192.0.2.10",
            "minimal.example AAAA 2001:db8::10",
            "minimal.example NS panel.example.net",
        ]
    );
}

async fn r7_2_alias_zones_follow_their_domain_while_sync_is_on(env: Env) {
    let w = world(&env).await;
    w.alias("follow.example", "dns.example", true).await;
    let alias_before = w.zone("follow.example").await;
    let domain_before = w.zone("dns.example").await;
    assert_eq!(alias_before.records.len(), domain_before.records.len());
    w.add(&w.with_dns, "dns.example", record("A", "mx2", "192.0.2.30"))
        .await
        .unwrap();
    w.add(
        &w.with_dns,
        "dns.example",
        RecordInput {
            priority: Some(20),
            ..record("MX", "@", "mx2.dns.example")
        },
    )
    .await
    .unwrap();
    let alias = w.zone("follow.example").await;
    assert!(alias.serial > alias_before.serial);
    let l = lines(&alias);
    assert!(
        l.contains(&"follow.example MX 20 mx2.follow.example".into()),
        "{l:#?}"
    );
    assert!(
        l.contains(&"mx2.follow.example A 192.0.2.30".into()),
        "{l:#?}"
    );
    // Its zone cannot be edited while it follows.
    let err = w
        .add(&w.with_dns, "follow.example", record("A", "x", "192.0.2.1"))
        .await
        .unwrap_err();
    assert_eq!(code_field(&err), (ErrorCode::Conflict, Some("domain")));
    // Sync off (the customer may: manage_domain_aliases is on by default): independent
    // from then on.
    w.app
        .update_alias(
            &w.with_dns,
            "follow.example",
            AliasChange {
                dns_sync: Some(false),
                ..Default::default()
            },
            Mode::Apply,
        )
        .await
        .unwrap();
    w.add(
        &w.with_dns,
        "follow.example",
        record("A", "own", "192.0.2.2"),
    )
    .await
    .unwrap();
    w.add(
        &w.with_dns,
        "dns.example",
        record("A", "later", "192.0.2.3"),
    )
    .await
    .unwrap();
    let l = lines(&w.zone("follow.example").await);
    assert!(l.contains(&"own.follow.example A 192.0.2.2".into()));
    assert!(!l.iter().any(|x| x.starts_with("later.")));
    // Sync on again: a copy of the domain's zone once more.
    w.app
        .update_alias(
            &w.admin,
            "follow.example",
            AliasChange {
                dns_sync: Some(true),
                ..Default::default()
            },
            Mode::Apply,
        )
        .await
        .unwrap();
    let l = lines(&w.zone("follow.example").await);
    assert!(l.contains(&"later.follow.example A 192.0.2.3".into()));
    assert!(!l.iter().any(|x| x.starts_with("own.")));
}

async fn r7_3_subdomains_get_records_in_their_parent_zone(env: Env) {
    let w = world(&env).await;
    w.alias("mirror.example", "dns.example", true).await;
    let before = w.zone("dns.example").await;
    w.app
        .create_subdomain(
            &w.admin,
            NewSubdomain {
                name: "blog".into(),
                domain: "dns.example".into(),
                document_root: None,
            },
            Mode::Apply,
        )
        .await
        .unwrap();
    let zone = w.zone("dns.example").await;
    assert!(zone.serial > before.serial);
    let l = lines(&zone);
    for expected in [
        "blog.dns.example A 192.0.2.10",
        "blog.dns.example AAAA 2001:db8::10",
        "www.blog.dns.example CNAME blog.dns.example",
    ] {
        assert!(l.contains(&expected.to_owned()), "{expected} in {l:#?}");
    }
    assert!(
        lines(&w.zone("mirror.example").await).contains(&"blog.mirror.example A 192.0.2.10".into())
    );
    let err = w
        .app
        .dns_zone(&w.admin, "blog.dns.example")
        .await
        .unwrap_err();
    assert_eq!(code_field(&err), (ErrorCode::Invalid, Some("domain")));
    // A name that already has a CNAME cannot become a subdomain; nothing is written.
    w.add(
        &w.admin,
        "dns.example",
        record("CNAME", "shop", "shops.example.net"),
    )
    .await
    .unwrap();
    let err = w
        .app
        .create_subdomain(
            &w.admin,
            NewSubdomain {
                name: "shop".into(),
                domain: "dns.example".into(),
                document_root: None,
            },
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(code_field(&err), (ErrorCode::Conflict, Some("name")));
    assert_eq!(
        w.app.list_subdomains(&w.admin, None).await.unwrap().len(),
        1
    );
    // Removing the subdomain takes its records (even hand-removed ones) away.
    w.remove(
        &w.admin,
        "dns.example",
        record("AAAA", "blog", "2001:db8::10"),
    )
    .await
    .unwrap();
    let removed = w
        .app
        .remove_subdomains(
            &w.admin,
            &["blog.dns.example".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert!(removed[0].ok, "{removed:?}");
    let l = lines(&w.zone("dns.example").await);
    assert!(!l.iter().any(|x| x.contains("blog.")), "{l:#?}");
    assert!(
        !lines(&w.zone("mirror.example").await)
            .iter()
            .any(|x| x.contains("blog."))
    );
}

async fn r3_8_changing_ip_addresses_updates_the_zones(env: Env) {
    let w = world(&env).await;
    w.app
        .create_subdomain(
            &w.admin,
            NewSubdomain {
                name: "blog".into(),
                domain: "dns.example".into(),
                document_root: None,
            },
            Mode::Apply,
        )
        .await
        .unwrap();
    w.alias("mirror.example", "dns.example", true).await;
    w.add(&w.admin, "dns.example", record("A", "fixed", "192.0.2.10"))
        .await
        .unwrap();
    let before = w.zone("dns.example").await;
    w.app
        .set_hosting(
            &w.admin,
            "dns.example",
            HostingChange {
                ips: vec!["198.51.100.7".into()],
                ..Default::default()
            },
            Mode::Apply,
        )
        .await
        .unwrap();
    let zone = w.zone("dns.example").await;
    assert!(zone.serial > before.serial);
    let l = lines(&zone);
    for expected in [
        "dns.example A 198.51.100.7",
        "ns.dns.example A 198.51.100.7",
        "blog.dns.example A 198.51.100.7",
        "fixed.dns.example A 192.0.2.10",
    ] {
        assert!(l.contains(&expected.to_owned()), "{expected} in {l:#?}");
    }
    assert!(
        !l.iter().any(|x| x.contains("AAAA")),
        "no IPv6 any more: {l:#?}"
    );
    assert!(
        lines(&w.zone("mirror.example").await).contains(&"mirror.example A 198.51.100.7".into())
    );
}

async fn dns_dry_runs_write_nothing(env: Env) {
    let w = world(&env).await;
    let before = w.zone("dns.example").await;
    let change = w
        .app
        .add_dns_record(
            &w.admin,
            "dns.example",
            record("A", "dry", "192.0.2.1"),
            Mode::DryRun,
        )
        .await
        .unwrap();
    assert!(change.dry_run);
    assert!(
        change.serial > before.serial,
        "the preview shows the serial it would get"
    );
    w.app
        .set_dns_template(&w.admin, "<domain>. NS <hostname>.\n", Mode::DryRun)
        .await
        .unwrap();
    let report = w
        .app
        .apply_dns_template(&w.admin, Mode::DryRun, &NoProgress)
        .await
        .unwrap();
    assert!(report.dry_run);
    let after = w.zone("dns.example").await;
    assert_eq!(
        (lines(&after), after.serial),
        (lines(&before), before.serial)
    );
    assert_eq!(
        w.app.dns_template(&w.admin).await.unwrap().records.len(),
        14
    );
}

async fn r1_7_moving_a_customer_to_new_addresses_updates_its_zones(env: Env) {
    let w = world(&env).await;
    w.app
        .pool_add(
            &w.admin,
            "r1",
            &["198.51.100.7".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    let moved = w
        .app
        .move_customers(
            &w.admin,
            &["withdns".into()],
            "r1",
            None,
            &["198.51.100.7".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert!(moved[0].ok, "{moved:?}");
    let l = lines(&w.zone("dns.example").await);
    assert!(l.contains(&"dns.example A 198.51.100.7".into()), "{l:#?}");
    assert!(
        !l.iter()
            .any(|x| x.contains("192.0.2.10") || x.contains("AAAA")),
        "{l:#?}"
    );
}
