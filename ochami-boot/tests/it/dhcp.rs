//! DHCP exchanges message by message: what a known node, an iPXE client, a relayed client
//! and an unknown MAC get, as the bytes a client would receive.

use std::net::Ipv4Addr;

use dhcproto::v4::{
    self, DhcpOption, Flags, Message, MessageType, OptionCode, UnknownOption, relay,
};
use dhcproto::{Decodable, Decoder, Encodable, Encoder};
use ochami_boot::dhcp::{
    Answer, BootFiles, Destination, DhcpConfig, DhcpReply, DhcpRequest, LeasePool, Reservation,
    Silence, answer, reservation,
};
use ochami_core::MacAddr;

use crate::{add_node, store};

const MAC: &str = "52:54:00:12:34:56";

fn ip(s: &str) -> Ipv4Addr {
    s.parse().expect("test ip")
}

fn mac() -> MacAddr {
    MAC.parse().expect("test mac")
}

fn config() -> DhcpConfig {
    let mut c = DhcpConfig::new(
        ip("10.0.0.1"),
        ip("255.255.255.0"),
        "http://10.0.0.1:27778/",
    );
    c.routers = vec![ip("10.0.0.254")];
    c.dns_servers = vec![ip("10.0.0.53"), ip("10.0.0.54")];
    c.domain = Some("cluster.local".into());
    c
}

fn known() -> Reservation {
    Reservation {
        ip: ip("10.0.0.5"),
        xname: "x1000c0s0b0n0".parse().expect("test xname"),
        hostname: "x1000c0s0b0n0".into(),
    }
}

/// A client message as bytes, decoded the way the server decodes it.
struct Client(Message);

impl Client {
    fn new(kind: MessageType) -> Self {
        let z = Ipv4Addr::UNSPECIFIED;
        let mut m = Message::new_with_id(0x1234_5678, z, z, z, z, &mac().octets());
        m.opts_mut().insert(DhcpOption::MessageType(kind));
        Client(m)
    }
    fn opt(mut self, o: DhcpOption) -> Self {
        self.0.opts_mut().insert(o);
        self
    }
    fn arch(self, code: u16) -> Self {
        self.opt(DhcpOption::ClientSystemArchitecture(code.into()))
    }
    fn ipxe(self) -> Self {
        self.opt(DhcpOption::UserClass(b"iPXE".to_vec()))
    }
    fn requested(self, a: &str) -> Self {
        self.opt(DhcpOption::RequestedIpAddress(ip(a)))
    }
    fn server(self, a: &str) -> Self {
        self.opt(DhcpOption::ServerIdentifier(ip(a)))
    }
    fn ciaddr(mut self, a: &str) -> Self {
        self.0.set_ciaddr(ip(a));
        self
    }
    fn giaddr(mut self, a: &str) -> Self {
        self.0.set_giaddr(ip(a));
        self
    }
    fn broadcast(mut self) -> Self {
        self.0.set_flags(Flags::default().set_broadcast());
        self
    }
    fn request(&self) -> DhcpRequest {
        let mut bytes = Vec::new();
        self.0
            .encode(&mut Encoder::new(&mut bytes))
            .expect("client message encodes");
        DhcpRequest::decode(&bytes).expect("client message decodes")
    }
}

fn ask(c: Client, known: Option<&Reservation>, pool: Option<&mut LeasePool>) -> Answer {
    answer(&c.request(), known, pool, &config(), 1000)
}

/// The reply, as the client receives it (encoded, then decoded).
fn reply(a: Answer) -> (Message, Destination) {
    let Answer::Reply(r) = a else {
        panic!("expected a reply, got {a:?}")
    };
    (wire(&r), r.to)
}

fn wire(r: &DhcpReply) -> Message {
    let bytes = r.encode().expect("reply encodes");
    assert!(bytes.len() <= 576, "reply of {} bytes", bytes.len());
    Message::decode(&mut Decoder::new(&bytes)).expect("reply decodes")
}

fn opt(m: &Message, code: OptionCode) -> Option<&DhcpOption> {
    m.opts().get(code)
}

fn file(m: &Message) -> Option<String> {
    match opt(m, OptionCode::BootfileName) {
        Some(DhcpOption::BootfileName(f)) => Some(String::from_utf8(f.clone()).expect("utf-8")),
        _ => None,
    }
}

#[test]
fn a_known_pxe_rom_is_offered_its_address_and_the_ipxe_binary() {
    let (m, to) = reply(ask(
        Client::new(MessageType::Discover).arch(0),
        Some(&known()),
        None,
    ));
    assert_eq!(m.opcode(), v4::Opcode::BootReply);
    assert_eq!(m.xid(), 0x1234_5678);
    assert_eq!(m.chaddr()[..6], mac().octets());
    assert_eq!(m.opts().msg_type(), Some(MessageType::Offer));
    assert_eq!(m.yiaddr(), ip("10.0.0.5"));
    assert_eq!(m.siaddr(), ip("10.0.0.1"));
    assert_eq!(m.ciaddr(), Ipv4Addr::UNSPECIFIED);
    // The decoder keeps the field's NUL terminator.
    assert_eq!(m.fname(), Some(&b"undionly.kpxe\0"[..]));
    assert_eq!(file(&m).as_deref(), Some("undionly.kpxe"));
    let expect = [
        DhcpOption::ServerIdentifier(ip("10.0.0.1")),
        DhcpOption::AddressLeaseTime(3600),
        DhcpOption::Renewal(1800),
        DhcpOption::Rebinding(3150),
        DhcpOption::SubnetMask(ip("255.255.255.0")),
        DhcpOption::Router(vec![ip("10.0.0.254")]),
        DhcpOption::DomainNameServer(vec![ip("10.0.0.53"), ip("10.0.0.54")]),
        DhcpOption::DomainName("cluster.local".into()),
        DhcpOption::Hostname("x1000c0s0b0n0".into()),
    ];
    for o in expect {
        assert_eq!(opt(&m, OptionCode::from(&o)), Some(&o));
    }
    assert_eq!(
        to,
        Destination::Hardware {
            ip: ip("10.0.0.5"),
            mac: mac()
        }
    );
}

#[test]
fn boot_file_by_architecture() {
    let cases = [
        (Some(0), Some("undionly.kpxe")),
        (Some(7), Some("ipxe.efi")),
        (Some(9), Some("ipxe.efi")),
        (Some(11), Some("ipxe-arm64.efi")),
        (Some(16), None),
        (None, None),
    ];
    for (arch, want) in cases {
        let mut c = Client::new(MessageType::Discover);
        if let Some(a) = arch {
            c = c.arch(a);
        }
        let (m, _) = reply(ask(c, Some(&known()), None));
        assert_eq!(file(&m).as_deref(), want, "arch {arch:?}");
        assert_eq!(m.yiaddr(), ip("10.0.0.5"), "the address is served anyway");
    }
    let mut c = config();
    c.boot_files = BootFiles {
        bios: "b.kpxe".into(),
        x86_64_efi: "x.efi".into(),
        arm64_efi: "a.efi".into(),
    };
    let req = Client::new(MessageType::Discover).arch(11).request();
    let (m, _) = reply(answer(&req, Some(&known()), None, &c, 0));
    assert_eq!(file(&m).as_deref(), Some("a.efi"));
}

#[test]
fn ipxe_gets_its_bootscript_url() {
    let url = "http://10.0.0.1:27778/boot/v1/bootscript?mac=52:54:00:12:34:56";
    let (m, _) = reply(ask(
        Client::new(MessageType::Discover).arch(7).ipxe(),
        Some(&known()),
        None,
    ));
    assert_eq!(file(&m).as_deref(), Some(url));
    assert_eq!(m.fname(), None, "the URL is not a TFTP file name");
    let encapsulated =
        Client::new(MessageType::Discover).opt(DhcpOption::Unknown(UnknownOption::new(
            OptionCode::from(175),
            vec![177, 5, 1, 0x10, 0xec, 0x81, 0x19],
        )));
    let (m, _) = reply(ask(encapsulated, Some(&known()), None));
    assert_eq!(file(&m).as_deref(), Some(url));
}

#[test]
fn request_in_every_client_state() {
    let k = known();
    // SELECTING: our offer.
    let (m, to) = reply(ask(
        Client::new(MessageType::Request)
            .server("10.0.0.1")
            .requested("10.0.0.5")
            .broadcast(),
        Some(&k),
        None,
    ));
    assert_eq!(m.opts().msg_type(), Some(MessageType::Ack));
    assert_eq!(m.yiaddr(), ip("10.0.0.5"));
    assert_eq!(to, Destination::Broadcast);
    // SELECTING another server's offer.
    assert_eq!(
        ask(
            Client::new(MessageType::Request)
                .server("10.0.0.2")
                .requested("10.0.0.77"),
            Some(&k),
            None
        ),
        Answer::Silent(Silence::OtherServer)
    );
    // INIT-REBOOT with a stale address: NAK, broadcast, nothing but type, server and reason.
    let (m, to) = reply(ask(
        Client::new(MessageType::Request).requested("10.0.0.99"),
        Some(&k),
        None,
    ));
    assert_eq!(m.opts().msg_type(), Some(MessageType::Nak));
    assert_eq!(to, Destination::Broadcast);
    assert_eq!(m.yiaddr(), Ipv4Addr::UNSPECIFIED);
    assert_eq!(m.siaddr(), Ipv4Addr::UNSPECIFIED);
    let codes: Vec<OptionCode> = m.opts().iter().map(|(c, _)| *c).collect();
    assert_eq!(
        codes,
        [
            OptionCode::MessageType,
            OptionCode::ServerIdentifier,
            OptionCode::Message
        ]
    );
    // RENEWING: unicast to ciaddr, ciaddr echoed.
    let (m, to) = reply(ask(
        Client::new(MessageType::Request).ciaddr("10.0.0.5"),
        Some(&k),
        None,
    ));
    assert_eq!(m.opts().msg_type(), Some(MessageType::Ack));
    assert_eq!(m.ciaddr(), ip("10.0.0.5"));
    assert_eq!(to, Destination::Unicast(ip("10.0.0.5")));
    // RENEWING an address that is no longer reserved for it.
    let (m, _) = reply(ask(
        Client::new(MessageType::Request).ciaddr("10.0.0.6"),
        Some(&k),
        None,
    ));
    assert_eq!(m.opts().msg_type(), Some(MessageType::Nak));
    // Neither option 50 nor ciaddr.
    assert_eq!(
        ask(Client::new(MessageType::Request), Some(&k), None),
        Answer::Silent(Silence::NoAddress)
    );
}

#[test]
fn relayed_requests_are_answered_through_the_relay() {
    let mut info = relay::RelayAgentInformation::default();
    info.insert(relay::RelayInfo::AgentCircuitId(b"port7".to_vec()));
    let agent = DhcpOption::RelayAgentInformation(info);
    let (m, to) = reply(ask(
        Client::new(MessageType::Discover)
            .giaddr("10.1.0.1")
            .opt(agent.clone()),
        Some(&known()),
        None,
    ));
    assert_eq!(to, Destination::Relay(ip("10.1.0.1")));
    assert_eq!(m.giaddr(), ip("10.1.0.1"));
    assert_eq!(opt(&m, OptionCode::RelayAgentInformation), Some(&agent));
    // A NAK through a relay asks it to broadcast.
    let (m, to) = reply(ask(
        Client::new(MessageType::Request)
            .giaddr("10.1.0.1")
            .requested("10.1.0.99"),
        Some(&known()),
        None,
    ));
    assert_eq!(m.opts().msg_type(), Some(MessageType::Nak));
    assert!(m.flags().broadcast());
    assert_eq!(to, Destination::Relay(ip("10.1.0.1")));
}

#[test]
fn inform_gets_configuration_only() {
    let (m, to) = reply(ask(
        Client::new(MessageType::Inform).ciaddr("10.0.0.40"),
        None,
        None,
    ));
    assert_eq!(m.opts().msg_type(), Some(MessageType::Ack));
    assert_eq!(m.yiaddr(), Ipv4Addr::UNSPECIFIED);
    assert_eq!(m.ciaddr(), ip("10.0.0.40"));
    assert_eq!(opt(&m, OptionCode::AddressLeaseTime), None);
    assert_eq!(
        opt(&m, OptionCode::SubnetMask),
        Some(&DhcpOption::SubnetMask(ip("255.255.255.0")))
    );
    assert_eq!(to, Destination::Unicast(ip("10.0.0.40")));
}

#[test]
fn unknown_macs_without_a_pool_get_no_reply() {
    for kind in [MessageType::Discover, MessageType::Request] {
        assert_eq!(
            ask(Client::new(kind).requested("10.0.0.9"), None, None),
            Answer::Silent(Silence::UnknownClient)
        );
    }
    assert_eq!(
        ask(Client::new(MessageType::Offer), None, None),
        Answer::Silent(Silence::NotForServer)
    );
}

#[test]
fn unknown_macs_get_short_pool_leases() {
    let mut pool = LeasePool::new("10.0.0.100-10.0.0.101".parse().expect("range"), 300);
    let (m, _) = reply(ask(
        Client::new(MessageType::Discover).arch(7),
        None,
        Some(&mut pool),
    ));
    assert_eq!(m.opts().msg_type(), Some(MessageType::Offer));
    assert_eq!(m.yiaddr(), ip("10.0.0.100"));
    assert_eq!(
        opt(&m, OptionCode::AddressLeaseTime),
        Some(&DhcpOption::AddressLeaseTime(300))
    );
    assert_eq!(opt(&m, OptionCode::Hostname), None);
    assert_eq!(file(&m).as_deref(), Some("ipxe.efi"));
    // iPXE on the unknown machine: the bootscript URL (the unknown-node script).
    let (m, _) = reply(ask(
        Client::new(MessageType::Discover).ipxe(),
        None,
        Some(&mut pool),
    ));
    assert_eq!(m.yiaddr(), ip("10.0.0.100"), "same MAC, same address");
    assert!(file(&m).is_some_and(|f| f.ends_with("bootscript?mac=52:54:00:12:34:56")));
    // REQUEST it.
    let select = || {
        Client::new(MessageType::Request)
            .server("10.0.0.1")
            .requested("10.0.0.100")
    };
    let (m, _) = reply(ask(select(), None, Some(&mut pool)));
    assert_eq!(m.opts().msg_type(), Some(MessageType::Ack));
    assert_eq!(pool.bound(mac(), 1001), Some(ip("10.0.0.100")));
    // INIT-REBOOT with another pool address held by nobody: granted after a restart.
    // Outside the pool on our network: no record, no answer; on another network: NAK.
    assert_eq!(
        ask(
            Client::new(MessageType::Request).requested("10.0.0.50"),
            None,
            Some(&mut pool)
        ),
        Answer::Silent(Silence::NoBinding)
    );
    let (m, _) = reply(ask(
        Client::new(MessageType::Request).requested("192.168.1.50"),
        None,
        Some(&mut pool),
    ));
    assert_eq!(m.opts().msg_type(), Some(MessageType::Nak));
    // RELEASE frees it.
    assert_eq!(
        ask(
            Client::new(MessageType::Release).ciaddr("10.0.0.100"),
            None,
            Some(&mut pool)
        ),
        Answer::Silent(Silence::Released)
    );
    assert_eq!(pool.bound(mac(), 1001), None);
    // DECLINE keeps the address out of use.
    let _ = ask(select(), None, Some(&mut pool));
    assert_eq!(
        ask(
            Client::new(MessageType::Decline).requested("10.0.0.100"),
            None,
            Some(&mut pool)
        ),
        Answer::Silent(Silence::Declined)
    );
    let (m, _) = reply(ask(
        Client::new(MessageType::Discover),
        None,
        Some(&mut pool),
    ));
    assert_eq!(m.yiaddr(), ip("10.0.0.101"));
}

#[test]
fn a_full_pool_is_silent() {
    let mut pool = LeasePool::new("10.0.0.100-10.0.0.100".parse().expect("range"), 300);
    let other = MacAddr::new([2, 0, 0, 0, 0, 9]);
    assert!(pool.offer(other, None, 1000).is_some());
    assert_eq!(
        ask(Client::new(MessageType::Discover), None, Some(&mut pool)),
        Answer::Silent(Silence::PoolExhausted)
    );
}

#[test]
fn a_mac_that_becomes_known_leaves_the_pool() {
    let mut pool = LeasePool::new("10.0.0.100-10.0.0.110".parse().expect("range"), 300);
    let _ = ask(Client::new(MessageType::Discover), None, Some(&mut pool));
    let _ = ask(
        Client::new(MessageType::Request)
            .server("10.0.0.1")
            .requested("10.0.0.100"),
        None,
        Some(&mut pool),
    );
    assert!(pool.bound(mac(), 1000).is_some());
    // The admin adds the node: renewing the pool address is NAKed, the pool forgets it.
    let (m, _) = reply(ask(
        Client::new(MessageType::Request).ciaddr("10.0.0.100"),
        Some(&known()),
        Some(&mut pool),
    ));
    assert_eq!(m.opts().msg_type(), Some(MessageType::Nak));
    assert!(pool.is_empty());
}

#[tokio::test]
async fn reservations_follow_the_store() {
    let s = store().await;
    assert_eq!(reservation(&*s, mac(), None).await.expect("read"), None);
    add_node(&*s, "x1000c0s0b0n0", Some(1), None, &[(MAC, "10.0.0.5")]).await;
    let r = reservation(&*s, mac(), None).await.expect("read");
    assert_eq!(r, Some(known()));
    // A new IP in the store is served on the next request: no cache.
    s.add_ethernet_interface_ip(
        &mac(),
        &ochami_core::IpAddressEntry {
            ip_address: "10.0.0.6".into(),
            network: String::new(),
        },
    )
    .await
    .expect("ip added");
    s.remove_ethernet_interface_ip(&mac(), "10.0.0.5")
        .await
        .expect("ip removed");
    let r = reservation(&*s, mac(), None).await.expect("read");
    assert_eq!(r.map(|r| r.ip), Some(ip("10.0.0.6")));
    // An interface without a component, or without an IPv4 address, is no reservation.
    let orphan: MacAddr = "52:54:00:00:00:01".parse().expect("mac");
    s.insert_ethernet_interface(&ochami_boot::dhcp::unknown_interface(
        orphan,
        Some(ip("10.0.0.100")),
        "2026-01-01T00:00:00Z",
    ))
    .await
    .expect("stored");
    assert_eq!(reservation(&*s, orphan, None).await.expect("read"), None);
    add_node(
        &*s,
        "x1000c0s0b0n1",
        None,
        None,
        &[("52:54:00:00:00:02", "fd00::2")],
    )
    .await;
    let v6only = "52:54:00:00:00:02".parse().expect("mac");
    assert_eq!(reservation(&*s, v6only, None).await.expect("read"), None);
}
