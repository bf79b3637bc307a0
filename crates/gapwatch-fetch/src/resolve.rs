//! Name resolution: the system's resolver, except for names that must never resolve.
//!
//! Every lookup goes through [`Resolver`], so a name that does not resolve reaches the
//! fetcher as a [`NameNotResolved`] it can recognise in the error chain, and is never retried:
//! no backoff turns a missing name into an address.

use std::fmt;
use std::net::SocketAddr;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Resolves with the system's resolver (`getaddrinfo`, on a blocking thread), and answers
/// names under the reserved `invalid` top-level domain negatively at once, without asking
/// anyone, as RFC 6761 (section 6.4) asks of resolver libraries.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Resolver;

impl Resolve for Resolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            if is_reserved_invalid(&host) {
                return Err(NameNotResolved {
                    host,
                    reason: "names under .invalid never resolve (RFC 6761)".to_owned(),
                }
                .into());
            }
            let looked_up = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map(|addrs| addrs.collect::<Vec<SocketAddr>>());
            let found = match looked_up {
                Ok(found) => found,
                Err(error) => {
                    return Err(NameNotResolved {
                        host,
                        reason: error.to_string(),
                    }
                    .into());
                }
            };
            if found.is_empty() {
                return Err(NameNotResolved {
                    host,
                    reason: "the resolver returned no address".to_owned(),
                }
                .into());
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

/// `example.invalid`, `invalid`, `a.b.INVALID.`: the reserved top-level domain.
pub(crate) fn is_reserved_invalid(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    let last = host.rsplit('.').next().unwrap_or(host);
    last.eq_ignore_ascii_case("invalid")
}

/// A host name the resolver could not turn into an address.
#[derive(Debug)]
pub(crate) struct NameNotResolved {
    pub(crate) host: String,
    pub(crate) reason: String,
}

impl fmt::Display for NameNotResolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} did not resolve: {}", self.host, self.reason)
    }
}

impl std::error::Error for NameNotResolved {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_invalid_top_level_domain_is_reserved() {
        for host in [
            "invalid",
            "example.invalid",
            "raw.githubusercontent.com.invalid",
            "A.B.INVALID",
            "x.invalid.",
        ] {
            assert!(is_reserved_invalid(host), "{host}");
        }
        for host in [
            "example.org",
            "invalid.example.org",
            "notinvalid",
            "127.0.0.1",
            "localhost",
        ] {
            assert!(!is_reserved_invalid(host), "{host}");
        }
    }

    #[tokio::test]
    async fn a_reserved_name_fails_at_once_with_its_own_error() {
        let name: Name = "leaderboard.invalid".parse().unwrap();
        let error = match Resolver.resolve(name).await {
            Ok(_) => panic!("a .invalid name resolved"),
            Err(error) => error,
        };
        let own = error
            .downcast_ref::<NameNotResolved>()
            .expect("the resolver's own error type");
        assert_eq!(own.host, "leaderboard.invalid");
        assert!(error.to_string().contains("RFC 6761"), "{error}");
    }
}
