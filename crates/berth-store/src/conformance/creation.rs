//! Conformance cases of subscription creation's store calls (R3.2, R7.1, R7.4, R9.3):
//! everything a new subscription starts with written by one call, and the one read that
//! tells which of its names are taken.

use std::sync::Arc;

use berth_core::account::{Account, AccountKind, Login, OwnerRef};
use berth_core::audit::{AuditEntry, FieldChange};
use berth_core::dns::{RecordData, RecordSource, RecordType, Zone, ZoneRecord};
use berth_core::domain::DomainName;
use berth_core::hosting::{Plan, PlanName, PlanRef, Subscription, SubscriptionIp, SystemUser};
use berth_core::ip::{IpAddress, IpId, IpKind, IpRecord};
use berth_core::job::JobState;
use berth_core::property::{PlanType, Properties};
use berth_core::reseller::ResellerProfile;
use berth_core::site::{AliasOptions, DomainKind, DomainRef, HostedDomain};
use berth_core::status::{Suspension, SuspensionReason};
use chrono::Duration;
use uuid::Uuid;

use super::{Fixture, account, insert, t0};
use crate::audit::AuditQuery;
use crate::hosting::{NewAuditRows, NewSubscriptionRows, TakenNames};
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
        audit: None,
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
            audit: None,
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

/// The audit of a creation (R3.2) goes with its rows in the same call: the entry (kept
/// when the request already opened it) and its field changes in order; a creation refused
/// for a taken name records nothing.
pub async fn r3_2_a_new_subscription_is_written_with_its_audit_by_the_same_call(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    insert(&store, &[&admin]).await;
    let entry = AuditEntry {
        id: Uuid::now_v7(),
        at: t0(),
        actor: admin.id,
        actor_login: admin.login.to_string(),
        api_key: None,
        source: None,
        request_id: "req-1".to_owned(),
        interface: "cli".to_owned(),
        action: "subscription create".to_owned(),
        object: "audited.example".to_owned(),
        status: 0,
    };
    let change = |object: &str, field: &str, after: &str| FieldChange {
        object: object.to_owned(),
        field: field.to_owned(),
        before: None,
        after: Some(after.to_owned()),
    };
    let first_changes = vec![
        change("subscription audited.example", "name", "audited.example"),
        change("subscription audited.example", "disk_space", "unlimited"),
    ];
    let second_changes = vec![change(
        "subscription other.example",
        "name",
        "other.example",
    )];
    let first = subscription("audited.example", &admin, 1);
    let mut second = subscription("other.example", &admin, 2);
    second.system_user = SystemUser::parse("system_user", "other").unwrap();
    let mut taken = subscription("audited.example", &admin, 3);
    taken.system_user = SystemUser::parse("system_user", "taken").unwrap();
    for (sub, first_seq, changes) in [(&first, 0, &first_changes), (&second, 2, &second_changes)] {
        let mut tx = store.write().await.unwrap();
        tx.insert_new_subscription(&NewSubscriptionRows {
            subscription: sub,
            zone: &zone_of(sub, &[]),
            job: Uuid::now_v7(),
            queued_at: sub.created_at,
            audit: Some(NewAuditRows {
                entry: &entry,
                first_seq,
                changes,
            }),
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let other_entry = AuditEntry {
        id: Uuid::now_v7(),
        ..entry.clone()
    };
    let mut tx = store.write().await.unwrap();
    tx.insert_new_subscription(&NewSubscriptionRows {
        subscription: &taken,
        zone: &zone_of(&taken, &[]),
        job: Uuid::now_v7(),
        queued_at: taken.created_at,
        audit: Some(NewAuditRows {
            entry: &other_entry,
            first_seq: 0,
            changes: &first_changes,
        }),
    })
    .await
    .unwrap_err();
    drop(tx);

    let mut tx = store.read().await.unwrap();
    let entries = tx
        .list_audit(&AuditQuery {
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(entries, vec![entry.clone()], "one entry, kept as opened");
    let changes = tx
        .audit_changes_of(&[entry.id, other_entry.id])
        .await
        .unwrap();
    let expected: Vec<(Uuid, FieldChange)> = first_changes
        .iter()
        .chain(&second_changes)
        .map(|c| (entry.id, c.clone()))
        .collect();
    assert_eq!(changes, expected);
    assert!(tx.subscription_by_id(first.id).await.unwrap().is_some());
    assert!(tx.subscription_by_id(second.id).await.unwrap().is_some());
}

/// R3.1: the subscriber read in one statement is the account `account_by_login` gives,
/// with its suspension reasons in order (none, one, two), and nothing for an unknown login.
pub async fn r3_1_the_joined_subscriber_read_matches_account_by_login(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    let reseller = account(AccountKind::Reseller, "r1", Some(&admin), 1);
    let one = account(AccountKind::Customer, "c1", Some(&reseller), 2);
    let two = account(AccountKind::Customer, "c2", Some(&reseller), 3);
    insert(&store, &[&admin, &reseller, &one, &two]).await;
    let mut tx = store.write().await.unwrap();
    let reason = |reason, minutes| Suspension {
        reason,
        by: None,
        at: t0() + Duration::minutes(minutes),
    };
    tx.add_account_suspension(one.id, &reason(SuspensionReason::Admin, 5), Some(admin.id))
        .await
        .unwrap();
    tx.add_account_suspension(two.id, &reason(SuspensionReason::Owner, 7), None)
        .await
        .unwrap();
    tx.add_account_suspension(
        two.id,
        &reason(SuspensionReason::Reseller, 6),
        Some(reseller.id),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    for login in ["admin", "r1", "c1", "c2"] {
        let login = Login::parse("login", login).unwrap();
        let joined = tx.account_by_login_joined(&login).await.unwrap();
        assert!(joined.is_some());
        assert_eq!(joined, tx.account_by_login(&login).await.unwrap());
    }
    let two_read = tx
        .account_by_login_joined(&two.login)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(two_read.suspensions.len(), 2);
    let nobody = Login::parse("login", "nobody").unwrap();
    assert_eq!(tx.account_by_login_joined(&nobody).await.unwrap(), None);
}

/// R3.1, R3.2, R4.5, R7.4: the subscriber and the creation context read in one statement
/// give what the separate reads give: the account as `account_by_login_joined` reads it
/// (its suspension reasons in order), and for the subscriber's provider when that is a
/// reseller (a customer's owner, or the reseller itself) its pool in the list's order and
/// its profile, then the DNS template in order and the taken names, for every kind of
/// subscriber; no pool or profile for the admin's subscribers or an unknown login.
pub async fn r3_1_the_subscriber_and_creation_context_read_matches_the_separate_reads(
    f: &impl Fixture,
) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    let reseller = account(AccountKind::Reseller, "r1", Some(&admin), 1);
    let bare = account(AccountKind::Reseller, "r2", Some(&admin), 2);
    let customer = account(AccountKind::Customer, "c1", Some(&reseller), 3);
    let direct = account(AccountKind::Customer, "c2", Some(&admin), 4);
    let of_bare = account(AccountKind::Customer, "c3", Some(&bare), 5);
    insert(
        &store,
        &[&admin, &reseller, &bare, &customer, &direct, &of_bare],
    )
    .await;
    let ips = [
        ip("2001:db8::9", IpKind::Shared),
        ip("192.0.2.10", IpKind::Dedicated),
        ip("192.0.2.9", IpKind::Shared),
        ip("198.51.100.1", IpKind::Shared),
    ];
    let mut tx = store.write().await.unwrap();
    for record in &ips {
        tx.insert_ip(record).await.unwrap();
    }
    for record in &ips[..3] {
        tx.add_pool_ip(reseller.id, record.id.0).await.unwrap();
    }
    tx.set_reseller_profile(reseller.id, &ResellerProfile::custom(Properties::new()))
        .await
        .unwrap();
    let reason = |reason, minutes| Suspension {
        reason,
        by: None,
        at: t0() + Duration::minutes(minutes),
    };
    tx.add_account_suspension(customer.id, &reason(SuspensionReason::Owner, 7), None)
        .await
        .unwrap();
    tx.add_account_suspension(
        customer.id,
        &reason(SuspensionReason::Reseller, 6),
        Some(reseller.id),
    )
    .await
    .unwrap();
    tx.add_account_suspension(
        reseller.id,
        &reason(SuspensionReason::Admin, 5),
        Some(admin.id),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let sub = subscription("taken.example", &admin, 1);
    write(&store, &sub, &zone_of(&sub, &[]), Uuid::now_v7()).await;

    let mut tx = store.read().await.unwrap();
    let users = vec![sub.system_user.as_str().to_owned(), "free1".to_owned()];
    let sorted = |mut context: crate::hosting::CreationContext| {
        context.taken.system_users.sort();
        context
    };
    for login in ["admin", "r1", "r2", "c1", "c2", "c3", "nobody"] {
        let login = Login::parse("login", login).unwrap();
        for (domain, users) in [("taken.example", &users[..]), ("free.example", &[][..])] {
            let (read, context) = tx
                .subscriber_and_creation_context(&login, domain, users)
                .await
                .unwrap();
            let expected = tx.account_by_login_joined(&login).await.unwrap();
            assert_eq!(read, expected, "{login}");
            let reseller_id = expected.as_ref().and_then(|a| {
                let owner = a.owner.as_ref().filter(|_| a.kind == AccountKind::Customer);
                let (id, kind) = owner.map_or((a.id, a.kind), |o| (o.id, o.kind));
                (kind == AccountKind::Reseller).then_some(id)
            });
            let separate = crate::hosting::CreationContext {
                pool: match reseller_id {
                    Some(id) => tx.pool_ips(id).await.unwrap(),
                    None => vec![],
                },
                profile: match reseller_id {
                    Some(id) => tx.reseller_profile(id).await.unwrap(),
                    None => None,
                },
                template: tx.dns_template().await.unwrap(),
                taken: tx.taken_names(domain, users).await.unwrap(),
            };
            assert!(!context.template.is_empty());
            assert_eq!(sorted(context), sorted(separate), "{login} {domain}");
        }
    }
    let (read, context) = tx
        .subscriber_and_creation_context(&customer.login, "free.example", &[])
        .await
        .unwrap();
    assert_eq!(read.unwrap().suspensions.len(), 2);
    assert_eq!(context.pool.len(), 3);
    assert!(context.profile.is_some());
    let (read, context) = tx
        .subscriber_and_creation_context(&of_bare.login, "taken.example", &users)
        .await
        .unwrap();
    assert!(read.is_some());
    assert_eq!((context.pool, context.profile), (vec![], None));
    assert!(context.taken.domain);
    assert_eq!(context.taken.system_users, vec![users[0].clone()]);
}

/// R10.9, for the engines' migration tests: the field changes seeded before migration 0021
/// under entry `01900000-0000-7000-8000-00000000000e` (`customer bob`: email `a@x` → `b@x`,
/// name set to `Bob`; `plan Gold`: `max_dom` `1` unset; `customer bob`: city `Paris` →
/// `Lyon`, at sequence numbers 0–3) read back as the same changes, in order.
pub async fn assert_changes_seeded_before_0021_read_back(store: &(impl Store + ?Sized)) {
    let entry = Uuid::parse_str("01900000-0000-7000-8000-00000000000e").unwrap();
    let mut tx = store.read().await.unwrap();
    let changes: Vec<_> = tx
        .audit_changes_of(&[entry])
        .await
        .unwrap()
        .into_iter()
        .map(|(id, c)| (id, c.object, c.field, c.before, c.after))
        .collect();
    let some = |v: &str| Some(v.to_owned());
    let bob = || "customer bob".to_owned();
    assert_eq!(
        changes,
        [
            (entry, bob(), "email".into(), some("a@x"), some("b@x")),
            (entry, bob(), "name".into(), None, some("Bob")),
            (entry, "plan Gold".into(), "max_dom".into(), some("1"), None),
            (entry, bob(), "city".into(), some("Paris"), some("Lyon")),
        ]
    );
}
