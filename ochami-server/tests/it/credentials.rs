//! BMC credentials are write-only: after seeding Redfish endpoints with passwords (through
//! the store and through `POST`/`PUT`/`PATCH`), no response of any `GET` route carries one.
//! The routes are read from the routers' source (`ochami-server/src`), each one checked to
//! be a route the router knows, and walked with every seeded value for its path parameters.
//! With a secret key the SQLite file holds no password in clear, and a wrong key stops the
//! server before it writes anything.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use ochami_store::Store;
use serde_json::json;

use crate::common::Api;

/// The password the tests seed through HTTP (the site seeds `s3cret-bmc`).
const PASSWORD: &str = "walk-every-route-pw";

/// The path templates passed to `.route(...)` in `src` (recursively): a string literal, a
/// constant of the file, `&format!("{CONST}/...")`, or `&r("/...")` with the file's
/// `let r = |p: &str| format!("{CONST}{p}")`. Doc comments are skipped.
fn route_templates(src: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut files = vec![src.to_path_buf()];
    while let Some(p) = files.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                files.push(e.unwrap().path());
            }
            continue;
        }
        if p.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let text: String = std::fs::read_to_string(&p)
            .unwrap()
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut consts = Vec::new();
        for part in text.split("const ").skip(1) {
            if let Some((name, rest)) = part.split_once(": &str = \"")
                && let Some((value, _)) = rest.split_once('"')
            {
                consts.push((name.trim().to_owned(), value.to_owned()));
            }
        }
        let expand = |t: &str| {
            let mut t = t.to_owned();
            for (k, v) in &consts {
                t = t.replace(&format!("{{{k}}}"), v);
            }
            t.replace("{{", "{").replace("}}", "}")
        };
        // `let r = |p: &str| format!("{BASE}{p}")`: the prefix `r("...")` adds.
        let r_prefix = text
            .split_once("let r = |p: &str| format!(\"")
            .and_then(|(_, rest)| rest.split_once("{p}\")"))
            .map(|(prefix, _)| expand(prefix));
        for call in text.split(".route(").skip(1) {
            let call = call.trim_start();
            let template = if let Some(rest) = call.strip_prefix('"') {
                rest.split_once('"').map(|(t, _)| t.to_owned())
            } else if let Some(rest) = call.strip_prefix("&format!(\"") {
                rest.split_once('"').map(|(t, _)| expand(t))
            } else if let Some(rest) = call.strip_prefix("&r(\"") {
                let prefix = r_prefix.clone().expect("a file using r(...) defines r");
                rest.split_once('"').map(|(t, _)| format!("{prefix}{t}"))
            } else {
                let ident: String = call
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if ident.starts_with(|c: char| c.is_ascii_lowercase()) {
                    // A method of another type named `route` (metrics), not a router's.
                    continue;
                }
                consts
                    .iter()
                    .find(|(k, _)| *k == ident)
                    .map(|(_, v)| v.clone())
            };
            let template =
                template.unwrap_or_else(|| panic!("{}: unreadable .route({call:.40}", p.display()));
            out.insert(template);
        }
    }
    out
}

/// Values to try for a path parameter, by its name.
fn candidates(param: &str, transition: &str) -> Vec<String> {
    let node = ochami_testing::site::node_xname(0).to_string();
    let bmc = ochami_testing::site::node_xname(0)
        .parent()
        .unwrap()
        .to_string();
    let mac = ochami_testing::site::node_mac(0).to_id();
    match param {
        "xname" => vec![bmc, node, "x0c0s1b0".into(), "s0".into()],
        "id" => vec![node, bmc, mac, transition.to_owned()],
        "name" => vec!["compute".into(), "p1".into(), "blue".into()],
        "label" => vec!["compute".into(), "blue".into()],
        "file" => vec![
            "meta-data".into(),
            "user-data".into(),
            "index.html".into(),
            "app.js".into(),
        ],
        "kind" => vec!["all".into(), "state".into(), "type".into()],
        "nid" => vec!["1".into()],
        "ip" => vec![ochami_testing::site::node_ip(0)],
        "fruid" => vec!["FRU-1".into()],
        _ => vec!["x".into()],
    }
}

/// Every concrete path of `template` from the candidates of its parameters.
fn paths(template: &str, transition: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    for seg in template.split('/').skip(1) {
        let choices = match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => candidates(param, transition),
            None => vec![seg.to_owned()],
        };
        out = out
            .iter()
            .flat_map(|p| choices.iter().map(move |c| format!("{p}/{c}")))
            .collect();
    }
    out
}

async fn seed(api: &Api) -> String {
    ochami_testing::site::seed(&api.store, 4).await.unwrap();
    // Through HTTP too: POST, PUT and PATCH answers carry no password either.
    let body = json!({"ID": "x0c0s1b0", "FQDN": "10.9.0.1", "User": "root", "Password": PASSWORD});
    let r = api.post("/hsm/v2/Inventory/RedfishEndpoints", &body).await;
    r.assert_status(201);
    let r = api
        .put("/hsm/v2/Inventory/RedfishEndpoints/x0c0s1b0", &body)
        .await;
    assert!(!r.text().contains(PASSWORD), "PUT answer: {}", r.text());
    let r = api
        .patch(
            "/hsm/v2/Inventory/RedfishEndpoints/x0c0s1b0",
            &json!({"Enabled": false}),
        )
        .await;
    r.assert_status(200);
    assert!(!r.text().contains(PASSWORD), "PATCH answer: {}", r.text());
    assert_eq!(r.json()["Password"], "");
    // A PATCH without a password kept it.
    let c = api
        .store
        .redfish_credentials(&"x0c0s1b0".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.password, PASSWORD);
    // A transition, so `/transitions/{id}` has something to show.
    let r = api
        .post(
            "/power-control/v1/transitions",
            &json!({"operation": "on", "location": [{"xname": ochami_testing::site::node_xname(0).to_string()}]}),
        )
        .await;
    r.json()["transitionID"].as_str().unwrap().to_owned()
}

async fn no_get_route_shows_a_password(api: &Api) {
    let transition = seed(api).await;
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let templates = route_templates(&src);
    for known in [
        "/hsm/v2/Inventory/RedfishEndpoints",
        "/hsm/v2/Inventory/RedfishEndpoints/{xname}",
        "/hsm/v2/State/Components/{xname}",
        "/power-control/v1/transitions/{id}",
        "/cloud-init/admin/groups/{name}",
    ] {
        assert!(
            templates.contains(known),
            "{known} not found in {templates:?}"
        );
    }
    assert!(templates.len() >= 60, "{templates:?}");
    let mut walked = 0;
    let mut ok = 0;
    for template in &templates {
        // Boot files are mounted only with `--boot-files` and come from disk, not the store.
        if template.starts_with("/boot-files/") {
            continue;
        }
        for path in paths(template, &transition) {
            let r = api.get(&path).await;
            let body = r.text();
            assert!(
                !body.contains("no route for"),
                "{template} is not a route of the router"
            );
            for secret in [PASSWORD, "s3cret-bmc"] {
                assert!(
                    !body.contains(secret),
                    "GET {path} shows a password: {body}"
                );
                for (name, value) in &r.headers {
                    assert!(
                        !value.to_str().unwrap_or_default().contains(secret),
                        "GET {path}: header {name}"
                    );
                }
            }
            walked += 1;
            ok += usize::from(r.status.is_success());
        }
    }
    // The endpoints are really there: the walk read them.
    let list = api.get("/hsm/v2/Inventory/RedfishEndpoints").await.json();
    let eps = list["RedfishEndpoints"].as_array().unwrap();
    assert_eq!(eps.len(), 3, "{list}");
    assert!(
        eps.iter()
            .all(|e| e["User"] == "root" && e["Password"] == "")
    );
    assert!(ok >= 60, "{ok} of {walked} GETs succeeded");
}

crate::backends!(no_get_route_shows_a_password);

/// Open a SQLite store on `db` with the key in `key_file`.
async fn keyed(db: &Path, key_file: &Path) -> ochami_store::Result<Arc<dyn Store>> {
    let key = ochami_store::secret::SecretKey::from_file(key_file)?;
    ochami_store::open_with(
        &format!("sqlite://{}", db.display()),
        &ochami_store::OpenOptions::default().with_secret_key(key),
    )
    .await
}

#[tokio::test]
async fn credentials_are_encrypted_at_rest_and_a_wrong_key_stops_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ochami.db");
    let key = dir.path().join("key");
    std::fs::write(
        &key,
        ochami_store::secret::SecretKey::generate_hex().unwrap(),
    )
    .unwrap();
    let url = format!("sqlite://{}", db.display());
    let raw = |db: &Path| {
        let mut all = Vec::new();
        for ext in ["", "-wal"] {
            let p = format!("{}{ext}", db.display());
            all.extend(std::fs::read(&p).unwrap_or_default());
        }
        all
    };
    let contains =
        |hay: &[u8], needle: &str| hay.windows(needle.len()).any(|w| w == needle.as_bytes());

    // Written without a key: plaintext (and it keeps working).
    {
        let store = ochami_store::open(&url).await.unwrap();
        let mut ep = ochami_core::RedfishEndpoint::new("x0c0s0b0".parse().unwrap(), "10.0.0.1");
        ep.user = "root".into();
        ep.password = "plain-before-key".into();
        store.put_redfish_endpoint(&ep).await.unwrap();
    }
    // Opened with a key: the plaintext row is encrypted, new rows are written encrypted.
    {
        let store = keyed(&db, &key).await.unwrap();
        let mut ep = ochami_core::RedfishEndpoint::new("x0c0s1b0".parse().unwrap(), "10.0.0.2");
        ep.user = "root".into();
        ep.password = PASSWORD.into();
        store.put_redfish_endpoint(&ep).await.unwrap();
        let got = store
            .redfish_credentials(&"x0c0s0b0".parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got.password, "plain-before-key");
        let got = store
            .redfish_credentials(&"x0c0s1b0".parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got.password, PASSWORD);
    }
    // Checkpoint the WAL into the file, then read the file's bytes.
    {
        let store = keyed(&db, &key).await.unwrap();
        drop(store);
    }
    let bytes = raw(&db);
    assert!(
        contains(&bytes, "enc:v1:"),
        "encrypted values are in the file"
    );
    assert!(
        !contains(&bytes, PASSWORD),
        "the password is not in the file in clear"
    );
    assert!(
        !contains(&bytes, "plain-before-key"),
        "the old row was encrypted"
    );

    // A wrong key: a clear error, and nothing is written.
    let wrong = dir.path().join("wrong");
    std::fs::write(
        &wrong,
        ochami_store::secret::SecretKey::generate_hex().unwrap(),
    )
    .unwrap();
    // The ciphertexts in the file (database and WAL), as a set: a re-encryption would
    // change them. (The raw bytes may change anyway: opening checkpoints the WAL.)
    let sealed = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes).into_owned();
        text.split("enc:v1:")
            .skip(1)
            .map(|rest| {
                rest.chars()
                    .take_while(char::is_ascii_hexdigit)
                    .collect::<String>()
            })
            .collect::<BTreeSet<String>>()
    };
    let before = sealed(&raw(&db));
    assert_eq!(before.len(), 2, "two encrypted passwords");
    let err = keyed(&db, &wrong)
        .await
        .err()
        .expect("a wrong key is refused");
    assert!(
        matches!(err, ochami_store::StoreError::SecretKey { .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("wrong key") && msg.contains("x0c0s0b0"),
        "{msg}"
    );
    assert!(sealed(&raw(&db)) == before, "nothing was overwritten");
    // The server refuses to start with it, saying why.
    let mut config = ochami_server::ServerConfig::new("127.0.0.1:0".parse().unwrap(), url.clone());
    config.secret_key_file = Some(wrong);
    let err = ochami_server::serve(config).await.expect_err("refused");
    assert!(err.to_string().contains("wrong key"), "{err}");
    // Without a key the store opens (reads work) but the credentials cannot be read back.
    let store = ochami_store::open(&url).await.unwrap();
    assert_eq!(
        store
            .list_redfish_endpoints(&Default::default())
            .await
            .unwrap()
            .len(),
        2
    );
    let err = store
        .redfish_credentials(&"x0c0s1b0".parse().unwrap())
        .await
        .expect_err("encrypted");
    assert!(err.to_string().contains("no secret key"), "{err}");
    // The right key still opens everything.
    drop(store);
    let store = keyed(&db, &key).await.unwrap();
    assert_eq!(
        store
            .redfish_credentials(&"x0c0s1b0".parse().unwrap())
            .await
            .unwrap()
            .unwrap()
            .password,
        PASSWORD
    );
}
