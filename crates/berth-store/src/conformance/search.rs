//! Conformance cases of `--search` in account and subscription lists (R1.9): a substring of
//! the case-folded key, whatever path the engine takes to find it. SQLite asks its trigram
//! tables first and builds the page from at most 1,000 candidates, or scans in list order
//! when there are more (or the fragment is shorter than three characters); PostgreSQL's
//! planner chooses between its pg_trgm index and the ordered scan. These cases cover both
//! sides of that limit, so they insert a little over 1,000 rows.

use std::sync::Arc;

use berth_core::account::{Account, AccountKind};
use berth_core::domain::DomainName;
use berth_core::hosting::{Subscription, SubscriptionQuery, SubscriptionScope, SubscriptionSort};
use berth_core::query::{AccountQuery, AccountSort, AccountSortField, Direction};
use berth_core::status::{Status, Suspension, SuspensionReason};
use berth_core::text::fold;

use super::domains::subscription;
use super::{Fixture, account, query, t0};
use crate::Store;

/// More rows than the candidates SQLite builds a page from (`sql::SEARCH_PROBE_LIMIT`).
const MANY: usize = 1_050;

/// Admin, resellers `r1` and `r2`, and customers `c0001`..`c1050` (odd ones of `r1`, even
/// ones of `r2`, every tenth suspended), each holding `s0001.example`..; written in one
/// transaction.
struct World {
    admin: Account,
    r1: Account,
    customers: Vec<Account>,
    subscriptions: Vec<Subscription>,
}

async fn world(store: &Arc<dyn Store>) -> World {
    let admin = account(AccountKind::Admin, "admin", None, 0);
    let r1 = account(AccountKind::Reseller, "r1", Some(&admin), 1);
    let r2 = account(AccountKind::Reseller, "r2", Some(&admin), 2);
    let mut customers = vec![];
    let mut subscriptions = vec![];
    let mut tx = store.write().await.unwrap();
    for a in [&admin, &r1, &r2] {
        tx.insert_account(a).await.unwrap();
    }
    for i in 1..=MANY {
        let owner = if i % 2 == 1 { &r1 } else { &r2 };
        let mut c = account(
            AccountKind::Customer,
            &format!("c{i:04}"),
            Some(owner),
            i as i64,
        );
        if i % 10 == 0 {
            c.suspensions.push(Suspension {
                reason: SuspensionReason::Admin,
                by: None,
                at: t0(),
            });
        }
        tx.insert_account(&c).await.unwrap();
        for s in &c.suspensions {
            tx.add_account_suspension(c.id, s, Some(admin.id))
                .await
                .unwrap();
        }
        let s = subscription(&format!("s{i:04}.example"), &c, i as i64);
        tx.insert_subscription(&s).await.unwrap();
        customers.push(c);
        subscriptions.push(s);
    }
    tx.commit().await.unwrap();
    World {
        admin,
        r1,
        customers,
        subscriptions,
    }
}

/// The logins of every page of `q`, walked with the last login's id as the cursor, and
/// the page sizes.
async fn walk_accounts(store: &Arc<dyn Store>, q: &AccountQuery) -> (Vec<String>, Vec<usize>) {
    let mut q = q.clone();
    let mut seen = vec![];
    let mut sizes = vec![];
    loop {
        let mut tx = store.read().await.unwrap();
        let page = tx.list_accounts(&q).await.unwrap();
        sizes.push(page.len());
        let Some(last) = page.last() else { break };
        q.after = Some(last.id);
        seen.extend(page.iter().map(|a| a.login.to_string()));
        if page.len() < q.limit as usize {
            break;
        }
    }
    (seen, sizes)
}

/// The logins of `accounts` whose search key contains `fragment` (folded), in login order.
fn expected_accounts<'a>(
    accounts: impl IntoIterator<Item = &'a Account>,
    fragment: &str,
) -> Vec<String> {
    let folded = fold(fragment);
    let mut logins: Vec<String> = accounts
        .into_iter()
        .filter(|a| a.search_key().contains(&folded))
        .map(|a| a.login.to_string())
        .collect();
    logins.sort();
    logins
}

fn search(fragment: &str, limit: u32) -> AccountQuery {
    AccountQuery {
        search: Some(fold(fragment)),
        limit,
        ..query(AccountKind::Customer)
    }
}

/// R1.9: a rare fragment (one row), a fragment of a few dozen rows and one that every row
/// holds all list the same rows, in order, page after page.
pub async fn r1_9_search_finds_rare_and_common_fragments_in_order_across_pages(f: &impl Fixture) {
    let store = f.store();
    let w = world(&store).await;
    for (fragment, count) in [
        ("c1023", 1),
        ("C102", 10),
        ("c10", 51),
        ("0@example", 105),
        ("example.com", MANY),
    ] {
        let expected = expected_accounts(&w.customers, fragment);
        assert_eq!(expected.len(), count, "{fragment}: the world");
        let (first, _) = walk_accounts(&store, &search(fragment, 1000)).await;
        assert_eq!(first, expected, "{fragment}: one page");
        let (paged, sizes) = walk_accounts(&store, &search(fragment, 20)).await;
        assert_eq!(paged, expected, "{fragment}: pages of 20");
        assert!(sizes.iter().all(|n| *n <= 20), "{fragment}: {sizes:?}");
    }
    let descending = AccountQuery {
        sort: AccountSort {
            field: AccountSortField::Login,
            direction: Direction::Desc,
        },
        ..search("c10", 7)
    };
    let (paged, _) = walk_accounts(&store, &descending).await;
    let mut expected = expected_accounts(&w.customers, "c10");
    expected.reverse();
    assert_eq!(paged, expected, "descending");
    let by_name = AccountQuery {
        sort: AccountSort {
            field: AccountSortField::Name,
            direction: Direction::Asc,
        },
        ..search("of c10", 5)
    };
    let (paged, _) = walk_accounts(&store, &by_name).await;
    assert_eq!(paged, expected_accounts(&w.customers, "c10"), "by name");
    let resellers = AccountQuery {
        search: Some("r1".into()),
        ..query(AccountKind::Reseller)
    };
    assert_eq!(walk_accounts(&store, &resellers).await.0, ["r1"], "kind");
}

/// R1.9: search combines with the owner and status filters, on the rare and the common
/// side alike.
pub async fn r1_9_search_combines_with_owner_and_status(f: &impl Fixture) {
    let store = f.store();
    let w = world(&store).await;
    let of_r1: Vec<&Account> = w
        .customers
        .iter()
        .filter(|c| c.owner.as_ref().map(|o| o.id) == Some(w.r1.id))
        .collect();
    let suspended: Vec<&Account> = w
        .customers
        .iter()
        .filter(|c| !c.suspensions.is_empty())
        .collect();
    for fragment in ["c102", "c10", "@example.com"] {
        let owned = AccountQuery {
            owner: Some(w.r1.id),
            ..search(fragment, 30)
        };
        assert_eq!(
            walk_accounts(&store, &owned).await.0,
            expected_accounts(of_r1.iter().copied(), fragment),
            "{fragment} of r1"
        );
        let only_suspended = AccountQuery {
            status: Some(Status::Suspended),
            ..search(fragment, 30)
        };
        assert_eq!(
            walk_accounts(&store, &only_suspended).await.0,
            expected_accounts(suspended.iter().copied(), fragment),
            "{fragment} suspended"
        );
    }
}

/// R1.9: `%`, `_` and `\` are plain characters of the fragment, and so are the quotes and
/// words that mean something to a full-text query.
pub async fn r1_9_search_keeps_wildcards_and_query_syntax_literal(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    let companies = [
        ("p1", "100% Hosting_Ltd"),
        ("p2", "1000 Hosting Ltd"),
        ("p3", "Back\\Slash Co"),
        ("p4", "Backslash Co"),
        ("p5", "Say \"Hi\" Inc"),
        ("p6", "Rock AND Roll OR NOT*"),
        ("p7", "rock and roll"),
    ];
    let mut tx = store.write().await.unwrap();
    tx.insert_account(&admin).await.unwrap();
    let mut all = vec![];
    for (i, (login, company)) in companies.iter().enumerate() {
        let mut a = account(AccountKind::Customer, login, Some(&admin), i as i64 + 1);
        a.contact.company = Some((*company).to_owned());
        tx.insert_account(&a).await.unwrap();
        all.push(a);
    }
    tx.commit().await.unwrap();
    for (fragment, expected) in [
        ("100%", vec!["p1"]),
        ("0% h", vec!["p1"]),
        ("00% h", vec!["p1"]),
        ("00%h", vec![]),
        ("g_l", vec!["p1"]),
        ("g_ltd", vec!["p1"]),
        ("ng lt", vec!["p2"]),
        ("0%0", vec![]),
        ("k\\s", vec!["p3"]),
        ("back\\slash", vec!["p3"]),
        ("backslash", vec!["p4"]),
        ("\\", vec!["p3"]),
        ("%", vec!["p1"]),
        ("_", vec!["p1"]),
        ("\"hi\"", vec!["p5"]),
        ("y \"h", vec!["p5"]),
        ("\"", vec!["p5"]),
        ("and roll or not*", vec!["p6"]),
        ("rock and", vec!["p6", "p7"]),
        ("not*", vec!["p6"]),
        ("*", vec!["p6"]),
        ("k AND r", vec!["p6", "p7"]),
    ] {
        assert_eq!(
            walk_accounts(&store, &search(fragment, 100)).await.0,
            expected,
            "{fragment:?}"
        );
        assert_eq!(
            expected_accounts(&all, fragment),
            expected,
            "{fragment:?}: the expectation"
        );
    }
}

/// R1.9: fragments of one or two characters have no trigram; they still match anywhere in
/// the key, in order, page after page.
pub async fn r1_9_search_of_one_or_two_characters_still_matches_substrings(f: &impl Fixture) {
    let store = f.store();
    let w = world(&store).await;
    for fragment in ["9", "99", "c1", "C", "é", "%"] {
        let (paged, _) = walk_accounts(&store, &search(fragment, 150)).await;
        assert_eq!(
            paged,
            expected_accounts(&w.customers, fragment),
            "{fragment}"
        );
    }
    let (mine, _) = subscriptions_walk(&store, &subscriptions_search("99", 40)).await;
    assert_eq!(mine, expected_subscriptions(&w.subscriptions, "99"));
}

/// The names of every page of `q`, walked with the last id as the cursor, and the sizes.
async fn subscriptions_walk(
    store: &Arc<dyn Store>,
    q: &SubscriptionQuery,
) -> (Vec<String>, Vec<usize>) {
    let mut q = q.clone();
    let mut seen = vec![];
    let mut sizes = vec![];
    loop {
        let mut tx = store.read().await.unwrap();
        let page = tx.list_subscriptions(&q).await.unwrap();
        sizes.push(page.len());
        let Some(last) = page.last() else { break };
        q.after = Some(last.id);
        seen.extend(page.iter().map(|s| s.name.ascii().to_owned()));
        if page.len() < q.limit as usize {
            break;
        }
    }
    (seen, sizes)
}

fn subscriptions_search(fragment: &str, limit: u32) -> SubscriptionQuery {
    SubscriptionQuery {
        search: Some(fold(fragment)),
        ..SubscriptionQuery::every(limit)
    }
}

fn expected_subscriptions<'a>(
    subscriptions: impl IntoIterator<Item = &'a Subscription>,
    fragment: &str,
) -> Vec<String> {
    let folded = fold(fragment);
    let mut names: Vec<String> = subscriptions
        .into_iter()
        .filter(|s| fold(s.name.unicode()).contains(&folded))
        .map(|s| s.name.ascii().to_owned())
        .collect();
    names.sort();
    names
}

/// R1.9: subscription search, rare and common, paged, within a reseller's scope and with
/// an owner filter.
pub async fn r1_9_subscription_search_pages_within_scope_and_filters(f: &impl Fixture) {
    let store = f.store();
    let w = world(&store).await;
    let of_r1: Vec<&Subscription> = w
        .subscriptions
        .iter()
        .filter(|s| {
            w.customers
                .iter()
                .any(|c| c.id == s.owner.id && c.owner.as_ref().map(|o| o.id) == Some(w.r1.id))
        })
        .collect();
    for (fragment, count) in [
        ("s1023", 1),
        ("S102", 10),
        ("s10", 51),
        ("0.example", 105),
        (".example", MANY),
    ] {
        let expected = expected_subscriptions(&w.subscriptions, fragment);
        assert_eq!(expected.len(), count, "{fragment}: the world");
        let (paged, sizes) = subscriptions_walk(&store, &subscriptions_search(fragment, 25)).await;
        assert_eq!(paged, expected, "{fragment}: pages of 25");
        assert!(sizes.iter().all(|n| *n <= 25), "{fragment}: {sizes:?}");
        let scoped = SubscriptionQuery {
            scope: SubscriptionScope::ProvidedBy(w.r1.id),
            ..subscriptions_search(fragment, 25)
        };
        assert_eq!(
            subscriptions_walk(&store, &scoped).await.0,
            expected_subscriptions(of_r1.iter().copied(), fragment),
            "{fragment}: r1's scope"
        );
    }
    let holder = &w.customers[1022];
    let owned = SubscriptionQuery {
        owner: Some(holder.id),
        ..subscriptions_search("s10", 25)
    };
    assert_eq!(
        subscriptions_walk(&store, &owned).await.0,
        ["s1023.example"]
    );
    let descending = SubscriptionQuery {
        descending: true,
        sort: SubscriptionSort::Created,
        ..subscriptions_search("s10", 4)
    };
    let (paged, _) = subscriptions_walk(&store, &descending).await;
    let mut expected = expected_subscriptions(&w.subscriptions, "s10");
    expected.reverse();
    assert_eq!(paged, expected, "created, descending");
}

/// R1.9: search follows every write of the keys: a rename finds the new text and no longer
/// the old, other changes keep the row found, and removals (one row, or a whole account
/// tree with what it holds) leave nothing behind, also for a row created again afterwards.
pub async fn r1_9_search_follows_renames_and_removals(f: &impl Fixture) {
    let store = f.store();
    let w = world(&store).await;
    let names = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();

    let mut c = w.customers[1022].clone();
    c.contact.name = "Zebulon Quixote".into();
    let mut s = w.subscriptions[1022].clone();
    s.name = DomainName::parse("domain", "zebulon-quixote.test").unwrap();
    let mut tx = store.write().await.unwrap();
    tx.update_account(&c).await.unwrap();
    tx.update_subscription(&s).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        walk_accounts(&store, &search("quixote", 10)).await.0,
        ["c1023"]
    );
    assert_eq!(
        walk_accounts(&store, &search("name of c1023", 10)).await.0,
        Vec::<String>::new(),
        "the old name is gone"
    );
    assert_eq!(
        walk_accounts(&store, &search("c1023", 10)).await.0,
        ["c1023"],
        "the login is still there"
    );
    assert_eq!(
        subscriptions_walk(&store, &subscriptions_search("quixote", 10))
            .await
            .0,
        ["zebulon-quixote.test"]
    );
    assert_eq!(
        subscriptions_walk(&store, &subscriptions_search("s1023", 10))
            .await
            .0,
        Vec::<String>::new()
    );

    // A change that leaves the key alone.
    c.description = Some("still here".into());
    s.overused = true;
    let mut tx = store.write().await.unwrap();
    tx.update_account(&c).await.unwrap();
    tx.update_subscription(&s).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        walk_accounts(&store, &search("quixote", 10)).await.0,
        ["c1023"]
    );
    assert_eq!(
        subscriptions_walk(&store, &subscriptions_search("quixote", 10))
            .await
            .0,
        ["zebulon-quixote.test"]
    );

    // One subscription removed.
    let mut tx = store.write().await.unwrap();
    tx.delete_subscription(s.id).await.unwrap();
    tx.commit().await.unwrap();
    assert!(
        subscriptions_walk(&store, &subscriptions_search("quixote", 10))
            .await
            .0
            .is_empty()
    );

    // A customer removed with its subscription; then reseller r1 with its 525 customers and
    // their subscriptions.
    let mut tx = store.write().await.unwrap();
    tx.delete_account_tree(w.customers[1020].id).await.unwrap();
    tx.commit().await.unwrap();
    assert!(
        walk_accounts(&store, &search("c1021", 10))
            .await
            .0
            .is_empty()
    );
    assert!(
        subscriptions_walk(&store, &subscriptions_search("s1021", 10))
            .await
            .0
            .is_empty()
    );
    let mut tx = store.write().await.unwrap();
    tx.delete_account_tree(w.r1.id).await.unwrap();
    tx.commit().await.unwrap();
    let left: Vec<&Account> = w
        .customers
        .iter()
        .filter(|c| c.owner.as_ref().map(|o| o.id) != Some(w.r1.id))
        .collect();
    let left_subscriptions: Vec<&Subscription> = w
        .subscriptions
        .iter()
        .filter(|s| left.iter().any(|c| c.id == s.owner.id))
        .collect();
    for fragment in ["c10", "c102", "example.com"] {
        assert_eq!(
            walk_accounts(&store, &search(fragment, 100)).await.0,
            expected_accounts(left.iter().copied(), fragment),
            "{fragment} after r1's removal"
        );
    }
    for fragment in ["s10", "s102", ".example"] {
        assert_eq!(
            subscriptions_walk(&store, &subscriptions_search(fragment, 100))
                .await
                .0,
            expected_subscriptions(left_subscriptions.iter().copied(), fragment),
            "{fragment} after r1's removal"
        );
    }

    // Created again under the same names: found once.
    let again = account(AccountKind::Customer, "c1021", Some(&w.admin), 5000);
    let mut tx = store.write().await.unwrap();
    tx.insert_account(&again).await.unwrap();
    tx.insert_subscription(&subscription("s1021.example", &again, 5000))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        walk_accounts(&store, &search("c1021", 10)).await.0,
        names(&["c1021"])
    );
    assert_eq!(
        subscriptions_walk(&store, &subscriptions_search("s1021", 10))
            .await
            .0,
        names(&["s1021.example"])
    );
}

/// R1.9: a fragment with more matches than the trigram candidates a page is built from
/// (`sql::SEARCH_PROBE_LIMIT`), or with no trigram, is searched in list order (subscriptions:
/// the id-only query over migration 0022's name index): it lists the same rows as a filter
/// over every row, in both directions, page after page, within a reseller's scope, an
/// owner's accounts and a status.
pub async fn r1_9_search_in_list_order_pages_by_ids_in_scope_both_ways(f: &impl Fixture) {
    let store = f.store();
    let w = world(&store).await;
    let of_r1 = |owner: &berth_core::account::AccountId| {
        w.customers
            .iter()
            .any(|c| c.id == *owner && c.owner.as_ref().map(|o| o.id) == Some(w.r1.id))
    };
    // ".example": every row (over 1,000 trigram candidates); "9", "s1" and "10": no trigram,
    // some of the rows (every subscription here is active: the status is only combined).
    for fragment in [".example", "9", "s1", "10"] {
        for descending in [false, true] {
            for scoped in [false, true] {
                let q = SubscriptionQuery {
                    scope: if scoped {
                        SubscriptionScope::ProvidedBy(w.r1.id)
                    } else {
                        SubscriptionScope::All
                    },
                    status: scoped.then_some(Status::Active),
                    descending,
                    ..subscriptions_search(fragment, 7)
                };
                let mut expected = expected_subscriptions(
                    w.subscriptions
                        .iter()
                        .filter(|s| !scoped || of_r1(&s.owner.id)),
                    fragment,
                );
                if descending {
                    expected.reverse();
                }
                let (paged, sizes) = subscriptions_walk(&store, &q).await;
                assert!(expected.len() > 7, "{fragment}: more than a page");
                assert_eq!(
                    paged, expected,
                    "{fragment}: descending {descending}, r1's scope {scoped}"
                );
                assert!(sizes.iter().all(|n| *n <= 7), "{fragment}: {sizes:?}");
            }
        }
    }
    let suspended: Vec<&Account> = w
        .customers
        .iter()
        .filter(|c| !c.suspensions.is_empty())
        .collect();
    // "example.com": every row (over 1,000 candidates); the others: no trigram.
    for fragment in ["example.com", "9", "c1", "10"] {
        for direction in [Direction::Asc, Direction::Desc] {
            let sort = AccountSort {
                field: AccountSortField::Login,
                direction,
            };
            let owned = AccountQuery {
                owner: Some(w.r1.id),
                sort,
                ..search(fragment, 9)
            };
            let mut expected = expected_accounts(
                w.customers
                    .iter()
                    .filter(|c| c.owner.as_ref().map(|o| o.id) == Some(w.r1.id)),
                fragment,
            );
            let only_suspended = AccountQuery {
                status: Some(Status::Suspended),
                sort,
                ..search(fragment, 9)
            };
            let mut expected_suspended = expected_accounts(suspended.iter().copied(), fragment);
            if direction == Direction::Desc {
                expected.reverse();
                expected_suspended.reverse();
            }
            assert!(expected.len() > 9, "{fragment}: more than a page");
            assert_eq!(
                walk_accounts(&store, &owned).await.0,
                expected,
                "{fragment} of r1, {direction:?}"
            );
            assert_eq!(
                walk_accounts(&store, &only_suspended).await.0,
                expected_suspended,
                "{fragment} suspended, {direction:?}"
            );
        }
    }
}
