//! Account use cases through the service layer, on SQLite and PostgreSQL.

mod common;

use berth_app::accounts::{AccountUpdate, ListRequest, NewAccount};
use berth_app::{Berth, Mode, NoProgress};
use berth_core::ErrorCode;
use berth_core::account::{AccountKind, ContactInput};
use berth_core::rights::Actor;
use common::{ADMIN_PASSWORD, Env};

on_both_backends!(
    r1_1_init_creates_the_admin_once,
    r1_1_customers_are_owned_by_admin_or_reseller_never_by_customers,
    r1_2_logins_are_unique_across_the_server_whatever_the_case,
    r1_2_every_bad_field_is_refused_with_its_name_and_nothing_written,
    r1_4_owner_changes_login_and_password_and_nothing_is_sent,
    r1_5_descriptions_are_seen_by_owner_and_admin_only,
    r11_2_reseller_sees_only_its_own_customers_others_are_not_found,
    r11_2_customers_see_only_themselves,
    r1_8_removing_a_reseller_removes_its_customers,
    r1_8_bulk_removal_reports_per_object_and_a_failure_undoes_nothing_else,
    r3_10_dry_runs_write_nothing,
    r1_9_lists_search_filter_sort_and_page,
    clock_gives_every_timestamp,
    authentication_checks_the_argon2id_hash,
);

fn contact(login: &str) -> ContactInput {
    ContactInput {
        name: Some(format!("{login} contact")),
        email: Some(format!("{login}@example.com")),
        ..Default::default()
    }
}

fn new_account(login: &str, owner: Option<&str>) -> NewAccount {
    NewAccount {
        login: login.into(),
        password: format!("{login}-password"),
        contact: contact(login),
        owner: owner.map(str::to_owned),
        ..Default::default()
    }
}

async fn admin(app: &Berth) -> Actor {
    app.actor(None).await.unwrap()
}

async fn reseller(app: &Berth, login: &str) -> Actor {
    let a = admin(app).await;
    app.create_account(
        &a,
        AccountKind::Reseller,
        new_account(login, None),
        Mode::Apply,
    )
    .await
    .unwrap();
    app.actor(Some(login)).await.unwrap()
}

async fn customer(app: &Berth, by: &Actor, login: &str) -> Actor {
    app.create_account(
        by,
        AccountKind::Customer,
        new_account(login, None),
        Mode::Apply,
    )
    .await
    .unwrap();
    app.actor(Some(login)).await.unwrap()
}

async fn logins(
    app: &Berth,
    actor: &Actor,
    kind: AccountKind,
    request: ListRequest,
) -> Vec<String> {
    let page = app.list_accounts(actor, kind, request).await.unwrap();
    page.items.into_iter().map(|a| a.login).collect()
}

async fn r1_1_init_creates_the_admin_once(env: Env) {
    let app = &env.app;
    let admin = admin(app).await;
    assert_eq!(
        (admin.kind, admin.login.as_str()),
        (AccountKind::Admin, "admin")
    );
    let err = app.init(None, "admin@example.com").await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    let err = app
        .create_account(
            &admin,
            AccountKind::Admin,
            new_account("second", None),
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
}

async fn r1_1_customers_are_owned_by_admin_or_reseller_never_by_customers(env: Env) {
    let app = &env.app;
    let admin = admin(app).await;
    let r1 = reseller(app, "r1").await;
    let direct = app
        .create_account(
            &admin,
            AccountKind::Customer,
            new_account("direct", None),
            Mode::Apply,
        )
        .await
        .unwrap();
    assert_eq!(direct.owner.as_deref(), Some("admin"));
    let placed = app
        .create_account(
            &admin,
            AccountKind::Customer,
            new_account("placed", Some("r1")),
            Mode::Apply,
        )
        .await
        .unwrap();
    assert_eq!(placed.owner.as_deref(), Some("r1"));
    let own = app
        .create_account(
            &r1,
            AccountKind::Customer,
            new_account("own", None),
            Mode::Apply,
        )
        .await
        .unwrap();
    assert_eq!(own.owner.as_deref(), Some("r1"));
    let err = app
        .create_account(
            &admin,
            AccountKind::Customer,
            new_account("nested", Some("direct")),
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::NotFound, Some("owner"))
    );
    let err = app
        .create_account(
            &admin,
            AccountKind::Reseller,
            new_account("sub", Some("r1")),
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::Invalid, Some("owner"))
    );
    let err = app
        .create_account(
            &r1,
            AccountKind::Reseller,
            new_account("r2", None),
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
}

async fn r1_2_logins_are_unique_across_the_server_whatever_the_case(env: Env) {
    let app = &env.app;
    let admin = admin(app).await;
    reseller(app, "acme").await;
    let err = app
        .create_account(
            &admin,
            AccountKind::Customer,
            new_account("ACME", None),
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::Conflict, Some("login"))
    );
    let err = app
        .create_account(
            &admin,
            AccountKind::Customer,
            new_account("Admin", None),
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::Conflict, Some("login"))
    );
    customer(app, &admin, "bob").await;
    let rename = AccountUpdate {
        new_login: Some("Acme".into()),
        ..Default::default()
    };
    let err = app
        .update_account(&admin, AccountKind::Customer, "bob", rename, Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::Conflict, Some("new_login"))
    );
}

async fn r1_2_every_bad_field_is_refused_with_its_name_and_nothing_written(env: Env) {
    let app = &env.app;
    let admin = admin(app).await;
    let with = |f: &dyn Fn(&mut NewAccount)| {
        let mut n = new_account("valid", None);
        f(&mut n);
        n
    };
    let cases: Vec<(&str, NewAccount)> = vec![
        ("login", with(&|n| n.login = "-bad".into())),
        ("login", with(&|n| n.login = "a".repeat(61))),
        ("login", with(&|n| n.login = "bad login".into())),
        ("password", with(&|n| n.password = "short".into())),
        ("password", with(&|n| n.password = "Valid".into())),
        ("password", with(&|n| n.password = "valid".into())),
        ("name", with(&|n| n.contact.name = None)),
        ("name", with(&|n| n.contact.name = Some("x".repeat(256)))),
        (
            "email",
            with(&|n| n.contact.email = Some("not-an-email".into())),
        ),
        ("email", with(&|n| n.contact.email = None)),
        ("phone", with(&|n| n.contact.phone = Some("call me".into()))),
        ("fax", with(&|n| n.contact.fax = Some("fax!".into()))),
        (
            "company",
            with(&|n| n.contact.company = Some("c".repeat(256))),
        ),
        (
            "address",
            with(&|n| n.contact.address = Some("a".repeat(256))),
        ),
        ("city", with(&|n| n.contact.city = Some("c".repeat(256)))),
        ("state", with(&|n| n.contact.state = Some("s".repeat(256)))),
        (
            "postal_code",
            with(&|n| n.contact.postal_code = Some("75/001".into())),
        ),
        ("country", with(&|n| n.contact.country = Some("FRA".into()))),
        (
            "locale",
            with(&|n| n.contact.locale = Some("french".into())),
        ),
        (
            "description",
            with(&|n| n.description = Some("d".repeat(4001))),
        ),
        (
            "external_id",
            with(&|n| n.external_id = Some("e".repeat(256))),
        ),
        ("owner", with(&|n| n.owner = Some("nobody".into()))),
        ("owner", with(&|n| n.owner = Some("Bad Owner".into()))),
    ];
    for (field, input) in cases {
        let err = app
            .create_account(&admin, AccountKind::Customer, input, Mode::Apply)
            .await
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some(field), "{err:?}");
        assert!(
            matches!(err.code, ErrorCode::Invalid | ErrorCode::NotFound),
            "{err:?}"
        );
        assert!(
            !err.message.contains("valid-password"),
            "no secret in messages"
        );
    }
    assert!(
        logins(app, &admin, AccountKind::Customer, ListRequest::default())
            .await
            .is_empty()
    );

    customer(app, &admin, "carol").await;
    let bad_updates: Vec<(&str, AccountUpdate)> = vec![
        (
            "new_login",
            AccountUpdate {
                new_login: Some("no way".into()),
                ..Default::default()
            },
        ),
        (
            "password",
            AccountUpdate {
                password: Some("1234567".into()),
                ..Default::default()
            },
        ),
        (
            "email",
            AccountUpdate {
                contact: ContactInput {
                    email: Some("x@".into()),
                    ..Default::default()
                },
                ..Default::default()
            },
        ),
        (
            "country",
            AccountUpdate {
                contact: ContactInput {
                    country: Some("ZZ".into()),
                    ..Default::default()
                },
                ..Default::default()
            },
        ),
        ("update", AccountUpdate::default()),
    ];
    for (field, update) in bad_updates {
        let err = app
            .update_account(&admin, AccountKind::Customer, "carol", update, Mode::Apply)
            .await
            .unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (ErrorCode::Invalid, Some(field)),
            "{err:?}"
        );
    }
    let carol = app
        .account_info(&admin, AccountKind::Customer, "carol")
        .await
        .unwrap();
    assert_eq!(carol.email, "carol@example.com");
    assert!(app.authenticate("carol", "carol-password").await.is_ok());
}

async fn r1_4_owner_changes_login_and_password_and_nothing_is_sent(env: Env) {
    let app = &env.app;
    let r1 = reseller(app, "r1").await;
    customer(app, &r1, "dave").await;
    let update = AccountUpdate {
        new_login: Some("David".into()),
        password: Some("brand-new-secret".into()),
        ..Default::default()
    };
    let out = app
        .update_account(&r1, AccountKind::Customer, "dave", update, Mode::Apply)
        .await
        .unwrap();
    assert_eq!(out.account.login, "david");
    assert_eq!(out.changed, ["login", "password"]);
    assert!(out.notice.unwrap().contains("not sent"));
    assert!(app.authenticate("dave", "dave-password").await.is_err());
    assert!(app.authenticate("david", "dave-password").await.is_err());
    assert!(app.authenticate("David", "brand-new-secret").await.is_ok());

    let me = app.actor(Some("david")).await.unwrap();
    let own_password = AccountUpdate {
        password: Some("mine-now-123".into()),
        ..Default::default()
    };
    assert!(
        app.update_account(
            &me,
            AccountKind::Customer,
            "david",
            own_password,
            Mode::Apply
        )
        .await
        .is_ok()
    );
    let own_login = AccountUpdate {
        new_login: Some("dee".into()),
        ..Default::default()
    };
    let err = app
        .update_account(&me, AccountKind::Customer, "david", own_login, Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    let contact = AccountUpdate {
        contact: ContactInput {
            city: Some("Nantes".into()),
            company: Some(String::new()),
            ..Default::default()
        },
        ..Default::default()
    };
    let out = app
        .update_account(&me, AccountKind::Customer, "david", contact, Mode::Apply)
        .await
        .unwrap();
    assert_eq!(out.changed, ["city"]);
    assert_eq!(out.notice, None);
}

async fn r1_5_descriptions_are_seen_by_owner_and_admin_only(env: Env) {
    let app = &env.app;
    let admin = admin(app).await;
    let r1 = reseller(app, "r1").await;
    let mut input = new_account("eve", None);
    input.description = Some("pays late".into());
    app.create_account(&r1, AccountKind::Customer, input, Mode::Apply)
        .await
        .unwrap();
    let eve = app.actor(Some("eve")).await.unwrap();
    let by_owner = app
        .account_info(&r1, AccountKind::Customer, "eve")
        .await
        .unwrap();
    assert_eq!(by_owner.description.as_deref(), Some("pays late"));
    let by_admin = app
        .account_info(&admin, AccountKind::Customer, "eve")
        .await
        .unwrap();
    assert_eq!(by_admin.description.as_deref(), Some("pays late"));
    let by_self = app
        .account_info(&eve, AccountKind::Customer, "eve")
        .await
        .unwrap();
    assert_eq!(by_self.description, None);
    let json = serde_json::to_value(&by_self).unwrap();
    assert!(json.get("description").is_none(), "not even as null");
    let edit = AccountUpdate {
        description: Some("pays on time now".into()),
        ..Default::default()
    };
    let out = app
        .update_account(&admin, AccountKind::Customer, "eve", edit, Mode::Apply)
        .await
        .unwrap();
    assert_eq!(out.account.description.as_deref(), Some("pays on time now"));
    let listed = app
        .list_accounts(&r1, AccountKind::Customer, ListRequest::default())
        .await
        .unwrap();
    assert_eq!(
        listed.items[0].description.as_deref(),
        Some("pays on time now")
    );
    let self_edit = AccountUpdate {
        description: Some("I am great".into()),
        ..Default::default()
    };
    let err = app
        .update_account(&eve, AccountKind::Customer, "eve", self_edit, Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
}

async fn r11_2_reseller_sees_only_its_own_customers_others_are_not_found(env: Env) {
    let app = &env.app;
    let admin = admin(app).await;
    let r1 = reseller(app, "r1").await;
    let r2 = reseller(app, "r2").await;
    customer(app, &r1, "mine").await;
    customer(app, &r2, "theirs").await;
    customer(app, &admin, "admins").await;
    for other in ["theirs", "admins"] {
        let err = app
            .account_info(&r1, AccountKind::Customer, other)
            .await
            .unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (ErrorCode::NotFound, Some("login"))
        );
        let upd = AccountUpdate {
            contact: ContactInput {
                city: Some("X".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(
            app.update_account(&r1, AccountKind::Customer, other, upd, Mode::Apply)
                .await
                .unwrap_err()
                .code,
            ErrorCode::NotFound
        );
        let removed = app
            .remove_accounts(
                &r1,
                AccountKind::Customer,
                &[other.to_owned()],
                Mode::Apply,
                &NoProgress,
            )
            .await;
        assert_eq!(removed[0].error.as_ref().unwrap().code, ErrorCode::NotFound);
    }
    assert_eq!(
        logins(app, &r1, AccountKind::Customer, ListRequest::default()).await,
        ["mine"]
    );
    let err = app
        .list_accounts(
            &r1,
            AccountKind::Customer,
            ListRequest {
                owner: Some("r2".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::NotFound, Some("owner"))
    );
    let err = app
        .create_account(
            &r1,
            AccountKind::Customer,
            new_account("sneaky", Some("r2")),
            Mode::Apply,
        )
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::NotFound, Some("owner"))
    );
    assert_eq!(
        app.list_accounts(&r1, AccountKind::Reseller, ListRequest::default())
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    let err = app
        .account_info(&r1, AccountKind::Reseller, "r2")
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    assert_eq!(
        app.account_info(&r1, AccountKind::Reseller, "r1")
            .await
            .unwrap()
            .login,
        "r1"
    );
    let all = logins(app, &admin, AccountKind::Customer, ListRequest::default()).await;
    assert_eq!(all, ["admins", "mine", "theirs"]);
}

async fn r11_2_customers_see_only_themselves(env: Env) {
    let app = &env.app;
    let admin = admin(app).await;
    let c1 = customer(app, &admin, "c1").await;
    customer(app, &admin, "c2").await;
    assert_eq!(
        app.account_info(&c1, AccountKind::Customer, "c2")
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    assert_eq!(
        app.list_accounts(&c1, AccountKind::Customer, ListRequest::default())
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    assert_eq!(
        app.create_account(
            &c1,
            AccountKind::Customer,
            new_account("c3", None),
            Mode::Apply
        )
        .await
        .unwrap_err()
        .code,
        ErrorCode::Forbidden
    );
    let removed = app
        .remove_accounts(
            &c1,
            AccountKind::Customer,
            &["c1".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(
        removed[0].error.as_ref().unwrap().code,
        ErrorCode::Forbidden
    );
    assert_eq!(
        app.actor(Some("ghost")).await.unwrap_err().field.as_deref(),
        Some("as")
    );
}

async fn r1_8_removing_a_reseller_removes_its_customers(env: Env) {
    let app = &env.app;
    let admin = admin(app).await;
    let r1 = reseller(app, "r1").await;
    customer(app, &r1, "a").await;
    customer(app, &r1, "b").await;
    customer(app, &admin, "keep").await;
    let out = app
        .remove_accounts(
            &admin,
            AccountKind::Reseller,
            &["r1".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert!(out[0].ok);
    assert_eq!(out[0].result.as_ref().unwrap().with_accounts, ["a", "b"]);
    assert_eq!(
        logins(app, &admin, AccountKind::Customer, ListRequest::default()).await,
        ["keep"]
    );
    assert!(
        logins(app, &admin, AccountKind::Reseller, ListRequest::default())
            .await
            .is_empty()
    );
    let err = app
        .remove_accounts(
            &admin,
            AccountKind::Customer,
            &["admin".into()],
            Mode::Apply,
            &NoProgress,
        )
        .await;
    assert_eq!(
        err[0].error.as_ref().unwrap().code,
        ErrorCode::NotFound,
        "admin is not a customer"
    );
}

async fn r1_8_bulk_removal_reports_per_object_and_a_failure_undoes_nothing_else(env: Env) {
    let app = &env.app;
    let admin = admin(app).await;
    customer(app, &admin, "x").await;
    customer(app, &admin, "y").await;
    let names: Vec<String> = ["x", "missing", "y"].map(String::from).to_vec();
    let out = app
        .remove_accounts(
            &admin,
            AccountKind::Customer,
            &names,
            Mode::Apply,
            &NoProgress,
        )
        .await;
    let summary: Vec<(&str, bool)> = out.iter().map(|i| (i.name.as_str(), i.ok)).collect();
    assert_eq!(summary, [("x", true), ("missing", false), ("y", true)]);
    let json = serde_json::to_value(&out[1]).unwrap();
    assert_eq!(json["error"]["code"], "not_found");
    assert!(
        logins(app, &admin, AccountKind::Customer, ListRequest::default())
            .await
            .is_empty()
    );
}

async fn r3_10_dry_runs_write_nothing(env: Env) {
    let app = &env.app;
    let admin = admin(app).await;
    let preview = app
        .create_account(
            &admin,
            AccountKind::Reseller,
            new_account("maybe", None),
            Mode::DryRun,
        )
        .await
        .unwrap();
    assert_eq!(preview.login, "maybe");
    assert!(
        app.account_info(&admin, AccountKind::Reseller, "maybe")
            .await
            .is_err()
    );
    let r1 = reseller(app, "r1").await;
    customer(app, &r1, "c").await;
    let rename = AccountUpdate {
        new_login: Some("renamed".into()),
        ..Default::default()
    };
    let out = app
        .update_account(&admin, AccountKind::Reseller, "r1", rename, Mode::DryRun)
        .await
        .unwrap();
    assert!(out.dry_run && out.account.login == "renamed");
    assert!(
        app.account_info(&admin, AccountKind::Reseller, "r1")
            .await
            .is_ok()
    );
    let out = app
        .remove_accounts(
            &admin,
            AccountKind::Reseller,
            &["r1".into()],
            Mode::DryRun,
            &NoProgress,
        )
        .await;
    let report = out[0].result.as_ref().unwrap();
    assert!(report.dry_run);
    assert_eq!(report.with_accounts, ["c"]);
    assert_eq!(
        logins(app, &admin, AccountKind::Customer, ListRequest::default()).await,
        ["c"]
    );
}

async fn r1_9_lists_search_filter_sort_and_page(env: Env) {
    let app = &env.app;
    let admin = admin(app).await;
    for (login, name, company) in [
        ("c1", "Zed Zimmer", "Omega"),
        ("c2", "anna Adams", "Alpha Hosting"),
        ("c3", "Émile Blanc", "Beta"),
        ("c4", "bob Brown", "alpha web"),
        ("c5", "Carl Case", ""),
    ] {
        let mut n = new_account(login, None);
        n.contact.name = Some(name.into());
        n.contact.company = Some(company.into());
        app.create_account(&admin, AccountKind::Customer, n, Mode::Apply)
            .await
            .unwrap();
    }
    let list = |sort: &str, search: Option<&str>| ListRequest {
        sort: Some(sort.into()),
        search: search.map(str::to_owned),
        ..Default::default()
    };
    assert_eq!(
        logins(app, &admin, AccountKind::Customer, list("name", None)).await,
        ["c2", "c4", "c5", "c1", "c3"]
    );
    assert_eq!(
        logins(app, &admin, AccountKind::Customer, list("name:desc", None)).await,
        ["c3", "c1", "c5", "c4", "c2"]
    );
    assert_eq!(
        logins(
            app,
            &admin,
            AccountKind::Customer,
            list("login", Some("ALPHA"))
        )
        .await,
        ["c2", "c4"]
    );
    assert_eq!(
        logins(
            app,
            &admin,
            AccountKind::Customer,
            list("login", Some("émile"))
        )
        .await,
        ["c3"]
    );
    let active = ListRequest {
        status: Some("active".into()),
        ..Default::default()
    };
    assert_eq!(
        logins(app, &admin, AccountKind::Customer, active)
            .await
            .len(),
        5
    );
    let suspended = ListRequest {
        status: Some("suspended".into()),
        ..Default::default()
    };
    assert!(
        logins(app, &admin, AccountKind::Customer, suspended)
            .await
            .is_empty()
    );

    let mut walked = vec![];
    let mut after = None;
    loop {
        let page = app
            .list_accounts(
                &admin,
                AccountKind::Customer,
                ListRequest {
                    limit: Some(2),
                    after: after.clone(),
                    sort: Some("company:desc".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        walked.extend(page.items.iter().map(|a| a.login.clone()));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(walked, ["c1", "c3", "c4", "c2", "c5"]);
    let by_login = ListRequest {
        after: Some("c3".into()),
        ..Default::default()
    };
    assert_eq!(
        logins(app, &admin, AccountKind::Customer, by_login).await,
        ["c4", "c5"]
    );

    for (field, request) in [
        (
            "sort",
            ListRequest {
                sort: Some("password".into()),
                ..Default::default()
            },
        ),
        (
            "status",
            ListRequest {
                status: Some("sleeping".into()),
                ..Default::default()
            },
        ),
        (
            "limit",
            ListRequest {
                limit: Some(0),
                ..Default::default()
            },
        ),
        (
            "after",
            ListRequest {
                after: Some("nobody".into()),
                ..Default::default()
            },
        ),
        (
            "owner",
            ListRequest {
                owner: Some("c1".into()),
                ..Default::default()
            },
        ),
    ] {
        let err = app
            .list_accounts(&admin, AccountKind::Customer, request)
            .await
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some(field), "{err:?}");
    }
}

async fn clock_gives_every_timestamp(env: Env) {
    let app = &env.app;
    let admin = admin(app).await;
    let c = app
        .create_account(
            &admin,
            AccountKind::Customer,
            new_account("timed", None),
            Mode::Apply,
        )
        .await
        .unwrap();
    let now = common::clock().0;
    assert_eq!((c.created, c.updated), (now, now));
    let stored = app
        .account_info(&admin, AccountKind::Customer, "timed")
        .await
        .unwrap();
    assert_eq!(stored.created, now);
}

async fn authentication_checks_the_argon2id_hash(env: Env) {
    let app = &env.app;
    assert_eq!(
        app.authenticate("admin", ADMIN_PASSWORD)
            .await
            .unwrap()
            .kind,
        AccountKind::Admin
    );
    assert_eq!(
        app.authenticate("ADMIN", ADMIN_PASSWORD)
            .await
            .unwrap()
            .login
            .as_str(),
        "admin"
    );
    let wrong = app.authenticate("admin", "nope-nope").await.unwrap_err();
    let unknown = app
        .authenticate("nobody", ADMIN_PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(
        wrong, unknown,
        "unknown login and wrong password look the same"
    );
}
