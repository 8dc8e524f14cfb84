//! TLS: an https endpoint with a self-signed certificate is refused by
//! default, accepted with `--ca-cert` naming it, and with `--insecure`
//! (which warns).

mod common;

use std::sync::Arc;

use common::{case_dir, conform, text};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A loopback TLS server answering `200 {}` to every request; returns its
/// port and the certificate in PEM.
async fn tls_server() -> (u16, String) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let pem = cert.cert.pem();
    let chain = vec![CertificateDer::from(cert.cert.der().to_vec())];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.signing_key.serialize_der()));
    let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                let mut buf = [0u8; 4096];
                let _ = tls.read(&mut buf).await;
                let _ = tls
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
                    .await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (port, pem)
}

#[tokio::test(flavor = "multi_thread")]
async fn self_signed_endpoints_need_ca_cert_or_insecure() {
    let (port, pem) = tls_server().await;
    let dir = case_dir(&[
        ("t/t.toml", "[[case]]\nname = \"tls\"\n[[case.step]]\nmethod = \"GET\"\npath = \"/\"\nexpect.json = {}\n"),
        ("ca.pem", &pem),
    ]);
    let url = format!("https://localhost:{port}");
    let cwd = dir.path().to_path_buf();
    let run = move |extra: &'static [&'static str]| {
        let (url, cwd) = (url.clone(), cwd.clone());
        std::thread::spawn(move || {
            let mut args = vec!["run", "--timeout", "5s", "--endpoint", &url];
            args.extend_from_slice(extra);
            args.push("t");
            conform(&args, &cwd)
        })
        .join()
        .unwrap()
    };
    let o = run(&[]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("ERROR t/t::tls") && out.to_lowercase().contains("certificate"), "{out}");

    let o = run(&["--ca-cert", "ca.pem"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let o = run(&["--insecure"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("warning: --insecure"), "{out}");

    let o = run(&["--ca-cert", "t/t.toml"]);
    assert_eq!(o.status.code(), Some(2), "a file that is not PEM is a usage error: {}", text(&o));
}
