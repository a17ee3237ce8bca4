//! Conformance cases of the domain registry and DNS storage (R7.1–R7.4).

use std::sync::Arc;

use berth_core::account::{Account, AccountKind, OwnerRef};
use berth_core::dns::{
    RecordData, RecordSource, RecordType, TemplateRecord, Zone, ZoneRecord, default_template,
};
use berth_core::domain::DomainName;
use berth_core::hosting::{Subscription, SystemUser};
use berth_core::property::{PlanType, Properties, defaults_for};
use berth_core::site::{
    AliasOptions, AliasWeb, DocumentRoot, DomainKind, DomainQuery, DomainRef, HostedDomain,
};
use berth_core::sync::SyncState;
use chrono::Duration;
use uuid::Uuid;

use super::{Fixture, account, insert, t0};
use crate::{Store, StoreError};

fn name(text: &str) -> DomainName {
    DomainName::parse("domain", text).unwrap()
}

/// A custom subscription of `owner` named `domain`.
pub(super) fn subscription(domain: &str, owner: &Account, minute: i64) -> Subscription {
    let at = t0() + Duration::minutes(minute);
    let d = name(domain);
    Subscription {
        id: Uuid::now_v7(),
        system_user: SystemUser::parse("system_user", &SystemUser::suggest(&d)).unwrap(),
        name: d,
        owner: OwnerRef {
            id: owner.id,
            login: owner.login.clone(),
            kind: owner.kind,
        },
        plan: None,
        addons: vec![],
        sync_state: SyncState::Synced,
        props: defaults_for(PlanType::Service),
        custom: Properties::new(),
        conflicts: vec![],
        ips: vec![],
        system_password_hash: "$6$fake".into(),
        expiration: None,
        overused: false,
        suspensions: vec![],
        created_at: at,
        updated_at: at,
    }
}

fn entry(
    domain: &str,
    kind: DomainKind,
    sub: &Subscription,
    parent: Option<&HostedDomain>,
    minute: i64,
) -> HostedDomain {
    let at = t0() + Duration::minutes(minute) + Duration::microseconds(7);
    let n = name(domain);
    HostedDomain {
        id: Uuid::now_v7(),
        document_root: kind
            .has_document_root()
            .then(|| DocumentRoot::default_for(kind, &n)),
        alias: (kind == DomainKind::Alias).then(AliasOptions::default),
        name: n,
        kind,
        subscription: DomainRef {
            id: sub.id,
            name: sub.name.clone(),
        },
        parent: parent.map(|p| DomainRef {
            id: p.id,
            name: p.name.clone(),
        }),
        created_at: at,
        updated_at: at,
    }
}

async fn insert_subscriptions(store: &Arc<dyn Store>, subs: &[&Subscription]) {
    let mut tx = store.write().await.unwrap();
    for s in subs {
        tx.insert_subscription(s).await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn insert_domains(store: &Arc<dyn Store>, domains: &[&HostedDomain]) {
    let mut tx = store.write().await.unwrap();
    for d in domains {
        tx.insert_domain(d).await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn by_name(store: &Arc<dyn Store>, ascii: &str) -> Option<HostedDomain> {
    let mut tx = store.read().await.unwrap();
    tx.domain_by_name(ascii).await.unwrap()
}

async fn names(store: &Arc<dyn Store>, q: &DomainQuery) -> Vec<String> {
    let mut tx = store.read().await.unwrap();
    tx.list_domains(q)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.name.ascii().to_owned())
        .collect()
}

/// R7.1: a subscription's main domain enters the registry with it (id = the
/// subscription's, document root `httpdocs`) and leaves with it, taking its sites,
/// aliases, subdomains and zones along.
pub async fn r7_1_main_domains_enter_the_registry_with_their_subscription(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    insert(&store, &[&admin]).await;
    let sub = subscription("café.example", &admin, 1);
    insert_subscriptions(&store, &[&sub]).await;
    let main = by_name(&store, "xn--caf-dma.example")
        .await
        .expect("registered");
    assert_eq!(main.id, sub.id);
    assert_eq!(main.kind, DomainKind::Main);
    assert_eq!(main.name.unicode(), "café.example");
    assert_eq!(main.subscription.id, sub.id);
    assert_eq!(
        main.document_root.as_ref().map(|r| r.as_str()),
        Some("httpdocs")
    );
    assert_eq!((main.parent, main.alias), (None, None));
    assert_eq!(main.created_at, sub.created_at);

    let site = entry("shop.example", DomainKind::Site, &sub, None, 2);
    insert_domains(&store, &[&site]).await;
    let zone = zone_with(
        site.id,
        &[rec("shop.example", RecordType::Ns, "ns.example.net")],
    );
    let mut tx = store.write().await.unwrap();
    tx.save_zone(&zone).await.unwrap();
    tx.delete_subscription(sub.id).await.unwrap();
    assert_eq!(tx.zone(site.id).await.unwrap(), None);
    tx.commit().await.unwrap();
    assert_eq!(by_name(&store, "xn--caf-dma.example").await, None);
    assert_eq!(by_name(&store, "shop.example").await, None);
}

/// R7.3: counting a subscription's names against its limit happens under a lock on the
/// subscription, so a second writer waits until the first one commits (a row lock on
/// PostgreSQL, the database write lock on SQLite) and two creations cannot both pass.
pub async fn r7_3_a_locked_subscription_holds_a_second_writer_until_commit(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    insert(&store, &[&admin]).await;
    let sub = subscription("locked.example", &admin, 1);
    insert_subscriptions(&store, &[&sub]).await;

    let mut first = store.write().await.unwrap();
    first.lock_subscription(sub.id).await.unwrap();
    let passed = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let second = tokio::spawn({
        let (store, passed, id) = (store.clone(), passed.clone(), sub.id);
        async move {
            let mut tx = store.write().await.unwrap();
            tx.lock_subscription(id).await.unwrap();
            passed.store(true, std::sync::atomic::Ordering::SeqCst);
            tx.commit().await.unwrap();
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !passed.load(std::sync::atomic::Ordering::SeqCst),
        "a second writer got the subscription while the first held it"
    );
    first.commit().await.unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(10), second)
        .await
        .expect("the second writer proceeds once the first commits")
        .unwrap();
    assert!(passed.load(std::sync::atomic::Ordering::SeqCst));
}

/// R7.1: one name per server, whatever the kinds involved.
pub async fn r7_1_a_name_is_registered_once_whatever_its_kind(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    insert(&store, &[&admin]).await;
    let sub = subscription("example.com", &admin, 1);
    insert_subscriptions(&store, &[&sub]).await;
    let alias = entry("example.org", DomainKind::Alias, &sub, None, 2);
    insert_domains(&store, &[&alias]).await;

    let clashes = [
        entry("example.com", DomainKind::Site, &sub, None, 3),
        entry("example.org", DomainKind::Subdomain, &sub, None, 3),
    ];
    for clash in &clashes {
        let mut tx = store.write().await.unwrap();
        let err = tx.insert_domain(clash).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Duplicate { field: "domain" }),
            "{err:?}"
        );
    }
    let mut tx = store.write().await.unwrap();
    let err = tx
        .insert_subscription(&subscription("example.org", &admin, 4))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Duplicate { field: "domain" }),
        "{err:?}"
    );
}

/// R7.2, R7.3: every field of every kind reads back; lists filter by scope,
/// subscription, parent and kinds, the main domain first, then names in byte order.
pub async fn r7_2_registered_names_round_trip_and_list_in_order(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    let reseller = account(AccountKind::Reseller, "r1", Some(&admin), 1);
    let customer = account(AccountKind::Customer, "c1", Some(&reseller), 2);
    insert(&store, &[&admin, &reseller, &customer]).await;
    let a = subscription("b-main.example", &customer, 3);
    let b = subscription("a-admin.example", &admin, 4);
    insert_subscriptions(&store, &[&a, &b]).await;
    let main_a = by_name(&store, "b-main.example").await.unwrap();
    let site = entry("zz.example", DomainKind::Site, &a, None, 5);
    let mut alias = entry("bücher.example", DomainKind::Alias, &a, Some(&main_a), 6);
    alias.alias = Some(AliasOptions {
        web: AliasWeb::Same,
        mail: false,
        dns_sync: false,
    });
    let mut sub = entry("blog.zz.example", DomainKind::Subdomain, &a, Some(&site), 7);
    sub.document_root = Some(DocumentRoot::parse("document_root", "sites/blog").unwrap());
    insert_domains(&store, &[&site, &alias, &sub]).await;

    assert_eq!(
        by_name(&store, "xn--bcher-kva.example").await.unwrap(),
        alias
    );
    assert_eq!(by_name(&store, "blog.zz.example").await.unwrap(), sub);
    assert_eq!(by_name(&store, "zz.example").await.unwrap(), site);

    let all = DomainQuery::default();
    assert_eq!(
        names(&store, &all).await,
        [
            "a-admin.example",
            "b-main.example",
            "blog.zz.example",
            "xn--bcher-kva.example",
            "zz.example"
        ]
    );
    let scoped = DomainQuery {
        scope: Some(reseller.id),
        ..Default::default()
    };
    assert_eq!(names(&store, &scoped).await.len(), 4);
    let of_customer = DomainQuery {
        scope: Some(customer.id),
        kinds: vec![DomainKind::Main, DomainKind::Site],
        ..Default::default()
    };
    assert_eq!(
        names(&store, &of_customer).await,
        ["b-main.example", "zz.example"]
    );
    let below_site = DomainQuery {
        parent: Some(site.id),
        ..Default::default()
    };
    assert_eq!(names(&store, &below_site).await, ["blog.zz.example"]);
    let of_b = DomainQuery {
        subscription: Some(b.id),
        ..Default::default()
    };
    assert_eq!(names(&store, &of_b).await, ["a-admin.example"]);
}

/// R4.2, R7.2, R7.3: counts per kind; updates write the changeable parts only; deleting
/// a domain takes its aliases and subdomains along.
pub async fn r7_3_names_count_update_and_delete_with_what_hangs_below(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    insert(&store, &[&admin]).await;
    let s = subscription("example.com", &admin, 1);
    insert_subscriptions(&store, &[&s]).await;
    let site = entry("example.net", DomainKind::Site, &s, None, 2);
    let alias = entry("example.org", DomainKind::Alias, &s, Some(&site), 3);
    let sub1 = entry("a.example.net", DomainKind::Subdomain, &s, Some(&site), 4);
    let sub2 = entry("b.example.net", DomainKind::Subdomain, &s, Some(&site), 5);
    insert_domains(&store, &[&site, &alias, &sub1, &sub2]).await;

    let mut tx = store.write().await.unwrap();
    tx.lock_subscription(s.id).await.unwrap();
    assert_eq!(tx.count_domains(s.id, DomainKind::Main).await.unwrap(), 1);
    assert_eq!(tx.count_domains(s.id, DomainKind::Site).await.unwrap(), 1);
    assert_eq!(tx.count_domains(s.id, DomainKind::Alias).await.unwrap(), 1);
    assert_eq!(
        tx.count_domains(s.id, DomainKind::Subdomain).await.unwrap(),
        2
    );
    let mut changed = alias.clone();
    changed.alias = Some(AliasOptions {
        web: AliasWeb::Off,
        mail: false,
        dns_sync: false,
    });
    changed.updated_at = alias.updated_at + Duration::seconds(3);
    tx.update_domain(&changed).await.unwrap();
    let mut moved = sub1.clone();
    moved.document_root = Some(DocumentRoot::parse("document_root", "httpdocs/a").unwrap());
    tx.update_domain(&moved).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(by_name(&store, "example.org").await.unwrap(), changed);
    assert_eq!(by_name(&store, "a.example.net").await.unwrap(), moved);

    let mut tx = store.write().await.unwrap();
    assert!(tx.delete_domain(site.id).await.unwrap());
    assert!(!tx.delete_domain(site.id).await.unwrap());
    assert_eq!(
        tx.count_domains(s.id, DomainKind::Subdomain).await.unwrap(),
        0
    );
    assert_eq!(tx.count_domains(s.id, DomainKind::Alias).await.unwrap(), 0);
    tx.commit().await.unwrap();
    assert!(by_name(&store, "example.com").await.is_some());
}

/// R7.4: a fresh database holds the default template; setting one replaces it whole.
pub async fn r7_4_the_dns_template_starts_as_the_default_and_is_replaced_whole(f: &impl Fixture) {
    let store = f.store();
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.dns_template().await.unwrap(), default_template());
    drop(tx);
    let custom = vec![
        TemplateRecord {
            host: "<domain>.".into(),
            rtype: RecordType::Ns,
            value: "<hostname>.".into(),
            priority: None,
            ttl: Some(3600),
        },
        TemplateRecord {
            host: "<domain>.".into(),
            rtype: RecordType::Mx,
            value: "mx.<domain>.".into(),
            priority: Some(0),
            ttl: None,
        },
    ];
    let mut tx = store.write().await.unwrap();
    tx.set_dns_template(&custom).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.dns_template().await.unwrap(), custom);
}

fn rec(host: &str, rtype: RecordType, value: &str) -> RecordData {
    RecordData {
        host: host.into(),
        rtype,
        value: value.into(),
        priority: None,
        ttl: None,
    }
}

fn zone_with(domain_id: Uuid, records: &[RecordData]) -> Zone {
    Zone {
        domain_id,
        serial: 2026013100,
        records: records
            .iter()
            .map(|r| ZoneRecord {
                id: Uuid::now_v7(),
                data: r.clone(),
                source: RecordSource::Template,
                source_key: format!("{}|{}|0", r.host, r.rtype),
                user_edited: false,
                removed: false,
            })
            .collect(),
        updated_at: t0() + Duration::microseconds(42),
    }
}

/// R7.4: a zone reads back exactly — serial, order, priorities, TTLs, sources, markers —
/// and saving it again replaces its records.
pub async fn r7_4_zones_round_trip_and_replace_their_records(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    insert(&store, &[&admin]).await;
    let s = subscription("example.com", &admin, 1);
    insert_subscriptions(&store, &[&s]).await;
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.zone(s.id).await.unwrap(), None);
    drop(tx);

    let mut mx = rec("example.com", RecordType::Mx, "mail.example.com");
    mx.priority = Some(0);
    mx.ttl = Some(300);
    let mut zone = zone_with(
        s.id,
        &[
            rec("example.com", RecordType::Ns, "ns.example.com"),
            rec("ns.example.com", RecordType::A, "192.0.2.1"),
            mx,
            rec("example.com", RecordType::Txt, "v=spf1 \"quoted\" -all é"),
        ],
    );
    zone.records[1].user_edited = true;
    zone.records[2].removed = true;
    zone.records[2].user_edited = true;
    zone.records[3].source = RecordSource::User;
    zone.records[3].source_key = String::new();
    zone.serial = u32::MAX - 1;
    let mut tx = store.write().await.unwrap();
    tx.save_zone(&zone).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.write().await.unwrap();
    assert_eq!(tx.zone(s.id).await.unwrap().as_ref(), Some(&zone));

    zone.records.truncate(2);
    zone.serial = 2026013101;
    tx.save_zone(&zone).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.zone(s.id).await.unwrap(), Some(zone));
}

/// R7.4: an uncommitted zone change leaves the stored zone as it was.
pub async fn r7_4_uncommitted_zone_changes_write_nothing(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    insert(&store, &[&admin]).await;
    let s = subscription("example.com", &admin, 1);
    insert_subscriptions(&store, &[&s]).await;
    let zone = zone_with(
        s.id,
        &[rec("example.com", RecordType::Ns, "ns.example.net")],
    );
    let mut tx = store.write().await.unwrap();
    tx.save_zone(&zone).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.write().await.unwrap();
    let mut other = zone.clone();
    other.serial += 1;
    other.records.clear();
    tx.save_zone(&other).await.unwrap();
    drop(tx);
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.zone(s.id).await.unwrap(), Some(zone));
}

/// R9.3: provisioning reads a batch of subscriptions, their names and their zones in one
/// query each, whatever the batch.
pub async fn r9_3_batch_reads_return_exactly_the_requested_objects(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    insert(&store, &[&admin]).await;
    let a = subscription("a.example", &admin, 1);
    let b = subscription("b.example", &admin, 2);
    let c = subscription("c.example", &admin, 3);
    insert_subscriptions(&store, &[&a, &b, &c]).await;
    let main_a = by_name(&store, "a.example").await.unwrap();
    let alias = entry("a.example.net", DomainKind::Alias, &a, Some(&main_a), 4);
    let sub = entry(
        "blog.a.example",
        DomainKind::Subdomain,
        &a,
        Some(&main_a),
        5,
    );
    insert_domains(&store, &[&alias, &sub]).await;
    let zone_a = zone_with(a.id, &[rec("a.example", RecordType::A, "192.0.2.1")]);
    let zone_c = zone_with(c.id, &[rec("c.example", RecordType::A, "192.0.2.3")]);
    let mut tx = store.write().await.unwrap();
    tx.save_zone(&zone_a).await.unwrap();
    tx.save_zone(&zone_c).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    let mut subs: Vec<String> = tx
        .subscriptions_by_ids(&[a.id, c.id, Uuid::now_v7()])
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name.ascii().to_owned())
        .collect();
    subs.sort();
    assert_eq!(subs, ["a.example", "c.example"]);
    let names: Vec<String> = tx
        .domains_of_subscriptions(&[a.id, b.id])
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.name.ascii().to_owned())
        .collect();
    assert_eq!(
        names,
        ["a.example", "a.example.net", "blog.a.example", "b.example"]
    );
    let mut zones = tx.zones_of(&[a.id, b.id, c.id]).await.unwrap();
    zones.sort_by_key(|z| z.domain_id);
    let mut expected = vec![zone_a, zone_c];
    expected.sort_by_key(|z| z.domain_id);
    assert_eq!(zones, expected);
    assert!(tx.subscriptions_by_ids(&[]).await.unwrap().is_empty());
}
