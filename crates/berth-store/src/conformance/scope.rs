//! Conformance cases of a subscription list's rights scope (R11.2): the admin lists every
//! subscription, a provider (reseller or admin) its own and its customers', a customer its
//! own — whatever path the list takes, and after subscribers move between providers.
//! Stores may keep the provider beside each subscription (derived data, as migration 0027
//! does); these cases hold it to [`provider_of`] through every change of owner or kind.

use std::collections::HashMap;
use std::sync::Arc;

use berth_core::account::{Account, AccountId, AccountKind, OwnerRef};
use berth_core::hosting::{
    Subscription, SubscriptionQuery, SubscriptionScope, SubscriptionSort, provider_of,
};
use berth_core::text::fold;

use super::domains::subscription;
use super::{Fixture, account};
use crate::Store;

fn owner_ref(a: &Account) -> OwnerRef {
    OwnerRef {
        id: a.id,
        login: a.login.clone(),
        kind: a.kind,
    }
}

/// The accounts and subscriptions as the case last wrote them: the model the lists are
/// checked against.
struct Model {
    accounts: Vec<Account>,
    subscriptions: Vec<Subscription>,
}

impl Model {
    fn account(&self, id: AccountId) -> &Account {
        self.accounts.iter().find(|a| a.id == id).unwrap()
    }

    fn by_login(&self, login: &str) -> Account {
        self.accounts
            .iter()
            .find(|a| a.login.as_str() == login)
            .unwrap()
            .clone()
    }

    /// The names `scope` admits whose name contains `search`, in name order, by the rule
    /// itself: the provider comes from the subscriber's account as it is now.
    fn expected(&self, scope: SubscriptionScope, search: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .subscriptions
            .iter()
            .filter(|s| {
                let holder = self.account(s.owner.id);
                let holder_owner = holder.owner.as_ref().map(|o| owner_ref(self.account(o.id)));
                let provider = provider_of(&owner_ref(holder), holder_owner.as_ref());
                scope.admits(holder.id, provider.id)
            })
            .map(|s| s.name.ascii().to_owned())
            .filter(|n| n.contains(search))
            .collect();
        names.sort();
        names
    }

    /// Every scope of every account, listed by the store (first page in name order, a
    /// one-character search in name order, a search by candidates where the engine has
    /// them, and pages of two), against the rule.
    async fn check(&self, store: &Arc<dyn Store>, step: &str) {
        let mut scopes = vec![SubscriptionScope::All];
        for a in &self.accounts {
            scopes.push(SubscriptionScope::ProvidedBy(a.id));
            scopes.push(SubscriptionScope::HeldBy(a.id));
        }
        for scope in scopes {
            for search in ["", "e", "example"] {
                for limit in [100, 2] {
                    let q = SubscriptionQuery {
                        scope,
                        search: (!search.is_empty()).then(|| fold(search)),
                        ..SubscriptionQuery::every(limit)
                    };
                    assert_eq!(
                        walk(store, q).await,
                        self.expected(scope, search),
                        "{step}: {scope:?}, search {search:?}, pages of {limit}"
                    );
                }
            }
            let created = SubscriptionQuery {
                scope,
                sort: SubscriptionSort::Created,
                descending: true,
                ..SubscriptionQuery::every(3)
            };
            let mut listed = walk(store, created).await;
            listed.sort();
            assert_eq!(
                listed,
                self.expected(scope, ""),
                "{step}: {scope:?}, created"
            );
        }
    }

    async fn update_account(&mut self, store: &Arc<dyn Store>, account: Account) {
        let mut tx = store.write().await.unwrap();
        tx.update_account(&account).await.unwrap();
        tx.commit().await.unwrap();
        let i = self
            .accounts
            .iter()
            .position(|a| a.id == account.id)
            .unwrap();
        self.accounts[i] = account;
    }
}

/// Every page of `q`, walked with the last id as the cursor.
async fn walk(store: &Arc<dyn Store>, mut q: SubscriptionQuery) -> Vec<String> {
    let mut names = vec![];
    loop {
        let mut tx = store.read().await.unwrap();
        let page = tx.list_subscriptions(&q).await.unwrap();
        names.extend(page.iter().map(|s| s.name.ascii().to_owned()));
        match page.last() {
            Some(last) if page.len() == q.limit as usize => q.after = Some(last.id),
            _ => return names,
        }
    }
}

/// R11.2: each list scope shows what the rule admits, and keeps doing so when a customer
/// moves to another reseller (R1.7), a customer becomes a reseller and a reseller a
/// customer (R1.6), and a subscription changes subscriber (R3.7).
pub async fn r11_2_list_scopes_follow_moves_conversions_and_new_subscribers(f: &impl Fixture) {
    let store = f.store();
    let admin = account(AccountKind::Admin, "admin", None, 0);
    let r1 = account(AccountKind::Reseller, "r1", Some(&admin), 1);
    let r2 = account(AccountKind::Reseller, "r2", Some(&admin), 2);
    let c1 = account(AccountKind::Customer, "c1", Some(&r1), 3);
    let c2 = account(AccountKind::Customer, "c2", Some(&r2), 4);
    let direct = account(AccountKind::Customer, "direct", Some(&admin), 5);
    let accounts = vec![admin, r1, r2, c1, c2, direct];
    let held = [
        ("admin.example", "admin"),
        ("r1.example", "r1"),
        ("r1-own.example", "r1"),
        ("c1.example", "c1"),
        ("c1-shop.example", "c1"),
        ("c2.example", "c2"),
        ("direct.example", "direct"),
    ];
    let logins: HashMap<&str, &Account> = accounts.iter().map(|a| (a.login.as_str(), a)).collect();
    let subscriptions: Vec<Subscription> = held
        .iter()
        .enumerate()
        .map(|(i, (name, login))| subscription(name, logins[login], i as i64))
        .collect();
    let mut tx = store.write().await.unwrap();
    for a in &accounts {
        tx.insert_account(a).await.unwrap();
    }
    for s in &subscriptions {
        tx.insert_subscription(s).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut model = Model {
        accounts,
        subscriptions,
    };
    model.check(&store, "created").await;

    // c1 moves from r1 to r2 with its two subscriptions.
    let mut c1 = model.by_login("c1");
    c1.owner = Some(owner_ref(&model.by_login("r2")));
    model.update_account(&store, c1).await;
    model.check(&store, "c1 moved to r2").await;

    // c2 becomes a reseller: its subscription is its own provision now.
    let mut c2 = model.by_login("c2");
    c2.kind = AccountKind::Reseller;
    c2.owner = Some(owner_ref(&model.by_login("admin")));
    model.update_account(&store, c2).await;
    model.check(&store, "c2 became a reseller").await;

    // c1-shop.example changes subscriber to the admin's customer.
    let direct = model.by_login("direct");
    let i = model
        .subscriptions
        .iter()
        .position(|s| s.name.ascii() == "c1-shop.example")
        .unwrap();
    model.subscriptions[i].owner = owner_ref(&direct);
    let mut tx = store.write().await.unwrap();
    tx.update_subscription(&model.subscriptions[i])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    model.check(&store, "c1-shop.example given to direct").await;

    // r1, left without customers, becomes r2's customer with its own subscriptions.
    let mut r1 = model.by_login("r1");
    r1.kind = AccountKind::Customer;
    r1.owner = Some(owner_ref(&model.by_login("r2")));
    model.update_account(&store, r1).await;
    model.check(&store, "r1 became r2's customer").await;

    // An update that changes neither owner nor kind leaves every scope as it was.
    let mut r2 = model.by_login("r2");
    r2.description = Some("renamed".into());
    model.update_account(&store, r2).await;
    model.check(&store, "r2 edited").await;
}
