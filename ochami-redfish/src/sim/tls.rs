//! Generated TLS material for simulated BMCs: a CA and a leaf certificate for
//! `localhost`, `127.0.0.1` and `::1`.

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::error::{Error, Result};

/// A CA and a server certificate it signed. Trust [`ca_pem`](Self::ca_pem) in a client to
/// verify the simulator; leave it out to see a verification failure.
pub struct SimTls {
    /// The CA certificate, PEM.
    pub ca_pem: String,
    /// The server certificate, PEM.
    pub cert_pem: String,
    pub(crate) server_config: Arc<rustls::ServerConfig>,
}

impl std::fmt::Debug for SimTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimTls").finish_non_exhaustive()
    }
}

impl SimTls {
    /// Generates fresh material (ECDSA P-256, aws-lc-rs).
    pub fn generate() -> Result<Self> {
        let e = |e: rcgen::Error| Error::Sim(format!("certificate generation: {e}"));
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "ochami-redfish simulator CA");
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_key = KeyPair::generate().map_err(e)?;
        let ca_cert = ca_params.self_signed(&ca_key).map_err(e)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let mut leaf_params = CertificateParams::new(vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
            "::1".to_owned(),
        ])
        .map_err(e)?;
        leaf_params
            .distinguished_name
            .push(DnType::CommonName, "ochami-redfish simulated BMC");
        let leaf_key = KeyPair::generate().map_err(e)?;
        let leaf_cert = leaf_params.signed_by(&leaf_key, &issuer).map_err(e)?;

        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let chain: Vec<CertificateDer<'static>> = vec![leaf_cert.der().clone()];
        let server_config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Sim(format!("TLS: {e}")))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| Error::Sim(format!("TLS: {e}")))?;
        Ok(SimTls {
            ca_pem: ca_cert.pem(),
            cert_pem: leaf_cert.pem(),
            server_config: Arc::new(server_config),
        })
    }
}
