//! The conformance suite: the behaviour every [`Store`] must have, run against SQLite and
//! PostgreSQL alike with [`conformance_tests!`](crate::conformance_tests). Each case gets a
//! fresh, empty, migrated database.

use std::sync::Arc;

use async_trait::async_trait;
use berth_core::account::{
    Account, AccountId, AccountKind, ContactInput, Login, OwnerRef, PasswordHash,
};
use berth_core::ip::{IpAddress, IpId, IpKind, IpRecord};
use berth_core::query::{AccountQuery, AccountSort, AccountSortField, Direction};
use berth_core::status::{Status, Suspension, SuspensionReason};
use berth_core::text::fold;
use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;

use crate::{Store, StoreError};

mod creation;
pub use creation::*;
mod domains;
pub use domains::*;
mod provision;
pub use provision::*;
mod recovery;
pub use recovery::*;
mod scope;
pub use scope::*;
mod search;
pub use search::*;
mod status;
pub use status::*;

/// A fresh database for one case, with the engine-specific hooks the suite needs.
#[async_trait]
pub trait Fixture: Send + Sync {
    /// The store under test.
    fn store(&self) -> Arc<dyn Store>;

    /// Makes any deletion of the account with this login fail inside the database (a
    /// trigger), to prove that multi-statement operations are all-or-nothing.
    async fn make_undeletable(&self, login: &str);
}

/// Expands to one `#[tokio::test]` per conformance case. `$factory` is an async fn
/// returning `Option<impl Fixture>`; `None` skips (e.g. PostgreSQL unreachable locally).
#[macro_export]
macro_rules! conformance_tests {
    ($factory:path) => {
        $crate::conformance_tests!(@cases $factory;
            account_round_trips_every_field,
            r1_2_login_is_unique_across_all_accounts,
            external_id_is_unique_when_set,
            update_writes_every_field_and_keeps_login_unique,
            r1_9_list_filters_by_kind_owner_status_and_search,
            r1_9_search_matches_literally_and_case_insensitively,
            r1_9_every_sort_field_both_ways_pages_without_gaps_or_repeats,
            r1_8_deleting_an_account_deletes_what_it_owns,
            r1_8_deletion_is_all_or_nothing,
            uncommitted_transactions_write_nothing,
            r5_1_suspension_reasons_read_back_with_author_and_time,
            r5_1_status_filter_follows_reasons_through_cascades_and_removals,
            r5_1_reasons_name_what_exists_and_outlive_their_author,
            r5_1_concurrent_cascades_add_each_owner_reason_once,
            r5_1_a_cascade_and_a_single_suspension_race_to_one_listing,
            r5_1_a_reason_removed_during_a_cascade_leaves_the_subscription_listed,
            r7_5_ip_round_trips_every_field,
            r7_5_an_address_is_registered_once_whatever_its_spelling,
            r7_5_addresses_list_by_family_then_bytes_on_every_engine,
            r7_5_update_writes_type_and_interface_only,
            r7_5_delete_removes_only_that_address,
            r7_1_main_domains_enter_the_registry_with_their_subscription,
            r7_1_a_name_is_registered_once_whatever_its_kind,
            r7_2_registered_names_round_trip_and_list_in_order,
            r7_3_names_count_update_and_delete_with_what_hangs_below,
            r7_3_a_locked_subscription_holds_a_second_writer_until_commit,
            r7_4_the_dns_template_starts_as_the_default_and_is_replaced_whole,
            r7_4_zones_round_trip_and_replace_their_records,
            r7_4_uncommitted_zone_changes_write_nothing,
            r9_3_batch_reads_return_exactly_the_requested_objects,
            r9_3_jobs_coalesce_while_pending_and_claims_lease_them,
            r9_3_failed_jobs_retry_after_backoff_then_give_up,
            r9_3_expired_leases_are_taken_over,
            r9_3_a_new_change_makes_a_backed_off_job_due_now,
            r9_3_provisioned_files_round_trip_and_empty_lists_forget,
            r9_3_enqueue_all_covers_gone_subscriptions_once,
            r9_3_a_change_leaves_a_due_untried_job_as_it_is,
            r9_3_tidying_the_queue_keeps_every_job,
            r9_3_concurrent_cascades_queue_one_pending_job_per_subscription,
            r9_3_a_change_during_a_cascade_coalesces_into_one_pending_job,
            r9_3_a_claim_during_a_cascade_leaves_a_new_pending_job,
            r1_4_reset_links_round_trip_are_used_once_and_expire,
            r1_9_search_finds_rare_and_common_fragments_in_order_across_pages,
            r1_9_search_combines_with_owner_and_status,
            r1_9_search_keeps_wildcards_and_query_syntax_literal,
            r1_9_search_of_one_or_two_characters_still_matches_substrings,
            r1_9_subscription_search_pages_within_scope_and_filters,
            r1_9_search_in_list_order_pages_by_ids_in_scope_both_ways,
            r1_9_search_follows_renames_and_removals,
            r3_2_a_new_subscription_is_written_whole_by_one_call,
            r7_1_a_new_subscription_with_a_taken_name_writes_nothing,
            r3_2_taken_names_reports_the_domain_and_the_system_users_in_use,
            r3_2_a_new_subscription_is_written_with_its_audit_by_the_same_call,
            r3_1_the_joined_subscriber_read_matches_account_by_login,
            r3_1_the_subscriber_and_creation_context_read_matches_the_separate_reads,
            r11_2_list_scopes_follow_moves_conversions_and_new_subscribers
        );
    };
    (@cases $factory:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                let Some(fixture) = $factory().await else { return };
                $crate::conformance::$case(&fixture).await;
            }
        )*
    };
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 31, 12, 0, 0).unwrap()
}

/// Builds a valid account for the suite.
fn account(kind: AccountKind, login: &str, owner: Option<&Account>, minute: i64) -> Account {
    let at = t0() + Duration::minutes(minute) + Duration::microseconds(123);
    Account {
        id: AccountId(Uuid::now_v7()),
        kind,
        login: Login::parse("login", login).unwrap(),
        owner: owner.map(|o| OwnerRef {
            id: o.id,
            login: o.login.clone(),
            kind: o.kind,
        }),
        password_hash: PasswordHash(format!("$argon2id$v=19$m=19456,t=2,p=1$fake${login}")),
        contact: ContactInput {
            name: Some(format!("Name of {login}")),
            email: Some(format!("{login}@example.com")),
            ..Default::default()
        }
        .into_new_contact()
        .unwrap(),
        description: None,
        external_id: None,
        suspensions: vec![],
        created_at: at,
        updated_at: at,
    }
}

async fn insert(store: &Arc<dyn Store>, accounts: &[&Account]) {
    let mut tx = store.write().await.unwrap();
    for a in accounts {
        tx.insert_account(a).await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn get(store: &Arc<dyn Store>, login: &str) -> Option<Account> {
    let mut tx = store.read().await.unwrap();
    tx.account_by_login(&Login::parse("login", login).unwrap())
        .await
        .unwrap()
}

fn query(kind: AccountKind) -> AccountQuery {
    AccountQuery {
        kind,
        owner: None,
        status: None,
        search: None,
        sort: AccountSort::default(),
        after: None,
        limit: 1000,
    }
}

async fn list(store: &Arc<dyn Store>, q: &AccountQuery) -> Vec<String> {
    let mut tx = store.read().await.unwrap();
    let page = tx.list_accounts(q).await.unwrap();
    page.into_iter().map(|a| a.login.to_string()).collect()
}

/// Every field written is read back unchanged, on both the by-login and by-id paths.
pub async fn account_round_trips_every_field(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    let mut full = account(AccountKind::Customer, "Full.Customer", Some(&admin), 1);
    full.contact = ContactInput {
        name: Some("Zoë Ærø".into()),
        company: Some("Ça Va SARL".into()),
        email: Some("Zoe@Example.org".into()),
        phone: Some("+33 1 23 45 67 89".into()),
        fax: Some("+33 1 23 45 67 90".into()),
        address: Some("1 rue de la Paix\nBâtiment B".into()),
        city: Some("Paris".into()),
        state: Some("Île-de-France".into()),
        postal_code: Some("75002".into()),
        country: Some("fr".into()),
        locale: Some("fr-FR".into()),
    }
    .into_new_contact()
    .unwrap();
    full.description = Some("VIP, pays by transfer".into());
    full.external_id = Some("whmcs-42".into());
    full.updated_at = full.created_at + Duration::seconds(5);
    insert(&store, &[&admin, &full]).await;

    let by_login = get(&store, "full.customer").await.expect("found by login");
    assert_eq!(by_login, full);
    let mut tx = store.read().await.unwrap();
    let by_id = tx
        .account_by_id(full.id)
        .await
        .unwrap()
        .expect("found by id");
    assert_eq!(by_id, full);
    assert!(tx.is_initialized().await.unwrap());
    assert_eq!(
        tx.account_by_id(AccountId(Uuid::now_v7())).await.unwrap(),
        None
    );
}

/// R1.2: one login per server, whatever the kind.
pub async fn r1_2_login_is_unique_across_all_accounts(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    let reseller = account(AccountKind::Reseller, "acme", Some(&admin), 1);
    insert(&store, &[&admin, &reseller]).await;
    let clash = account(AccountKind::Customer, "acme", Some(&admin), 2);
    let mut tx = store.write().await.unwrap();
    let err = tx.insert_account(&clash).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Duplicate { field: "login" }),
        "{err:?}"
    );
}

/// External ids identify accounts for integrations: unique when set, absent allowed twice.
pub async fn external_id_is_unique_when_set(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    let a = account(AccountKind::Customer, "a", Some(&admin), 1);
    let b = account(AccountKind::Customer, "b", Some(&admin), 2);
    insert(&store, &[&admin, &a, &b]).await;
    let mut c = account(AccountKind::Customer, "c", Some(&admin), 3);
    c.external_id = Some("ext-1".into());
    let mut d = account(AccountKind::Customer, "d", Some(&admin), 4);
    d.external_id = Some("ext-1".into());
    insert(&store, &[&c]).await;
    let mut tx = store.write().await.unwrap();
    let err = tx.insert_account(&d).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Duplicate {
                field: "external_id"
            }
        ),
        "{err:?}"
    );
}

/// Updates write every field, and renaming onto a taken login is refused.
pub async fn update_writes_every_field_and_keeps_login_unique(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    let a = account(AccountKind::Customer, "alpha", Some(&admin), 1);
    let b = account(AccountKind::Customer, "beta", Some(&admin), 2);
    insert(&store, &[&admin, &a, &b]).await;

    let mut changed = a.clone();
    changed.login = Login::parse("login", "gamma").unwrap();
    changed.contact = ContactInput {
        city: Some("Lyon".into()),
        ..Default::default()
    }
    .apply_to(&a.contact)
    .unwrap();
    changed.password_hash = PasswordHash("$argon2id$other".into());
    changed.description = Some("note".into());
    changed.updated_at = a.updated_at + Duration::hours(1);
    let mut tx = store.write().await.unwrap();
    tx.update_account(&changed).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(get(&store, "gamma").await, Some(changed.clone()));
    assert_eq!(get(&store, "alpha").await, None);

    let mut clash = changed.clone();
    clash.login = b.login.clone();
    let mut tx = store.write().await.unwrap();
    let err = tx.update_account(&clash).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Duplicate { field: "login" }),
        "{err:?}"
    );
}

/// R1.9 filters: kind, owner, status and search combine.
pub async fn r1_9_list_filters_by_kind_owner_status_and_search(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    let r1 = account(AccountKind::Reseller, "r1", Some(&admin), 1);
    let r2 = account(AccountKind::Reseller, "r2", Some(&admin), 2);
    let c1 = account(AccountKind::Customer, "c1", Some(&r1), 3);
    let c2 = account(AccountKind::Customer, "c2", Some(&r1), 4);
    let c3 = account(AccountKind::Customer, "c3", Some(&r2), 5);
    let c4 = account(AccountKind::Customer, "c4", Some(&admin), 6);
    insert(&store, &[&admin, &r1, &r2, &c1, &c2, &c3, &c4]).await;
    let mut tx = store.write().await.unwrap();
    let s = Suspension {
        reason: SuspensionReason::Admin,
        by: None,
        at: t0(),
    };
    tx.add_account_suspension(c2.id, &s, Some(admin.id))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    assert_eq!(
        list(&store, &query(AccountKind::Customer)).await,
        ["c1", "c2", "c3", "c4"]
    );
    assert_eq!(
        list(&store, &query(AccountKind::Reseller)).await,
        ["r1", "r2"]
    );
    let owned = AccountQuery {
        owner: Some(r1.id),
        ..query(AccountKind::Customer)
    };
    assert_eq!(list(&store, &owned).await, ["c1", "c2"]);
    let active = AccountQuery {
        status: Some(Status::Active),
        ..owned.clone()
    };
    assert_eq!(list(&store, &active).await, ["c1"]);
    let suspended = AccountQuery {
        status: Some(Status::Suspended),
        ..query(AccountKind::Customer)
    };
    assert_eq!(list(&store, &suspended).await, ["c2"]);
    let search = AccountQuery {
        search: Some("c3@example".into()),
        ..query(AccountKind::Customer)
    };
    assert_eq!(list(&store, &search).await, ["c3"]);
}

/// R1.9 search: login, name, company, email; `%` and `_` are literal; case folding is
/// Unicode-aware on every engine.
pub async fn r1_9_search_matches_literally_and_case_insensitively(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    let mut a = account(AccountKind::Customer, "a", Some(&admin), 1);
    a.contact.name = "ÉCOLE Supérieure".into();
    let mut b = account(AccountKind::Customer, "b", Some(&admin), 2);
    b.contact.company = Some("100% Hosting_Ltd".into());
    let c = account(AccountKind::Customer, "c", Some(&admin), 3);
    insert(&store, &[&admin, &a, &b, &c]).await;
    let search = |text: &str| AccountQuery {
        search: Some(fold(text)),
        ..query(AccountKind::Customer)
    };
    assert_eq!(list(&store, &search("école")).await, ["a"]);
    assert_eq!(list(&store, &search("100%")).await, ["b"]);
    assert_eq!(
        list(&store, &search("of_c")).await,
        Vec::<String>::new(),
        "_ is not a wildcard"
    );
    assert_eq!(
        list(&store, &search("0%h")).await,
        Vec::<String>::new(),
        "% is not a wildcard"
    );
    assert_eq!(list(&store, &search("_ltd")).await, ["b"]);
    assert_eq!(list(&store, &search("NAME OF C")).await, ["c"]);
}

fn expected_key(a: &Account, field: AccountSortField) -> String {
    let c = &a.contact;
    let opt = |v: Option<&str>| v.unwrap_or_default().to_owned();
    match field {
        AccountSortField::Login => a.login.to_string(),
        AccountSortField::Name => fold(&c.name),
        AccountSortField::Company => fold(&opt(c.company.as_deref())),
        AccountSortField::Email => fold(c.email.as_str()),
        AccountSortField::Phone => opt(c.phone.as_ref().map(|p| p.as_str())),
        AccountSortField::City => fold(&opt(c.city.as_deref())),
        AccountSortField::Country => opt(c.country.as_ref().map(|c| c.as_str())),
        AccountSortField::Locale => c.locale.as_str().to_owned(),
        AccountSortField::ExternalId => opt(a.external_id.as_deref()),
        AccountSortField::Status => u8::from(!a.suspensions.is_empty()).to_string(),
        AccountSortField::Created => format!("{:020}", a.created_at.timestamp_micros()),
        AccountSortField::Updated => format!("{:020}", a.updated_at.timestamp_micros()),
    }
}

/// R1.9: every sort column, ascending and descending, ties broken by id; walking pages
/// with the last id as cursor visits every account exactly once, in order.
pub async fn r1_9_every_sort_field_both_ways_pages_without_gaps_or_repeats(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    let names = ["Zed", "alice", "Émile", "bob", "Bob", "zoë", "Ann", "ann"];
    let companies = [
        None,
        Some("b"),
        Some("B"),
        None,
        Some("a"),
        Some("Ä"),
        Some("c"),
        None,
    ];
    let cities = [
        Some("Lyon"),
        None,
        Some("lyon"),
        Some("Paris"),
        None,
        Some("Zürich"),
        Some("Berlin"),
        Some("Lyon"),
    ];
    let countries = [
        Some("FR"),
        None,
        Some("DE"),
        Some("FR"),
        Some("US"),
        None,
        Some("CH"),
        Some("FR"),
    ];
    let mut accounts = vec![];
    for (i, name) in names.iter().enumerate() {
        let mut a = account(
            AccountKind::Customer,
            &format!("user{}", (i * 5) % 8),
            Some(&admin),
            (i % 3) as i64,
        );
        a.contact.name = (*name).to_owned();
        a.contact.company = companies[i].map(str::to_owned);
        a.contact.city = cities[i].map(str::to_owned);
        a.contact.country =
            countries[i].map(|c| berth_core::country::Country::parse("country", c).unwrap());
        a.contact.phone = berth_core::account::Phone::parse_optional(
            "phone",
            &format!("+{}", (i * 37) % 5 + 100),
        )
        .unwrap();
        a.contact.locale =
            berth_core::account::Locale::parse("locale", ["fr-FR", "en-US", "de"][i % 3]).unwrap();
        a.external_id = (i % 2 == 0).then(|| format!("x{}", 9 - i));
        a.updated_at = a.created_at + Duration::seconds(((i * 3) % 4) as i64);
        accounts.push(a);
    }
    let refs: Vec<&Account> = std::iter::once(&admin).chain(accounts.iter()).collect();
    insert(&store, &refs).await;
    let mut tx = store.write().await.unwrap();
    for a in accounts.iter_mut().step_by(3) {
        let s = Suspension {
            reason: SuspensionReason::Admin,
            by: None,
            at: t0(),
        };
        tx.add_account_suspension(a.id, &s, None).await.unwrap();
        a.suspensions.push(s);
    }
    tx.commit().await.unwrap();

    for (wire, field) in AccountSortField::ALL {
        for direction in [Direction::Asc, Direction::Desc] {
            let mut expected: Vec<&Account> = accounts.iter().collect();
            expected.sort_by(|x, y| {
                (expected_key(x, field), x.id).cmp(&(expected_key(y, field), y.id))
            });
            if direction == Direction::Desc {
                expected.reverse();
            }
            let expected: Vec<String> = expected.iter().map(|a| a.login.to_string()).collect();

            let mut seen = vec![];
            let mut after = None;
            loop {
                let q = AccountQuery {
                    sort: AccountSort { field, direction },
                    after,
                    limit: 3,
                    ..query(AccountKind::Customer)
                };
                let mut tx = store.read().await.unwrap();
                let page = tx.list_accounts(&q).await.unwrap();
                assert!(page.len() <= 3);
                let Some(last) = page.last() else { break };
                after = Some(last.id);
                seen.extend(page.iter().map(|a| a.login.to_string()));
            }
            assert_eq!(seen, expected, "sort {wire} {direction:?}");
        }
    }
}

/// R1.8: an account goes with the accounts it owns.
pub async fn r1_8_deleting_an_account_deletes_what_it_owns(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    let r1 = account(AccountKind::Reseller, "r1", Some(&admin), 1);
    let c1 = account(AccountKind::Customer, "c1", Some(&r1), 2);
    let c2 = account(AccountKind::Customer, "c2", Some(&r1), 3);
    let other = account(AccountKind::Customer, "other", Some(&admin), 4);
    insert(&store, &[&admin, &r1, &c1, &c2, &other]).await;
    let mut tx = store.write().await.unwrap();
    let s = Suspension {
        reason: SuspensionReason::Owner,
        by: None,
        at: t0(),
    };
    tx.add_account_suspension(c1.id, &s, Some(r1.id))
        .await
        .unwrap();
    let owned: Vec<String> = tx
        .logins_owned_by(r1.id)
        .await
        .unwrap()
        .iter()
        .map(|l| l.to_string())
        .collect();
    assert_eq!(owned, ["c1", "c2"]);
    assert_eq!(tx.delete_account_tree(r1.id).await.unwrap(), 3);
    tx.commit().await.unwrap();
    for gone in ["r1", "c1", "c2"] {
        assert_eq!(get(&store, gone).await, None, "{gone}");
    }
    assert!(get(&store, "other").await.is_some());
}

/// R1.8: if any statement of a removal fails, nothing of it stays done.
pub async fn r1_8_deletion_is_all_or_nothing(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    let r1 = account(AccountKind::Reseller, "r1", Some(&admin), 1);
    let c1 = account(AccountKind::Customer, "c1", Some(&r1), 2);
    insert(&store, &[&admin, &r1, &c1]).await;
    f.make_undeletable("r1").await;
    let mut tx = store.write().await.unwrap();
    assert!(tx.delete_account_tree(r1.id).await.is_err());
    drop(tx);
    assert!(get(&store, "r1").await.is_some());
    assert!(
        get(&store, "c1").await.is_some(),
        "the customer deleted first came back"
    );
}

/// A transaction dropped without commit leaves no trace (dry runs rely on it).
pub async fn uncommitted_transactions_write_nothing(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    insert(&store, &[&admin]).await;
    let ghost = account(AccountKind::Reseller, "ghost", Some(&admin), 1);
    let mut tx = store.write().await.unwrap();
    tx.insert_account(&ghost).await.unwrap();
    assert!(tx.account_by_login(&ghost.login).await.unwrap().is_some());
    drop(tx);
    assert_eq!(get(&store, "ghost").await, None);
    // The store is still usable afterwards.
    insert(&store, &[&ghost]).await;
    assert!(get(&store, "ghost").await.is_some());
}

/// R5.1: reasons are a set, each with who added it and when.
pub async fn r5_1_suspension_reasons_read_back_with_author_and_time(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    let c = account(AccountKind::Customer, "c", Some(&admin), 1);
    insert(&store, &[&admin, &c]).await;
    let first = Suspension {
        reason: SuspensionReason::Admin,
        by: Some(admin.login.clone()),
        at: t0(),
    };
    let second = Suspension {
        reason: SuspensionReason::Expired,
        by: None,
        at: t0() + Duration::days(1),
    };
    let mut tx = store.write().await.unwrap();
    tx.add_account_suspension(c.id, &first, Some(admin.id))
        .await
        .unwrap();
    tx.add_account_suspension(c.id, &second, None)
        .await
        .unwrap();
    tx.add_account_suspension(c.id, &first, Some(admin.id))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let read = get(&store, "c").await.unwrap();
    assert_eq!(read.suspensions, vec![first, second]);
    assert!(!read.is_active());
}

/// Builds a valid IP record for the suite.
fn ip_record(address: &str, kind: IpKind, interface: Option<&str>, minute: i64) -> IpRecord {
    IpRecord {
        id: IpId(Uuid::now_v7()),
        address: IpAddress::parse("ip", address).unwrap(),
        kind,
        interface: interface.map(str::to_owned),
        created_at: t0() + Duration::minutes(minute) + Duration::microseconds(456),
    }
}

async fn insert_ips(store: &Arc<dyn Store>, ips: &[&IpRecord]) {
    let mut tx = store.write().await.unwrap();
    for ip in ips {
        tx.insert_ip(ip).await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn get_ip(store: &Arc<dyn Store>, address: &str) -> Option<IpRecord> {
    let mut tx = store.read().await.unwrap();
    tx.ip_by_address(&IpAddress::parse("ip", address).unwrap())
        .await
        .unwrap()
}

async fn ip_list(store: &Arc<dyn Store>) -> Vec<String> {
    let mut tx = store.read().await.unwrap();
    let ips = tx.list_ips().await.unwrap();
    ips.iter().map(|ip| ip.address.to_string()).collect()
}

/// R7.5: every field of an address is read back unchanged, IPv4 and IPv6, with and
/// without an interface.
pub async fn r7_5_ip_round_trips_every_field(f: &impl Fixture) {
    let store = f.store();
    let v4 = ip_record("192.0.2.10", IpKind::Shared, Some("eth0:1"), 1);
    let v6 = ip_record("2001:db8::a", IpKind::Dedicated, None, 2);
    insert_ips(&store, &[&v4, &v6]).await;
    assert_eq!(get_ip(&store, "192.0.2.10").await, Some(v4.clone()));
    assert_eq!(get_ip(&store, "2001:DB8:0::A").await, Some(v6.clone()));
    assert_eq!(get_ip(&store, "192.0.2.11").await, None);
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.list_ips().await.unwrap(), vec![v4, v6]);
}

/// R7.5: one address is registered once; the same IPv6 address written two ways is one
/// address.
pub async fn r7_5_an_address_is_registered_once_whatever_its_spelling(f: &impl Fixture) {
    let store = f.store();
    let first = ip_record("2001:DB8::1", IpKind::Shared, None, 1);
    insert_ips(&store, &[&first]).await;
    for (spelling, kind) in [
        ("2001:db8:0:0::1", IpKind::Dedicated),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", IpKind::Shared),
    ] {
        let again = ip_record(spelling, kind, Some("eth1"), 2);
        let mut tx = store.write().await.unwrap();
        let err = tx.insert_ip(&again).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Duplicate { field: "ip" }),
            "{spelling}: {err:?}"
        );
    }
    let v4 = ip_record("192.0.2.1", IpKind::Shared, None, 3);
    insert_ips(&store, &[&v4]).await;
    let mut tx = store.write().await.unwrap();
    let err = tx
        .insert_ip(&ip_record("192.0.2.1", IpKind::Dedicated, None, 4))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Duplicate { field: "ip" }),
        "{err:?}"
    );
    drop(tx);
    assert_eq!(ip_list(&store).await, ["192.0.2.1", "2001:db8::1"]);
}

/// R7.5: lists put IPv4 before IPv6 and order by address bytes, not by text: `9.x` before
/// `10.x`, `::9` before `::10`, identically on every engine.
pub async fn r7_5_addresses_list_by_family_then_bytes_on_every_engine(f: &impl Fixture) {
    let store = f.store();
    let addresses = [
        "2001:db8::10",
        "10.0.0.2",
        "fe80::1",
        "9.255.255.255",
        "::1",
        "192.0.2.10",
        "2001:db8::9",
        "192.0.2.9",
        "255.255.255.254",
        "1.2.3.4",
        "2001:db8:0:1::",
        "10.0.0.10",
    ];
    let records: Vec<IpRecord> = addresses
        .iter()
        .enumerate()
        .map(|(i, a)| ip_record(a, IpKind::Shared, None, i as i64))
        .collect();
    let refs: Vec<&IpRecord> = records.iter().collect();
    insert_ips(&store, &refs).await;
    let mut expected: Vec<std::net::IpAddr> = records.iter().map(|r| r.address.addr()).collect();
    expected.sort_by_key(|a| match a {
        std::net::IpAddr::V4(v4) => (4, u128::from(u32::from(*v4))),
        std::net::IpAddr::V6(v6) => (6, u128::from(*v6)),
    });
    let expected: Vec<String> = expected.iter().map(ToString::to_string).collect();
    assert_eq!(
        expected,
        [
            "1.2.3.4",
            "9.255.255.255",
            "10.0.0.2",
            "10.0.0.10",
            "192.0.2.9",
            "192.0.2.10",
            "255.255.255.254",
            "::1",
            "2001:db8::9",
            "2001:db8::10",
            "2001:db8:0:1::",
            "fe80::1",
        ]
    );
    assert_eq!(ip_list(&store).await, expected);
}

/// R7.5: an update changes the type and the interface (and can clear it); the id, the
/// address and the registration time stay.
pub async fn r7_5_update_writes_type_and_interface_only(f: &impl Fixture) {
    let store = f.store();
    let a = ip_record("192.0.2.1", IpKind::Shared, Some("eth0"), 1);
    let b = ip_record("192.0.2.2", IpKind::Shared, Some("eth0"), 2);
    insert_ips(&store, &[&a, &b]).await;

    let mut changed = a.clone();
    changed.kind = IpKind::Dedicated;
    changed.interface = Some("br-lan".into());
    // Attempts to move the address or the time are not written.
    let mut attempt = changed.clone();
    attempt.address = IpAddress::parse("ip", "192.0.2.99").unwrap();
    attempt.created_at = a.created_at + Duration::days(1);
    let mut tx = store.write().await.unwrap();
    tx.update_ip(&attempt).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(get_ip(&store, "192.0.2.1").await, Some(changed.clone()));
    assert_eq!(get_ip(&store, "192.0.2.99").await, None);

    let mut cleared = changed.clone();
    cleared.interface = None;
    let mut tx = store.write().await.unwrap();
    tx.update_ip(&cleared).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(get_ip(&store, "192.0.2.1").await, Some(cleared));
    assert_eq!(get_ip(&store, "192.0.2.2").await, Some(b), "untouched");
}

/// R7.5: deleting removes that address only, says whether it existed, and a rolled-back
/// deletion keeps it.
pub async fn r7_5_delete_removes_only_that_address(f: &impl Fixture) {
    let store = f.store();
    let a = ip_record("192.0.2.1", IpKind::Shared, None, 1);
    let b = ip_record("2001:db8::1", IpKind::Dedicated, None, 2);
    insert_ips(&store, &[&a, &b]).await;

    let mut tx = store.write().await.unwrap();
    assert!(tx.delete_ip(b.id).await.unwrap());
    drop(tx);
    assert_eq!(
        ip_list(&store).await,
        ["192.0.2.1", "2001:db8::1"],
        "rolled back"
    );

    let mut tx = store.write().await.unwrap();
    assert!(tx.delete_ip(b.id).await.unwrap());
    assert!(!tx.delete_ip(b.id).await.unwrap(), "already gone");
    assert!(!tx.delete_ip(IpId(Uuid::now_v7())).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(ip_list(&store).await, ["192.0.2.1"]);
    assert_eq!(get_ip(&store, "2001:db8::1").await, None);
    // The address can be registered again afterwards.
    let again = ip_record("2001:db8::1", IpKind::Shared, None, 3);
    insert_ips(&store, &[&again]).await;
    assert_eq!(get_ip(&store, "2001:db8::1").await, Some(again));
}
