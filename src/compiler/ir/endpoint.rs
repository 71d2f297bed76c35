//! Route and readout endpoints: `input[0..16]`, `chip0.exc[3]`, `chip0.tile0.in`, ...

use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// Whether an endpoint sends spikes (route `from`, readout features) or receives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointKind {
    Source,
    Target,
}

/// A parsed endpoint, not yet checked against the design.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `input`, or a chip name.
    pub first: String,
    /// Population or tile name.
    pub second: Option<String>,
    /// `in` or `out` for tiles.
    pub port: Option<String>,
    /// Half-open index range; `None` means the whole node.
    pub range: Option<Range<u32>>,
}

static ENDPOINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^([A-Za-z][A-Za-z0-9_]*)(?:\.([A-Za-z][A-Za-z0-9_]*))?(?:\.(in|out))?(?:\[(\d+)(?:\.\.(\d+))?\])?$",
    )
    .unwrap()
});

pub const ENDPOINT_HELP: &str = "endpoints look like `input[0..16]`, `chip0.exc`, `chip0.exc[3]`, \
`chip0.tile0.in[0..4]` or `chip0.tile0.out`; ranges are half-open";

impl Endpoint {
    pub fn parse(text: &str) -> Result<Endpoint, String> {
        let c = ENDPOINT
            .captures(text.trim())
            .ok_or_else(|| format!("`{text}` is not an endpoint"))?;
        let number = |i: usize| -> Result<Option<u32>, String> {
            c.get(i)
                .map(|m| {
                    m.as_str()
                        .parse::<u32>()
                        .map_err(|_| format!("index `{}` in `{text}` is too large", m.as_str()))
                })
                .transpose()
        };
        let range = match (number(4)?, number(5)?) {
            (Some(a), Some(b)) if b <= a => {
                return Err(format!("range `{a}..{b}` in `{text}` is empty"));
            }
            (Some(a), Some(b)) => Some(a..b),
            (Some(a), None) => Some(
                a..a.checked_add(1)
                    .ok_or_else(|| format!("index `{a}` in `{text}` is too large"))?,
            ),
            _ => None,
        };
        Ok(Endpoint {
            first: c[1].to_string(),
            second: c.get(2).map(|m| m.as_str().to_string()),
            port: c.get(3).map(|m| m.as_str().to_string()),
            range,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_endpoint_form() {
        let e = Endpoint::parse("input[0..16]").unwrap();
        assert_eq!(
            (e.first.as_str(), e.second, e.range),
            ("input", None, Some(0..16))
        );
        let e = Endpoint::parse("chip0.tile1.out[3]").unwrap();
        assert_eq!(e.second.as_deref(), Some("tile1"));
        assert_eq!(e.port.as_deref(), Some("out"));
        assert_eq!(e.range, Some(3..4));
        assert!(Endpoint::parse("chip0.exc[4..2]").is_err());
        assert!(Endpoint::parse("chip0.exc;rm").is_err());
        // The last u32 has no successor: no range may wrap around to 0.
        assert!(Endpoint::parse("input[4294967295]").is_err());
        assert_eq!(
            Endpoint::parse("input[4294967294]").unwrap().range,
            Some(4294967294..4294967295)
        );
    }
}
