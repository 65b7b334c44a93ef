//! Where the client connects and how it authenticates.

use std::time::Duration;

use super::retry::RetryPolicy;
use super::secret::Secret;

/// Ottu's sandbox host, used throughout its documentation.
pub const SANDBOX_URL: &str = "https://sandbox.ottu.net";

/// How requests authenticate (`Authorization` header).
///
/// Ottu's two keys are distinct modes: the **private** key
/// ([`Auth::api_key`]) is for server-side calls and may call every
/// operation; the **public** key ([`Auth::public_key`]) is the client-safe
/// one, for the wallet payment calls an app or browser makes itself (with
/// Google Pay's `channel` set to `mobile_sdk` or `web_sdk`). Both travel as
/// `Api-Key <key>`; Ottu tells them apart by the key. Never ship the
/// private key in a client.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Auth {
    /// Private API key: `Authorization: Api-Key <key>`. Server side only.
    ApiKey(Secret),
    /// Public API key: `Authorization: Api-Key <public key>`. Client-safe:
    /// meant for wallet and checkout calls made from a client (a mobile app,
    /// a browser). Ottu decides by the key what it permits.
    PublicKey(Secret),
    /// `Authorization: Basic base64(user:pass)`. Server side only.
    Basic {
        /// User name.
        username: String,
        /// Password (never printed).
        password: Secret,
    },
    /// `Authorization: Bearer <token>` (the specs' `SSO_JWT_Auth`).
    Bearer(Secret),
    /// `Authorization: Token <key>` (the specs' `tokenAuth`).
    Token(Secret),
    /// No `Authorization` header (for a proxy that adds it): never refused,
    /// since no credential is sent.
    None,
}

/// How a credential is sent: what an operation accepts, and what a client
/// is configured with ([`Auth::kind`]). Each operation's documentation
/// lists the kinds it accepts (from the spec's `security`); a client whose
/// [`Auth`] is another kind gets [`Error::AuthNotAccepted`](crate::Error::AuthNotAccepted)
/// before anything is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthKind {
    /// `Authorization: Api-Key <key>` ([`Auth::api_key`], [`Auth::public_key`]).
    ApiKey,
    /// `Authorization: Token <key>` ([`Auth::token`]).
    Token,
    /// `Authorization: Basic ...` ([`Auth::basic`]).
    Basic,
    /// `Authorization: Bearer <token>` ([`Auth::bearer`]).
    Bearer,
}

impl std::fmt::Display for AuthKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::ApiKey => "Api-Key",
            Self::Token => "Token",
            Self::Basic => "Basic",
            Self::Bearer => "Bearer",
        })
    }
}

impl Auth {
    /// Ottu's private API key, sent as `Authorization: Api-Key <key>`.
    pub fn api_key(key: impl Into<Secret>) -> Self {
        Self::ApiKey(key.into())
    }

    /// Ottu's client-safe public API key, sent as `Authorization: Api-Key
    /// <public key>` (the same header as the private key; the key's type
    /// decides what Ottu permits). Meant for wallet and checkout calls
    /// made from a client; the private key stays server side. Never
    /// printed, like every credential.
    pub fn public_key(key: impl Into<Secret>) -> Self {
        Self::PublicKey(key.into())
    }

    /// HTTP Basic authentication.
    pub fn basic(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Self::Basic {
            username: username.into(),
            password: password.into(),
        }
    }

    /// A bearer token (JWT).
    pub fn bearer(token: impl Into<Secret>) -> Self {
        Self::Bearer(token.into())
    }

    /// A token sent as `Authorization: Token <key>` (the specs' `tokenAuth`).
    pub fn token(key: impl Into<Secret>) -> Self {
        Self::Token(key.into())
    }

    /// How this credential is sent; `None` for [`Auth::None`].
    pub fn kind(&self) -> Option<AuthKind> {
        Some(match self {
            Self::ApiKey(_) | Self::PublicKey(_) => AuthKind::ApiKey,
            Self::Token(_) => AuthKind::Token,
            Self::Basic { .. } => AuthKind::Basic,
            Self::Bearer(_) => AuthKind::Bearer,
            Self::None => return None,
        })
    }
}

/// Everything a [`Client`](crate::Client) needs.
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) base_url: String,
    pub(crate) auth: Auth,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) user_agent: String,
    pub(crate) max_body_bytes: usize,
    pub(crate) http: Option<reqwest::Client>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) allow_insecure_http: bool,
}

impl Config {
    /// Ottu's sandbox (`https://sandbox.ottu.net`).
    pub fn sandbox(auth: Auth) -> Self {
        Self::new(SANDBOX_URL, auth)
    }

    /// A merchant's own host (`https://<merchant>.ottu.net`) or any base URL.
    pub fn new(base_url: impl Into<String>, auth: Auth) -> Self {
        Self {
            base_url: base_url.into(),
            auth,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            user_agent: concat!("ottu-client-rust/", env!("CARGO_PKG_VERSION")).to_string(),
            max_body_bytes: 4 * 1024 * 1024,
            http: None,
            retry: None,
            allow_insecure_http: false,
        }
    }

    /// Whole-request timeout, body included (default 30 s): a response that
    /// never ends fails with a transport error instead of hanging.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connection timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Largest response body read (default 4 MiB); a larger one is an error.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Use this `reqwest::Client` (proxies, custom TLS roots, pooling shared
    /// with the rest of an application). Its own timeouts, user agent and
    /// redirect policy apply; this config's timeout is still set on every
    /// request. Build it with `redirect(reqwest::redirect::Policy::none())`
    /// to keep documented redirects (a report download's `302`) as
    /// [`Redirect`](crate::Redirect) results: the client built by default
    /// never follows one.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Allow a plain `http://` base URL on a host other than loopback. By
    /// default [`Client::new`](crate::Client::new) refuses one when there
    /// are credentials: the API key would cross the network in clear text.
    pub fn allow_insecure_http(mut self) -> Self {
        self.allow_insecure_http = true;
        self
    }

    /// Retry requests under `policy`, as far as each operation allows (its
    /// documentation says): operations that move money are never retried,
    /// with or without a policy, since a retry can charge twice. See
    /// [`RetryPolicy`].
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }
}
