//! Conformance cases of subscription creation's store calls (R3.2, R7.1, R7.4, R9.3):
//! everything a new subscription starts with written by one call, and the one read that
//! tells which of its names are taken.

use std::sync::Arc;

use berth_core::account::{Account, AccountKind, OwnerRef};
use berth_core::dns::{RecordData, RecordSource, RecordType, Zone, ZoneRecord};
use berth_core::domain::DomainName;
use berth_core::hosting::{Plan, PlanName, PlanRef, Subscription, SubscriptionIp, SystemUser};
use berth_core::ip::{IpAddress, IpId, IpKind, IpRecord};
use berth_core::job::JobState;
use berth_core::property::{PlanType, Properties};
use berth_core::site::{AliasOptions, DomainKind, DomainRef, HostedDomain};
use chrono::Duration;
use uuid::Uuid;

use super::{Fixture, account, insert, t0};
use crate::hosting::{NewSubscriptionRows, TakenNames};
use crate::{Store, StoreError};

/// The shared custom subscription, with a time that has microseconds and a longer hash.
fn subscription(domain: &str, owner: &Account, minute: i64) -> Subscription {
    let mut sub = super::domains::subscription(domain, owner, minute);
    sub.created_at += Duration::microseconds(11);
    sub.updated_at = sub.created_at;
    sub.system_password_hash = "$6$fake$hash".into();
    sub
}

fn zone_of(sub: &Subscription, hosts: &[(&str, RecordType, &str)]) -> Zone {
    Zone {
        domain_id: sub.id,
        serial: 2026013100,
        records: hosts
            .iter()
            .map(|(host, rtype, value)| ZoneRecord {
                id: Uuid::now_v7(),
                data: RecordData {
                    host: (*host).into(),
                    rtype: *rtype,
                    value: (*value).into(),
                    priority: (*rtype == RecordType::Mx).then_some(10),
                    ttl: None,
                },
                source: RecordSource::Template,
                source_key: format!("{host}|{rtype}|0"),
                user_edited: false,
                removed: false,
            })
            .collect(),
        updated_at: sub.created_at,
    }
}

fn ip(address: &str, kind: IpKind) -> IpRecord {
    IpRecord {
        id: IpId(Uuid::now_v7()),
        address: IpAddress::parse("ip", address).unwrap(),
        kind,
        interface: None,
        created_at: t0(),
    }
}

fn addon(owner: &Account, name: &str) -> Plan {
    Plan {
        id: Uuid::now_v7(),
        owner: OwnerRef {
            id: owner.id,
            login: owner.login.clone(),
            kind: owner.kind,
        },
        plan_type: PlanType::Addon,
        name: PlanName::parse("name", name).unwrap(),
        props: Properties::new(),
        created_at: t0(),
        updated_at: t0(),
    }
}

async fn write(store: &Arc<dyn Store>, sub: &Subscription, zone: &Zone, job: Uuid) {
    let mut tx = store.write().await.unwrap();
    tx.insert_new_subscription(&NewSubscriptionRows {
        subscription: sub,
        zone,
        job,
        queued_at: sub.created_at,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// R3.2: one call writes a new subscription whole — its row with its add-ons and IP
/// addresses, its main domain in the registry (R7.1), the zone of that domain with its
/// records in order (R7.4) and its pending provisioning job (R9.3), which later changes
/// coalesce into.
pub async fn r3_2_a_new_subscription_is_written_whole_by_one_call(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    insert(&store, &[&admin]).await;
    let (v4, v6) = (
        ip("192.0.2.7", IpKind::Shared),
        ip("2001:db8::7", IpKind::Shared),
    );
    let (a1, a2) = (addon(&admin, "Extra disk"), addon(&admin, "Extra mail"));
    let mut tx = store.write().await.unwrap();
    for record in [&v4, &v6] {
        tx.insert_ip(record).await.unwrap();
    }
    for plan in [&a1, &a2] {
        tx.insert_plan(plan).await.unwrap();
    }
    tx.commit().await.unwrap();

    let mut sub = subscription("café.example", &admin, 1);
    sub.addons = [&a1, &a2]
        .iter()
        .map(|p| PlanRef {
            id: p.id,
            name: p.name.as_str().to_owned(),
        })
        .collect();
    sub.ips = [&v4, &v6]
        .iter()
        .map(|r| SubscriptionIp {
            id: r.id.0,
            address: r.address.to_string(),
            dedicated: false,
        })
        .collect();
    let zone = zone_of(
        &sub,
        &[
            ("xn--caf-dma.example.", RecordType::A, "192.0.2.7"),
            ("xn--caf-dma.example.", RecordType::Aaaa, "2001:db8::7"),
            (
                "xn--caf-dma.example.",
                RecordType::Mx,
                "mail.xn--caf-dma.example.",
            ),
            (
                "www.xn--caf-dma.example.",
                RecordType::Cname,
                "xn--caf-dma.example.",
            ),
        ],
    );
    let job = Uuid::now_v7();
    write(&store, &sub, &zone, job).await;

    let mut tx = store.read().await.unwrap();
    let mut read = tx
        .subscription_by_id(sub.id)
        .await
        .unwrap()
        .expect("written");
    read.addons.sort_by_key(|a| a.id);
    read.ips.sort_by_key(|i| i.id);
    let mut expected = sub.clone();
    expected.addons.sort_by_key(|a| a.id);
    expected.ips.sort_by_key(|i| i.id);
    assert_eq!(read, expected);
    let main = tx
        .domain_by_name("xn--caf-dma.example")
        .await
        .unwrap()
        .expect("main domain registered");
    assert_eq!((main.id, main.kind), (sub.id, DomainKind::Main));
    assert_eq!(
        main.document_root.as_ref().map(|r| r.as_str()),
        Some("httpdocs")
    );
    assert_eq!(tx.zone(sub.id).await.unwrap(), Some(zone));
    let queued = tx.provision_job(job).await.unwrap().expect("job queued");
    assert_eq!(
        (queued.subscription_id, queued.state, queued.attempts),
        (sub.id, JobState::Pending, 0)
    );
    assert_eq!(
        (queued.run_after, queued.created_at),
        (sub.created_at, sub.created_at)
    );
    drop(tx);

    let mut tx = store.write().await.unwrap();
    let later = sub.created_at + Duration::minutes(5);
    let pending = tx
        .enqueue_provision(&[(Uuid::now_v7(), sub.id)], later)
        .await
        .unwrap();
    assert_eq!(pending, vec![(sub.id, job)], "a change coalesces into it");
    tx.commit().await.unwrap();
}

/// R7.1: a new subscription whose name is registered already fails as a duplicate
/// `domain`, and nothing of it is written.
pub async fn r7_1_a_new_subscription_with_a_taken_name_writes_nothing(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    insert(&store, &[&admin]).await;
    let first = subscription("taken.example", &admin, 1);
    write(
        &store,
        &first,
        &zone_of(&first, &[("taken.example.", RecordType::A, "192.0.2.1")]),
        Uuid::now_v7(),
    )
    .await;

    let mut second = subscription("taken.example", &admin, 2);
    second.system_user = SystemUser::parse("system_user", "other").unwrap();
    let job = Uuid::now_v7();
    let mut tx = store.write().await.unwrap();
    let err = tx
        .insert_new_subscription(&NewSubscriptionRows {
            subscription: &second,
            zone: &zone_of(&second, &[("taken.example.", RecordType::A, "192.0.2.2")]),
            job,
            queued_at: second.created_at,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Duplicate { field: "domain" }),
        "{err:?}"
    );
    drop(tx);

    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.subscription_by_id(second.id).await.unwrap(), None);
    assert_eq!(tx.zone(second.id).await.unwrap(), None);
    assert_eq!(tx.provision_job(job).await.unwrap(), None);
    let kept = tx.zone(first.id).await.unwrap().expect("first zone kept");
    assert_eq!(kept.records.len(), 1);
}

/// R3.2, R7.1: one read tells whether a new main domain is registered under any kind and
/// which of the system users asked are taken.
pub async fn r3_2_taken_names_reports_the_domain_and_the_system_users_in_use(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    insert(&store, &[&admin]).await;
    let sub = subscription("example.com", &admin, 1);
    write(&store, &sub, &zone_of(&sub, &[]), Uuid::now_v7()).await;
    let alias_name = DomainName::parse("domain", "alias.example").unwrap();
    let alias = HostedDomain {
        id: Uuid::now_v7(),
        name: alias_name,
        kind: DomainKind::Alias,
        subscription: DomainRef {
            id: sub.id,
            name: sub.name.clone(),
        },
        parent: Some(DomainRef {
            id: sub.id,
            name: sub.name.clone(),
        }),
        document_root: None,
        alias: Some(AliasOptions::default()),
        created_at: t0(),
        updated_at: t0(),
    };
    let mut tx = store.write().await.unwrap();
    tx.insert_domain(&alias).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    let users = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        tx.taken_names("example.com", &users(&["examplecom", "examplecom2"]))
            .await
            .unwrap(),
        TakenNames {
            domain: true,
            system_users: users(&["examplecom"]),
        }
    );
    assert!(
        tx.taken_names("alias.example", &[]).await.unwrap().domain,
        "an alias's name is taken too"
    );
    assert_eq!(
        tx.taken_names("free.example", &users(&["free", "examplecom"]))
            .await
            .unwrap(),
        TakenNames {
            domain: false,
            system_users: users(&["examplecom"]),
        }
    );
    assert_eq!(
        tx.taken_names("free.example", &[]).await.unwrap(),
        TakenNames::default()
    );
}
