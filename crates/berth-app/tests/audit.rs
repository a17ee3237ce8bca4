//! The audit log's field changes (R10.9, R11.4) through the service layer, on SQLite and
//! PostgreSQL: recorded inside the use case's transaction, exactly the changed fields,
//! secrets redacted, cascades as counts, visibility by account, export equal to the list.

mod common;

use berth_app::accounts::{AccountUpdate, NewAccount};
use berth_app::audit::{AuditListRequest, AuditView, ChangeView, ScopeRequest, within};
use berth_app::plans::Assignment;
use berth_app::subscriptions::NewSubscription;
use berth_app::{Berth, Mode, NoProgress};
use berth_core::ErrorCode;
use berth_core::account::{AccountKind, ContactInput};
use berth_core::property::{Group, PlanType};
use berth_core::rights::Actor;
use common::Env;

on_both_backends!(
    r10_9_customer_update_records_exactly_the_changed_fields,
    r10_9_failed_and_dry_run_operations_record_no_changes,
    r10_9_password_change_is_redacted,
    r10_9_plan_update_records_its_properties_and_the_synced_count,
    r10_9_reseller_suspension_records_the_cascade_as_counts,
    r10_9_other_accounts_entries_are_not_listed,
    r10_9_changes_share_the_request_entry_and_filters_find_them,
    r10_9_export_contains_the_same_entries_as_the_list,
);

fn account(login: &str) -> NewAccount {
    NewAccount {
        login: login.into(),
        password: format!("{login}-password"),
        contact: ContactInput {
            name: Some(login.into()),
            email: Some(format!("{login}@example.com")),
            ..Default::default()
        },
        ..Default::default()
    }
}

async fn everything(app: &Berth, actor: &Actor) -> Vec<AuditView> {
    app.list_audit(
        actor,
        AuditListRequest {
            limit: Some(1000),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .items
}

fn change(object: &str, field: &str, before: Option<&str>, after: Option<&str>) -> ChangeView {
    ChangeView {
        object: object.into(),
        field: field.into(),
        before: before.map(str::to_owned),
        after: after.map(str::to_owned),
    }
}

async fn r10_9_customer_update_records_exactly_the_changed_fields(env: Env) {
    let app = env.app;
    let admin = app.actor(None).await.unwrap();
    app.create_account(&admin, AccountKind::Customer, account("bob"), Mode::Apply)
        .await
        .unwrap();
    let update = AccountUpdate {
        contact: ContactInput {
            email: Some("new@example.com".into()),
            city: Some("Lyon".into()),
            name: Some("bob".into()), // unchanged: no row
            ..Default::default()
        },
        ..Default::default()
    };
    app.update_account(&admin, AccountKind::Customer, "bob", update, Mode::Apply)
        .await
        .unwrap();
    let entries = everything(&app, &admin).await;
    assert_eq!(entries.len(), 2, "{entries:#?}");
    let (update, create) = (&entries[0], &entries[1]);
    assert_eq!(
        update.changes,
        vec![
            change(
                "customer bob",
                "email",
                Some("bob@example.com"),
                Some("new@example.com")
            ),
            change("customer bob", "city", None, Some("Lyon")),
        ]
    );
    assert_eq!(update.actor, "admin");
    assert_eq!(update.interface, "internal");
    assert_eq!(update.action, "account update");
    // The creation has no before values, and its password only as redacted.
    assert!(create.changes.iter().all(|c| c.before.is_none()));
    let password = create
        .changes
        .iter()
        .find(|c| c.field == "password")
        .unwrap();
    assert_eq!(password.after.as_deref(), Some("[redacted]"));
    assert!(
        create
            .changes
            .iter()
            .any(|c| c.field == "login" && c.after.as_deref() == Some("bob"))
    );
}

async fn r10_9_failed_and_dry_run_operations_record_no_changes(env: Env) {
    let app = env.app;
    let admin = app.actor(None).await.unwrap();
    app.create_account(&admin, AccountKind::Customer, account("bob"), Mode::Apply)
        .await
        .unwrap();
    app.create_account(&admin, AccountKind::Customer, account("ann"), Mode::Apply)
        .await
        .unwrap();
    let before = everything(&app, &admin).await.len();
    // Renaming bob to ann fails on the unique login after the change was prepared.
    let taken = AccountUpdate {
        new_login: Some("ann".into()),
        contact: ContactInput {
            city: Some("Paris".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let err = app
        .update_account(&admin, AccountKind::Customer, "bob", taken, Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict, "{err:?}");
    let dry = AccountUpdate {
        contact: ContactInput {
            city: Some("Paris".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    app.update_account(&admin, AccountKind::Customer, "bob", dry, Mode::DryRun)
        .await
        .unwrap();
    assert_eq!(everything(&app, &admin).await.len(), before);
}

async fn r10_9_password_change_is_redacted(env: Env) {
    let app = env.app;
    let admin = app.actor(None).await.unwrap();
    app.create_account(&admin, AccountKind::Customer, account("bob"), Mode::Apply)
        .await
        .unwrap();
    let update = AccountUpdate {
        password: Some("a-new-secret-42".into()),
        ..Default::default()
    };
    app.update_account(&admin, AccountKind::Customer, "bob", update, Mode::Apply)
        .await
        .unwrap();
    let entries = everything(&app, &admin).await;
    assert_eq!(
        entries[0].changes,
        vec![change(
            "customer bob",
            "password",
            Some("[redacted]"),
            Some("[redacted]")
        )]
    );
    let text = serde_json::to_string(&entries).unwrap();
    assert!(!text.contains("a-new-secret-42"));
    assert!(!text.contains("bob-password"));
    assert!(!text.contains("$argon2"));
}

fn limit(raw: &str) -> Assignment {
    (Group::Limits, raw.to_owned())
}

async fn r10_9_plan_update_records_its_properties_and_the_synced_count(env: Env) {
    let app = env.app;
    let admin = app.actor(None).await.unwrap();
    app.add_ip(&admin, "192.0.2.10", "shared", None, Mode::Apply)
        .await
        .unwrap();
    app.create_account(&admin, AccountKind::Customer, account("bob"), Mode::Apply)
        .await
        .unwrap();
    app.create_plan(
        &admin,
        "Basic",
        PlanType::Service,
        None,
        &[limit("disk_space=1G")],
        Mode::Apply,
    )
    .await
    .unwrap();
    for d in ["a.example", "b.example", "c.example"] {
        let input = NewSubscription {
            domain: d.into(),
            owner: Some("bob".into()),
            plan: Some("Basic".into()),
            ..Default::default()
        };
        app.create_subscription(&admin, input, Mode::Apply)
            .await
            .unwrap();
    }
    app.update_plan(
        &admin,
        "Basic",
        None,
        None,
        None,
        &[limit("disk_space=2G"), limit("max_site=5")],
        Mode::Apply,
    )
    .await
    .unwrap();
    let entries = everything(&app, &admin).await;
    let update = &entries[0];
    assert_eq!(update.action, "plan update");
    assert_eq!(
        update.changes,
        vec![
            change(
                "service plan Basic",
                "limits.disk_space",
                Some("1G"),
                Some("2G")
            ),
            change(
                "service plan Basic",
                "limits.max_site",
                Some("unlimited"),
                Some("5")
            ),
            change(
                "service plan Basic",
                "synced_subscriptions",
                None,
                Some("3")
            ),
        ]
    );
}

async fn r10_9_reseller_suspension_records_the_cascade_as_counts(env: Env) {
    let app = env.app;
    let admin = app.actor(None).await.unwrap();
    app.create_account(&admin, AccountKind::Reseller, account("r1"), Mode::Apply)
        .await
        .unwrap();
    let reseller = app.actor(Some("r1")).await.unwrap();
    for c in ["c1", "c2", "c3"] {
        app.create_account(&reseller, AccountKind::Customer, account(c), Mode::Apply)
            .await
            .unwrap();
    }
    app.suspend_accounts(
        &admin,
        AccountKind::Reseller,
        &["r1".into()],
        Mode::Apply,
        &NoProgress,
    )
    .await;
    let entries = everything(&app, &admin).await;
    let changes = &entries[0].changes;
    assert_eq!(
        changes,
        &vec![
            change("reseller r1", "status", Some("active"), Some("suspended")),
            change("reseller r1", "suspension_reasons", None, Some("admin")),
            change("reseller r1", "cascaded_accounts", None, Some("3")),
        ],
        "one row per field of the reseller, the customers as a count"
    );
}

async fn r10_9_other_accounts_entries_are_not_listed(env: Env) {
    let app = env.app;
    let admin = app.actor(None).await.unwrap();
    for r in ["r1", "r2"] {
        app.create_account(&admin, AccountKind::Reseller, account(r), Mode::Apply)
            .await
            .unwrap();
    }
    let r1 = app.actor(Some("r1")).await.unwrap();
    let r2 = app.actor(Some("r2")).await.unwrap();
    app.create_account(&r1, AccountKind::Customer, account("c1"), Mode::Apply)
        .await
        .unwrap();
    app.create_account(&r2, AccountKind::Customer, account("c2"), Mode::Apply)
        .await
        .unwrap();
    let c1 = app.actor(Some("c1")).await.unwrap();
    let own = everything(&app, &r1).await;
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].actor, "r1");
    assert!(own[0].changes.iter().all(|c| c.object == "customer c1"));
    assert!(everything(&app, &c1).await.is_empty());
    // Asking for another account's entries is "not found", not an empty page.
    let err = app
        .list_audit(
            &r1,
            AuditListRequest {
                actor: Some("r2".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    let filtered = app
        .list_audit(
            &r1,
            AuditListRequest {
                object: Some("c2".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(filtered.items.is_empty());
    assert_eq!(everything(&app, &admin).await.len(), 4);
}

async fn r10_9_changes_share_the_request_entry_and_filters_find_them(env: Env) {
    let app = env.app;
    let admin = app.actor(None).await.unwrap();
    let scope = app.audit_scope(ScopeRequest {
        request_id: "req-42".into(),
        interface: "api",
        source: Some("192.0.2.7".into()),
        action: "POST /api/v1/customers".into(),
        object: "names=bob,ann".into(),
    });
    within(scope.clone(), async {
        for login in ["bob", "ann"] {
            app.create_account(&admin, AccountKind::Customer, account(login), Mode::Apply)
                .await
                .unwrap();
        }
    })
    .await;
    app.create_account(&admin, AccountKind::Customer, account("eve"), Mode::Apply)
        .await
        .unwrap();
    let entries = everything(&app, &admin).await;
    assert_eq!(entries.len(), 2, "one entry per request: {entries:#?}");
    let request = entries.iter().find(|e| e.id == scope.entry_id()).unwrap();
    assert_eq!(request.request_id, "req-42");
    assert_eq!(request.interface, "api");
    assert_eq!(request.source.as_deref(), Some("192.0.2.7"));
    assert!(request.changes.iter().any(|c| c.object == "customer bob"));
    assert!(request.changes.iter().any(|c| c.object == "customer ann"));
    let find = |object: Option<&str>, action: Option<&str>, since: Option<&str>| {
        let app = app.clone();
        let admin = admin.clone();
        let request = AuditListRequest {
            object: object.map(str::to_owned),
            action: action.map(str::to_owned),
            since: since.map(str::to_owned),
            ..Default::default()
        };
        async move {
            app.list_audit(&admin, request)
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|e| e.request_id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(find(Some("ANN"), None, None).await, vec!["req-42"]);
    assert_eq!(find(Some("eve"), None, None).await.len(), 1);
    assert_eq!(find(None, Some("post /api"), None).await, vec!["req-42"]);
    assert_eq!(find(Some("nobody"), None, None).await.len(), 0);
    // The test clock stands at 2026-03-01 09:30 UTC.
    assert_eq!(find(None, None, Some("2026-03-01")).await.len(), 2);
    assert_eq!(find(None, None, Some("2026-03-02")).await.len(), 0);
    let err = app
        .list_audit(
            &admin,
            AuditListRequest {
                until: Some("yesterday".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("until"));
}

async fn r10_9_export_contains_the_same_entries_as_the_list(env: Env) {
    let app = env.app;
    let admin = app.actor(None).await.unwrap();
    for i in 0..5 {
        app.create_account(
            &admin,
            AccountKind::Customer,
            account(&format!("c{i}")),
            Mode::Apply,
        )
        .await
        .unwrap();
    }
    let listed = everything(&app, &admin).await;
    let request = AuditListRequest::default();
    let mut exported = Vec::new();
    let mut after = None;
    loop {
        let page = app
            .export_audit_page(&admin, &request, after)
            .await
            .unwrap();
        exported.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let ids = |v: &[AuditView]| v.iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(ids(&exported), ids(&listed));
    let lines: Vec<serde_json::Value> = exported
        .iter()
        .map(|e| serde_json::from_str(e.json_line().trim_end()).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert!(lines.iter().all(|l| l["changes"].as_array().is_some()));
    let csv: String = exported.iter().map(AuditView::csv_lines).collect();
    let changes: usize = exported.iter().map(|e| e.changes.len()).sum();
    assert_eq!(csv.lines().count(), changes);
}
