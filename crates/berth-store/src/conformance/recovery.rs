//! Conformance cases of password reset links (R1.4).

use berth_core::account::AccountKind;
use chrono::Duration;

use super::{Fixture, account, insert, t0};
use crate::recovery::ResetRecord;

fn link(hash: &str, account: &berth_core::account::Account, minute: i64) -> ResetRecord {
    let at = t0() + Duration::minutes(minute) + Duration::microseconds(7);
    ResetRecord {
        token_hash: hash.to_owned(),
        account: account.id,
        created_at: at,
        expires_at: at + Duration::hours(1),
        used_at: None,
    }
}

/// R1.4: a reset link round-trips every field, is used at most once, and the unused and
/// expired ones can be deleted without touching the others.
pub async fn r1_4_reset_links_round_trip_are_used_once_and_expire(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    let alice = account(AccountKind::Customer, "alice", Some(&admin), 0);
    let bob = account(AccountKind::Customer, "bob", Some(&admin), 1);
    insert(&store, &[&admin, &alice, &bob]).await;
    let first = link("aa11", &alice, 0);
    let second = link("bb22", &alice, 30);
    let bobs = link("cc33", &bob, 90);

    let mut tx = store.write().await.unwrap();
    for r in [&first, &second, &bobs] {
        tx.insert_reset(r).await.unwrap();
    }
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.reset_by_hash("aa11").await.unwrap(), Some(first.clone()));
    assert_eq!(tx.reset_by_hash("zz99").await.unwrap(), None);
    drop(tx);

    // Used once: the second use is refused, and the moment is kept.
    let used_at = t0() + Duration::minutes(10);
    let mut tx = store.write().await.unwrap();
    assert!(tx.mark_reset_used("aa11", used_at).await.unwrap());
    assert!(!tx.mark_reset_used("aa11", used_at).await.unwrap());
    assert!(!tx.mark_reset_used("zz99", used_at).await.unwrap());
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let read = tx.reset_by_hash("aa11").await.unwrap().unwrap();
    assert_eq!(read.used_at, Some(used_at));
    drop(tx);

    // Deleting alice's unused links keeps the used one and bob's.
    let mut tx = store.write().await.unwrap();
    assert_eq!(tx.delete_unused_resets_of(alice.id).await.unwrap(), 1);
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert!(tx.reset_by_hash("bb22").await.unwrap().is_none());
    assert!(tx.reset_by_hash("aa11").await.unwrap().is_some());
    assert_eq!(tx.reset_by_hash("cc33").await.unwrap(), Some(bobs.clone()));
    drop(tx);

    // Expiry: at alice's link's end it goes; bob's, made 90 minutes later, stays.
    let mut tx = store.write().await.unwrap();
    assert_eq!(tx.delete_expired_resets(first.expires_at).await.unwrap(), 1);
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert!(tx.reset_by_hash("aa11").await.unwrap().is_none());
    assert!(tx.reset_by_hash("cc33").await.unwrap().is_some());
    drop(tx);

    // An uncommitted link writes nothing.
    let mut tx = store.write().await.unwrap();
    tx.insert_reset(&link("dd44", &bob, 100)).await.unwrap();
    drop(tx);
    let mut tx = store.read().await.unwrap();
    assert!(tx.reset_by_hash("dd44").await.unwrap().is_none());
}
