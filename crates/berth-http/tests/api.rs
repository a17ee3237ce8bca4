//! The REST API over a real loopback server, on SQLite and PostgreSQL: authentication,
//! error codes, rights (another owner's object is not found), dry runs, bad bodies,
//! health, and the OpenAPI document against the router.

mod common;

use common::{Auth, PASSWORD, Server, admin, basic};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

on_both_backends!(
    healthz_answers_when_the_database_does,
    authentication_basic_bearer_and_refusals,
    api_keys_revoked_and_ip_restricted,
    resellers_need_remote_access,
    error_codes_map_to_statuses,
    another_owners_objects_are_not_found,
    dry_run_writes_nothing,
    bad_bodies_are_4xx_json,
    openapi_document_covers_every_route,
    subscriptions_plans_and_ips_end_to_end,
    graceful_shutdown_stops_the_server,
    domains_and_dns_over_http,
    changes_are_in_the_audit_log,
    r10_9_field_changes_are_listed_filtered_and_exported,
    failed_logins_are_rate_limited,
    idempotency_keys_replay_the_first_answer,
    changes_answer_with_their_provisioning_job,
);

async fn create_customer(s: &Server, auth: &Auth, login: &str) -> Value {
    let (status, body) = s
        .post(
            "/api/v1/customers",
            auth,
            json!({"login": login, "password": PASSWORD, "name": "C", "email": format!("{login}@example.com")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn create_reseller(s: &Server, login: &str, extra: Value) -> Value {
    let mut body = json!({"login": login, "password": PASSWORD, "name": "R", "email": format!("{login}@example.com")});
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    let (status, body) = s.post("/api/v1/resellers", &admin(), body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn healthz_answers_when_the_database_does(s: Server) {
    let (status, body) = s.get("/healthz", &Auth::None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"status": "ok"}));
}

async fn authentication_basic_bearer_and_refusals(s: Server) {
    let response = s
        .request(Method::GET, "/api/v1/customers", &Auth::None)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        "Basic realm=\"berth\""
    );
    let (_, body) = common::answer(response).await;
    assert_eq!(body["error"]["code"], "unauthenticated");

    let wrong = Auth::Basic("admin".into(), "nope".into());
    assert_eq!(
        s.get("/api/v1/customers", &wrong).await.0,
        StatusCode::UNAUTHORIZED
    );
    let unknown = Auth::Basic("ghost".into(), "nope".into());
    assert_eq!(
        s.get("/api/v1/customers", &unknown).await.0,
        StatusCode::UNAUTHORIZED
    );
    let garbage = s
        .request(Method::GET, "/api/v1/customers", &Auth::None)
        .header(header::AUTHORIZATION, "Basic !!!")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), StatusCode::UNAUTHORIZED);

    let (status, page) = s.get("/api/v1/customers", &admin()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["items"], json!([]));

    // A customer sees itself only; suspended, it is refused.
    create_customer(&s, &admin(), "carol").await;
    let (status, me) = s.get("/api/v1/customers/carol", &basic("carol")).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["login"], "carol");
    let (status, _) = s
        .post(
            "/api/v1/customers/suspend",
            &admin(),
            json!({"names": ["carol"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = s.get("/api/v1/customers/carol", &basic("carol")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("suspended")
    );

    // Bearer keys act as their account.
    let (status, key) = s.post("/api/v1/api-keys", &admin(), json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    let secret = key["key"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("berth_"));
    assert_eq!(key["login"], "admin");
    let bearer = Auth::Bearer(secret);
    assert_eq!(s.get("/api/v1/customers", &bearer).await.0, StatusCode::OK);
    assert_eq!(
        s.get("/api/v1/customers", &Auth::Bearer("berth_00".into()))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // The key is not stored: lists never show it.
    let (_, keys) = s.get("/api/v1/api-keys", &admin()).await;
    assert_eq!(keys.as_array().unwrap().len(), 1);
    assert!(keys[0].get("key").is_none());
}

async fn api_keys_revoked_and_ip_restricted(s: Server) {
    let (_, far) = s
        .post("/api/v1/api-keys", &admin(), json!({"ips": ["192.0.2.1"]}))
        .await;
    assert_eq!(far["ips"], json!(["192.0.2.1"]));
    let far = Auth::Bearer(far["key"].as_str().unwrap().into());
    let (status, body) = s.get("/api/v1/ips", &far).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    let (_, near) = s
        .post("/api/v1/api-keys", &admin(), json!({"ips": ["127.0.0.1"]}))
        .await;
    let id = near["id"].as_str().unwrap().to_owned();
    let near = Auth::Bearer(near["key"].as_str().unwrap().into());
    assert_eq!(s.get("/api/v1/ips", &near).await.0, StatusCode::OK);

    let (status, revoked) = s
        .call(
            Method::DELETE,
            &format!("/api/v1/api-keys/{id}"),
            &admin(),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert_eq!(revoked["revoked"], true);
    assert_eq!(
        s.get("/api/v1/ips", &near).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = s
        .call(
            Method::DELETE,
            &format!("/api/v1/api-keys/{id}"),
            &admin(),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Another account's key is not found; bad addresses are invalid.
    create_customer(&s, &admin(), "dave").await;
    let (status, _) = s
        .call(
            Method::DELETE,
            &format!("/api/v1/api-keys/{id}"),
            &basic("dave"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = s
        .post("/api/v1/api-keys", &admin(), json!({"ips": ["nope"]}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["field"], "ip");
}

async fn resellers_need_remote_access(s: Server) {
    create_reseller(
        &s,
        "closed",
        json!({"permissions": {"remote_access_interface": false}}),
    )
    .await;
    let (status, body) = s.get("/api/v1/customers", &basic("closed")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("remote_access_interface")
    );

    create_reseller(
        &s,
        "open",
        json!({"permissions": {"remote_access_interface": true}}),
    )
    .await;
    assert_eq!(
        s.get("/api/v1/customers", &basic("open")).await.0,
        StatusCode::OK
    );
    // A key of a reseller that loses the permission stops working too.
    let (status, key) = s.post("/api/v1/api-keys", &basic("open"), json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    let bearer = Auth::Bearer(key["key"].as_str().unwrap().into());
    let (status, body) = s
        .call(
            Method::PATCH,
            "/api/v1/resellers/open",
            &admin(),
            Some(json!({"permissions": {"remote_access_interface": false}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        s.get("/api/v1/customers", &bearer).await.0,
        StatusCode::FORBIDDEN
    );
}

async fn error_codes_map_to_statuses(s: Server) {
    // invalid → 400 with the field
    let (status, body) = s
        .post(
            "/api/v1/customers",
            &admin(),
            json!({"login": "x1", "password": PASSWORD, "name": "X", "email": "not-an-email"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid");
    assert_eq!(body["error"]["field"], "email");
    // not_found → 404
    let (status, body) = s.get("/api/v1/customers/nobody", &admin()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    // conflict → 409
    create_customer(&s, &admin(), "erin").await;
    let (status, body) = s
        .post(
            "/api/v1/customers",
            &admin(),
            json!({"login": "erin", "password": PASSWORD, "name": "E", "email": "e2@example.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "conflict");
    // forbidden → 403: a customer may not create resellers
    let (status, body) = s
        .post(
            "/api/v1/resellers",
            &basic("erin"),
            json!({"login": "r9", "password": PASSWORD, "name": "R", "email": "r9@example.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");
    // limit_exceeded → 422: a reseller allowed one customer creates a second
    create_reseller(
        &s,
        "rita",
        json!({"limits": {"max_cl": 1}, "permissions": {"remote_access_interface": true}}),
    )
    .await;
    create_customer(&s, &basic("rita"), "rc1").await;
    let (status, body) = s
        .post(
            "/api/v1/customers",
            &basic("rita"),
            json!({"login": "rc2", "password": PASSWORD, "name": "C", "email": "rc2@example.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "limit_exceeded");
    // bulk: per-object outcomes in the CLI's shape
    let (status, body) = s
        .post(
            "/api/v1/customers/suspend",
            &admin(),
            json!({"names": ["erin", "ghost"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body[0]["name"], "erin");
    assert_eq!(body[0]["ok"], true);
    assert_eq!(body[1]["ok"], false);
    assert_eq!(body[1]["error"]["code"], "not_found");
}

async fn another_owners_objects_are_not_found(s: Server) {
    let open = json!({"permissions": {"remote_access_interface": true}});
    create_reseller(&s, "ra", open.clone()).await;
    create_reseller(&s, "rb", open).await;
    create_customer(&s, &basic("ra"), "ra-cust").await;
    assert_eq!(
        s.get("/api/v1/customers/ra-cust", &basic("ra")).await.0,
        StatusCode::OK
    );
    for (method, path, body) in [
        (Method::GET, "/api/v1/customers/ra-cust", None),
        (
            Method::PATCH,
            "/api/v1/customers/ra-cust",
            Some(json!({"name": "Stolen"})),
        ),
        (Method::DELETE, "/api/v1/customers/ra-cust", None),
    ] {
        let (status, answer) = s.call(method, path, &basic("rb"), body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {answer}");
        assert!(!answer.to_string().contains("ra-cust@example.com"));
    }
    let (_, page) = s.get("/api/v1/customers", &basic("rb")).await;
    assert_eq!(page["items"], json!([]));
    // A customer does not see other customers either.
    create_customer(&s, &admin(), "solo").await;
    assert_eq!(
        s.get("/api/v1/customers/ra-cust", &basic("solo")).await.0,
        StatusCode::NOT_FOUND
    );
}

async fn dry_run_writes_nothing(s: Server) {
    let (status, body) = s
        .post(
            "/api/v1/customers?dry_run=true",
            &admin(),
            json!({"login": "ghosty", "password": PASSWORD, "name": "G", "email": "g@example.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["dry_run"], true);
    assert_eq!(body["login"], "ghosty");
    assert_eq!(
        s.get("/api/v1/customers/ghosty", &admin()).await.0,
        StatusCode::NOT_FOUND
    );

    create_customer(&s, &admin(), "real").await;
    let (status, body) = s
        .post(
            "/api/v1/customers/suspend?dry_run=true",
            &admin(),
            json!({"names": ["real"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body[0]["result"]["status"], "suspended");
    let (_, real) = s.get("/api/v1/customers/real", &admin()).await;
    assert_eq!(real["status"], "active");
    let (status, _) = s
        .call(
            Method::DELETE,
            "/api/v1/customers/real?dry_run=true",
            &admin(),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        s.get("/api/v1/customers/real", &admin()).await.0,
        StatusCode::OK
    );
    let (status, _) = s
        .post("/api/v1/api-keys?dry_run=true", &admin(), json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, keys) = s.get("/api/v1/api-keys", &admin()).await;
    assert_eq!(keys, json!([]));
}

async fn bad_bodies_are_4xx_json(s: Server) {
    let send =
        |rb: reqwest::RequestBuilder| async move { common::answer(rb.send().await.unwrap()).await };
    let post = || s.request(Method::POST, "/api/v1/customers", &admin());
    // malformed JSON
    let (status, body) = send(
        post()
            .header(header::CONTENT_TYPE, "application/json")
            .body("{\"login\":"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "body");
    // wrong type of a field, unknown field
    let (status, _) = send(post().json(&json!({"login": 5}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = send(post().json(&json!({"login": "a", "hacker": true}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // wrong content type, no content type
    let (status, body) = send(post().header(header::CONTENT_TYPE, "text/plain").body("{}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = send(post().body("{}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // oversized
    let huge = format!("{{\"login\": \"{}\"}}", "a".repeat(2 * 1024 * 1024));
    let (status, body) = send(
        post()
            .header(header::CONTENT_TYPE, "application/json")
            .body(huge),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    // bad query strings, unknown kinds and routes, wrong methods
    let (status, _) = s.get("/api/v1/customers?limit=many", &admin()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = s.get("/api/v1/customers?limit=0", &admin()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = s
        .get("/api/v1/subscriptions?overused=maybe", &admin())
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = s.get("/api/v1/martians", &admin()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s.get("/nowhere", &admin()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s
        .call(Method::PUT, "/api/v1/ips", &admin(), Some(json!({})))
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    // strange names in paths are just not found
    let (status, _) = s.get("/api/v1/subscriptions/%00%ff", &admin()).await;
    assert!(status.is_client_error(), "{status}");
    let (status, _) = s.get("/api/v1/plans/..%2f..", &admin()).await;
    assert!(status.is_client_error(), "{status}");
}

/// Every route the router serves is in the document: each documented operation, called
/// without credentials, reaches its handler (401), not the router's 404/405; and the
/// expected routes are all documented.
async fn openapi_document_covers_every_route(s: Server) {
    let (status, doc) = s.get("/api/v1/openapi.json", &Auth::None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc, serde_json::to_value(berth_http::openapi()).unwrap());
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = Vec::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            if !["get", "post", "patch", "delete", "put"].contains(&method.as_str()) {
                continue;
            }
            assert!(
                op["responses"]["401"].is_object(),
                "{method} {path}: no 401 documented"
            );
            operations.push(format!("{} {path}", method.to_uppercase()));
            let concrete = path
                .replace("{kind}", "customers")
                .replace("{login}", "x")
                .replace("{name}", "x")
                .replace("{domain}", "x.example")
                .replace("{ip}", "192.0.2.1")
                .replace("{id}", "x")
                .replace("{alias}", "a.example");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (status, body) = s
                .call(method, &format!("/api/v1{concrete}"), &Auth::None, None)
                .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {body}");
        }
    }
    let expected = [
        "GET /{kind}",
        "POST /{kind}",
        "GET /{kind}/{login}",
        "PATCH /{kind}/{login}",
        "DELETE /{kind}/{login}",
        "POST /{kind}/remove",
        "POST /{kind}/suspend",
        "POST /{kind}/activate",
        "POST /{kind}/convert",
        "POST /{kind}/move",
        "GET /{kind}/{login}/overview",
        "POST /{kind}/{login}/ip-pool/add",
        "POST /{kind}/{login}/ip-pool/remove",
        "GET /plans",
        "POST /plans",
        "GET /plans/{name}",
        "PATCH /plans/{name}",
        "DELETE /plans/{name}",
        "GET /subscriptions",
        "POST /subscriptions",
        "GET /subscriptions/{domain}",
        "PATCH /subscriptions/{domain}",
        "DELETE /subscriptions/{domain}",
        "POST /subscriptions/{domain}/customize",
        "POST /subscriptions/{domain}/sync",
        "POST /subscriptions/{domain}/renew",
        "POST /subscriptions/remove",
        "POST /subscriptions/suspend",
        "POST /subscriptions/activate",
        "POST /subscriptions/change-plan",
        "POST /subscriptions/add-addon",
        "POST /subscriptions/remove-addon",
        "POST /subscriptions/unlock",
        "POST /subscriptions/change-subscriber",
        "GET /ips",
        "POST /ips",
        "PATCH /ips/{ip}",
        "DELETE /ips/{ip}",
        "POST /ips/remove",
        "GET /api-keys",
        "POST /api-keys",
        "DELETE /api-keys/{id}",
        "GET /sites",
        "POST /sites",
        "POST /sites/remove",
        "GET /aliases",
        "POST /aliases",
        "PATCH /aliases/{alias}",
        "POST /aliases/remove",
        "GET /subdomains",
        "POST /subdomains",
        "POST /subdomains/remove",
        "GET /dns/zones/{domain}",
        "POST /dns/zones/{domain}/records",
        "POST /dns/zones/{domain}/records/remove",
        "GET /dns/template",
        "PUT /dns/template",
        "POST /dns/template/apply",
        "GET /audit",
        "GET /audit/export",
        "GET /vhost-template",
        "PUT /vhost-template",
        "DELETE /vhost-template",
        "GET /jobs/{id}",
        "GET /subscriptions/{domain}/provisioning",
    ];
    for route in expected {
        assert!(
            operations.iter().any(|o| o == route),
            "{route} is not documented"
        );
    }
    assert_eq!(operations.len(), expected.len(), "{operations:?}");
    // Every schema reference resolves.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{name} is not defined"
        );
    }
}

async fn subscriptions_plans_and_ips_end_to_end(s: Server) {
    let a = admin();
    let (status, ip) = s
        .post(
            "/api/v1/ips",
            &a,
            json!({"ip": "192.0.2.10", "type": "shared"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ip}");
    assert_eq!(ip["type"], "shared");
    let (status, plan) = s
        .post(
            "/api/v1/plans",
            &a,
            json!({"name": "Basic", "limits": {"disk_space": "10G", "max_site": 3}, "permissions": {"manage_dns": true}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{plan}");
    assert_eq!(plan["type"], "service");
    assert_eq!(plan["limits"]["max_site"], 3);
    let (status, addon) = s
        .post(
            "/api/v1/plans",
            &a,
            json!({"name": "More", "type": "addon", "limits": {"max_site": 2}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{addon}");
    let (status, plans) = s.get("/api/v1/plans?type=addon", &a).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(plans.as_array().unwrap().len(), 1);

    create_customer(&s, &a, "sub-owner").await;
    let (status, sub) = s
        .post(
            "/api/v1/subscriptions",
            &a,
            json!({"domain": "Café.example", "owner": "sub-owner", "plan": "Basic"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sub}");
    assert_eq!(sub["name"], "café.example");
    assert_eq!(sub["ascii_name"], "xn--caf-dma.example");
    assert_eq!(sub["plan"], "Basic");
    assert_eq!(sub["ips"], json!(["192.0.2.10"]));
    assert!(sub["system_password"].is_string());

    let (status, page) = s
        .get(
            "/api/v1/subscriptions?owner=sub-owner&sync_state=synced&search=caf",
            &a,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let (_, customer_view) = s
        .get("/api/v1/subscriptions/café.example", &basic("sub-owner"))
        .await;
    assert_eq!(customer_view["name"], "café.example");

    let (status, body) = s
        .post(
            "/api/v1/subscriptions/add-addon",
            &a,
            json!({"names": ["café.example"], "addon": "More"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body[0]["ok"], true, "{body}");
    assert_eq!(body[0]["result"]["limits"]["max_site"], 5);
    let (status, body) = s
        .post(
            "/api/v1/subscriptions/café.example/customize",
            &a,
            json!({"limits": {"max_site": 9}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["sync_state"], "locked");
    let (_, body) = s
        .post(
            "/api/v1/subscriptions/unlock",
            &a,
            json!({"names": ["café.example"]}),
        )
        .await;
    assert_eq!(body[0]["result"]["sync_state"], "synced", "{body}");
    let (status, body) = s
        .post(
            "/api/v1/subscriptions/café.example/renew",
            &a,
            json!({"expiration": "2027-01-31"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["expiration"], "2027-01-31");
    let (status, body) = s
        .post(
            "/api/v1/subscriptions/café.example/renew",
            &a,
            json!({"expiration": "someday"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (_, body) = s
        .post(
            "/api/v1/subscriptions/suspend",
            &a,
            json!({"names": ["café.example"]}),
        )
        .await;
    assert_eq!(body[0]["result"]["status"], "suspended", "{body}");
    let (_, body) = s
        .post(
            "/api/v1/subscriptions/change-plan",
            &a,
            json!({"names": ["café.example"], "plan": null}),
        )
        .await;
    assert_eq!(body[0]["result"]["plan"], Value::Null, "{body}");
    let (status, body) = s
        .call(
            Method::PATCH,
            "/api/v1/plans/Basic",
            &a,
            Some(json!({"limits": {"max_site": 4}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = s
        .call(
            Method::DELETE,
            "/api/v1/subscriptions/café.example",
            &a,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        s.get("/api/v1/subscriptions/café.example", &a).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, _) = s
        .call(Method::DELETE, "/api/v1/plans/Basic", &a, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = s
        .call(
            Method::PATCH,
            "/api/v1/ips/192.0.2.10",
            &a,
            Some(json!({"interface": "eth0"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = s
        .call(Method::DELETE, "/api/v1/ips/192.0.2.10", &a, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Reseller routes: overview and pool.
    create_reseller(&s, "pooler", json!({})).await;
    let (status, body) = s.get("/api/v1/resellers/pooler/overview", &a).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = s.get("/api/v1/customers/sub-owner/overview", &a).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn graceful_shutdown_stops_the_server(s: Server) {
    let base = s.base.clone();
    assert_eq!(s.get("/healthz", &Auth::None).await.0, StatusCode::OK);
    s.shutdown().await;
    assert!(reqwest::get(format!("{base}/healthz")).await.is_err());
}

async fn domains_and_dns_over_http(s: Server) {
    let a = admin();
    s.post(
        "/api/v1/ips",
        &a,
        json!({"ip": "192.0.2.20", "type": "shared"}),
    )
    .await;
    let (status, plan) = s
        .post(
            "/api/v1/plans",
            &a,
            json!({"name": "Web", "limits": {"max_site": 2, "max_subdom": 2, "max_dom_aliases": 2}, "permissions": {"manage_dns": true}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{plan}");
    create_customer(&s, &a, "webber").await;
    create_customer(&s, &a, "other").await;
    let (status, sub) = s
        .post(
            "/api/v1/subscriptions",
            &a,
            json!({"domain": "web.example", "owner": "webber", "plan": "Web"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sub}");
    let w = basic("webber");
    let (status, site) = s
        .post(
            "/api/v1/sites",
            &w,
            json!({"domain": "shop.example", "subscription": "web.example"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{site}");
    let (status, alias) = s
        .post(
            "/api/v1/aliases",
            &w,
            json!({"alias": "web.example.net", "domain": "web.example"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{alias}");
    let (status, body) = s
        .call(
            Method::PATCH,
            "/api/v1/aliases/web.example.net",
            &w,
            Some(json!({"web": "same"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, sub) = s
        .post(
            "/api/v1/subdomains",
            &w,
            json!({"name": "blog", "domain": "web.example"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sub}");
    let (_, sites) = s.get("/api/v1/sites?subscription=web.example", &w).await;
    assert!(sites.to_string().contains("shop.example"), "{sites}");
    let (_, subs) = s.get("/api/v1/subdomains?domain=web.example", &w).await;
    assert!(subs.to_string().contains("blog.web.example"), "{subs}");

    let (status, zone) = s.get("/api/v1/dns/zones/web.example", &w).await;
    assert_eq!(status, StatusCode::OK, "{zone}");
    assert_eq!(zone["ascii_name"], "web.example");
    assert!(zone["records"].as_array().unwrap().len() > 1);
    let record = json!({"type": "TXT", "host": "@", "value": "hello"});
    let (status, body) = s
        .post("/api/v1/dns/zones/web.example/records", &w, record.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, zone) = s.get("/api/v1/dns/zones/web.example", &w).await;
    assert!(zone.to_string().contains("hello"));
    let (status, body) = s
        .post("/api/v1/dns/zones/web.example/records/remove", &w, record)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, zone) = s.get("/api/v1/dns/zones/web.example", &w).await;
    assert!(!zone.to_string().contains("hello"));

    // Another customer sees none of it.
    let o = basic("other");
    assert_eq!(
        s.get("/api/v1/dns/zones/web.example", &o).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, body) = s
        .post(
            "/api/v1/subdomains/remove",
            &o,
            json!({"names": ["blog.web.example"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body[0]["error"]["code"], "not_found", "{body}");
    // The template is the admin's.
    let (status, template) = s.get("/api/v1/dns/template", &a).await;
    assert_eq!(status, StatusCode::OK, "{template}");
    let (status, _) = s
        .call(
            Method::PUT,
            "/api/v1/dns/template",
            &w,
            Some(json!({"text": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = s
        .post("/api/v1/dns/template/apply?dry_run=true", &a, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Bulk removal of what exists.
    let (_, body) = s
        .post(
            "/api/v1/aliases/remove",
            &w,
            json!({"names": ["web.example.net"]}),
        )
        .await;
    assert_eq!(body[0]["ok"], true, "{body}");
    let (_, body) = s
        .post(
            "/api/v1/sites/remove",
            &w,
            json!({"names": ["shop.example"]}),
        )
        .await;
    assert_eq!(body[0]["ok"], true, "{body}");
}

async fn changes_are_in_the_audit_log(s: Server) {
    let response = s
        .request(Method::POST, "/api/v1/customers", &admin())
        .header("x-request-id", "req-123")
        .json(&json!({"login": "audited", "password": "Very-secret-99", "name": "A", "email": "a@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["x-request-id"], "req-123");
    // Dry runs, failures and reads are not changes.
    s.post(
        "/api/v1/customers/suspend?dry_run=true",
        &admin(),
        json!({"names": ["audited"]}),
    )
    .await;
    s.post("/api/v1/customers", &admin(), json!({"login": "audited"}))
        .await;
    s.get("/api/v1/customers", &admin()).await;
    let (_, key) = s.post("/api/v1/api-keys", &admin(), json!({})).await;
    let key_id = key["id"].clone();
    let bearer = Auth::Bearer(key["key"].as_str().unwrap().into());
    let (status, _) = s
        .post(
            "/api/v1/customers/suspend",
            &bearer,
            json!({"names": ["audited"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, page) = s.get("/api/v1/audit", &admin()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{page}");
    let suspend = &items[0];
    assert_eq!(suspend["action"], "POST /api/v1/customers/suspend");
    assert_eq!(suspend["object"], "names=audited");
    assert_eq!(suspend["actor"], "admin");
    assert_eq!(suspend["api_key"], key_id);
    assert_eq!(suspend["source"], "127.0.0.1");
    assert_eq!(suspend["interface"], "api");
    assert_eq!(suspend["status"], 200);
    let create = &items[2];
    assert_eq!(create["request_id"], "req-123");
    assert_eq!(create["object"], "login=audited name=A");
    assert_eq!(create["api_key"], Value::Null);
    assert!(!page.to_string().contains("Very-secret-99"));

    // Pages, and each account sees only its own entries.
    let (_, first) = s.get("/api/v1/audit?limit=2", &admin()).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let next = first["next"].as_str().unwrap();
    let (_, second) = s
        .get(&format!("/api/v1/audit?limit=2&after={next}"), &admin())
        .await;
    assert_eq!(second["items"][0]["request_id"], "req-123");
    assert_eq!(second["next"], Value::Null);
    create_customer(&s, &admin(), "peeker").await;
    let (status, own) = s.get("/api/v1/audit", &basic("peeker")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(own["items"], json!([]));
    let (status, _) = s.get("/api/v1/audit?actor=admin", &basic("peeker")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn failed_logins_are_rate_limited(s: Server) {
    create_customer(&s, &admin(), "target").await;
    let wrong = Auth::Basic("target".into(), "guess".into());
    for _ in 0..10 {
        assert_eq!(
            s.get("/api/v1/ips", &wrong).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    // Even the right password waits now; other accounts are not affected yet.
    let response = s
        .request(Method::GET, "/api/v1/customers/target", &basic("target"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key(header::RETRY_AFTER));
    let (_, body) = common::answer(response).await;
    assert_eq!(body["error"]["code"], "rate_limited");
    assert_eq!(s.get("/api/v1/ips", &admin()).await.0, StatusCode::OK);
    // Per address: unknown keys from this address, then everyone here waits.
    for _ in 0..40 {
        let bad = Auth::Bearer("berth_nope".into());
        assert_eq!(s.get("/api/v1/ips", &bad).await.0, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        s.get("/api/v1/ips", &admin()).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Health and the document need no login and stay reachable.
    assert_eq!(s.get("/healthz", &Auth::None).await.0, StatusCode::OK);
}

async fn idempotency_keys_replay_the_first_answer(s: Server) {
    let body =
        json!({"login": "once", "password": PASSWORD, "name": "O", "email": "o@example.com"});
    let send = |body: Value, key: &str| {
        s.request(Method::POST, "/api/v1/customers", &admin())
            .header("idempotency-key", key)
            .json(&body)
            .send()
    };
    let first = send(body.clone(), "k-1").await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first = first.text().await.unwrap();
    let again = send(body.clone(), "k-1").await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.text().await.unwrap(), first);
    let (_, page) = s.get("/api/v1/customers", &admin()).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let (_, audit) = s.get("/api/v1/audit", &admin()).await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 1, "{audit}");
    // The same key for another request is a conflict; a new key runs (and conflicts on the
    // login, as any second creation would).
    let other =
        json!({"login": "twice", "password": PASSWORD, "name": "T", "email": "t@example.com"});
    let (status, body) = common::answer(send(other, "k-1").await.unwrap()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["field"], "Idempotency-Key");
    let (status, _) = common::answer(send(body_of("once"), "k-2").await.unwrap()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = common::answer(send(body_of("x"), "bad key").await.unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

fn body_of(login: &str) -> Value {
    json!({"login": login, "password": PASSWORD, "name": "N", "email": format!("{login}@example.com")})
}

/// R11.4: a change that queues provisioning names its job in `Berth-Job`; the job is
/// readable by whoever sees the subscription, not found for anybody else.
async fn changes_answer_with_their_provisioning_job(s: Server) {
    let a = admin();
    create_customer(&s, &a, "job-owner").await;
    create_customer(&s, &a, "job-stranger").await;
    let (status, ip) = s
        .post(
            "/api/v1/ips",
            &a,
            json!({"ip": "192.0.2.20", "type": "shared"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ip}");
    let response = s
        .request(Method::POST, "/api/v1/subscriptions", &a)
        .json(&json!({"domain": "jobs.example", "owner": "job-owner"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let job = response
        .headers()
        .get("berth-job")
        .expect("a Berth-Job header")
        .to_str()
        .unwrap()
        .to_owned();
    let (status, seen) = s
        .get(&format!("/api/v1/jobs/{job}"), &basic("job-owner"))
        .await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["state"], "pending");
    assert_eq!(seen["subscription"], "jobs.example");
    let (status, latest) = s
        .get(
            "/api/v1/subscriptions/jobs.example/provisioning",
            &basic("job-owner"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{latest}");
    assert_eq!(latest["id"], job.as_str());
    let (status, _) = s
        .get(&format!("/api/v1/jobs/{job}"), &basic("job-stranger"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, err) = s.get("/api/v1/jobs/nope", &a).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(err["error"]["field"], "id");
    let dry = s
        .request(Method::POST, "/api/v1/subscriptions?dry_run=true", &a)
        .json(&json!({"domain": "dry-jobs.example", "owner": "job-owner"}))
        .send()
        .await
        .unwrap();
    assert_eq!(dry.status(), StatusCode::CREATED);
    assert!(
        dry.headers().get("berth-job").is_none(),
        "a dry run queues nothing"
    );
}

async fn r10_9_field_changes_are_listed_filtered_and_exported(s: Server) {
    create_customer(&s, &admin(), "bob").await;
    create_customer(&s, &admin(), "ann").await;
    let (status, body) = s
        .call(
            Method::PATCH,
            "/api/v1/customers/bob",
            &admin(),
            Some(json!({"email": "bob@new.example", "password": "Another-secret-77"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The request's entry carries its field changes, secrets redacted.
    let (status, page) = s
        .get("/api/v1/audit?object=bob&action=patch", &admin())
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    assert_eq!(items[0]["action"], "PATCH /api/v1/customers/bob");
    assert_eq!(items[0]["status"], 200);
    assert_eq!(
        items[0]["changes"],
        json!([
            {"object": "customer bob", "field": "password", "before": "[redacted]", "after": "[redacted]"},
            {"object": "customer bob", "field": "email", "before": "bob@example.com", "after": "bob@new.example"},
        ])
    );
    assert!(!page.to_string().contains("Another-secret-77"));
    let (_, none) = s.get("/api/v1/audit?since=2999-01-01", &admin()).await;
    assert_eq!(none["items"], json!([]));
    let (status, bad) = s.get("/api/v1/audit?since=soon", &admin()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["error"]["field"], "since");

    // The export holds the same entries as the list, in both formats.
    let (_, all) = s.get("/api/v1/audit", &admin()).await;
    let listed: Vec<Value> = all["items"].as_array().unwrap().clone();
    let response = s
        .request(Method::GET, "/api/v1/audit/export?format=jsonl", &admin())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    let exported: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(exported, listed);
    let response = s
        .request(Method::GET, "/api/v1/audit/export?format=csv", &admin())
        .send()
        .await
        .unwrap();
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = response.text().await.unwrap();
    let rows: usize = listed
        .iter()
        .map(|e| e["changes"].as_array().unwrap().len().max(1))
        .sum();
    assert_eq!(csv.lines().count(), rows + 1, "{csv}");
    assert!(csv.starts_with("id,at,actor,"));
    let (status, _) = s.get("/api/v1/audit/export?format=xml", &admin()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Another account exports only its own entries (none here).
    let response = s
        .request(Method::GET, "/api/v1/audit/export", &basic("ann"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "");
}
