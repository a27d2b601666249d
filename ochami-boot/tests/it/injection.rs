//! Script injection is refused when parameters are stored and again when they are rendered,
//! with an error naming the field; no rendered script holds a line the template lacks.

use ochami_boot::{
    BootDecision, BootError, BootNode, BootOptions, BootRequest, Resolution, render_json,
    render_script,
};
use ochami_store::{BootConfig, BootKey, StoreError};

use crate::{params, store, x};

/// (field, value) pairs that would break or extend a script line.
const HOSTILE: &[(&str, &str)] = &[
    ("kernel", "http://s/k\nshell"),
    ("kernel", "http://s/k\r"),
    ("kernel", "http://s/k shell"),
    ("kernel", "#!ipxe"),
    ("kernel", ";"),
    ("kernel", "http://s/k||shell"),
    ("initrd", "http://s/i\nchain http://evil/"),
    ("initrd", "http://s/i\u{7}"),
    ("params", "quiet\nshell"),
    ("params", "quiet\r\nshell"),
    ("params", "quiet\u{0}"),
    ("params", "quiet\u{1b}[2J"),
    ("params", "quiet\tshell"),
    ("params", "quiet || shell"),
    ("params", "quiet && shell"),
    ("params", "quiet ; shell"),
    ("params", "quiet #"),
    ("params", "quiet\u{2028}shell"),
    ("params", "quiet\u{85}shell"),
];

fn config_with(field: &str, value: &str) -> BootConfig {
    let mut c = BootConfig {
        kernel: "http://s/k".into(),
        ..BootConfig::default()
    };
    match field {
        "kernel" => c.kernel = value.into(),
        "initrd" => c.initrd = value.into(),
        _ => c.params = value.into(),
    }
    c
}

#[tokio::test]
async fn refused_when_stored() {
    let s = store().await;
    for (field, value) in HOSTILE {
        let c = config_with(field, value);
        let bp = params(&["x1000c0s0b0n0"], &c.kernel, &c.initrd, &c.params);
        match s.set_boot_params(&bp).await {
            Err(StoreError::Invalid {
                source: ochami_core::Error::InvalidValue { field: f, .. },
                ..
            }) => {
                assert_eq!(f, *field, "{value:?}")
            }
            other => panic!("{field}={value:?} stored: {other:?}"),
        }
    }
    assert_eq!(s.list_boot_params(&Default::default()).await.unwrap(), []);
}

#[test]
fn refused_when_rendered() {
    let node = BootNode {
        xname: x("x1000c0s0b0n0"),
        nid: Some(1),
        role: None,
    };
    let req = BootRequest::name(node.xname);
    for (field, value) in HOSTILE {
        for known in [true, false] {
            let key = BootKey::Host("x1000c0s0b0n0".into());
            let config = config_with(field, value);
            let decision = if known {
                BootDecision::Boot { key, config }
            } else {
                BootDecision::Discovery { key, config }
            };
            let res = Resolution {
                node: Some(node),
                mac: None,
                decision,
            };
            for result in [
                render_script(&res, &req, &BootOptions::default()),
                render_json(&res, &req, &BootOptions::default()),
            ] {
                match result {
                    Err(e @ BootError::UnsafeParams { .. }) => {
                        let msg = e.to_string();
                        assert!(
                            msg.contains(&format!("invalid {field} ")),
                            "{field}={value:?}: {msg}"
                        );
                        assert!(msg.contains("x1000c0s0b0n0"), "{msg}");
                    }
                    other => panic!("{field}={value:?} rendered: {other:?}"),
                }
            }
        }
    }
}

#[test]
fn hostile_options_are_refused() {
    let res = Resolution {
        node: None,
        mac: None,
        decision: BootDecision::Wait,
    };
    let req = BootRequest::nid(1);
    for (chain, ci) in [
        ("http://h/b\nshell", None),
        ("http://h/b", Some("http://c/ shell")),
        ("http://h/b?x=1", None),
    ] {
        let opts = BootOptions {
            chain_url: chain.into(),
            cloud_init_url: ci.map(Into::into),
            ..BootOptions::default()
        };
        assert!(
            matches!(
                render_script(&res, &req, &opts),
                Err(BootError::UnsafeOption { .. })
            ),
            "{chain:?} {ci:?}"
        );
    }
}

/// Odd but harmless parameters render into exactly the template's lines.
#[test]
fn accepted_params_never_add_lines() {
    let node = BootNode {
        xname: x("x1000c0s0b0n0"),
        nid: Some(1),
        role: None,
    };
    let mac = "aa:bb:cc:dd:ee:ff".parse().unwrap();
    let req = BootRequest::mac(mac).with_retry(7);
    for odd in [
        "",
        "   ",
        "a=\"b c\"",
        "root=${root} ip=${net0/ip}",
        "x=é ü",
        "a;b",
        "a|b",
        "a&b",
        "k=#v",
        "initrd=x initrd",
    ] {
        let config = BootConfig {
            kernel: "http://s/k#frag".into(),
            initrd: "http://s/i".into(),
            params: odd.into(),
            ..Default::default()
        };
        let res = Resolution {
            node: Some(node),
            mac: Some(mac),
            decision: BootDecision::Boot {
                key: BootKey::Host("x1000c0s0b0n0".into()),
                config,
            },
        };
        let text = render_script(&res, &req, &BootOptions::default()).unwrap();
        let prefixes = [
            "#!ipxe",
            "kernel --name kernel http://s/k#frag initrd=initrd ",
            "initrd --name initrd http://s/i || goto boot_retry",
            "boot || goto boot_retry",
            ":boot_retry",
            "sleep 30",
            "chain https://api-gw-service-nmn.local/apis/bss/boot/v1/bootscript?mac=aa:bb:cc:dd:ee:ff&retry=8",
            "",
        ];
        let lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(lines.len(), prefixes.len() + 1, "{odd:?}: {text:?}");
        for (line, prefix) in lines.iter().zip(prefixes) {
            assert!(line.starts_with(prefix), "{odd:?}: {line:?}");
        }
        assert!(
            lines[1].ends_with(" || goto boot_retry"),
            "{odd:?}: {:?}",
            lines[1]
        );
    }
}
