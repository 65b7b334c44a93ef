//! Which credentials the mock accepts: the ones it was started with, each
//! only under a scheme the operation declares (its `security`, read through
//! `codegen::spec`). Anything else gets Ottu's 401 body (`{"detail": ...}`).

use std::fmt;

use base64::Engine;
use codegen::spec::{Operation, SchemeKind, Spec};

/// The credentials the mock accepts (`cargo xtask mock --api-key K --basic
/// user:pass --bearer T`). `Debug` never shows them.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// `Authorization: Api-Key <api_key>` (Ottu's private key).
    pub api_key: String,
    /// `Authorization: Basic base64(user:password)`.
    pub basic_user: String,
    pub basic_password: String,
    /// `Authorization: Bearer <token>`.
    pub bearer: String,
}

impl Default for Credentials {
    /// Well-known test values, printed by `cargo xtask mock` at start-up.
    fn default() -> Self {
        Self {
            api_key: "mock-api-key".into(),
            basic_user: "mock-user".into(),
            basic_password: "mock-password".into(),
            bearer: "mock-bearer-token".into(),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("api_key", &"***")
            .field("basic_user", &self.basic_user)
            .field("basic_password", &"***")
            .field("bearer", &"***")
            .finish()
    }
}

impl Credentials {
    /// The `Authorization` value of the API key (`Api-Key <key>`).
    pub fn api_key_header(&self) -> String {
        format!("Api-Key {}", self.api_key)
    }

    /// The `Authorization` value of the Basic credential.
    pub fn basic_header(&self) -> String {
        let pair = format!("{}:{}", self.basic_user, self.basic_password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }

    /// The `Authorization` value of the bearer token.
    pub fn bearer_header(&self) -> String {
        format!("Bearer {}", self.bearer)
    }

    /// The `Authorization` value for an operation: its first declared
    /// scheme in the order API key, Basic, bearer (`None` when it takes anyone).
    pub fn header_for(&self, admits: &Admits) -> Option<String> {
        let Admits::Schemes(schemes) = admits else {
            return None;
        };
        Scheme::ALL
            .into_iter()
            .find(|s| schemes.contains(s))
            .map(|s| match s {
                Scheme::ApiKey => self.api_key_header(),
                Scheme::Basic => self.basic_header(),
                Scheme::Bearer => self.bearer_header(),
            })
    }

    /// `user:pass` as `--basic` takes it.
    pub fn parse_basic(text: &str) -> Result<(String, String), String> {
        match text.split_once(':') {
            Some((u, p)) if !u.is_empty() && !p.is_empty() => Ok((u.into(), p.into())),
            _ => Err("expected USER:PASSWORD, both non-empty".into()),
        }
    }
}

/// A way of sending a credential in `Authorization` that the mock checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    ApiKey,
    Basic,
    Bearer,
}

impl Scheme {
    pub const ALL: [Scheme; 3] = [Scheme::ApiKey, Scheme::Basic, Scheme::Bearer];

    /// The `Authorization` header prefix.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::ApiKey => "Api-Key",
            Self::Basic => "Basic",
            Self::Bearer => "Bearer",
        }
    }
}

/// What an operation's `security` admits, decided once at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admits {
    /// `security: []` or an empty alternative: no credential needed.
    Anyone,
    /// A credential under one of these schemes (in spec order).
    Schemes(Vec<Scheme>),
}

impl Admits {
    /// The schemes of every alternative the mock can check: `Authorization`
    /// as an API key (`Api-Key <key>`, Ottu's form), Basic or Bearer. An
    /// operation that declares nothing takes any of them (nothing says
    /// otherwise); other scheme kinds (OAuth, a key in a query) are not
    /// offered by the mock.
    pub fn of(spec: &Spec, op: &Operation<'_>) -> Self {
        let Some(alternatives) = op.security() else {
            return Self::Schemes(Scheme::ALL.to_vec());
        };
        if op.allows_anonymous() {
            return Self::Anyone;
        }
        let mut schemes = Vec::new();
        for alt in &alternatives {
            for (name, _) in &alt.schemes {
                let scheme = match spec.security_scheme(name).map(|s| s.kind) {
                    Some(SchemeKind::Basic) => Scheme::Basic,
                    Some(SchemeKind::Bearer { .. }) => Scheme::Bearer,
                    Some(SchemeKind::ApiKey { location, name, .. })
                        if location == "header" && name.eq_ignore_ascii_case("authorization") =>
                    {
                        Scheme::ApiKey
                    }
                    _ => continue,
                };
                if !schemes.contains(&scheme) {
                    schemes.push(scheme);
                }
            }
        }
        Self::Schemes(schemes)
    }

    /// `None` when `authorization` passes; else the 401 `detail` DRF gives.
    pub fn check(
        &self,
        credentials: &Credentials,
        authorization: Option<&[u8]>,
    ) -> Option<&'static str> {
        let Self::Schemes(schemes) = self else {
            return None;
        };
        const MISSING: &str = "Authentication credentials were not provided.";
        let Some(value) = authorization.and_then(|v| std::str::from_utf8(v).ok()) else {
            return Some(MISSING);
        };
        let Some((prefix, given)) = value.trim().split_once(' ') else {
            return Some("Invalid token header. No credentials provided.");
        };
        let given = given.trim();
        let Some(scheme) = Scheme::ALL
            .into_iter()
            .find(|s| s.prefix().eq_ignore_ascii_case(prefix))
        else {
            return Some(MISSING);
        };
        if !schemes.contains(&scheme) {
            // DRF tries only the authenticators the view declares: a
            // credential under another scheme is as good as none.
            return Some(MISSING);
        }
        let ok = match scheme {
            Scheme::ApiKey => same(given.as_bytes(), credentials.api_key.as_bytes()),
            Scheme::Bearer => same(given.as_bytes(), credentials.bearer.as_bytes()),
            Scheme::Basic => base64::engine::general_purpose::STANDARD
                .decode(given)
                .ok()
                .is_some_and(|pair| {
                    let expected =
                        format!("{}:{}", credentials.basic_user, credentials.basic_password);
                    same(&pair, expected.as_bytes())
                }),
        };
        if ok {
            None
        } else {
            Some(match scheme {
                Scheme::Basic => "Invalid username/password.",
                Scheme::ApiKey => "Invalid API key.",
                Scheme::Bearer => "Invalid token.",
            })
        }
    }
}

/// Equality in time independent of where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
