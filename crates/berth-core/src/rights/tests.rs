use super::*;
use crate::account::{ContactInput, PasswordHash};
use chrono::Utc;
use uuid::Uuid;

fn account(kind: AccountKind, login: &str, owner: Option<&Account>) -> Account {
    Account {
        id: AccountId(Uuid::now_v7()),
        kind,
        login: Login::parse("login", login).unwrap(),
        owner: owner.map(|o| OwnerRef {
            id: o.id,
            login: o.login.clone(),
            kind: o.kind,
        }),
        password_hash: PasswordHash(String::new()),
        contact: ContactInput {
            name: Some(login.into()),
            email: Some(format!("{login}@example.com")),
            ..Default::default()
        }
        .into_new_contact()
        .unwrap(),
        description: None,
        external_id: None,
        suspensions: vec![],
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn actor(a: &Account) -> Actor {
    Actor {
        id: a.id,
        kind: a.kind,
        login: a.login.clone(),
    }
}

fn owner_ref(a: &Account) -> OwnerRef {
    OwnerRef {
        id: a.id,
        login: a.login.clone(),
        kind: a.kind,
    }
}

struct World {
    admin: Account,
    r1: Account,
    r2: Account,
    c1: Account,
    c2: Account,
    direct: Account,
}

fn world() -> World {
    let admin = account(AccountKind::Admin, "admin", None);
    let r1 = account(AccountKind::Reseller, "r1", Some(&admin));
    let r2 = account(AccountKind::Reseller, "r2", Some(&admin));
    let c1 = account(AccountKind::Customer, "c1", Some(&r1));
    let c2 = account(AccountKind::Customer, "c2", Some(&r2));
    let direct = account(AccountKind::Customer, "direct", Some(&admin));
    World {
        admin,
        r1,
        r2,
        c1,
        c2,
        direct,
    }
}

#[test]
fn r11_2_admin_sees_everything_reseller_its_own_customer_itself() {
    let w = world();
    let all = [&w.admin, &w.r1, &w.r2, &w.c1, &w.c2, &w.direct];
    assert!(all.iter().all(|t| can_view(&actor(&w.admin), t)));
    let r1 = actor(&w.r1);
    let seen: Vec<&str> = all
        .iter()
        .filter(|t| can_view(&r1, t))
        .map(|t| t.login.as_str())
        .collect();
    assert_eq!(seen, ["r1", "c1"]);
    let c1 = actor(&w.c1);
    let seen: Vec<&str> = all
        .iter()
        .filter(|t| can_view(&c1, t))
        .map(|t| t.login.as_str())
        .collect();
    assert_eq!(seen, ["c1"]);
}

#[test]
fn r1_5_descriptions_seen_by_owner_and_admin_never_by_the_subject() {
    let w = world();
    assert!(can_see_description(&actor(&w.r1), &w.c1));
    assert!(
        can_see_description(&actor(&w.admin), &w.c1),
        "admin sees what resellers wrote"
    );
    assert!(!can_see_description(&actor(&w.r2), &w.c1));
    assert!(
        !can_see_description(&actor(&w.c1), &w.c1),
        "customers never see their own"
    );
    assert!(
        !can_see_description(&actor(&w.r1), &w.r1),
        "nor resellers the admin's note"
    );
}

#[test]
fn r1_1_only_admin_creates_resellers_and_customers_never_own_customers() {
    let w = world();
    assert!(
        check_create(
            &actor(&w.admin),
            AccountKind::Reseller,
            &owner_ref(&w.admin)
        )
        .is_ok()
    );
    assert_eq!(
        check_create(&actor(&w.r1), AccountKind::Reseller, &owner_ref(&w.admin))
            .unwrap_err()
            .code,
        crate::ErrorCode::Forbidden
    );
    assert!(check_create(&actor(&w.r1), AccountKind::Customer, &owner_ref(&w.r1)).is_ok());
    assert_eq!(
        check_create(&actor(&w.r1), AccountKind::Customer, &owner_ref(&w.r2))
            .unwrap_err()
            .code,
        crate::ErrorCode::NotFound
    );
    let err = check_create(&actor(&w.admin), AccountKind::Customer, &owner_ref(&w.c1)).unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (crate::ErrorCode::Invalid, Some("owner"))
    );
    assert_eq!(
        check_create(&actor(&w.c1), AccountKind::Customer, &owner_ref(&w.c1))
            .unwrap_err()
            .code,
        crate::ErrorCode::Invalid
    );
}

#[test]
fn r11_2_who_creates_which_kind() {
    let w = world();
    assert!(check_create_kind(&actor(&w.admin), AccountKind::Reseller).is_ok());
    assert!(check_create_kind(&actor(&w.admin), AccountKind::Customer).is_ok());
    assert!(check_create_kind(&actor(&w.admin), AccountKind::Admin).is_err());
    assert!(check_create_kind(&actor(&w.r1), AccountKind::Customer).is_ok());
    assert!(check_create_kind(&actor(&w.r1), AccountKind::Reseller).is_err());
    assert!(check_create_kind(&actor(&w.c1), AccountKind::Customer).is_err());
}

#[test]
fn r1_4_owner_changes_login_and_password_account_itself_only_contact_and_password() {
    let w = world();
    for change in [
        AccountChange::Login,
        AccountChange::Password,
        AccountChange::Description,
        AccountChange::Contact,
    ] {
        assert!(
            check_update(&actor(&w.r1), &w.c1, change).is_ok(),
            "{change:?}"
        );
        assert!(
            check_update(&actor(&w.admin), &w.c1, change).is_ok(),
            "{change:?}"
        );
    }
    assert!(check_update(&actor(&w.c1), &w.c1, AccountChange::Contact).is_ok());
    assert!(check_update(&actor(&w.c1), &w.c1, AccountChange::Password).is_ok());
    for change in [
        AccountChange::Login,
        AccountChange::Description,
        AccountChange::ExternalId,
    ] {
        assert_eq!(
            check_update(&actor(&w.c1), &w.c1, change).unwrap_err().code,
            crate::ErrorCode::Forbidden
        );
        assert_eq!(
            check_update(&actor(&w.r1), &w.r1, change).unwrap_err().code,
            crate::ErrorCode::Forbidden
        );
    }
    assert_eq!(
        check_update(&actor(&w.admin), &w.admin, AccountChange::Login)
            .unwrap_err()
            .code,
        crate::ErrorCode::Conflict
    );
}

#[test]
fn r1_8_removal_by_admin_or_owner_and_never_the_admin() {
    let w = world();
    assert!(check_remove(&actor(&w.admin), &w.r1).is_ok());
    assert!(check_remove(&actor(&w.r1), &w.c1).is_ok());
    assert!(check_remove(&actor(&w.c1), &w.c1).is_err());
    assert!(check_remove(&actor(&w.r1), &w.r1).is_err());
    assert_eq!(
        check_remove(&actor(&w.admin), &w.admin).unwrap_err().code,
        crate::ErrorCode::Conflict
    );
}

#[test]
fn r11_2_list_scope() {
    let w = world();
    assert_eq!(
        list_scope(&actor(&w.admin), AccountKind::Reseller).unwrap(),
        None
    );
    assert_eq!(
        list_scope(&actor(&w.r1), AccountKind::Customer).unwrap(),
        Some(w.r1.id)
    );
    assert!(list_scope(&actor(&w.r1), AccountKind::Reseller).is_err());
    assert!(list_scope(&actor(&w.c1), AccountKind::Customer).is_err());
    let _ = (&w.c2, &w.direct);
}
