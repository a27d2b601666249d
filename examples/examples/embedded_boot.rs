//! A store embedded in a program of its own, and bootscripts rendered without HTTP: what a
//! provisioning tool does to check what a node would boot before it powers it on.
//!
//! ```text
//! cargo run -p ochami-examples --example embedded_boot
//! ```

use ochami_boot::{BootOptions, BootRequest, bootscript};
use ochami_core::{BootParams, Component, EthernetInterface, State};
use ochami_store::Store;

/// Two nodes, one with its own kernel, one on the `Default` parameters.
async fn seed(store: &dyn Store) -> Result<(), Box<dyn std::error::Error>> {
    let nodes = [
        (1, "x1000c0s0b0n0", "02:00:00:00:00:01"),
        (2, "x1000c0s0b0n1", "02:00:00:00:00:02"),
    ];
    for (nid, xname, mac) in nodes {
        let node = xname.parse()?;
        store
            .upsert_components(
                &[Component::new(node).with_state(State::Ready).with_nid(nid)],
                false,
            )
            .await?;
        store
            .insert_ethernet_interface(&EthernetInterface::new(mac.parse()?, Some(node), []))
            .await?;
    }
    store
        .set_boot_params(&BootParams {
            hosts: vec!["Default".into()],
            kernel: "http://images/vmlinuz-6.1".into(),
            initrd: "http://images/initrd-6.1".into(),
            params: "console=ttyS0".into(),
            ..Default::default()
        })
        .await?;
    store
        .set_boot_params(&BootParams {
            hosts: vec!["x1000c0s0b0n1".into()],
            kernel: "http://images/vmlinuz-6.12-test".into(),
            params: "console=ttyS0 debug".into(),
            ..Default::default()
        })
        .await?;
    Ok(())
}

/// The script `mac` would get from a server reachable at `base_url`.
async fn script_for(
    store: &dyn Store,
    mac: &str,
    base_url: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    let req = BootRequest::from_query([("mac", mac)])?;
    Ok(bootscript(store, &req, &BootOptions::for_server(base_url)).await?)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("ochami-embedded-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = ochami_store::open(&format!("sqlite://{}", dir.join("boot.db").display())).await?;
    seed(store.as_ref()).await?;
    for mac in [
        "02:00:00:00:00:01",
        "02:00:00:00:00:02",
        "02:00:00:00:00:99",
    ] {
        println!(
            "# {mac}\n{}",
            script_for(store.as_ref(), mac, "http://10.0.0.1:27779").await?
        );
    }
    drop(store);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_node_gets_its_own_kernel_and_unknown_macs_wait() {
        let store = ochami_store::open("memory:").await.unwrap();
        seed(store.as_ref()).await.unwrap();
        let base = "http://10.0.0.1:27779";
        let default = script_for(store.as_ref(), "02:00:00:00:00:01", base)
            .await
            .unwrap();
        assert!(default.contains("kernel --name kernel http://images/vmlinuz-6.1 initrd=initrd console=ttyS0 xname=x1000c0s0b0n0 nid=1"), "{default}");
        assert!(
            default.contains("initrd --name initrd http://images/initrd-6.1"),
            "{default}"
        );
        let own = script_for(store.as_ref(), "02:00:00:00:00:02", base)
            .await
            .unwrap();
        assert!(
            own.contains(
                "http://images/vmlinuz-6.12-test console=ttyS0 debug xname=x1000c0s0b0n1 nid=2"
            ),
            "{own}"
        );
        let unknown = script_for(store.as_ref(), "02:00:00:00:00:99", base)
            .await
            .unwrap();
        assert!(!unknown.contains("kernel --name kernel"), "{unknown}");
        assert!(unknown.contains("chain"), "{unknown}");
    }
}
