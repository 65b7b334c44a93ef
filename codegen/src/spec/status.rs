//! Response status keys, parsed once: every consumer (model, diff, the
//! validators, the mock) asks [`Status`] instead of reading the key text.

/// Which statuses a response of the spec stands for: a status code
/// (`"404"`), a range (`"4XX"`, any case) or `"default"` (any case).
///
/// At run time the most specific wins, as OpenAPI says: an exact status,
/// then its range, then `default`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// One status code (`100..=599`).
    Code(u16),
    /// Every status of one class: `Range(4)` is `400..=499`.
    Range(u16),
    /// What nothing else matches. Only statuses outside `200..=299`: a
    /// `default` never turns a success into an error (when an operation
    /// documents no success at all, its `default` also gives the success
    /// type; see `model::Success`).
    Default,
}

impl Status {
    /// `"404"`, `"4XX"`, `"default"` (any case) -> the match; any other key
    /// (an extension, a typo such as `"20"`) is `None`.
    pub fn parse(key: &str) -> Option<Self> {
        if key.eq_ignore_ascii_case("default") {
            return Some(Self::Default);
        }
        let b = key.as_bytes();
        if b.len() == 3 && (b'1'..=b'5').contains(&b[0]) {
            if b[1..].iter().all(|c| c.eq_ignore_ascii_case(&b'x')) {
                return Some(Self::Range(u16::from(b[0] - b'0')));
            }
            if b[1..].iter().all(u8::is_ascii_digit) {
                return key.parse().ok().map(Self::Code);
            }
        }
        None
    }

    /// True for statuses that mean success (`2xx`, `2XX`).
    pub fn is_success(self) -> bool {
        match self {
            Self::Code(c) => (200..300).contains(&c),
            Self::Range(class) => class == 2,
            Self::Default => false,
        }
    }

    /// Does an actual response status fall under this key? (`default`
    /// matches everything; ask [`Status::best`] for OpenAPI's precedence.)
    pub fn matches(self, status: u16) -> bool {
        match self {
            Self::Code(c) => c == status,
            Self::Range(class) => status / 100 == class,
            Self::Default => true,
        }
    }

    /// The exact code, if this key names one.
    pub fn code(self) -> Option<u16> {
        match self {
            Self::Code(c) => Some(c),
            _ => None,
        }
    }

    /// The spec's spelling: `404`, `4XX`, `default`.
    pub fn key(self) -> String {
        match self {
            Self::Code(c) => c.to_string(),
            Self::Range(class) => format!("{class}XX"),
            Self::Default => "default".to_string(),
        }
    }

    /// Match order at run time: exact statuses, then ranges, then `default`.
    pub fn precedence(self) -> u8 {
        match self {
            Self::Code(_) => 0,
            Self::Range(_) => 1,
            Self::Default => 2,
        }
    }

    /// Of `keys`, the index of the one an actual `status` selects: exact,
    /// then range, then `default`.
    pub fn best(keys: impl IntoIterator<Item = Self>, status: u16) -> Option<usize> {
        keys.into_iter()
            .enumerate()
            .filter(|(_, k)| k.matches(status))
            .min_by_key(|(_, k)| k.precedence())
            .map(|(i, _)| i)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::Status;

    #[test]
    fn parses_codes_ranges_and_default() {
        assert_eq!(Status::parse("404"), Some(Status::Code(404)));
        assert_eq!(Status::parse("4XX"), Some(Status::Range(4)));
        assert_eq!(Status::parse("2xx"), Some(Status::Range(2)));
        assert_eq!(Status::parse("Default"), Some(Status::Default));
        for bad in ["x-ext", "20", "600", "099", "4X0", ""] {
            assert_eq!(Status::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn best_prefers_exact_then_range_then_default() {
        let keys = [Status::Default, Status::Range(4), Status::Code(404)];
        assert_eq!(Status::best(keys, 404), Some(2));
        assert_eq!(Status::best(keys, 400), Some(1));
        assert_eq!(Status::best(keys, 500), Some(0));
        assert_eq!(Status::best([Status::Code(200)], 201), None);
    }
}
