//! The TLS stack the crate was built with (feature `rustls`, `rustls-ring`
//! or `native-tls`) gives a working client: building one for an `https`
//! base URL succeeds (reqwest builds its TLS configuration there, and
//! `rustls-no-provider` without a crypto provider would panic). Run with
//! each TLS feature by `cargo test -p codegen --test generate -- --ignored
//! every_api_group_and_tls_choice`.

use ottu_client::{Auth, Client, Config};

#[test]
fn a_client_builds_with_the_chosen_tls_stack() {
    let client = Client::new(Config::sandbox(Auth::api_key("k")));
    assert!(client.is_ok(), "{:?}", client.err());
    // Twice: the `ring` provider is installed once and then reused.
    assert!(Client::new(Config::sandbox(Auth::api_key("k"))).is_ok());
}

/// An application that installed its own provider keeps it.
#[cfg(feature = "rustls-ring")]
#[test]
fn an_installed_crypto_provider_is_kept() {
    assert!(Client::new(Config::sandbox(Auth::api_key("k"))).is_ok());
    let installed =
        rustls::crypto::CryptoProvider::get_default().expect("installed by Client::new");
    assert!(Client::new(Config::sandbox(Auth::api_key("k"))).is_ok());
    let after = rustls::crypto::CryptoProvider::get_default().unwrap();
    assert!(std::sync::Arc::ptr_eq(installed, after));
}
