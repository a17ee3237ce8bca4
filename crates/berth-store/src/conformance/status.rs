//! Conformance cases of the subscription status filter (R5.1, R1.9).

use std::sync::Arc;

use berth_core::account::AccountKind;
use berth_core::hosting::SubscriptionQuery;
use berth_core::status::{Status, Suspension, SuspensionReason};
use chrono::Duration;

use super::domains::subscription;
use super::{Fixture, account, insert, t0};
use crate::Store;

fn reason(reason: SuspensionReason) -> Suspension {
    Suspension {
        reason,
        by: None,
        at: t0() + Duration::minutes(30),
    }
}

/// Names of the subscriptions a `status` filter lists, in list order, read in pages of two
/// (each page continues after the last row of the previous one). Also used by the engines'
/// migration tests.
pub async fn with_status(store: &Arc<dyn Store>, status: Option<Status>) -> Vec<String> {
    let mut names = vec![];
    let mut after = None;
    loop {
        let page = page_with_status(store, status, after).await;
        names.extend(page.iter().map(|(_, name)| name.clone()));
        match page.get(1) {
            Some((id, _)) => after = Some(*id),
            None => return names,
        }
    }
}

async fn page_with_status(
    store: &Arc<dyn Store>,
    status: Option<Status>,
    after: Option<uuid::Uuid>,
) -> Vec<(uuid::Uuid, String)> {
    let query = SubscriptionQuery {
        status,
        after,
        ..SubscriptionQuery::every(2)
    };
    let mut tx = store.read().await.unwrap();
    let page = tx.list_subscriptions(&query).await.unwrap();
    assert!(
        page.iter()
            .all(|s| status.is_none_or(|wanted| s.status() == wanted)),
        "every listed subscription has the filtered status"
    );
    page.iter()
        .map(|s| (s.id, s.name.ascii().to_owned()))
        .collect()
}

async fn suspended(store: &Arc<dyn Store>) -> Vec<String> {
    with_status(store, Some(Status::Suspended)).await
}

async fn active(store: &Arc<dyn Store>) -> Vec<String> {
    with_status(store, Some(Status::Active)).await
}

/// R5.1, R1.9: a subscription is listed as suspended exactly while it has a reason, whatever
/// wrote the reasons: one reason added or removed, the `owner` cascade below a reseller
/// over many rows, a reseller's own reason withdrawn, and a suspended subscription removed.
pub async fn r5_1_status_filter_follows_reasons_through_cascades_and_removals(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    let reseller = account(AccountKind::Reseller, "r1", Some(&admin), 1);
    let bob = account(AccountKind::Customer, "bob", Some(&reseller), 2);
    let ann = account(AccountKind::Customer, "ann", Some(&admin), 3);
    insert(&store, &[&admin, &reseller, &bob, &ann]).await;
    let subs = [
        subscription("a.example", &bob, 4),
        subscription("b.example", &bob, 5),
        subscription("c.example", &ann, 6),
    ];
    let mut tx = store.write().await.unwrap();
    for s in &subs {
        tx.insert_subscription(s).await.unwrap();
    }
    tx.commit().await.unwrap();
    let all = ["a.example", "b.example", "c.example"];
    assert_eq!(active(&store).await, all);
    assert!(suspended(&store).await.is_empty());

    // One reason, then a second one on the same subscription.
    let mut tx = store.write().await.unwrap();
    tx.add_subscription_reason(subs[2].id, &reason(SuspensionReason::Admin), Some(admin.id))
        .await
        .unwrap();
    tx.add_subscription_reason(subs[2].id, &reason(SuspensionReason::Expired), None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(suspended(&store).await, ["c.example"]);
    assert_eq!(active(&store).await, ["a.example", "b.example"]);

    // Removing one of two reasons keeps it suspended.
    let mut tx = store.write().await.unwrap();
    tx.remove_subscription_reasons(subs[2].id, &[SuspensionReason::Admin])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(suspended(&store).await, ["c.example"]);

    // The reseller suspended: the cascade reaches bob's two subscriptions.
    let mut tx = store.write().await.unwrap();
    suspend_by_admin(&mut *tx, &reseller, &admin).await;
    let (_, cascaded) = tx
        .cascade_owner_reason(reseller.id, Some(admin.id), t0() + Duration::minutes(31))
        .await
        .unwrap();
    assert_eq!(cascaded, 2);
    tx.commit().await.unwrap();
    assert_eq!(suspended(&store).await, all);
    assert!(active(&store).await.is_empty());

    // A suspended subscription renamed keeps its place in the order of its new name.
    let mut renamed = subs[2].clone();
    renamed.name = berth_core::domain::DomainName::parse("domain", "0.example").unwrap();
    let mut tx = store.write().await.unwrap();
    tx.update_subscription(&renamed).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        suspended(&store).await,
        ["0.example", "a.example", "b.example"]
    );
    let mut tx = store.write().await.unwrap();
    tx.update_subscription(&subs[2]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(suspended(&store).await, all);

    // An uncommitted cascade back leaves the flags as they were.
    let mut tx = store.write().await.unwrap();
    tx.remove_account_reasons(reseller.id, &[SuspensionReason::Admin])
        .await
        .unwrap();
    tx.cascade_owner_reason(reseller.id, None, t0() + Duration::minutes(32))
        .await
        .unwrap();
    drop(tx);
    assert_eq!(suspended(&store).await, all);

    // The reseller activated: the cascade removes the `owner` reasons.
    let mut tx = store.write().await.unwrap();
    tx.remove_account_reasons(reseller.id, &[SuspensionReason::Admin])
        .await
        .unwrap();
    tx.cascade_owner_reason(reseller.id, None, t0() + Duration::minutes(33))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(suspended(&store).await, ["c.example"]);
    assert_eq!(active(&store).await, ["a.example", "b.example"]);

    // The last reason removed, and a suspended subscription deleted.
    let mut tx = store.write().await.unwrap();
    tx.add_subscription_reason(subs[0].id, &reason(SuspensionReason::Customer), None)
        .await
        .unwrap();
    tx.remove_subscription_reasons(subs[2].id, &[SuspensionReason::Expired])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(suspended(&store).await, ["a.example"]);
    let mut tx = store.write().await.unwrap();
    tx.delete_subscription(subs[0].id).await.unwrap();
    tx.commit().await.unwrap();
    assert!(suspended(&store).await.is_empty());
    assert_eq!(active(&store).await, ["b.example", "c.example"]);
    assert_eq!(with_status(&store, None).await, ["b.example", "c.example"]);

    // Nothing of the removed one is left behind: written again under the same id, without
    // reasons, it is active.
    let mut tx = store.write().await.unwrap();
    tx.insert_subscription(&subs[0]).await.unwrap();
    tx.commit().await.unwrap();
    assert!(suspended(&store).await.is_empty());
    assert_eq!(active(&store).await, all);
}

/// Asserts that one write, made on a fresh write transaction bound to `$tx`, is refused
/// (the transaction is dropped: nothing is committed).
macro_rules! assert_refused {
    ($store:expr, $tx:ident => $call:expr, $why:literal) => {{
        let mut $tx = $store.write().await.unwrap();
        assert!($call.await.is_err(), $why);
    }};
}

/// R5.1: a reason names an existing subscription (or account) and an existing author —
/// nothing is written otherwise — and it outlives its author, left without one ("every
/// reason is shown with who added it": a removed account is no one).
pub async fn r5_1_reasons_name_what_exists_and_outlive_their_author(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    let author = account(AccountKind::Reseller, "r2", Some(&admin), 1);
    let ann = account(AccountKind::Customer, "ann", Some(&admin), 2);
    insert(&store, &[&admin, &author, &ann]).await;
    let sub = subscription("a.example", &ann, 3);
    let mut tx = store.write().await.unwrap();
    tx.insert_subscription(&sub).await.unwrap();
    tx.commit().await.unwrap();

    let nobody = berth_core::account::AccountId(uuid::Uuid::now_v7());
    let admin_reason = reason(SuspensionReason::Admin);
    assert_refused!(
        store,
        tx => tx.add_subscription_reason(uuid::Uuid::now_v7(), &admin_reason, None),
        "no subscription"
    );
    assert_refused!(
        store,
        tx => tx.add_subscription_reason(sub.id, &admin_reason, Some(nobody)),
        "no such author"
    );
    assert_refused!(
        store,
        tx => tx.add_account_suspension(ann.id, &admin_reason, Some(nobody)),
        "no such author"
    );
    assert_refused!(
        store,
        tx => tx.add_account_suspension(nobody, &admin_reason, None),
        "no such account"
    );
    assert!(suspended(&store).await.is_empty(), "nothing was written");

    let mut tx = store.write().await.unwrap();
    tx.add_subscription_reason(sub.id, &reason(SuspensionReason::Reseller), Some(author.id))
        .await
        .unwrap();
    tx.add_account_suspension(ann.id, &reason(SuspensionReason::Reseller), Some(author.id))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.write().await.unwrap();
    tx.delete_account_tree(author.id).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    let kept = tx.subscription_by_name("a.example").await.unwrap().unwrap();
    assert_eq!(
        kept.suspensions
            .iter()
            .map(|s| (s.reason, s.by.clone()))
            .collect::<Vec<_>>(),
        [(SuspensionReason::Reseller, None)],
        "the reason stays, without its removed author"
    );
    let ann_now = tx
        .account_by_login(&berth_core::account::Login::from_trusted("ann".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        ann_now
            .suspensions
            .iter()
            .map(|s| (s.reason, s.by.clone()))
            .collect::<Vec<_>>(),
        [(SuspensionReason::Reseller, None)]
    );
    drop(tx);
    assert_eq!(suspended(&store).await, ["a.example"]);

    // A removed account takes its reasons along: the same id, inserted again, is active.
    let mut tx = store.write().await.unwrap();
    tx.delete_account_tree(ann.id).await.unwrap();
    tx.commit().await.unwrap();
    insert(&store, &[&ann]).await;
    let mut tx = store.read().await.unwrap();
    let again = tx
        .account_by_login(&berth_core::account::Login::from_trusted("ann".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.id, ann.id);
    assert!(again.suspensions.is_empty(), "{:?}", again.suspensions);
}

/// Accounts and subscriptions for the concurrency cases below: the admin, reseller `r1`
/// holding `c.example`, and its customer `bob` holding `a.example` and `b.example`; `r1`
/// is suspended (committed) but its `owner` cascade has not run yet.
pub(super) async fn tree_with_cascade_due(
    store: &Arc<dyn Store>,
) -> (
    berth_core::account::Account,
    berth_core::account::Account,
    Vec<berth_core::hosting::Subscription>,
) {
    let admin = account(AccountKind::Admin, "admin", None, 0);
    let reseller = account(AccountKind::Reseller, "r1", Some(&admin), 1);
    let bob = account(AccountKind::Customer, "bob", Some(&reseller), 2);
    insert(store, &[&admin, &reseller, &bob]).await;
    let subs = vec![
        subscription("a.example", &bob, 3),
        subscription("b.example", &bob, 4),
        subscription("c.example", &reseller, 5),
    ];
    let mut tx = store.write().await.unwrap();
    for s in &subs {
        tx.insert_subscription(s).await.unwrap();
    }
    suspend_by_admin(&mut *tx, &reseller, &admin).await;
    tx.commit().await.unwrap();
    (admin, reseller, subs)
}

/// `account` suspended by `admin` (reason `admin`), in `tx`.
async fn suspend_by_admin(
    tx: &mut dyn crate::Tx,
    account: &berth_core::account::Account,
    admin: &berth_core::account::Account,
) {
    tx.add_account_suspension(account.id, &reason(SuspensionReason::Admin), Some(admin.id))
        .await
        .unwrap();
}

/// The reasons of subscription `name`, in their stored order.
async fn reasons_of(store: &Arc<dyn Store>, name: &str) -> Vec<SuspensionReason> {
    let mut tx = store.read().await.unwrap();
    let sub = tx.subscription_by_name(name).await.unwrap().unwrap();
    let mut reasons: Vec<_> = sub.suspensions.iter().map(|s| s.reason).collect();
    reasons.sort_by_key(|r| r.as_str());
    reasons
}

/// Runs `second` on its own write transaction while `first` (already written, not yet
/// committed) holds its rows for 300 ms, then commits `first`; returns what `second`
/// returned. On PostgreSQL the second writer runs into the first one's uncommitted rows;
/// on SQLite it waits for the write transaction.
pub(super) async fn while_uncommitted<T, F>(
    store: &Arc<dyn Store>,
    first: Box<dyn crate::Tx>,
    second: F,
) -> Result<T, crate::StoreError>
where
    T: Send + 'static,
    F: for<'a> FnOnce(
            &'a mut dyn crate::Tx,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<T, crate::StoreError>> + Send + 'a>,
        > + Send
        + 'static,
{
    let other = tokio::spawn({
        let store = store.clone();
        async move {
            let mut tx = store.write().await?;
            let out = second(&mut *tx).await?;
            tx.commit().await?;
            Ok(out)
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    first.commit().await.unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(10), other)
        .await
        .expect("the second writer finishes once the first commits")
        .unwrap()
}

/// R5.1, R5.2: two `owner` cascades over the same subscriptions at once (say, a reseller
/// suspended by two administrators) add each `owner` reason once: the second one waits for
/// the first, finds its reasons and adds nothing — no duplicate, no unique violation
/// (PostgreSQL: the cascade's plain inserts rely on the suspension writers' lock, 0026).
pub async fn r5_1_concurrent_cascades_add_each_owner_reason_once(f: &impl Fixture) {
    let store = f.store();
    let (admin, reseller, _) = tree_with_cascade_due(&store).await;
    let at = t0() + Duration::minutes(31);
    let mut first = store.write().await.unwrap();
    let counts = first
        .cascade_owner_reason(reseller.id, Some(admin.id), at)
        .await
        .unwrap();
    assert_eq!(counts, (1, 3), "bob, and the three subscriptions");
    let (root, by) = (reseller.id, Some(admin.id));
    let second = while_uncommitted(&store, first, move |tx| {
        Box::pin(async move { tx.cascade_owner_reason(root, by, at).await })
    })
    .await;
    assert_eq!(
        second.expect("the second cascade succeeds"),
        (0, 0),
        "it finds every reason the first one added"
    );
    for name in ["a.example", "b.example", "c.example"] {
        assert_eq!(reasons_of(&store, name).await, [SuspensionReason::Owner]);
    }
    assert_eq!(
        suspended(&store).await,
        ["a.example", "b.example", "c.example"]
    );
}

/// R5.1, R5.2: a cascade and a single suspension of one of its subscriptions, in either
/// order, both succeed; the subscription keeps both reasons and is listed once as
/// suspended (PostgreSQL: `suspended_subscriptions` is written with a plain insert under
/// the suspension writers' lock, 0026).
pub async fn r5_1_a_cascade_and_a_single_suspension_race_to_one_listing(f: &impl Fixture) {
    let store = f.store();
    let (admin, reseller, subs) = tree_with_cascade_due(&store).await;
    let at = t0() + Duration::minutes(31);

    // The cascade first, the single suspension while it is uncommitted.
    let mut first = store.write().await.unwrap();
    first
        .cascade_owner_reason(reseller.id, Some(admin.id), at)
        .await
        .unwrap();
    let (a, by) = (subs[0].id, Some(admin.id));
    while_uncommitted(&store, first, move |tx| {
        Box::pin(async move {
            tx.add_subscription_reason(a, &reason(SuspensionReason::Admin), by)
                .await
        })
    })
    .await
    .expect("the single suspension succeeds");
    assert_eq!(
        reasons_of(&store, "a.example").await,
        [SuspensionReason::Admin, SuspensionReason::Owner]
    );

    // Back to active, then the single suspension first and the cascade while it is
    // uncommitted.
    let mut tx = store.write().await.unwrap();
    tx.remove_subscription_reasons(subs[0].id, &[SuspensionReason::Admin])
        .await
        .unwrap();
    tx.remove_account_reasons(reseller.id, &[SuspensionReason::Admin])
        .await
        .unwrap();
    tx.cascade_owner_reason(reseller.id, None, at)
        .await
        .unwrap();
    suspend_by_admin(&mut *tx, &reseller, &admin).await;
    tx.commit().await.unwrap();
    assert!(suspended(&store).await.is_empty());
    let mut first = store.write().await.unwrap();
    first
        .add_subscription_reason(subs[1].id, &reason(SuspensionReason::Admin), by)
        .await
        .unwrap();
    let root = reseller.id;
    let counts = while_uncommitted(&store, first, move |tx| {
        Box::pin(async move { tx.cascade_owner_reason(root, by, at).await })
    })
    .await
    .expect("the cascade succeeds");
    assert_eq!(counts, (1, 3));
    assert_eq!(
        reasons_of(&store, "b.example").await,
        [SuspensionReason::Admin, SuspensionReason::Owner]
    );
    assert_eq!(
        suspended(&store).await,
        ["a.example", "b.example", "c.example"]
    );
}

/// R5.1: a subscription's last reason removed while a cascade adds its `owner` reason: once
/// both commit it has the `owner` reason and is listed as suspended — the cascade waits for
/// the removal (which took the subscription off the list) instead of skipping a listing
/// that was about to go.
pub async fn r5_1_a_reason_removed_during_a_cascade_leaves_the_subscription_listed(
    f: &impl Fixture,
) {
    let store = f.store();
    let (admin, reseller, subs) = tree_with_cascade_due(&store).await;
    let mut tx = store.write().await.unwrap();
    tx.add_subscription_reason(subs[2].id, &reason(SuspensionReason::Admin), Some(admin.id))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(suspended(&store).await, ["c.example"]);

    let mut first = store.write().await.unwrap();
    first
        .remove_subscription_reasons(subs[2].id, &[SuspensionReason::Admin])
        .await
        .unwrap();
    let (root, by, at) = (reseller.id, Some(admin.id), t0() + Duration::minutes(31));
    let counts = while_uncommitted(&store, first, move |tx| {
        Box::pin(async move { tx.cascade_owner_reason(root, by, at).await })
    })
    .await
    .expect("the cascade succeeds");
    assert_eq!(counts, (1, 3));
    assert_eq!(
        reasons_of(&store, "c.example").await,
        [SuspensionReason::Owner]
    );
    assert_eq!(
        suspended(&store).await,
        ["a.example", "b.example", "c.example"],
        "c.example has a reason, so it is listed"
    );
}
