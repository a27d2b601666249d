//! The client subcommands (`smd`, `bss`, `cloud-init`, `discover static`, `power`, `boot
//! next`) of the real binary against an in-process server on the memory, SQLite and
//! Postgres stores: round trips, golden JSON and table output (one transcript per scenario
//! under `tests/golden/client/`, the same for every backend), one-line problems with exit
//! 1, tokens from the environment and a file.

use ochami_server::{Authenticator, ScopePolicy};
use serde_json::{Value, json};

use super::common::{
    Backend, TestStore, golden, ochami_exits, ochami_ok, on_every_backend, server,
};

on_every_backend!(
    smd_round_trips,
    bss_and_cloud_init_round_trips,
    discover_static_registers_a_nodes_file,
    errors_are_one_line_and_exit_1,
    tokens_from_env_file_and_cluster_config,
);

/// Every command of a scenario and what it printed, with the server's URL, times and ids
/// masked, for a golden file.
pub(super) struct Transcript {
    masks: Vec<(String, String)>,
    pub(super) text: String,
}

impl Transcript {
    pub(super) fn new(base: &str, home: &str) -> Self {
        Transcript {
            masks: vec![
                (base.to_owned(), "http://SERVER".to_owned()),
                (home.to_owned(), "HOME".to_owned()),
            ],
            text: String::new(),
        }
    }

    /// `smd component add` of node `x1000c0s0b0n0` (NID 1, `Ready`), which most scenarios
    /// start with.
    pub(super) async fn add_ready_node(&mut self, env: &[(&str, &str)]) {
        let args = [
            "smd",
            "component",
            "add",
            "x1000c0s0b0n0",
            "--nid",
            "1",
            "--state",
            "Ready",
        ];
        self.ok(&args, env).await;
    }

    /// Also mask `value` as `name`.
    pub(super) fn mask(&mut self, value: &str, name: &str) {
        self.masks.push((value.to_owned(), name.to_owned()));
    }

    fn record(&mut self, args: &[&str], code: i32, out: &str) {
        let mut cmd = String::from("$ ochami");
        for a in args {
            if a.contains([' ', '\n', '"', '{', '[']) || a.is_empty() {
                cmd.push_str(&format!(" '{}'", a.replace('\n', "\\n")));
            } else {
                cmd.push(' ');
                cmd.push_str(a);
            }
        }
        if code != 0 {
            cmd.push_str(&format!("  # exit {code}"));
        }
        let cmd = self.apply(&cmd);
        self.text.push_str(&cmd);
        self.text.push('\n');
        self.text.push_str(&mask_volatile(&self.apply(out)));
    }

    fn apply(&self, s: &str) -> String {
        let mut s = s.to_owned();
        for (from, to) in &self.masks {
            s = s.replace(from.as_str(), to);
        }
        s
    }

    /// `ochami_ok`, recorded.
    pub(super) async fn ok(&mut self, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = ochami_ok(args, env).await;
        self.record(args, 0, &out);
        out
    }

    /// `ochami_exits`, recorded (stdout, then stderr).
    pub(super) async fn exits(
        &mut self,
        args: &[&str],
        env: &[(&str, &str)],
        code: i32,
    ) -> (String, String) {
        let (out, err) = ochami_exits(args, env, code).await;
        self.record(args, code, &format!("{out}{err}"));
        (out, err)
    }
}

/// RFC 3339 times (`2026-12-02T08:19:04.123Z`) as `TIME` and UUIDs as `UUID`.
fn mask_volatile(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let is_hex = |c: u8| c.is_ascii_hexdigit();
    while i < b.len() {
        // 8-4-4-4-12 hex digits.
        let uuid = b.len() >= i + 36
            && [8, 13, 18, 23].iter().all(|&k| b[i + k] == b'-')
            && (0..36).all(|k| [8, 13, 18, 23].contains(&k) || is_hex(b[i + k]));
        if uuid && (i == 0 || !is_hex(b[i - 1])) {
            out.push_str("UUID");
            i += 36;
            continue;
        }
        // YYYY-MM-DDTHH:MM:SS then fraction and zone.
        let digits = |r: std::ops::Range<usize>| {
            r.into_iter()
                .all(|k| b.get(i + k).is_some_and(u8::is_ascii_digit))
        };
        if digits(0..4)
            && b.get(i + 4) == Some(&b'-')
            && digits(5..7)
            && b.get(i + 10) == Some(&b'T')
            && digits(11..13)
            && b.get(i + 13) == Some(&b':')
        {
            let mut j = i + 19;
            while j < b.len() && (b[j].is_ascii_digit() || b".+-:Z".contains(&b[j])) {
                j += 1;
            }
            out.push_str("TIME");
            i = j;
            continue;
        }
        let ch = s[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// What a scenario starts from: an empty store of one backend, a server on it and a HOME
/// without config files. Dropping it removes HOME and stops the server.
pub(super) struct Session {
    /// The server's URL.
    pub(super) base: String,
    /// The HOME directory.
    pub(super) home: tempfile::TempDir,
    /// HOME's path as text.
    pub(super) home_s: String,
    _stop: tokio::sync::oneshot::Sender<()>,
    _store: TestStore,
}

impl Session {
    /// A session on `backend`; `None` when the backend is not available (see
    /// [`Backend::open`]).
    pub(super) async fn open(backend: Backend) -> Option<Session> {
        let store = backend.open().await?;
        let (base, stop) = server(store.store.clone()).await;
        let home = tempfile::tempdir().expect("tempdir");
        let home_s = home.path().display().to_string();
        Some(Session {
            base,
            home,
            home_s,
            _stop: stop,
            _store: store,
        })
    }

    /// The environment of the session's commands ([`env_for`]).
    pub(super) fn env(&self) -> Vec<(&str, &str)> {
        env_for(&self.base, &self.home_s)
    }

    /// An empty transcript that masks the session's URL and HOME.
    pub(super) fn transcript(&self) -> Transcript {
        Transcript::new(&self.base, &self.home_s)
    }
}

/// `OCHAMI_CLUSTER_URI` for `base`, and a `HOME` without config files.
pub(super) fn env_for<'a>(base: &'a str, home: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("OCHAMI_CLUSTER_URI", base),
        ("HOME", home),
        ("XDG_CONFIG_HOME", ""),
    ]
}

pub(super) fn json_of(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

async fn smd_round_trips(backend: Backend) {
    let Some(s) = Session::open(backend).await else {
        return;
    };
    let env = s.env();
    let mut t = s.transcript();

    // Components: add from flags, from -d, get (JSON and table), set, delete.
    t.ok(
        &[
            "smd",
            "component",
            "add",
            "x1000c0s0b0n0",
            "--nid",
            "1",
            "--role",
            "Compute",
            "--state",
            "Ready",
        ],
        &env,
    )
    .await;
    t.ok(
        &[
            "smd",
            "component",
            "add",
            "-d",
            r#"[{"ID":"x1000c0s0b0n1","State":"On","NID":2}]"#,
        ],
        &env,
    )
    .await;
    let one = json_of(
        &t.ok(&["smd", "component", "get", "x1000c0s0b0n0"], &env)
            .await,
    );
    assert_eq!(
        one,
        json!({"ID": "x1000c0s0b0n0", "Type": "Node", "State": "Ready", "Flag": "OK",
               "Enabled": true, "Role": "Compute", "NID": 1})
    );
    let table = t
        .ok(
            &[
                "smd",
                "component",
                "get",
                "-F",
                "table",
                "--filter",
                "type=Node",
            ],
            &env,
        )
        .await;
    assert_eq!(
        table,
        "Enabled  Flag  ID             NID  Role     State  Type\n\
         true     OK    x1000c0s0b0n0  1    Compute  Ready  Node\n\
         true     OK    x1000c0s0b0n1  2             On     Node\n"
    );
    let yaml = t
        .ok(
            &["smd", "component", "get", "x1000c0s0b0n1", "-F", "yaml"],
            &env,
        )
        .await;
    assert!(
        yaml.contains("ID: x1000c0s0b0n1\n") && yaml.contains("NID: 2\n"),
        "{yaml}"
    );
    t.ok(
        &[
            "smd",
            "component",
            "set",
            "x1000c0s0b0n1",
            "--state",
            "Off",
            "--nid",
            "7",
        ],
        &env,
    )
    .await;
    let v = json_of(
        &t.ok(&["smd", "component", "get", "x1000c0s0b0n1"], &env)
            .await,
    );
    assert_eq!(
        (v["State"].as_str(), v["NID"].as_i64()),
        (Some("Off"), Some(7))
    );

    // Redfish endpoints and interfaces.
    t.ok(
        &["smd", "rfe", "add", "x1000c0s0b0", "--host", "10.0.0.10"],
        &env,
    )
    .await;
    let rfe = json_of(&t.ok(&["smd", "rfe", "get", "x1000c0s0b0"], &env).await);
    assert_eq!(
        (rfe["ID"].as_str(), rfe["FQDN"].as_str()),
        (Some("x1000c0s0b0"), Some("10.0.0.10"))
    );
    t.ok(
        &[
            "smd",
            "iface",
            "add",
            "--mac",
            "02:00:00:00:00:01",
            "--xname",
            "x1000c0s0b0n0",
            "--ip",
            "10.1.0.1,HMN",
        ],
        &env,
    )
    .await;
    let ifs = json_of(
        &t.ok(
            &[
                "smd",
                "iface",
                "get",
                "--filter",
                "ComponentID=x1000c0s0b0n0",
            ],
            &env,
        )
        .await,
    );
    assert_eq!(ifs[0]["ID"], "020000000001");
    assert_eq!(
        ifs[0]["IPAddresses"],
        json!([{"IPAddress": "10.1.0.1", "Network": "HMN"}])
    );
    t.ok(
        &[
            "smd",
            "iface",
            "set",
            "020000000001",
            "-d",
            r#"{"Description":"eth0"}"#,
        ],
        &env,
    )
    .await;
    let i = json_of(&t.ok(&["smd", "iface", "get", "020000000001"], &env).await);
    assert_eq!(i["Description"], "eth0");
    t.ok(&["smd", "iface", "get", "-F", "table"], &env).await;
    t.ok(&["smd", "rfe", "get", "-F", "table"], &env).await;
    t.ok(&["smd", "rfe", "get", "x1000c0s0b0", "-F", "yaml"], &env)
        .await;
    t.ok(&["smd", "iface", "delete", "020000000001"], &env)
        .await;
    t.ok(
        &[
            "smd",
            "rfe",
            "set",
            "x1000c0s0b0",
            "-d",
            r#"{"ID":"x1000c0s0b0","FQDN":"10.0.0.11","Hostname":"bmc0"}"#,
        ],
        &env,
    )
    .await;
    let rfe = json_of(&t.ok(&["smd", "rfe", "get", "x1000c0s0b0"], &env).await);
    assert_eq!(
        (rfe["FQDN"].as_str(), rfe["Hostname"].as_str()),
        (Some("10.0.0.11"), Some("bmc0"))
    );
    t.ok(&["smd", "rfe", "delete", "x1000c0s0b0"], &env).await;
    let compep = json_of(&t.ok(&["smd", "compep", "get"], &env).await);
    assert_eq!(compep, json!({"ComponentEndpoints": []}));

    // Groups and partitions.
    t.ok(
        &[
            "smd",
            "group",
            "add",
            "compute",
            "--description",
            "Compute nodes",
            "--member",
            "x1000c0s0b0n0",
        ],
        &env,
    )
    .await;
    t.ok(
        &[
            "smd",
            "group",
            "set",
            "compute",
            "--member",
            "x1000c0s0b0n0",
            "--member",
            "x1000c0s0b0n1",
        ],
        &env,
    )
    .await;
    let g = json_of(&t.ok(&["smd", "group", "get", "compute"], &env).await);
    assert_eq!(
        g["members"]["ids"],
        json!(["x1000c0s0b0n0", "x1000c0s0b0n1"])
    );
    assert_eq!(g["description"], "Compute nodes");
    let gt = t.ok(&["smd", "group", "get", "-F", "table"], &env).await;
    assert_eq!(
        gt,
        "description    label    members\nCompute nodes  compute  x1000c0s0b0n0,x1000c0s0b0n1\n"
    );
    t.ok(
        &["smd", "partition", "add", "p1", "--member", "x1000c0s0b0n0"],
        &env,
    )
    .await;
    let p = json_of(&t.ok(&["smd", "partition", "get", "p1"], &env).await);
    assert_eq!(p["members"]["ids"], json!(["x1000c0s0b0n0"]));
    t.ok(&["smd", "partition", "get", "-F", "table"], &env)
        .await;
    t.ok(&["smd", "partition", "delete", "p1"], &env).await;
    t.ok(&["smd", "group", "delete", "compute"], &env).await;
    t.ok(&["smd", "component", "delete", "--all"], &env).await;
    let none = json_of(&t.ok(&["smd", "component", "get"], &env).await);
    assert_eq!(none, json!({"Components": []}));
    golden("client/smd.txt", &t.text);
}

async fn bss_and_cloud_init_round_trips(backend: Backend) {
    let Some(s) = Session::open(backend).await else {
        return;
    };
    let env = s.env();
    let mut t = s.transcript();

    t.add_ready_node(&env).await;
    t.ok(
        &[
            "bss",
            "boot",
            "params",
            "add",
            "--xname",
            "x1000c0s0b0n0",
            "--kernel",
            "http://s/vmlinuz",
            "--initrd",
            "http://s/initrd",
            "--params",
            "console=ttyS0",
        ],
        &env,
    )
    .await;
    t.ok(
        &[
            "bss",
            "boot",
            "params",
            "update",
            "--xname",
            "x1000c0s0b0n0",
            "--params",
            "console=tty0",
        ],
        &env,
    )
    .await;
    let p = json_of(
        &t.ok(
            &["bss", "boot", "params", "get", "--xname", "x1000c0s0b0n0"],
            &env,
        )
        .await,
    );
    assert_eq!(p[0]["params"], "console=tty0");
    assert_eq!(p[0]["kernel"], "http://s/vmlinuz");
    t.ok(&["bss", "boot", "params", "get", "-F", "table"], &env)
        .await;
    let script = t
        .ok(&["bss", "boot", "script", "get", "--nid", "1"], &env)
        .await;
    assert!(script.starts_with("#!ipxe\n"), "{script}");
    assert!(
        script.contains("kernel --name kernel http://s/vmlinuz"),
        "{script}"
    );
    // set replaces: the initrd is gone.
    let yaml = "hosts: [x1000c0s0b0n0]\nkernel: http://s/vmlinuz2\n";
    t.ok(
        &["bss", "boot", "params", "set", "-f", "yaml", "-d", yaml],
        &env,
    )
    .await;
    let p = json_of(
        &t.ok(
            &["bss", "boot", "params", "get", "--xname", "x1000c0s0b0n0"],
            &env,
        )
        .await,
    );
    assert_eq!(p[0]["kernel"], "http://s/vmlinuz2");
    assert!(p[0].get("initrd").is_none_or(|i| i == ""), "{p}");
    t.ok(
        &[
            "bss",
            "boot",
            "params",
            "delete",
            "--xname",
            "x1000c0s0b0n0",
        ],
        &env,
    )
    .await;
    let (_, err) = t
        .exits(
            &["bss", "boot", "params", "get", "--xname", "x1000c0s0b0n0"],
            &env,
            1,
        )
        .await;
    assert!(err.starts_with("ochami: 404 "), "{err}");

    // cloud-init: defaults, group, node, render.
    t.ok(
        &[
            "cloud-init",
            "defaults",
            "set",
            "-d",
            r#"{"cloud_provider":"piccolo","base-url":"http://x"}"#,
        ],
        &env,
    )
    .await;
    let d = json_of(&t.ok(&["cloud-init", "defaults", "get"], &env).await);
    assert_eq!(d["cloud_provider"], "piccolo");
    assert_eq!(d["base-url"], "http://x");
    t.ok(&["cloud-init", "defaults", "delete"], &env).await;
    let d = json_of(&t.ok(&["cloud-init", "defaults", "get"], &env).await);
    assert!(d.get("cloud_provider").is_none_or(|v| v == ""), "{d}");

    let group = "name: compute\nmeta-data: {site: lab}\nfile:\n  encoding: plain\n  content: |\n    ## template: jinja\n    #cloud-config\n    runcmd: [echo {{ ds.meta_data.instance_data.v1.instance_id }}]\n";
    t.ok(
        &[
            "cloud-init",
            "group",
            "set",
            "compute",
            "-f",
            "yaml",
            "-d",
            group,
        ],
        &env,
    )
    .await;
    let g = json_of(&t.ok(&["cloud-init", "group", "get", "compute"], &env).await);
    assert_eq!(g["meta-data"]["site"], "lab");
    t.ok(&["cloud-init", "group", "get", "-F", "table"], &env)
        .await;
    t.ok(
        &[
            "smd",
            "group",
            "add",
            "compute",
            "--member",
            "x1000c0s0b0n0",
        ],
        &env,
    )
    .await;
    let rendered = t
        .ok(&["cloud-init", "render", "compute", "x1000c0s0b0n0"], &env)
        .await;
    assert!(rendered.contains("#cloud-config"), "{rendered}");
    assert!(
        rendered.contains("runcmd: [echo {{ ds.meta_data"),
        "{rendered}"
    );
    let (_, err) = t
        .exits(&["cloud-init", "render", "other", "x1000c0s0b0n0"], &env, 1)
        .await;
    assert!(
        err.starts_with("ochami: 404 ") && err.lines().count() == 1,
        "{err}"
    );

    t.ok(
        &[
            "cloud-init",
            "node",
            "set",
            "x1000c0s0b0n0",
            "-d",
            r#"{"instance-info":{"id":"x1000c0s0b0n0","local-hostname":"nid001"}}"#,
        ],
        &env,
    )
    .await;
    let n = json_of(
        &t.ok(&["cloud-init", "node", "get", "x1000c0s0b0n0"], &env)
            .await,
    );
    assert_eq!(n["instance-info"]["local-hostname"], "nid001", "{n}");
    t.ok(
        &["cloud-init", "node", "get", "x1000c0s0b0n0", "-F", "table"],
        &env,
    )
    .await;
    t.ok(&["cloud-init", "node", "delete", "x1000c0s0b0n0"], &env)
        .await;
    t.ok(&["cloud-init", "group", "delete", "compute"], &env)
        .await;
    let (_, err) = t
        .exits(&["cloud-init", "group", "get", "compute"], &env, 1)
        .await;
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("ochami: 404 "), "{err}");
    golden("client/bss_and_cloud_init.txt", &t.text);
}

/// The nodes.yaml of OpenCHAMI's reference, plus a second node sharing the BMC.
const NODES_YAML: &str = r#"bmcs:
  - {name: bmc-a, xname: x3000c0s4b0, mac: "02:00:00:aa:00:01", ip: 10.1.0.40}
nodes:
  - name: cn01
    nid: 11
    xname: x3000c0s4b0n0
    bmc: bmc-a
    groups: [compute, rack3]
    interfaces:
      - {mac_addr: "02:00:00:bb:00:01", ip_addrs: [{name: HMN, ip_addr: 10.1.1.11}]}
  - name: cn02
    nid: 12
    xname: x3000c0s4b0n1
    groups: [compute]
    interfaces:
      - mac_addr: "02:00:00:bb:00:02"
        ip_addrs:
          - {name: HMN, ip_addr: 10.1.1.12}
          - {name: NMN, ip_addr: 10.2.1.12}
"#;

async fn discover_static_registers_a_nodes_file(backend: Backend) {
    let Some(s) = Session::open(backend).await else {
        return;
    };
    let env = s.env();
    let mut t = s.transcript();
    let file = s.home.path().join("nodes.yaml");

    // A bad row: nothing is written, the line is named.
    std::fs::write(
        &file,
        NODES_YAML.replace("\"02:00:00:bb:00:02\"", "\"02:00:00:bb:00:01\""),
    )
    .unwrap();
    let data = format!("@{}", file.display());
    let (_, err) = t
        .exits(&["discover", "static", "-f", "yaml", "-d", &data], &env, 1)
        .await;
    assert_eq!(
        err,
        "ochami: nodes file line 16: MAC 02:00:00:bb:00:01 is used twice (first at line 10)\n"
    );
    let none = json_of(&t.ok(&["smd", "component", "get"], &env).await);
    assert_eq!(none, json!({"Components": []}));

    std::fs::write(&file, NODES_YAML).unwrap();
    let out = json_of(
        &t.ok(&["discover", "static", "-f", "yaml", "-d", &data], &env)
            .await,
    );
    assert_eq!(out, json!({"created": 8, "existing": 0, "replaced": 0}));
    let again = json_of(
        &t.ok(&["discover", "static", "-f", "yaml", "-d", &data], &env)
            .await,
    );
    assert_eq!(again, json!({"created": 0, "existing": 8, "replaced": 0}));
    let over = json_of(
        &t.ok(
            &[
                "discover",
                "static",
                "-f",
                "yaml",
                "-d",
                &data,
                "--overwrite",
            ],
            &env,
        )
        .await,
    );
    assert_eq!(over, json!({"created": 0, "existing": 0, "replaced": 8}));

    let comps = json_of(&t.ok(&["smd", "component", "get"], &env).await);
    let nids: Vec<_> = comps["Components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["ID"].as_str().unwrap().to_owned(),
                c["NID"].as_i64(),
                c["Role"].as_str().map(str::to_owned),
            )
        })
        .filter(|(id, ..)| id.contains('n'))
        .collect();
    assert_eq!(
        nids,
        [
            (
                "x3000c0s4b0n0".to_owned(),
                Some(11),
                Some("Compute".to_owned())
            ),
            (
                "x3000c0s4b0n1".to_owned(),
                Some(12),
                Some("Compute".to_owned())
            ),
        ]
    );
    let rfe = json_of(&t.ok(&["smd", "rfe", "get", "x3000c0s4b0"], &env).await);
    assert_eq!(
        (
            rfe["Name"].as_str(),
            rfe["IPAddress"].as_str(),
            rfe["MACAddr"].as_str()
        ),
        (Some("bmc-a"), Some("10.1.0.40"), Some("02:00:00:aa:00:01"))
    );
    let i = json_of(&t.ok(&["smd", "iface", "get", "020000bb0002"], &env).await);
    assert_eq!(i["ComponentID"], "x3000c0s4b0n1");
    assert_eq!(
        i["IPAddresses"],
        json!([{"IPAddress": "10.1.1.12", "Network": "HMN"}, {"IPAddress": "10.2.1.12", "Network": "NMN"}])
    );
    let g = json_docs(
        &t.ok(&["smd", "group", "get", "compute", "rack3"], &env)
            .await,
    );
    assert_eq!(
        g[0]["members"]["ids"],
        json!(["x3000c0s4b0n0", "x3000c0s4b0n1"])
    );
    assert_eq!(g[1]["members"]["ids"], json!(["x3000c0s4b0n0"]));
    assert_eq!(g[0]["description"], "The compute group");
    t.ok(&["smd", "component", "get", "-F", "table"], &env)
        .await;
    t.ok(&["smd", "iface", "get", "-F", "table"], &env).await;
    t.ok(&["smd", "group", "get", "-F", "table"], &env).await;
    t.ok(
        &[
            "discover", "static", "-f", "yaml", "-d", &data, "-F", "table",
        ],
        &env,
    )
    .await;

    // stdin works too.
    let (_, err) = t
        .exits(
            &[
                "discover",
                "static",
                "-d",
                "nodes: [{nid: 1, xname: x1c0s0b0n0}]",
            ],
            &env,
            1,
        )
        .await;
    assert_eq!(
        err,
        "ochami: nodes file line 1: node x1c0s0b0n0: its BMC x1c0s0b0 is not in bmcs\n"
    );
    golden("client/discover_static.txt", &t.text);
}

/// Concatenated pretty JSON documents (one per id asked for) as one array.
fn json_docs(s: &str) -> Value {
    json_of(&format!("[{}]", s.replace("}\n{", "},\n{")))
}

use tokens::tokens_from_env_file_and_cluster_config;

mod tokens {
    use super::*;
    use crate::cli::common::server_with_auth;
    use jsonwebtoken::jwk::{Jwk, JwkSet};
    use jsonwebtoken::{Algorithm, EncodingKey, Header};

    fn now() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default()
    }

    /// A server requiring tokens signed PS256 by a fresh key (TokenSmith's shape), and a
    /// token for `scope`.
    pub(super) async fn secured(
        store: std::sync::Arc<dyn ochami_store::Store>,
    ) -> (
        String,
        tokio::sync::oneshot::Sender<()>,
        impl Fn(Value, i64) -> String,
    ) {
        let kp =
            rcgen::KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)
                .expect("RSA key");
        let enc = EncodingKey::from_rsa_pem(kp.serialize_pem().as_bytes()).expect("PEM");
        let mut jwk = Jwk::from_encoding_key(&enc, Algorithm::PS256).expect("JWK");
        jwk.common.key_id = Some("ts".into());
        let set = serde_json::to_string(&JwkSet { keys: vec![jwk] }).unwrap();
        let auth =
            Authenticator::from_jwks_json(&set, ScopePolicy::default(), Some("smd".into()), None)
                .expect("authenticator");
        let (base, tx) = server_with_auth(store, Some(auth)).await;
        let mint = move |scope: Value, exp: i64| {
            let mut h = Header::new(Algorithm::PS256);
            h.kid = Some("ts".into());
            let claims = json!({"iss": "http://tokensmith:8080", "sub": "admin@example.com",
                "aud": ["smd"], "exp": exp, "nbf": now() - 5, "iat": now() - 5, "scope": scope});
            jsonwebtoken::encode(&h, &claims, &enc).expect("sign")
        };
        (base, tx, mint)
    }

    pub(super) async fn tokens_from_env_file_and_cluster_config(backend: Backend) {
        let Some(ts) = backend.open().await else {
            return;
        };
        let (base, _stop, mint) = secured(ts.store.clone()).await;
        let home = tempfile::tempdir().expect("tempdir");
        let home_s = home.path().display().to_string();
        let env = env_for(&base, &home_s);
        let add = [
            "smd",
            "component",
            "add",
            "x1c0s0b0n0",
            "--nid",
            "1",
            "--state",
            "On",
        ];

        let (out, err) = ochami_exits(&add, &env, 1).await;
        assert_eq!(out, "");
        assert_eq!(
            err,
            "ochami: 401 Unauthorized: a bearer token is required\n"
        );

        let expired = mint(json!(["admin"]), now() - 3600);
        let mut with = env.clone();
        with.push(("OCHAMI_ACCESS_TOKEN", &expired));
        let (_, err) = ochami_exits(&add, &with, 1).await;
        assert_eq!(
            err,
            "ochami: 401 Unauthorized: invalid bearer token: expired\n"
        );

        let reader = mint(json!(["read"]), now() + 600);
        let mut with = env.clone();
        with.push(("OCHAMI_ACCESS_TOKEN", &reader));
        let (_, err) = ochami_exits(&add, &with, 1).await;
        assert!(
            err.starts_with("ochami: 403 Forbidden: ") && err.contains("smd:write"),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!err.contains(&reader));

        // TokenSmith's admin token from OCHAMI_ACCESS_TOKEN, then from --token-file.
        let admin = mint(json!(["admin"]), now() + 600);
        let mut with = env.clone();
        with.push(("OCHAMI_ACCESS_TOKEN", &admin));
        ochami_ok(&add, &with).await;
        let file = home.path().join("token");
        std::fs::write(&file, format!("{admin}\n")).unwrap();
        let file_s = file.display().to_string();
        ochami_ok(
            &[
                "smd",
                "component",
                "delete",
                "x1c0s0b0n0",
                "--token-file",
                &file_s,
            ],
            &env,
        )
        .await;

        // A named cluster of ~/.config/ochami/config.yaml, its token in <NAME>_ACCESS_TOKEN.
        let cfg = home.path().join(".config/ochami");
        std::fs::create_dir_all(&cfg).unwrap();
        std::fs::write(
            cfg.join("config.yaml"),
            format!("default-cluster: my-lab\nclusters:\n  - name: my-lab\n    cluster:\n      uri: {base}\n"),
        )
        .unwrap();
        let named = [
            ("HOME", home_s.as_str()),
            ("XDG_CONFIG_HOME", ""),
            ("MY_LAB_ACCESS_TOKEN", admin.as_str()),
        ];
        ochami_ok(&add, &named).await;
        let v = json_of(&ochami_ok(&["smd", "component", "get", "x1c0s0b0n0"], &named).await);
        assert_eq!(v["NID"], 1);
    }
}

async fn errors_are_one_line_and_exit_1(backend: Backend) {
    let Some(s) = Session::open(backend).await else {
        return;
    };
    let env = s.env();
    let mut t = s.transcript();

    let (out, err) = t
        .exits(&["smd", "component", "get", "x9c0s0b0n0"], &env, 1)
        .await;
    assert_eq!(out, "");
    assert_eq!(
        err,
        "ochami: 404 Not Found: no such component: x9c0s0b0n0\n"
    );
    let (_, err) = t
        .exits(&["smd", "component", "add", "-d", "{not json"], &env, 1)
        .await;
    assert!(err.starts_with("ochami: input is not JSON: "), "{err}");
    let (_, err) = t
        .exits(
            &["smd", "component", "get"],
            &[("HOME", s.home_s.as_str()), ("XDG_CONFIG_HOME", "")],
            1,
        )
        .await;
    assert!(
        err.starts_with("ochami: no server: give --cluster-uri"),
        "{err}"
    );
    let closed_port = super::common::closed_port();
    let closed = format!("http://127.0.0.1:{closed_port}");
    t.mask(&closed, "http://CLOSED");
    let (_, err) = t
        .exits(&["smd", "component", "get", "-u", &closed], &env, 1)
        .await;
    assert!(
        err.starts_with(&format!("ochami: {closed}/hsm/v2/State/Components: ")),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    // Completions and man pages come from the same command tree.
    let bash = ochami_ok(&["completions", "bash"], &env).await;
    assert!(
        bash.contains("cloud-init") && bash.contains("--cluster-uri"),
        "bash completion"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let dir_s = dir.path().display().to_string();
    ochami_ok(&["man", &dir_s], &env).await;
    let page =
        std::fs::read_to_string(dir.path().join("ochami-smd-component.1")).expect("man page");
    assert!(page.contains(".TH ochami-smd-component 1"), "{page}");
    golden("client/errors.txt", &t.text);
}
