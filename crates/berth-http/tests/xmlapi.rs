//! The Plesk-compatible XML API spoken over HTTP to a real server, on SQLite and
//! PostgreSQL: the envelope, authentication, system and result errors, filters, robustness
//! against hostile packets, and every operator with round trips (add then get, set then
//! get, del then get answers 1013). Request packets follow Plesk's documentation.

mod common;

use berth_http::xmlapi::packet::{self, Node};
use common::{ADMIN_PASSWORD, PASSWORD, Server};
use reqwest::StatusCode;

on_both_backends!(
    envelope_is_always_an_xml_packet,
    system_errors_come_before_execution,
    authentication_by_login_password_and_secret_key,
    hostile_packets_get_error_packets,
    customer_add_get_set_del_round_trip,
    filters_follow_the_no_match_rules,
    operators_are_answered_in_order,
    reseller_round_trip_with_limits_and_rights,
    service_plans_and_addons_round_trip,
    webspace_round_trip_with_plan_switch_and_addons,
    sites_aliases_subdomains_round_trip,
    dns_records_round_trip,
    server_ip_and_small_operators,
    numeric_ids_are_never_reused,
    stock_plans_are_plesks_two,
    webspace_datasets_and_their_settable_parts,
    customer_and_reseller_stat_pool_and_plan_subscription,
    site_set_and_subdomain_set_and_rename,
    dns_template_records_and_zone_type,
    server_datasets_and_unsupported_operators,
);

/// Who sends a packet.
enum Who<'a> {
    Nobody,
    Login(&'a str, &'a str),
    Key(&'a str),
}

const ADMIN: Who<'static> = Who::Login("admin", ADMIN_PASSWORD);

/// Posts `body` and returns the parsed answer, checking what every answer must be: HTTP
/// 200, `text/xml`, an XML declaration, a `<packet>` root.
async fn post(s: &Server, who: &Who<'_>, body: &str) -> Node {
    let mut rb = s
        .request(
            reqwest::Method::POST,
            "/enterprise/control/agent.php",
            &common::Auth::None,
        )
        .header("Content-Type", "text/xml")
        .header("HTTP_PRETTY_PRINT", "TRUE")
        .body(body.to_owned());
    rb = match who {
        Who::Nobody => rb,
        Who::Login(l, p) => rb
            .header("HTTP_AUTH_LOGIN", *l)
            .header("HTTP_AUTH_PASSWD", *p),
        Who::Key(k) => rb.header("KEY", *k),
    };
    answer(rb.send().await.unwrap()).await
}

async fn answer(response: reqwest::Response) -> Node {
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/xml"), "{content_type}");
    let text = response.text().await.unwrap();
    assert!(
        text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        "{text}"
    );
    let root = packet::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{e:?}: {text}"));
    assert_eq!(root.name, "packet", "{text}");
    root
}

/// The nodes at a `/`-separated path (every match at each step).
fn at<'a>(node: &'a Node, path: &str) -> Vec<&'a Node> {
    let mut current = vec![node];
    for step in path.split('/') {
        current = current
            .iter()
            .flat_map(|n| n.children.iter().filter(|c| c.name == step))
            .collect();
    }
    current
}

/// The one node at `path`.
fn one<'a>(node: &'a Node, path: &str) -> &'a Node {
    let found = at(node, path);
    assert_eq!(found.len(), 1, "{path} in {node:#?}");
    found[0]
}

fn text<'a>(node: &'a Node, path: &str) -> &'a str {
    &one(node, path).text
}

fn assert_ok(result: &Node) {
    assert_eq!(result.text_of("status"), Some("ok"), "{result:#?}");
}

fn assert_error(result: &Node, code: &str) {
    assert_eq!(result.text_of("status"), Some("error"), "{result:#?}");
    assert_eq!(result.text_of("errcode"), Some(code), "{result:#?}");
    assert!(!result.text_of("errtext").unwrap_or("").is_empty());
}

fn assert_system_error(root: &Node, code: &str) {
    assert_error(one(root, "system"), code);
}

/// Adds a shared IP over the REST API (the XML API only reads addresses).
async fn add_ip(s: &Server, ip: &str) {
    let (status, body) = s
        .post(
            "/api/v1/ips",
            &common::admin(),
            serde_json::json!({"ip": ip, "type": "shared"}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
}

fn customer_add(login: &str, extra: &str) -> String {
    format!(
        "<packet version=\"1.6.9.1\"><customer><add><gen_info>\
         <cname>Acme &amp; Sons</cname><pname>John Doe</pname><login>{login}</login>\
         <passwd>{PASSWORD}</passwd><status>0</status><phone>+33 1 23 45 67 89</phone>\
         <email>{login}@example.com</email><address>1 Main St</address><city>Paris</city>\
         <pcode>75001</pcode><country>FR</country>{extra}</gen_info></add></customer></packet>"
    )
}

/// Adds a customer and returns its id.
async fn add_customer(s: &Server, who: &Who<'_>, login: &str, extra: &str) -> String {
    let root = post(s, who, &customer_add(login, extra)).await;
    let r = one(&root, "customer/add/result");
    assert_ok(r);
    r.text_of("id").unwrap().to_owned()
}

async fn envelope_is_always_an_xml_packet(s: Server) {
    // No declaration in the request, still one in the answer; the answer mirrors it.
    let root = post(
        &s,
        &ADMIN,
        "<packet><server><get_protos/></server></packet>",
    )
    .await;
    let r = one(&root, "server/get_protos/result");
    assert_ok(r);
    let protos: Vec<&str> = at(r, "protos/proto")
        .iter()
        .map(|p| p.text.as_str())
        .collect();
    assert!(protos.contains(&"1.6.3.0") && protos.contains(&"1.6.9.1"));
    // Every accepted version spelling.
    for v in ["1.6", "1.6.7", "1.6.3.5", "1.6.9.1"] {
        let root = post(
            &s,
            &ADMIN,
            &format!("<packet version=\"{v}\"><server><get_protos/></server></packet>"),
        )
        .await;
        assert_ok(one(&root, "server/get_protos/result"));
    }
    // Other methods still get a packet, not HTML or JSON.
    let response = s
        .request(
            reqwest::Method::GET,
            "/enterprise/control/agent.php",
            &common::Auth::None,
        )
        .send()
        .await
        .unwrap();
    assert_system_error(&answer(response).await, "1014");
}

async fn system_errors_come_before_execution(s: Server) {
    let unsupported = post(
        &s,
        &ADMIN,
        "<packet version=\"1.4.2.0\"><server><get_protos/></server></packet>",
    )
    .await;
    assert_system_error(&unsupported, "1005");
    // An unknown operator anywhere refuses the whole packet: the customer is not added.
    let unknown = format!(
        "<packet>{}<frobnicate><get/></frobnicate></packet>",
        customer_add("early", "")
            .trim_start_matches("<packet version=\"1.6.9.1\">")
            .trim_end_matches("</packet>")
    );
    assert_system_error(&post(&s, &ADMIN, &unknown).await, "1014");
    let get = post(
        &s,
        &ADMIN,
        "<packet><customer><get><filter><login>early</login></filter><dataset><gen_info/></dataset></get></customer></packet>",
    )
    .await;
    assert_error(one(&get, "customer/get/result"), "1013");
    // Unknown operations, wrong roots, empty operators.
    for bad in [
        "<packet><customer><frobnicate/></customer></packet>",
        "<notapacket><server><get_protos/></server></notapacket>",
        "<packet><customer/></packet>",
        "<packet><server><get_protos/></server>",
        "not xml at all",
    ] {
        assert_system_error(&post(&s, &ADMIN, bad).await, "1014");
    }
}

async fn authentication_by_login_password_and_secret_key(s: Server) {
    let body = "<packet><server><get_protos/></server></packet>";
    assert_system_error(&post(&s, &Who::Nobody, body).await, "1001");
    assert_system_error(
        &post(&s, &Who::Login("admin", "wrong-password"), body).await,
        "1001",
    );
    assert_system_error(
        &post(&s, &Who::Login("ghost", "whatever-1234"), body).await,
        "1001",
    );
    assert_system_error(&post(&s, &Who::Key("berth_not_a_key"), body).await, "11003");

    // A secret key made through the protocol authenticates as its creator.
    let root = post(
        &s,
        &ADMIN,
        "<packet><secret_key><create><ip_address>127.0.0.1</ip_address><description>billing</description></create></secret_key></packet>",
    )
    .await;
    let r = one(&root, "secret_key/create/result");
    assert_ok(r);
    let key = r.text_of("key").unwrap().to_owned();
    assert_ok(one(
        &post(&s, &Who::Key(&key), body).await,
        "server/get_protos/result",
    ));
    let info = post(
        &s,
        &Who::Key(&key),
        &format!("<packet><secret_key><get_info><filter><key>{key}</key></filter></get_info></secret_key></packet>"),
    )
    .await;
    let r = one(&info, "secret_key/get_info/result");
    assert_ok(r);
    assert_eq!(text(r, "key_info/login"), "admin");
    assert_eq!(text(r, "key_info/ip_address"), "127.0.0.1");
    let del = post(
        &s,
        &ADMIN,
        &format!("<packet><secret_key><delete><filter><key>{key}</key></filter></delete></secret_key></packet>"),
    )
    .await;
    assert_ok(one(&del, "secret_key/delete/result"));
    assert_system_error(&post(&s, &Who::Key(&key), body).await, "11003");

    // A customer acts as itself; suspended, it is refused as disabled.
    add_customer(&s, &ADMIN, "carol", "").await;
    let carol = Who::Login("carol", PASSWORD);
    assert_ok(one(
        &post(&s, &carol, body).await,
        "server/get_protos/result",
    ));
    let suspend = post(
        &s,
        &ADMIN,
        "<packet><customer><set><filter><login>carol</login></filter><values><gen_info><status>16</status></gen_info></values></set></customer></packet>",
    )
    .await;
    assert_ok(one(&suspend, "customer/set/result"));
    assert_system_error(&post(&s, &carol, body).await, "1011");
}

async fn hostile_packets_get_error_packets(s: Server) {
    // Entity expansion ("billion laughs") and external entities: no DTD is accepted.
    let laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">\
                  <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>\
                  <packet><customer><get><filter><login>&lol2;</login></filter></get></customer></packet>";
    assert_system_error(&post(&s, &ADMIN, laughs).await, "1014");
    let external = "<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\
                    <packet><server><get_protos/></server></packet>";
    assert_system_error(&post(&s, &ADMIN, external).await, "1014");
    let undeclared =
        "<packet><customer><get><filter><login>&x;</login></filter></get></customer></packet>";
    assert_system_error(&post(&s, &ADMIN, undeclared).await, "1014");
    // Deep nesting and huge packets.
    let deep = format!(
        "<packet><server><get>{}{}</get></server></packet>",
        "<a>".repeat(100),
        "</a>".repeat(100)
    );
    assert_system_error(&post(&s, &ADMIN, &deep).await, "1014");
    let huge = format!(
        "<packet><server><get_protos/></server><!-- {} --></packet>",
        "x".repeat(berth_http::xmlapi::PACKET_LIMIT)
    );
    assert_system_error(&post(&s, &ADMIN, &huge).await, "1014");
    // Not UTF-8, mismatched tags.
    let response = s
        .request(
            reqwest::Method::POST,
            "/enterprise/control/agent.php",
            &common::Auth::None,
        )
        .header("HTTP_AUTH_LOGIN", "admin")
        .header("HTTP_AUTH_PASSWD", ADMIN_PASSWORD)
        .body(vec![0xff, 0xfe, 0x3c, 0x00])
        .send()
        .await
        .unwrap();
    assert_system_error(&answer(response).await, "1014");
    assert_system_error(
        &post(&s, &ADMIN, "<packet><server></get_protos></packet>").await,
        "1014",
    );
    // Wrong types and unknown elements inside a known operation are result errors.
    let bad_status = post(
        &s,
        &ADMIN,
        &customer_add("typed", "<status>abc</status>").replace("<status>0</status>", ""),
    )
    .await;
    assert_error(one(&bad_status, "customer/add/result"), "1019");
    let bad_filter = post(
        &s,
        &ADMIN,
        "<packet><customer><get><filter><colour>red</colour></filter><dataset><gen_info/></dataset></get></customer></packet>",
    )
    .await;
    assert_error(one(&bad_filter, "customer/get/result"), "1014");
    let bad_id = post(
        &s,
        &ADMIN,
        "<packet><customer><get><filter><id>twelve</id></filter><dataset><gen_info/></dataset></get></customer></packet>",
    )
    .await;
    assert_error(one(&bad_id, "customer/get/result"), "1019");
    // The server still answers.
    assert_ok(one(
        &post(
            &s,
            &ADMIN,
            "<packet><server><get_protos/></server></packet>",
        )
        .await,
        "server/get_protos/result",
    ));
}

async fn customer_add_get_set_del_round_trip(s: Server) {
    let id = add_customer(
        &s,
        &ADMIN,
        "john",
        "<external-id>crm-42</external-id><description>VIP</description>",
    )
    .await;
    let get = |filter: String| {
        let s = &s;
        async move {
            post(
                s,
                &ADMIN,
                &format!("<packet><customer><get><filter>{filter}</filter><dataset><gen_info/></dataset></get></customer></packet>"),
            )
            .await
        }
    };
    let root = get(format!("<id>{id}</id>")).await;
    let r = one(&root, "customer/get/result");
    assert_ok(r);
    assert_eq!(r.text_of("filter-id"), Some(id.as_str()));
    assert_eq!(r.text_of("id"), Some(id.as_str()));
    let info = one(r, "data/gen_info");
    assert_eq!(info.text_of("login"), Some("john"));
    assert_eq!(info.text_of("pname"), Some("John Doe"));
    assert_eq!(info.text_of("cname"), Some("Acme & Sons"));
    assert_eq!(info.text_of("email"), Some("john@example.com"));
    assert_eq!(info.text_of("city"), Some("Paris"));
    assert_eq!(info.text_of("pcode"), Some("75001"));
    assert_eq!(info.text_of("country"), Some("FR"));
    assert_eq!(info.text_of("status"), Some("0"));
    assert_eq!(info.text_of("owner-login"), Some("admin"));
    assert_eq!(info.text_of("external-id"), Some("crm-42"));
    assert_eq!(info.text_of("description"), Some("VIP"));
    assert_eq!(info.text_of("cr_date"), Some("2026-03-01"));
    let guid = info.text_of("guid").unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&guid).is_ok());
    // The same customer by login, guid and external id.
    for filter in [
        "<login>john</login>".to_owned(),
        format!("<guid>{guid}</guid>"),
        "<external-id>crm-42</external-id>".to_owned(),
    ] {
        let root = get(filter).await;
        assert_eq!(text(one(&root, "customer/get/result"), "id"), id);
    }

    // Set, then get shows the change (a long password full of symbols included).
    let password = "p&ss<w>rd\"'!#%18+chars";
    let escaped = "p&amp;ss&lt;w&gt;rd&quot;&apos;!#%18+chars";
    let set = post(
        &s,
        &ADMIN,
        &format!(
            "<packet><customer><set><filter><login>john</login></filter><values><gen_info>\
             <pname>Jane Doe</pname><city>Lyon</city><passwd>{escaped}</passwd><status>16</status>\
             </gen_info></values></set></customer></packet>"
        ),
    )
    .await;
    let r = one(&set, "customer/set/result");
    assert_ok(r);
    assert_eq!(r.text_of("filter-id"), Some("john"));
    let root = get("<login>john</login>".into()).await;
    let info = one(&root, "customer/get/result/data/gen_info");
    assert_eq!(info.text_of("pname"), Some("Jane Doe"));
    assert_eq!(info.text_of("city"), Some("Lyon"));
    assert_eq!(info.text_of("status"), Some("16"));
    post(
        &s,
        &ADMIN,
        "<packet><customer><set><filter><login>john</login></filter><values><gen_info><status>0</status></gen_info></values></set></customer></packet>",
    )
    .await;
    assert_ok(one(
        &post(
            &s,
            &Who::Login("john", password),
            "<packet><server><get_protos/></server></packet>",
        )
        .await,
        "server/get_protos/result",
    ));
    // A status the caller cannot set.
    let wrong = post(
        &s,
        &ADMIN,
        "<packet><customer><set><filter><login>john</login></filter><values><gen_info><status>256</status></gen_info></values></set></customer></packet>",
    )
    .await;
    assert_error(one(&wrong, "customer/set/result"), "1019");
    // Nothing to change is an invalid value, not a silent success.
    let empty = post(
        &s,
        &ADMIN,
        "<packet><customer><set><filter><login>john</login></filter><values/></set></customer></packet>",
    )
    .await;
    assert_error(one(&empty, "customer/set/result"), "1019");
    // Duplicates are 1007.
    let again = post(&s, &ADMIN, &customer_add("john", "")).await;
    assert_error(one(&again, "customer/add/result"), "1007");

    // Del, then get answers 1013.
    let del = post(
        &s,
        &ADMIN,
        &format!("<packet><customer><del><filter><id>{id}</id></filter></del></customer></packet>"),
    )
    .await;
    assert_ok(one(&del, "customer/del/result"));
    assert_error(
        one(&get(format!("<id>{id}</id>")).await, "customer/get/result"),
        "1013",
    );
    assert_error(
        one(
            &get("<login>john</login>".into()).await,
            "customer/get/result",
        ),
        "1013",
    );
}

async fn filters_follow_the_no_match_rules(s: Server) {
    add_customer(&s, &ADMIN, "ann", "").await;
    add_customer(&s, &ADMIN, "bob", "").await;
    // Repeated children are OR-ed, each echoed; an identifying miss is 1013 in place.
    let root = post(
        &s,
        &ADMIN,
        "<packet><customer><get><filter><login>ann</login><login>nobody</login><login>bob</login></filter>\
         <dataset><gen_info/></dataset></get></customer></packet>",
    )
    .await;
    let results = at(&root, "customer/get/result");
    assert_eq!(results.len(), 3);
    assert_ok(results[0]);
    assert_eq!(results[0].text_of("filter-id"), Some("ann"));
    assert_error(results[1], "1013");
    assert_eq!(results[1].text_of("filter-id"), Some("nobody"));
    assert_eq!(text(results[2], "data/gen_info/login"), "bob");
    // Empty filter: everything visible; a relational filter matching nothing: ok, no data.
    let all = post(
        &s,
        &ADMIN,
        "<packet><customer><get><filter/><dataset><gen_info/></dataset></get></customer></packet>",
    )
    .await;
    let logins: Vec<&str> = at(&all, "customer/get/result/data/gen_info/login")
        .iter()
        .map(|n| n.text.as_str())
        .collect();
    assert_eq!(logins, ["ann", "bob"]);
    let reseller = post(
        &s,
        &ADMIN,
        &format!(
            "<packet><reseller><add><gen-info><pname>R</pname><login>empty-r</login><passwd>{PASSWORD}</passwd>\
             <email>r@example.com</email></gen-info></add></reseller></packet>"
        ),
    )
    .await;
    assert_ok(one(&reseller, "reseller/add/result"));
    let none = post(
        &s,
        &ADMIN,
        "<packet><customer><get><filter><owner-login>empty-r</owner-login></filter><dataset><gen_info/></dataset></get></customer></packet>",
    )
    .await;
    assert!(at(&none, "customer/get/result").is_empty());
    // A missing filter is a parsing error.
    let missing = post(
        &s,
        &ADMIN,
        "<packet><customer><get><dataset><gen_info/></dataset></get></customer></packet>",
    )
    .await;
    assert_error(one(&missing, "customer/get/result"), "1014");
}

async fn operators_are_answered_in_order(s: Server) {
    let body = format!(
        "<packet version=\"1.6.3.0\">\
         <server><get_protos/></server>\
         <customer><add><gen_info><pname>A</pname><login>first</login><passwd>{PASSWORD}</passwd><email>a@example.com</email></gen_info></add>\
         <get><filter><login>first</login></filter><dataset><gen_info/></dataset></get></customer>\
         <server><get><gen_info/></get></server>\
         </packet>"
    );
    let root = post(&s, &ADMIN, &body).await;
    let names: Vec<&str> = root.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["server", "customer", "server"]);
    let ops: Vec<&str> = root.children[1]
        .children
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(ops, ["add", "get"]);
    // The get saw the add that came before it.
    assert_eq!(
        text(&root.children[1], "get/result/data/gen_info/login"),
        "first"
    );
    assert!(!text(&root.children[2], "get/result/gen_info/server_name").is_empty());
}

async fn reseller_round_trip_with_limits_and_rights(s: Server) {
    let add = format!(
        "<packet><reseller><add><gen-info><cname>Hosting Co</cname><pname>Rita</pname><login>rita</login>\
         <passwd>{PASSWORD}</passwd><email>rita@example.com</email></gen-info>\
         <limits><resource-policy><oversell>true</oversell></resource-policy>\
         <limit><name>max_cl</name><value>5</value></limit><limit><name>disk_space</name><value>1073741824</value></limit></limits>\
         <permissions><permission><name>create_clients</name><value>true</value></permission>\
         <permission><name>remote_access_interface</name><value>true</value></permission></permissions>\
         </add></reseller></packet>"
    );
    let root = post(&s, &ADMIN, &add).await;
    let r = one(&root, "reseller/add/result");
    assert_ok(r);
    let id = r.text_of("id").unwrap().to_owned();
    let get = format!(
        "<packet><reseller><get><filter><id>{id}</id></filter><dataset><gen-info/><limits/><permissions/></dataset></get></reseller></packet>"
    );
    let root = post(&s, &ADMIN, &get).await;
    let r = one(&root, "reseller/get/result");
    assert_ok(r);
    assert_eq!(text(r, "data/gen-info/login"), "rita");
    assert_eq!(text(r, "data/gen-info/cname"), "Hosting Co");
    assert_eq!(text(r, "data/gen-info/cr-date"), "2026-03-01");
    assert_eq!(text(r, "data/limits/resource-policy/oversell"), "true");
    let limit = |name: &str| {
        at(r, "data/limits/limit")
            .into_iter()
            .find(|l| l.text_of("name") == Some(name))
            .and_then(|l| l.text_of("value"))
            .map(str::to_owned)
    };
    assert_eq!(limit("max_cl").as_deref(), Some("5"));
    assert_eq!(limit("disk_space").as_deref(), Some("1073741824"));
    let perm = at(r, "data/permissions/permission")
        .into_iter()
        .find(|p| p.text_of("name") == Some("create_clients"))
        .unwrap();
    assert_eq!(perm.text_of("value"), Some("true"));

    // Set limits, then get shows them.
    let set = "<packet><reseller><set><filter><login>rita</login></filter><values>\
               <gen-info><pname>Rita B</pname></gen-info>\
               <limits><limit><name>max_cl</name><value>7</value></limit></limits></values></set></reseller></packet>";
    assert_ok(one(&post(&s, &ADMIN, set).await, "reseller/set/result"));
    let root = post(&s, &ADMIN, &get).await;
    let r = one(&root, "reseller/get/result");
    assert_eq!(text(r, "data/gen-info/pname"), "Rita B");
    assert!(
        at(r, "data/limits/limit")
            .iter()
            .any(|l| l.text_of("name") == Some("max_cl") && l.text_of("value") == Some("7"))
    );

    // The reseller acts as itself: its customers only; the admin's customer is not found.
    add_customer(&s, &ADMIN, "admins-own", "").await;
    let rita = Who::Login("rita", PASSWORD);
    add_customer(&s, &rita, "ritas", "").await;
    let root = post(
        &s,
        &rita,
        "<packet><customer><get><filter/><dataset><gen_info/></dataset></get></customer></packet>",
    )
    .await;
    let logins: Vec<&str> = at(&root, "customer/get/result/data/gen_info/login")
        .iter()
        .map(|n| n.text.as_str())
        .collect();
    assert_eq!(logins, ["ritas"]);
    let hidden = post(
        &s,
        &rita,
        "<packet><customer><get><filter><login>admins-own</login></filter><dataset><gen_info/></dataset></get></customer></packet>",
    )
    .await;
    assert_error(one(&hidden, "customer/get/result"), "1013");
    let forbidden = post(
        &s,
        &rita,
        &format!("<packet><reseller><add><gen-info><pname>X</pname><login>x-r</login><passwd>{PASSWORD}</passwd><email>x@example.com</email></gen-info></add></reseller></packet>"),
    )
    .await;
    assert_error(one(&forbidden, "reseller/add/result"), "1006");
    // Limit reached (R4.2) is 1024.
    let set = "<packet><reseller><set><filter><login>rita</login></filter><values>\
               <limits><limit><name>max_cl</name><value>1</value></limit></limits></values></set></reseller></packet>";
    assert_ok(one(&post(&s, &ADMIN, set).await, "reseller/set/result"));
    let over = post(&s, &rita, &customer_add("one-too-many", "")).await;
    assert_error(one(&over, "customer/add/result"), "1024");

    // Customers of a missing owner: 1015.
    let orphan = post(
        &s,
        &ADMIN,
        &customer_add("orphan", "<owner-login>nobody</owner-login>"),
    )
    .await;
    assert_error(one(&orphan, "customer/add/result"), "1015");

    // Del, then get answers 1013 (its customers go with it).
    assert_ok(one(
        &post(
            &s,
            &ADMIN,
            "<packet><reseller><del><filter><login>rita</login></filter></del></reseller></packet>",
        )
        .await,
        "reseller/del/result",
    ));
    assert_error(
        one(&post(&s, &ADMIN, &get).await, "reseller/get/result"),
        "1013",
    );
}

async fn service_plans_and_addons_round_trip(s: Server) {
    let add = "<packet><service-plan><add><name>Gold</name>\
               <limits><overuse>notify</overuse><limit><name>disk_space</name><value>10737418240</value></limit>\
               <limit><name>max_site</name><value>5</value></limit></limits>\
               <hosting><property><name>php_handler</name><value>fastcgi</value></property></hosting>\
               <permissions><permission><name>manage_dns</name><value>true</value></permission></permissions>\
               </add></service-plan></packet>";
    let root = post(&s, &ADMIN, add).await;
    let r = one(&root, "service-plan/add/result");
    assert_ok(r);
    let id = r.text_of("id").unwrap().to_owned();
    let guid = r.text_of("guid").unwrap().to_owned();
    let get = |filter: String| {
        let s = &s;
        async move {
            post(s, &ADMIN, &format!("<packet><service-plan><get><filter>{filter}</filter></get></service-plan></packet>")).await
        }
    };
    for filter in [
        format!("<id>{id}</id>"),
        format!("<guid>{guid}</guid>"),
        "<name>Gold</name>".into(),
    ] {
        let root = get(filter).await;
        let r = one(&root, "service-plan/get/result");
        assert_ok(r);
        assert_eq!(r.text_of("name"), Some("Gold"));
        assert_eq!(r.text_of("guid"), Some(guid.as_str()));
        assert_eq!(r.text_of("owner-login"), Some("admin"));
        assert_eq!(text(r, "limits/overuse"), "notify");
        assert!(
            at(r, "limits/limit")
                .iter()
                .any(|l| l.text_of("name") == Some("max_site") && l.text_of("value") == Some("5"))
        );
        assert!(
            at(r, "hosting/property")
                .iter()
                .any(|p| p.text_of("name") == Some("php_handler")
                    && p.text_of("value") == Some("fastcgi"))
        );
        assert!(
            at(r, "permissions/permission")
                .iter()
                .any(|p| p.text_of("name") == Some("manage_dns")
                    && p.text_of("value") == Some("true"))
        );
    }
    // Unknown property names are refused naming them.
    let bad = post(
        &s,
        &ADMIN,
        "<packet><service-plan><add><name>Bad</name><limits><limit><name>max_unicorns</name><value>1</value></limit></limits></add></service-plan></packet>",
    )
    .await;
    let r = one(&bad, "service-plan/add/result");
    assert_error(r, "1019");
    assert!(r.text_of("errtext").unwrap().contains("max_unicorns"));
    // Set, then get shows the change.
    let set = "<packet><service-plan><set><filter><name>Gold</name></filter><values>\
               <limits><limit><name>max_site</name><value>9</value></limit></limits></values></set></service-plan></packet>";
    assert_ok(one(&post(&s, &ADMIN, set).await, "service-plan/set/result"));
    let root = get("<name>Gold</name>".into()).await;
    assert!(
        at(one(&root, "service-plan/get/result"), "limits/limit")
            .iter()
            .any(|l| l.text_of("name") == Some("max_site") && l.text_of("value") == Some("9"))
    );
    // Add-on plans.
    let addon = "<packet><service-plan-addon><add><name>Extra sites</name><limits><limit><name>max_site</name><value>2</value></limit></limits></add></service-plan-addon></packet>";
    assert_ok(one(
        &post(&s, &ADMIN, addon).await,
        "service-plan-addon/add/result",
    ));
    let root = post(
        &s,
        &ADMIN,
        "<packet><service-plan-addon><get><filter/></get></service-plan-addon></packet>",
    )
    .await;
    let names: Vec<&str> = at(&root, "service-plan-addon/get/result/name")
        .iter()
        .map(|n| n.text.as_str())
        .collect();
    assert_eq!(names, ["Extra sites"]);
    // Del, then get answers 1013.
    assert_ok(one(
        &post(&s, &ADMIN, &format!("<packet><service-plan><del><filter><id>{id}</id></filter></del></service-plan></packet>")).await,
        "service-plan/del/result",
    ));
    assert_error(
        one(
            &get(format!("<id>{id}</id>")).await,
            "service-plan/get/result",
        ),
        "1013",
    );
}

async fn webspace_round_trip_with_plan_switch_and_addons(s: Server) {
    add_ip(&s, "192.0.2.10").await;
    let cid = add_customer(&s, &ADMIN, "web-owner", "").await;
    let plan = post(
        &s,
        &ADMIN,
        "<packet><service-plan><add><name>Web</name><limits><limit><name>max_site</name><value>3</value></limit></limits></add></service-plan>\
         <service-plan-addon><add><name>Plus</name><limits><limit><name>max_site</name><value>2</value></limit></limits></add></service-plan-addon></packet>",
    )
    .await;
    let plan_guid = text(&plan, "service-plan/add/result/guid").to_owned();
    let addon_guid = text(&plan, "service-plan-addon/add/result/guid").to_owned();
    let add = format!(
        "<packet><webspace><add><gen_setup><name>shop.example</name><owner-id>{cid}</owner-id>\
         <htype>vrt_hst</htype><ip_address>192.0.2.10</ip_address><status>0</status></gen_setup>\
         <hosting><vrt_hst><property><name>ftp_login</name><value>shopuser</value></property>\
         <property><name>ftp_password</name><value>Ftp-pass-&amp;-42</value></property>\
         <ip_address>192.0.2.10</ip_address></vrt_hst></hosting><plan-name>Web</plan-name></add></webspace></packet>"
    );
    let root = post(&s, &ADMIN, &add).await;
    let r = one(&root, "webspace/add/result");
    assert_ok(r);
    let id = r.text_of("id").unwrap().to_owned();
    let get = format!(
        "<packet><webspace><get><filter><id>{id}</id></filter><dataset><gen_info/><hosting/><limits/><permissions/><subscriptions/></dataset></get></webspace></packet>"
    );
    let root = post(&s, &ADMIN, &get).await;
    let r = one(&root, "webspace/get/result");
    assert_ok(r);
    assert_eq!(text(r, "data/gen_info/name"), "shop.example");
    assert_eq!(text(r, "data/gen_info/owner-login"), "web-owner");
    assert_eq!(text(r, "data/gen_info/status"), "0");
    assert_eq!(text(r, "data/gen_info/dns_ip_address"), "192.0.2.10");
    let hosting = at(r, "data/hosting/vrt_hst/property");
    assert!(
        hosting
            .iter()
            .any(|p| p.text_of("name") == Some("ftp_login")
                && p.text_of("value") == Some("shopuser"))
    );
    assert!(
        at(r, "data/limits/limit")
            .iter()
            .any(|l| l.text_of("name") == Some("max_site") && l.text_of("value") == Some("3"))
    );
    assert!(
        at(r, "data/limits/limit")
            .iter()
            .any(|l| l.text_of("name") == Some("expiration") && l.text_of("value") == Some("-1"))
    );
    assert!(!at(r, "data/permissions/permission").is_empty());
    assert_eq!(
        text(r, "data/subscriptions/subscription/synchronized"),
        "true"
    );
    assert_eq!(
        text(r, "data/subscriptions/subscription/plan/plan-guid"),
        plan_guid
    );
    // The same webspace by name and by owner.
    let root = post(&s, &ADMIN, "<packet><webspace><get><filter><owner-login>web-owner</owner-login></filter><dataset><gen_info/></dataset></get></webspace></packet>").await;
    assert_eq!(text(one(&root, "webspace/get/result"), "id"), id);

    // Set: customize a limit (Update & Lock), suspend; get shows both.
    let set = "<packet><webspace><set><filter><name>shop.example</name></filter><values><gen_setup><status>16</status></gen_setup>\
         <limits><limit><name>max_site</name><value>10</value></limit></limits></values></set></webspace></packet>";
    assert_ok(one(&post(&s, &ADMIN, set).await, "webspace/set/result"));
    let root = post(&s, &ADMIN, &get).await;
    let r = one(&root, "webspace/get/result");
    assert_eq!(text(r, "data/gen_info/status"), "16");
    assert_eq!(text(r, "data/subscriptions/subscription/locked"), "true");
    assert!(
        at(r, "data/limits/limit")
            .iter()
            .any(|l| l.text_of("name") == Some("max_site") && l.text_of("value") == Some("10"))
    );
    // A subscription is never renamed (R3.1).
    let rename = post(&s, &ADMIN, "<packet><webspace><set><filter><name>shop.example</name></filter><values><gen_setup><name>other.example</name></gen_setup></values></set></webspace></packet>").await;
    assert_error(one(&rename, "webspace/set/result"), "1019");

    // Add-on, sync, switch to no plan.
    let addon = format!(
        "<packet><webspace><add-subscription><filter><id>{id}</id></filter><plan-guid>{addon_guid}</plan-guid></add-subscription></webspace></packet>"
    );
    assert_ok(one(
        &post(&s, &ADMIN, &addon).await,
        "webspace/add-subscription/result",
    ));
    let root = post(&s, &ADMIN, &get).await;
    assert_eq!(
        text(
            one(&root, "webspace/get/result"),
            "data/subscriptions/subscription/addon/plan-guid"
        ),
        addon_guid
    );
    let remove = format!(
        "<packet><webspace><remove-subscription><filter><id>{id}</id></filter><plan-guid>{addon_guid}</plan-guid></remove-subscription></webspace></packet>"
    );
    assert_ok(one(
        &post(&s, &ADMIN, &remove).await,
        "webspace/remove-subscription/result",
    ));
    let sync = format!(
        "<packet><webspace><sync-subscription><filter><id>{id}</id></filter></sync-subscription></webspace></packet>"
    );
    assert_ok(one(
        &post(&s, &ADMIN, &sync).await,
        "webspace/sync-subscription/result",
    ));
    let switch = format!(
        "<packet><webspace><switch-subscription><filter><id>{id}</id></filter><no-plan/></switch-subscription></webspace></packet>"
    );
    assert_ok(one(
        &post(&s, &ADMIN, &switch).await,
        "webspace/switch-subscription/result",
    ));
    let root = post(&s, &ADMIN, &get).await;
    assert!(
        at(
            one(&root, "webspace/get/result"),
            "data/subscriptions/subscription/plan"
        )
        .is_empty()
    );
    let switch = format!(
        "<packet><webspace><switch-subscription><filter><id>{id}</id></filter><plan-guid>{plan_guid}</plan-guid></switch-subscription></webspace></packet>"
    );
    assert_ok(one(
        &post(&s, &ADMIN, &switch).await,
        "webspace/switch-subscription/result",
    ));

    // Descriptors come from the property table.
    let root = post(&s, &ADMIN, "<packet><webspace><get-limit-descriptor><filter/></get-limit-descriptor><get-permission-descriptor><filter/></get-permission-descriptor></webspace></packet>").await;
    let limits: Vec<&str> = at(
        &root,
        "webspace/get-limit-descriptor/result/descriptor/property/name",
    )
    .iter()
    .map(|n| n.text.as_str())
    .collect();
    for d in berth_core::property::PROPERTIES.iter().filter(|d| {
        d.group == berth_core::property::Group::Limits
            && d.on_subscription
            && d.types.includes(berth_core::property::PlanType::Service)
    }) {
        assert!(limits.contains(&d.name), "{} missing", d.name);
    }
    assert!(
        at(
            &root,
            "webspace/get-permission-descriptor/result/descriptor/property/name"
        )
        .iter()
        .any(|n| n.text == "manage_dns")
    );

    // A missing IP address is 1018.
    let bad_ip = "<packet><webspace><add><gen_setup><name>noip.example</name><owner-login>web-owner</owner-login><ip_address>203.0.113.99</ip_address></gen_setup></add></webspace></packet>";
    let r = post(&s, &ADMIN, bad_ip).await;
    assert_error(one(&r, "webspace/add/result"), "1018");

    // Del, then get answers 1013.
    assert_ok(one(
        &post(
            &s,
            &ADMIN,
            &format!(
                "<packet><webspace><del><filter><id>{id}</id></filter></del></webspace></packet>"
            ),
        )
        .await,
        "webspace/del/result",
    ));
    assert_error(
        one(&post(&s, &ADMIN, &get).await, "webspace/get/result"),
        "1013",
    );
}

/// A customer with a webspace `main.example` (custom, no plan); returns the webspace id.
async fn webspace(s: &Server) -> String {
    add_ip(s, "192.0.2.20").await;
    add_customer(s, &ADMIN, "site-owner", "").await;
    let root = post(
        s,
        &ADMIN,
        "<packet><webspace><add><gen_setup><name>main.example</name><owner-login>site-owner</owner-login>\
         <ip_address>192.0.2.20</ip_address></gen_setup></add></webspace></packet>",
    )
    .await;
    let r = one(&root, "webspace/add/result");
    assert_ok(r);
    r.text_of("id").unwrap().to_owned()
}

async fn sites_aliases_subdomains_round_trip(s: Server) {
    let ws = webspace(&s).await;
    // Site: add, get, del.
    let add = format!(
        "<packet><site><add><gen_setup><name>second.example</name><webspace-id>{ws}</webspace-id></gen_setup>\
         <hosting><vrt_hst><property><name>www_root</name><value>second</value></property></vrt_hst></hosting></add></site></packet>"
    );
    let root = post(&s, &ADMIN, &add).await;
    let r = one(&root, "site/add/result");
    assert_ok(r);
    let site = r.text_of("id").unwrap().to_owned();
    let get = format!(
        "<packet><site><get><filter><id>{site}</id></filter><dataset><gen_info/><hosting/></dataset></get></site></packet>"
    );
    let root = post(&s, &ADMIN, &get).await;
    let r = one(&root, "site/get/result");
    assert_ok(r);
    assert_eq!(text(r, "data/gen_info/name"), "second.example");
    assert_eq!(text(r, "data/gen_info/webspace-id"), ws);
    assert_eq!(text(r, "data/hosting/vrt_hst/property/value"), "second");
    let children = post(
        &s,
        &ADMIN,
        &format!(
            "<packet><site><get><filter><parent-id>{ws}</parent-id></filter></get></site></packet>"
        ),
    )
    .await;
    let names: Vec<&str> = at(&children, "site/get/result/data/gen_info/name")
        .iter()
        .map(|n| n.text.as_str())
        .collect();
    assert_eq!(names, ["second.example"]);

    // Alias of the site: create, get, set, delete.
    let create = format!(
        "<packet><site-alias><create><site-id>{site}</site-id><name>alias.example</name>\
         <pref><web>1</web><mail>1</mail><tomcat>0</tomcat><seo-redirect>true</seo-redirect></pref><manage-dns>1</manage-dns></create></site-alias></packet>"
    );
    let root = post(&s, &ADMIN, &create).await;
    let r = one(&root, "site-alias/create/result");
    assert_ok(r);
    let alias = r.text_of("id").unwrap().to_owned();
    let get_alias = format!(
        "<packet><site-alias><get><filter><id>{alias}</id></filter></get></site-alias></packet>"
    );
    let root = post(&s, &ADMIN, &get_alias).await;
    let r = one(&root, "site-alias/get/result");
    assert_eq!(text(r, "info/name"), "alias.example");
    assert_eq!(text(r, "info/site-id"), site);
    assert_eq!(text(r, "info/pref/seo-redirect"), "true");
    assert_eq!(text(r, "info/pref/mail"), "true");
    let set = format!(
        "<packet><site-alias><set><filter><id>{alias}</id></filter><settings><pref><seo-redirect>false</seo-redirect></pref></settings></set></site-alias></packet>"
    );
    assert_ok(one(&post(&s, &ADMIN, &set).await, "site-alias/set/result"));
    let root = post(&s, &ADMIN, &get_alias).await;
    assert_eq!(
        text(
            one(&root, "site-alias/get/result"),
            "info/pref/seo-redirect"
        ),
        "false"
    );
    let by_site = post(&s, &ADMIN, &format!("<packet><site-alias><get><filter><site-id>{site}</site-id></filter></get></site-alias></packet>")).await;
    assert_eq!(at(&by_site, "site-alias/get/result").len(), 1);
    assert_ok(one(&post(&s, &ADMIN, &format!("<packet><site-alias><delete><filter><id>{alias}</id></filter></delete></site-alias></packet>")).await, "site-alias/delete/result"));
    assert_error(
        one(&post(&s, &ADMIN, &get_alias).await, "site-alias/get/result"),
        "1013",
    );

    // Subdomain: add, get, del.
    let add = "<packet><subdomain><add><parent>main.example</parent><name>blog</name>\
               <property><name>www_root</name><value>blog</value></property></add></subdomain></packet>";
    let root = post(&s, &ADMIN, add).await;
    let r = one(&root, "subdomain/add/result");
    assert_ok(r);
    let sub = r.text_of("id").unwrap().to_owned();
    let get_sub = format!(
        "<packet><subdomain><get><filter><id>{sub}</id></filter></get></subdomain></packet>"
    );
    let root = post(&s, &ADMIN, &get_sub).await;
    let r = one(&root, "subdomain/get/result");
    assert_eq!(text(r, "data/parent"), "main.example");
    assert_eq!(text(r, "data/name"), "blog");
    let by_name = post(&s, &ADMIN, "<packet><subdomain><get><filter><name>blog.main.example</name></filter></get></subdomain></packet>").await;
    assert_eq!(text(one(&by_name, "subdomain/get/result"), "id"), sub);
    assert_ok(one(
        &post(
            &s,
            &ADMIN,
            &format!(
                "<packet><subdomain><del><filter><id>{sub}</id></filter></del></subdomain></packet>"
            ),
        )
        .await,
        "subdomain/del/result",
    ));
    assert_error(
        one(&post(&s, &ADMIN, &get_sub).await, "subdomain/get/result"),
        "1013",
    );

    // Site del, then get answers 1013; the main domain goes only with its webspace.
    assert_ok(one(
        &post(
            &s,
            &ADMIN,
            &format!("<packet><site><del><filter><id>{site}</id></filter></del></site></packet>"),
        )
        .await,
        "site/del/result",
    ));
    assert_error(
        one(&post(&s, &ADMIN, &get).await, "site/get/result"),
        "1013",
    );
    let main = post(
        &s,
        &ADMIN,
        &format!("<packet><site><del><filter><id>{ws}</id></filter></del></site></packet>"),
    )
    .await;
    assert_error(one(&main, "site/del/result"), "1019");

    // The customer's names, one list.
    let list = post(
        &s,
        &ADMIN,
        "<packet><customer><get-domain-list><filter><login>site-owner</login></filter></get-domain-list></customer></packet>",
    )
    .await;
    let r = one(&list, "customer/get-domain-list/result");
    assert_ok(r);
    let domains: Vec<(&str, &str)> = at(r, "domains/domain")
        .iter()
        .map(|d| (d.text_of("name").unwrap(), d.text_of("type").unwrap()))
        .collect();
    assert_eq!(domains, [("main.example", "webspace")]);
    assert_eq!(text(r, "domains/domain/id"), ws);

    // Another customer does not see these names.
    add_customer(&s, &ADMIN, "stranger", "").await;
    let hidden = post(
        &s,
        &Who::Login("stranger", PASSWORD),
        &format!("<packet><site><get><filter><id>{ws}</id></filter></get></site></packet>"),
    )
    .await;
    assert_error(one(&hidden, "site/get/result"), "1013");
    // Probing another owner's objects by number reveals no names.
    let probe = post(
        &s,
        &Who::Login("stranger", PASSWORD),
        &format!(
            "<packet><site-alias><create><site-id>{ws}</site-id><name>probe.example</name></create></site-alias></packet>"
        ),
    )
    .await;
    let r = one(&probe, "site-alias/create/result");
    assert_error(r, "1013");
    assert!(!r.text_of("errtext").unwrap().contains("main.example"));
}

async fn dns_records_round_trip(s: Server) {
    let ws = webspace(&s).await;
    let get = format!(
        "<packet><dns><get_rec><filter><site-id>{ws}</site-id></filter></get_rec></dns></packet>"
    );
    let root = post(&s, &ADMIN, &get).await;
    let records = at(&root, "dns/get_rec/result");
    assert!(records.len() >= 5, "the template's records");
    assert!(
        records
            .iter()
            .all(|r| r.text_of("status") == Some("ok") && r.text_of("id").is_some())
    );
    assert!(
        records
            .iter()
            .any(|r| text(r, "data/type") == "MX" && text(r, "data/opt") == "10")
    );
    let before = records.len();

    let add = format!(
        "<packet><dns><add_rec><site-id>{ws}</site-id><type>MX</type><host></host><value>mx2.example.net</value><opt>20</opt></add_rec></dns></packet>"
    );
    let root = post(&s, &ADMIN, &add).await;
    let r = one(&root, "dns/add_rec/result");
    assert_ok(r);
    let id = r.text_of("id").unwrap().to_owned();
    let root = post(&s, &ADMIN, &get).await;
    let records = at(&root, "dns/get_rec/result");
    assert_eq!(records.len(), before + 1);
    let added = records
        .iter()
        .find(|r| r.text_of("id") == Some(id.as_str()))
        .unwrap();
    assert_eq!(text(added, "data/value"), "mx2.example.net");
    assert_eq!(text(added, "data/host"), "main.example.");
    assert_eq!(text(added, "data/opt"), "20");
    // The record by its id, and ids stay stable across zone changes.
    let one_rec =
        format!("<packet><dns><get_rec><filter><id>{id}</id></filter></get_rec></dns></packet>");
    assert_eq!(
        text(
            one(&post(&s, &ADMIN, &one_rec).await, "dns/get_rec/result"),
            "data/value"
        ),
        "mx2.example.net"
    );
    let bad = format!(
        "<packet><dns><add_rec><site-id>{ws}</site-id><type>A</type><host>www2</host><value>not-an-ip</value></add_rec></dns></packet>"
    );
    assert_error(
        one(&post(&s, &ADMIN, &bad).await, "dns/add_rec/result"),
        "1019",
    );

    let del =
        format!("<packet><dns><del_rec><filter><id>{id}</id></filter></del_rec></dns></packet>");
    assert_ok(one(&post(&s, &ADMIN, &del).await, "dns/del_rec/result"));
    let root = post(&s, &ADMIN, &get).await;
    assert_eq!(at(&root, "dns/get_rec/result").len(), before);
    assert_error(
        one(&post(&s, &ADMIN, &one_rec).await, "dns/get_rec/result"),
        "1013",
    );
    assert_error(
        one(&post(&s, &ADMIN, &del).await, "dns/del_rec/result"),
        "1013",
    );
}

async fn server_ip_and_small_operators(s: Server) {
    add_ip(&s, "192.0.2.30").await;
    let root = post(
        &s,
        &ADMIN,
        "<packet><server><get><gen_info/><stat/><admin/></get></server><ip><get/></ip>\
         <locale><get><filter><id>en-US</id></filter></get></locale><session><get/></session>\
         <php-handler><get><filter/></get><usage><filter><id>fpm</id></filter></usage></php-handler>\
         <event_log><get/></event_log></packet>",
    )
    .await;
    let server = one(&root, "server/get/result");
    assert_ok(server);
    assert!(uuid::Uuid::parse_str(text(server, "gen_info/server_guid")).is_ok());
    assert_eq!(text(server, "admin/admin_email"), "admin@example.com");
    assert!(!text(server, "stat/version/plesk_version").is_empty());
    let ip = one(&root, "ip/get/result/addresses/ip_info");
    assert_eq!(ip.text_of("ip_address"), Some("192.0.2.30"));
    assert_eq!(ip.text_of("type"), Some("shared"));
    assert_eq!(text(&root, "locale/get/result/locale/id"), "en-US");
    assert_error(one(&root, "session/get/result"), "1017");
    let handlers: Vec<&str> = at(&root, "php-handler/get/result/id")
        .iter()
        .map(|n| n.text.as_str())
        .collect();
    assert!(handlers.contains(&"fpm") && handlers.contains(&"fastcgi"));
    assert_eq!(text(&root, "php-handler/usage/result/usage"), "0");
    assert_ok(one(&root, "event_log/get/result"));
    // A reseller without the admin's data: permission denied.
    let r = post(
        &s,
        &ADMIN,
        &format!(
            "<packet><reseller><add><gen-info><pname>R</pname><login>api-r</login><passwd>{PASSWORD}</passwd><email>r@example.com</email></gen-info>\
             <permissions><permission><name>remote_access_interface</name><value>true</value></permission></permissions></add></reseller></packet>"
        ),
    )
    .await;
    assert_ok(one(&r, "reseller/add/result"));
    let denied = post(
        &s,
        &Who::Login("api-r", PASSWORD),
        "<packet><server><get><admin/></get></server></packet>",
    )
    .await;
    assert_error(one(&denied, "server/get/result"), "1013");
    // A reseller without API access is refused before anything runs.
    let r = post(
        &s,
        &ADMIN,
        &format!("<packet><reseller><add><gen-info><pname>R</pname><login>no-api</login><passwd>{PASSWORD}</passwd><email>n@example.com</email></gen-info></add></reseller></packet>"),
    )
    .await;
    assert_ok(one(&r, "reseller/add/result"));
    assert_system_error(
        &post(
            &s,
            &Who::Login("no-api", PASSWORD),
            "<packet><server><get_protos/></server></packet>",
        )
        .await,
        "1006",
    );
}

async fn numeric_ids_are_never_reused(s: Server) {
    let first: i64 = add_customer(&s, &ADMIN, "temp", "").await.parse().unwrap();
    let del =
        "<packet><customer><del><filter><login>temp</login></filter></del></customer></packet>";
    assert_ok(one(&post(&s, &ADMIN, del).await, "customer/del/result"));
    let second: i64 = add_customer(&s, &ADMIN, "temp", "").await.parse().unwrap();
    assert!(second > first, "{second} after {first}");
    // The old number names nothing now.
    let old = post(
        &s,
        &ADMIN,
        &format!("<packet><customer><get><filter><id>{first}</id></filter><dataset><gen_info/></dataset></get></customer></packet>"),
    )
    .await;
    assert_error(one(&old, "customer/get/result"), "1013");
    // A number of another kind of object is not a customer.
    let root = post(
        &s,
        &ADMIN,
        "<packet><service-plan><add><name>Any</name></add></service-plan></packet>",
    )
    .await;
    let plan_id = text(one(&root, "service-plan/add/result"), "id").to_owned();
    let wrong = post(
        &s,
        &ADMIN,
        &format!("<packet><customer><get><filter><id>{plan_id}</id></filter><dataset><gen_info/></dataset></get></customer></packet>"),
    )
    .await;
    assert_error(one(&wrong, "customer/get/result"), "1013");
}

async fn stock_plans_are_plesks_two(s: Server) {
    let admin = s.app.actor(None).await.unwrap();
    let created = s
        .app
        .create_stock_plans(&admin, berth_app::Mode::Apply)
        .await
        .unwrap();
    assert_eq!(created, ["Default Domain", "Unlimited"]);
    // Idempotent: nothing more the second time.
    let again = s
        .app
        .create_stock_plans(&admin, berth_app::Mode::Apply)
        .await
        .unwrap();
    assert!(again.is_empty());
    let root = post(
        &s,
        &ADMIN,
        "<packet><service-plan><get><filter/></get></service-plan></packet>",
    )
    .await;
    let names: Vec<&str> = at(&root, "service-plan/get/result/name")
        .iter()
        .map(|n| n.text.as_str())
        .collect();
    assert_eq!(names, ["Default Domain", "Unlimited"]);
    let limit = |plan: &str, name: &str| {
        let r = at(&root, "service-plan/get/result")
            .into_iter()
            .find(|r| r.text_of("name") == Some(plan))
            .unwrap();
        at(r, "limits/limit")
            .into_iter()
            .find(|l| l.text_of("name") == Some(name))
            .and_then(|l| l.text_of("value"))
            .unwrap()
            .to_owned()
    };
    assert_eq!(limit("Default Domain", "max_site"), "1");
    assert_eq!(limit("Unlimited", "max_site"), "-1");
    assert_eq!(limit("Unlimited", "disk_space"), "-1");
    // Only the admin creates them.
    add_customer(&s, &ADMIN, "plain", "").await;
    let customer = s.app.actor(Some("plain")).await.unwrap();
    let err = s
        .app
        .create_stock_plans(&customer, berth_app::Mode::Apply)
        .await
        .unwrap_err();
    assert_eq!(err.code, berth_core::ErrorCode::Forbidden);
}

/// The `<name>`/`<value>` pair named `name` among the elements at `path`.
fn pair<'a>(node: &'a Node, path: &str, name: &str) -> Option<&'a str> {
    at(node, path)
        .into_iter()
        .find(|p| p.text_of("name") == Some(name))
        .and_then(|p| p.text_of("value"))
}

async fn webspace_datasets_and_their_settable_parts(s: Server) {
    let ws = webspace(&s).await;
    let site = post(
        &s,
        &ADMIN,
        &format!("<packet><site><add><gen_setup><name>other.example</name><webspace-id>{ws}</webspace-id></gen_setup></add></site>\
                  <subdomain><add><parent>main.example</parent><name>blog</name></add></subdomain>\
                  <site-alias><create><site-id>{ws}</site-id><name>alias.example</name></create></site-alias></packet>"),
    )
    .await;
    assert_ok(one(&site, "site/add/result"));
    assert_ok(one(&site, "subdomain/add/result"));
    assert_ok(one(&site, "site-alias/create/result"));
    let get = format!(
        "<packet><webspace><get><filter><id>{ws}</id></filter><dataset><gen_info/><stat/><prefs/><disk_usage/>\
         <performance/><php-settings/><resource-usage/><subscriptions/></dataset></get></webspace></packet>"
    );
    let root = post(&s, &ADMIN, &get).await;
    let r = one(&root, "webspace/get/result");
    assert_ok(r);
    // Nothing measured yet: usage is 0; the names are counted.
    assert_eq!(text(r, "data/gen_info/real_size"), "0");
    assert_eq!(text(r, "data/stat/traffic"), "0");
    assert_eq!(text(r, "data/stat/subdom"), "1");
    assert_eq!(text(r, "data/stat/sites"), "2");
    assert_eq!(text(r, "data/disk_usage/httpdocs"), "0");
    let used = |name: &str| pair(r, "data/resource-usage/resource", name).map(str::to_owned);
    assert_eq!(used("max_site").as_deref(), Some("2"));
    assert_eq!(used("max_subdom").as_deref(), Some("1"));
    assert_eq!(used("max_dom_aliases").as_deref(), Some("1"));
    assert_eq!(used("disk_space").as_deref(), Some("0"));
    assert!(!text(r, "data/prefs/stat_ttl").is_empty());
    assert!(!text(r, "data/performance/max_connections").is_empty());
    assert!(pair(r, "data/php-settings/setting", "max_execution_time").is_some());
    // A custom webspace: no plan, locked to nothing.
    assert!(at(r, "data/subscriptions/subscription/plan").is_empty());

    // Performance, PHP settings and preferences come from the plan (R3.5): a webspace
    // cannot customize them, and says so.
    let set = format!(
        "<packet><webspace><set><filter><id>{ws}</id></filter><values>\
         <performance><max_connections>40</max_connections></performance></values></set></webspace></packet>"
    );
    let r = post(&s, &ADMIN, &set).await;
    let r = one(&r, "webspace/set/result");
    assert_error(r, "1019");
    assert!(r.text_of("errtext").unwrap().contains("R3.5"));
    // An element Plesk does not have there names the field.
    let bad = format!(
        "<packet><webspace><set><filter><id>{ws}</id></filter><values>\
         <performance><turbo>1</turbo></performance></values></set></webspace></packet>"
    );
    let r = post(&s, &ADMIN, &bad).await;
    let r = one(&r, "webspace/set/result");
    assert_error(r, "1019");
    assert!(r.text_of("errtext").unwrap().contains("turbo"));

    // Through a plan: add with performance, preferences and PHP settings; the webspace
    // shows them; the plan's set reaches the webspace (Update & Sync).
    let plan = post(
        &s,
        &ADMIN,
        "<packet><service-plan><add><name>Tuned</name>\
         <performance><bandwidth>2048</bandwidth><max_connections>40</max_connections></performance>\
         <preferences><stat>6</stat><dns_zone_type>slave</dns_zone_type></preferences>\
         <php-settings><setting><name>max_execution_time</name><value>90</value></setting></php-settings>\
         </add></service-plan>\
         <webspace><add><gen_setup><name>tuned.example</name><owner-login>site-owner</owner-login>\
         <ip_address>192.0.2.20</ip_address></gen_setup><plan-name>Tuned</plan-name></add></webspace></packet>",
    )
    .await;
    let plan_id = text(one(&plan, "service-plan/add/result"), "id").to_owned();
    let tuned = text(one(&plan, "webspace/add/result"), "id").to_owned();
    let get_plan = format!(
        "<packet><service-plan><get><filter><id>{plan_id}</id></filter></get></service-plan></packet>"
    );
    let r = post(&s, &ADMIN, &get_plan).await;
    let r = one(&r, "service-plan/get/result");
    assert_eq!(text(r, "performance/bandwidth"), "2048");
    assert_eq!(text(r, "preferences/stat"), "6");
    assert_eq!(text(r, "preferences/dns_zone_type"), "slave");
    let get_tuned = format!(
        "<packet><webspace><get><filter><id>{tuned}</id></filter><dataset><prefs/><performance/><php-settings/><subscriptions/></dataset></get></webspace></packet>"
    );
    let root = post(&s, &ADMIN, &get_tuned).await;
    let r = one(&root, "webspace/get/result");
    assert_eq!(text(r, "data/prefs/stat_ttl"), "6");
    assert_eq!(text(r, "data/performance/bandwidth"), "2048");
    assert_eq!(text(r, "data/performance/max_connections"), "40");
    assert_eq!(
        pair(r, "data/php-settings/setting", "max_execution_time"),
        Some("90")
    );
    assert_eq!(
        text(r, "data/subscriptions/subscription/plan/plan-name"),
        "Tuned"
    );
    assert_eq!(
        text(r, "data/subscriptions/subscription/synchronized"),
        "true"
    );
    let set_plan = format!(
        "<packet><service-plan><set><filter><id>{plan_id}</id></filter><values>\
         <performance><max_connections>25</max_connections></performance>\
         <preferences><stat>12</stat></preferences></values></set></service-plan></packet>"
    );
    assert_ok(one(
        &post(&s, &ADMIN, &set_plan).await,
        "service-plan/set/result",
    ));
    let root = post(&s, &ADMIN, &get_tuned).await;
    let r = one(&root, "webspace/get/result");
    assert_eq!(text(r, "data/performance/max_connections"), "25");
    // The statistics retention is the subscriber's while it holds manage_log (R3.3):
    // the sync keeps the webspace's value.
    assert_eq!(text(r, "data/prefs/stat_ttl"), "6");
    let bad_plan = format!(
        "<packet><service-plan><set><filter><id>{plan_id}</id></filter><values>\
         <preferences><stat>many</stat></preferences></values></set></service-plan></packet>"
    );
    assert_error(
        one(
            &post(&s, &ADMIN, &bad_plan).await,
            "service-plan/set/result",
        ),
        "1019",
    );
    // An unknown dataset is a parsing error.
    let unknown = format!(
        "<packet><webspace><get><filter><id>{ws}</id></filter><dataset><mailboxes/></dataset></get></webspace></packet>"
    );
    assert_error(
        one(&post(&s, &ADMIN, &unknown).await, "webspace/get/result"),
        "1014",
    );
}

async fn customer_and_reseller_stat_pool_and_plan_subscription(s: Server) {
    add_ip(&s, "192.0.2.40").await;
    let add = format!(
        "<packet><reseller><add><gen-info><pname>Rolf</pname><login>rolf</login><passwd>{PASSWORD}</passwd>\
         <email>rolf@example.com</email></gen-info>\
         <permissions><permission><name>create_clients</name><value>true</value></permission>\
         <permission><name>create_domains</name><value>true</value></permission></permissions></add></reseller>\
         <reseller><ippool-add-ip><reseller-login>rolf</reseller-login><ip><ip-address>192.0.2.40</ip-address></ip></ippool-add-ip></reseller></packet>"
    );
    let root = post(&s, &ADMIN, &add).await;
    let rid = text(one(&root, "reseller/add/result"), "id").to_owned();
    assert_ok(one(&root, "reseller/ippool-add-ip/result"));
    // A customer of the reseller with one webspace.
    add_customer(&s, &ADMIN, "rolfs", "<owner-login>rolf</owner-login>").await;
    let ws = post(
        &s,
        &ADMIN,
        "<packet><webspace><add><gen_setup><name>rolfs.example</name><owner-login>rolfs</owner-login>\
         <ip_address>192.0.2.40</ip_address></gen_setup></add></webspace>\
         <subdomain><add><parent>rolfs.example</parent><name>www2</name></add></subdomain></packet>",
    )
    .await;
    assert_ok(one(&ws, "webspace/add/result"));
    assert_ok(one(&ws, "subdomain/add/result"));

    let customer = post(
        &s,
        &ADMIN,
        "<packet><customer><get><filter><login>rolfs</login></filter><dataset><gen_info/><stat/></dataset></get></customer></packet>",
    )
    .await;
    let r = one(&customer, "customer/get/result");
    assert_ok(r);
    assert_eq!(text(r, "data/gen_info/login"), "rolfs");
    assert_eq!(text(r, "data/stat/active_domains"), "1");
    assert_eq!(text(r, "data/stat/subdomains"), "1");
    assert_eq!(text(r, "data/stat/disk_space"), "0");

    let get = format!(
        "<packet><reseller><get><filter><id>{rid}</id></filter><dataset><stat/><ippool/><subscriptions/></dataset></get></reseller></packet>"
    );
    let root = post(&s, &ADMIN, &get).await;
    let r = one(&root, "reseller/get/result");
    assert_ok(r);
    assert_eq!(text(r, "data/stat/active-clients"), "1");
    assert_eq!(text(r, "data/stat/active-domains"), "1");
    assert_eq!(text(r, "data/stat/subdomains"), "1");
    assert_eq!(text(r, "data/ippool/ip/ip-address"), "192.0.2.40");
    assert_eq!(text(r, "data/ippool/ip/ip-type"), "shared");
    assert!(at(r, "data/subscriptions/subscription/plan").is_empty());

    // Switch to a reseller plan by guid: get shows it, synchronized; sync keeps it.
    let admin = s.app.actor(None).await.unwrap();
    let plan = s
        .app
        .create_plan(
            &admin,
            "Resell",
            berth_core::property::PlanType::Reseller,
            None,
            &[(berth_core::property::Group::Limits, "max_cl=9".to_owned())],
            berth_app::Mode::Apply,
        )
        .await
        .unwrap();
    let switch = format!(
        "<packet><reseller><switch-subscription><filter><login>rolf</login></filter><plan-guid>{}</plan-guid></switch-subscription></reseller></packet>",
        plan.id
    );
    let r = post(&s, &ADMIN, &switch).await;
    let r = one(&r, "reseller/switch-subscription/result");
    assert_ok(r);
    assert_eq!(text(r, "id"), rid);
    let root = post(&s, &ADMIN, &get).await;
    let r = one(&root, "reseller/get/result");
    assert_eq!(
        text(r, "data/subscriptions/subscription/plan/plan-guid"),
        plan.id.to_string()
    );
    assert_eq!(
        text(r, "data/subscriptions/subscription/synchronized"),
        "true"
    );
    assert_eq!(text(r, "data/subscriptions/subscription/locked"), "false");
    let limits = post(
        &s,
        &ADMIN,
        "<packet><reseller><get><filter><login>rolf</login></filter><dataset><limits/></dataset></get></reseller></packet>",
    )
    .await;
    assert_eq!(
        pair(
            one(&limits, "reseller/get/result"),
            "data/limits/limit",
            "max_cl"
        ),
        Some("9")
    );
    let sync = "<packet><reseller><sync-subscription><filter><login>rolf</login></filter></sync-subscription></reseller></packet>";
    assert_ok(one(
        &post(&s, &ADMIN, sync).await,
        "reseller/sync-subscription/result",
    ));
    // Back to custom.
    let custom = "<packet><reseller><switch-subscription><filter><login>rolf</login></filter><no-plan/></switch-subscription></reseller></packet>";
    assert_ok(one(
        &post(&s, &ADMIN, custom).await,
        "reseller/switch-subscription/result",
    ));
    let root = post(&s, &ADMIN, &get).await;
    assert!(
        at(
            one(&root, "reseller/get/result"),
            "data/subscriptions/subscription/plan"
        )
        .is_empty()
    );
    // A plan that is not there: 1013.
    let missing = "<packet><reseller><switch-subscription><filter><login>rolf</login></filter><plan-name>Nope</plan-name></switch-subscription></reseller></packet>";
    assert_error(
        one(
            &post(&s, &ADMIN, missing).await,
            "reseller/switch-subscription/result",
        ),
        "1013",
    );
}

async fn site_set_and_subdomain_set_and_rename(s: Server) {
    let ws = webspace(&s).await;
    let add = format!(
        "<packet><site><add><gen_setup><name>second.example</name><webspace-id>{ws}</webspace-id></gen_setup></add></site>\
         <subdomain><add><parent>main.example</parent><name>blog</name></add></subdomain>\
         <subdomain><add><parent>main.example</parent><name>shop</name></add></subdomain></packet>"
    );
    let root = post(&s, &ADMIN, &add).await;
    let site = text(one(&root, "site/add/result"), "id").to_owned();
    let sub = text(at(&root, "subdomain/add/result")[0], "id").to_owned();

    // site set: the document root; get shows it.
    let set = format!(
        "<packet><site><set><filter><id>{site}</id></filter><values><hosting><vrt_hst>\
         <property><name>www_root</name><value>sites/second</value></property></vrt_hst></hosting></values></set></site></packet>"
    );
    let r = post(&s, &ADMIN, &set).await;
    assert_eq!(text(one(&r, "site/set/result"), "id"), site);
    assert_ok(one(&r, "site/set/result"));
    let get = format!(
        "<packet><site><get><filter><id>{site}</id></filter><dataset><hosting/></dataset></get></site></packet>"
    );
    let root = post(&s, &ADMIN, &get).await;
    assert_eq!(
        pair(
            one(&root, "site/get/result"),
            "data/hosting/vrt_hst/property",
            "www_root"
        ),
        Some("sites/second")
    );
    // A name change, another hosting property, or a root in use: refused naming why.
    for (values, code) in [
        (
            "<gen_setup><name>renamed.example</name></gen_setup>",
            "1019",
        ),
        (
            "<hosting><vrt_hst><property><name>ssl</name><value>true</value></property></vrt_hst></hosting>",
            "1019",
        ),
        (
            "<hosting><vrt_hst><property><name>www_root</name><value>httpdocs</value></property></vrt_hst></hosting>",
            "1007",
        ),
    ] {
        let bad = format!(
            "<packet><site><set><filter><id>{site}</id></filter><values>{values}</values></set></site></packet>"
        );
        assert_error(one(&post(&s, &ADMIN, &bad).await, "site/set/result"), code);
    }

    // No Berth site lies under another site: a relational filter, so no result at all.
    let under = format!(
        "<packet><site><get><filter><parent-site-id>{site}</parent-site-id></filter></get></site></packet>"
    );
    let root = post(&s, &ADMIN, &under).await;
    assert!(at(&root, "site/get/result").is_empty());
    assert_eq!(at(&root, "site/get").len(), 1);

    // subdomain set: its document root.
    let set = format!(
        "<packet><subdomain><set><filter><id>{sub}</id></filter>\
         <property><name>www_root</name><value>blog-files</value></property></set></subdomain></packet>"
    );
    assert_ok(one(&post(&s, &ADMIN, &set).await, "subdomain/set/result"));
    let get_sub = format!(
        "<packet><subdomain><get><filter><id>{sub}</id></filter></get></subdomain></packet>"
    );
    let root = post(&s, &ADMIN, &get_sub).await;
    assert_eq!(
        pair(
            one(&root, "subdomain/get/result"),
            "data/property",
            "www_root"
        ),
        Some("blog-files")
    );

    // subdomain rename: get by the new name shows the same id; the old name is gone.
    let rename = format!(
        "<packet><subdomain><rename><filter><id>{sub}</id></filter><name>news</name></rename></subdomain></packet>"
    );
    assert_ok(one(
        &post(&s, &ADMIN, &rename).await,
        "subdomain/rename/result",
    ));
    let by_new = post(
        &s,
        &ADMIN,
        "<packet><subdomain><get><filter><name>news.main.example</name></filter></get></subdomain></packet>",
    )
    .await;
    let r = one(&by_new, "subdomain/get/result");
    assert_ok(r);
    assert_eq!(text(r, "id"), sub);
    assert_eq!(text(r, "data/name"), "news");
    assert_eq!(pair(r, "data/property", "www_root"), Some("blog-files"));
    let by_old = post(
        &s,
        &ADMIN,
        "<packet><subdomain><get><filter><name>blog.main.example</name></filter></get></subdomain></packet>",
    )
    .await;
    assert_error(one(&by_old, "subdomain/get/result"), "1013");
    // The DNS records follow the name.
    let records = post(
        &s,
        &ADMIN,
        &format!("<packet><dns><get_rec><filter><site-id>{ws}</site-id></filter></get_rec></dns></packet>"),
    )
    .await;
    let hosts: Vec<&str> = at(&records, "dns/get_rec/result/data/host")
        .iter()
        .map(|h| h.text.as_str())
        .collect();
    assert!(hosts.contains(&"news.main.example."), "{hosts:?}");
    assert!(!hosts.contains(&"blog.main.example."), "{hosts:?}");
    // A name taken on the server: 1007.
    let taken = format!(
        "<packet><subdomain><rename><filter><id>{sub}</id></filter><name>shop</name></rename></subdomain></packet>"
    );
    let r = post(&s, &ADMIN, &taken).await;
    assert_error(one(&r, "subdomain/rename/result"), "1007");
    // Another customer cannot rename it: not found.
    add_customer(&s, &ADMIN, "outsider", "").await;
    let r = post(&s, &Who::Login("outsider", PASSWORD), &rename).await;
    assert_error(one(&r, "subdomain/rename/result"), "1013");
}

async fn dns_template_records_and_zone_type(s: Server) {
    let ws = webspace(&s).await;
    let get = "<packet><dns><get_rec><template/></get_rec></dns></packet>";
    let root = post(&s, &ADMIN, get).await;
    let before = at(&root, "dns/get_rec/result");
    assert!(before.len() >= 5);
    assert!(
        before
            .iter()
            .any(|r| text(r, "data/type") == "MX" && text(r, "data/host") == "<domain>.")
    );
    let count = before.len();

    // add_rec to the template, then get_rec shows it; del_rec by its id removes it.
    let add = "<packet><dns><add_rec><template/><type>A</type><host>shop</host><value>&lt;ip&gt;</value></add_rec></dns></packet>";
    let r = post(&s, &ADMIN, add).await;
    let r = one(&r, "dns/add_rec/result");
    assert_ok(r);
    let id = r.text_of("id").unwrap().to_owned();
    let root = post(&s, &ADMIN, get).await;
    let records = at(&root, "dns/get_rec/result");
    assert_eq!(records.len(), count + 1);
    let added = records
        .iter()
        .find(|r| r.text_of("id") == Some(id.as_str()))
        .unwrap();
    assert_eq!(text(added, "data/host"), "shop.<domain>.");
    assert_eq!(text(added, "data/value"), "<ip>");
    // The same line again is a conflict.
    assert_error(
        one(&post(&s, &ADMIN, add).await, "dns/add_rec/result"),
        "1007",
    );
    let del = format!(
        "<packet><dns><del_rec><filter><id>{id}</id></filter><template/></del_rec></dns></packet>"
    );
    assert_ok(one(&post(&s, &ADMIN, &del).await, "dns/del_rec/result"));
    assert_eq!(
        at(&post(&s, &ADMIN, get).await, "dns/get_rec/result").len(),
        count
    );
    let gone =
        "<packet><dns><del_rec><filter><id>999</id></filter><template/></del_rec></dns></packet>";
    assert_error(
        one(&post(&s, &ADMIN, gone).await, "dns/del_rec/result"),
        "1013",
    );
    // The template is the admin's.
    let customer = Who::Login("site-owner", PASSWORD);
    assert_error(
        one(&post(&s, &customer, add).await, "dns/add_rec/result"),
        "1006",
    );

    // Zone type: get shows the plan's; set is refused (it follows the plan, R3.5) and
    // changes nothing; a plan with preferences{dns_zone_type} serves slave zones.
    let get_type =
        format!("<packet><dns><get><filter><site-id>{ws}</site-id></filter></get></dns></packet>");
    let r = post(&s, &ADMIN, &get_type).await;
    let r = one(&r, "dns/get/result");
    assert_ok(r);
    assert_eq!(text(r, "id"), ws);
    assert_eq!(text(r, "zone_type"), "master");
    let set = format!(
        "<packet><dns><set><filter><site-id>{ws}</site-id></filter><zone_type>slave</zone_type></set></dns></packet>"
    );
    let r = post(&s, &ADMIN, &set).await;
    let r = one(&r, "dns/set/result");
    assert_error(r, "1019");
    assert!(r.text_of("errtext").unwrap().contains("R3.5"));
    let r = post(&s, &ADMIN, &get_type).await;
    assert_eq!(text(one(&r, "dns/get/result"), "zone_type"), "master");
    let slave = post(
        &s,
        &ADMIN,
        "<packet><service-plan><add><name>Secondary</name><preferences><dns_zone_type>slave</dns_zone_type></preferences></add></service-plan>\
         <webspace><add><gen_setup><name>slave.example</name><owner-login>site-owner</owner-login>\
         <ip_address>192.0.2.20</ip_address></gen_setup><plan-name>Secondary</plan-name></add></webspace></packet>",
    )
    .await;
    let slave_id = text(one(&slave, "webspace/add/result"), "id").to_owned();
    let r = post(
        &s,
        &ADMIN,
        &format!(
            "<packet><dns><get><filter><site-id>{slave_id}</site-id></filter></get></dns></packet>"
        ),
    )
    .await;
    assert_eq!(text(one(&r, "dns/get/result"), "zone_type"), "slave");
    let missing =
        "<packet><dns><get><filter><site-id>99999</site-id></filter></get></dns></packet>";
    assert_error(
        one(&post(&s, &ADMIN, missing).await, "dns/get/result"),
        "1013",
    );
}

async fn server_datasets_and_unsupported_operators(s: Server) {
    let admin = s.app.actor(None).await.unwrap();
    s.app
        .add_ip(
            &admin,
            "192.0.2.50",
            "shared",
            Some("eth1"),
            berth_app::Mode::Apply,
        )
        .await
        .unwrap();
    add_customer(&s, &ADMIN, "counted", "").await;
    let root = post(
        &s,
        &ADMIN,
        "<packet><server><get><key/><stat/><services_state/><prefs/><interfaces/></get></server></packet>",
    )
    .await;
    let r = one(&root, "server/get/result");
    assert_ok(r);
    assert_eq!(pair(r, "key/property", "lim_dom"), Some("-1"));
    assert_eq!(text(r, "stat/objects/clients"), "1");
    assert_eq!(text(r, "stat/objects/webspaces"), "0");
    let database = at(r, "services_state/srv")
        .into_iter()
        .find(|s| s.text_of("id") == Some("database"))
        .unwrap();
    assert_eq!(database.text_of("state"), Some("running"));
    assert_eq!(text(r, "prefs/lock_scope"), "subscription");
    assert_eq!(text(r, "interfaces/interface"), "eth1");
    // An unknown dataset names the known ones.
    let r = post(
        &s,
        &ADMIN,
        "<packet><server><get><cpu/></get></server></packet>",
    )
    .await;
    assert_error(one(&r, "server/get/result"), "1019");

    // Plesk operators and operations Berth does not have: 1017; names nobody knows: 1014.
    assert_system_error(
        &post(&s, &ADMIN, "<packet><mail><get_info/></mail></packet>").await,
        "1017",
    );
    assert_system_error(
        &post(&s, &ADMIN, "<packet><dns><switch/></dns></packet>").await,
        "1017",
    );
    assert_system_error(
        &post(
            &s,
            &ADMIN,
            "<packet><webspace><frobnicate/></webspace></packet>",
        )
        .await,
        "1014",
    );
    assert_system_error(
        &post(&s, &ADMIN, "<packet><mailx><get/></mailx></packet>").await,
        "1014",
    );
}
