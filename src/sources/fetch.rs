//! The one HTTP client herald fetches with: timeouts, a body cap, a redirect limit, conditional GET, and a guard
//! that refuses private and reserved addresses (users paste URLs into Discord; the bot must not become a way to
//! probe the network it runs in).
//!
//! The guard sits where it cannot be bypassed: in the DNS resolver (every connection, so every redirect hop
//! too, and the IPs actually connected to) and in the redirect policy and request check for IP-literal hosts,
//! which never reach a resolver.

use std::error::Error as StdError;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use url::Url;

use crate::config::FetchConfig;

/// The User-Agent every request sends.
pub use crate::USER_AGENT;

/// Why a fetch failed, in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Not a URL at all.
    #[error("{url:?} is not a valid URL: {reason}")]
    BadUrl {
        /// What was given.
        url: String,
        /// Why it does not parse, in the URL parser's words (`invalid IPv6 address`, `empty host`, …).
        reason: String,
    },
    /// A scheme other than http or https.
    #[error("only http and https URLs can be fetched, not {0}:")]
    Scheme(String),
    /// The host is (or resolves to) a private, loopback or otherwise reserved address.
    #[error("{host} is a private or reserved address ({ip}); herald does not fetch those")]
    Blocked {
        /// The host named in the URL.
        host: String,
        /// The address it is or resolves to.
        ip: IpAddr,
    },
    /// More redirects than allowed.
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
    /// The request took longer than the configured timeout.
    #[error("timed out")]
    Timeout,
    /// The body is over the configured cap (after decompression).
    #[error("response is larger than the {0}-byte limit")]
    TooLarge(u64),
    /// A 304 to a request that sent no validators: nothing to reuse, and nothing to read.
    #[error("server answered 304 Not Modified to a request that asked for no such thing")]
    UnaskedNotModified,
    /// A status other than 2xx, 304 or 429.
    #[error("server answered HTTP {0}")]
    Status(u16),
    /// 429 Too Many Requests, with how long the server asked herald to wait (Retry-After), if it said.
    #[error("server answered HTTP 429 Too Many Requests{}", match .0 {
        Some(d) => format!(" (retry after {} s)", d.as_secs()),
        None => String::new(),
    })]
    RateLimited(Option<Duration>),
    /// A page was asked for, and the server sent something else (a PDF, an image, a feed).
    #[error("not an HTML page ({0})")]
    NotHtml(String),
    /// The host's name does not resolve (no such host, or no DNS answer).
    #[error("the host {host} was not found ({reason})")]
    Dns {
        /// The host name.
        host: String,
        /// What the resolver said.
        reason: String,
    },
    /// Connection, TLS or protocol failure.
    #[error("cannot fetch: {0}")]
    Network(String),
}

/// Validators from the last successful fetch, sent back for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Validators {
    /// The ETag, for If-None-Match.
    pub etag: Option<String>,
    /// The Last-Modified date, for If-Modified-Since.
    pub last_modified: Option<String>,
}

/// What a fetch returned.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched {
    /// 304: nothing changed since the validators were issued.
    NotModified,
    /// A fresh body.
    Body {
        /// Where it finally came from, after redirects.
        url: Url,
        /// The body, decompressed but not yet decoded to UTF-8.
        body: Vec<u8>,
        /// The `charset` of the Content-Type header, if it named one.
        charset: Option<String>,
        /// Validators for the next fetch.
        validators: Validators,
    },
}

/// The shared, hardened HTTP client.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    max_body: u64,
    allow_private: bool,
}

impl Fetcher {
    /// Builds the client from `[fetch]` settings.
    pub fn new(cfg: &FetchConfig) -> Result<Self, FetchError> {
        let max_redirects = cfg.max_redirects;
        let allow_private = cfg.allow_private_addresses;
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > max_redirects {
                return attempt.error(FetchError::TooManyRedirects(max_redirects));
            }
            match check_url(attempt.url(), allow_private) {
                Ok(()) => attempt.follow(),
                Err(e) => attempt.error(e),
            }
        });
        // No proxy from HTTP_PROXY / ALL_PROXY: a proxy resolves names itself, so the address guard in the
        // resolver below would never run and a name pointing at 127.0.0.1 would be fetched.
        let mut builder = reqwest::Client::builder()
            .no_proxy()
            .user_agent(USER_AGENT)
            .connect_timeout(Duration::from_secs(cfg.connect_timeout_secs))
            .timeout(Duration::from_secs(cfg.timeout_secs))
            .redirect(policy)
            .gzip(true)
            .brotli(true);
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(GuardedResolver));
        }
        let client = builder
            .build()
            .map_err(|e| FetchError::Network(e.to_string()))?;
        Ok(Self {
            client,
            max_body: cfg.max_body_bytes,
            allow_private,
        })
    }

    /// The body cap in bytes.
    pub fn max_body(&self) -> u64 {
        self.max_body
    }

    /// GETs `url`, conditionally when `validators` hold anything, reading at most the configured body size.
    pub async fn get(&self, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        self.fetch(url, validators, false).await
    }

    /// GETs the web page at `url`: asks for HTML, and refuses any other Content-Type before reading the body
    /// ([`FetchError::NotHtml`]). A response without a Content-Type is read.
    pub async fn get_page(&self, url: &str) -> Result<Fetched, FetchError> {
        self.fetch(url, &Validators::default(), true).await
    }

    async fn fetch(
        &self,
        url: &str,
        validators: &Validators,
        html_only: bool,
    ) -> Result<Fetched, FetchError> {
        let parsed = parse_url(url)?;
        check_url(&parsed, self.allow_private)?;
        let mut request = self.client.get(parsed);
        if html_only {
            request = request.header(
                reqwest::header::ACCEPT,
                "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
            );
        }
        if let Some(etag) = &validators.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(date) = &validators.last_modified {
            request = request.header(IF_MODIFIED_SINCE, date);
        }
        let mut response = request.send().await.map_err(classify)?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            if validators.etag.is_none() && validators.last_modified.is_none() {
                return Err(FetchError::UnaskedNotModified);
            }
            return Ok(Fetched::NotModified);
        }
        // reqwest hands back a redirect it will not follow (to file:, data:, …): name the scheme refused.
        if status.is_redirection() {
            let to = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| response.url().join(l).ok());
            if let Some(to) = to.filter(|u| !matches!(u.scheme(), "http" | "https")) {
                return Err(FetchError::Scheme(to.scheme().to_owned()));
            }
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            let after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(retry_after);
            return Err(FetchError::RateLimited(after));
        }
        if !status.is_success() {
            return Err(FetchError::Status(status.as_u16()));
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let validators = Validators {
            etag: header(ETAG),
            last_modified: header(LAST_MODIFIED),
        };
        let final_url = response.url().clone();
        let content_type = header(CONTENT_TYPE);
        if let Some(ct) = content_type
            .as_deref()
            .filter(|ct| html_only && !is_html(ct))
        {
            return Err(FetchError::NotHtml(
                ct.split(';').next().unwrap_or_default().trim().to_owned(),
            ));
        }
        let charset = content_type
            .as_deref()
            .and_then(super::encoding::charset_of)
            .map(str::to_owned);
        let mut body = Vec::new();
        // Counted on decoded bytes, so a small gzip bomb is stopped as soon as it grows past the cap.
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if (body.len() + chunk.len()) as u64 > self.max_body {
                return Err(FetchError::TooLarge(self.max_body));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched::Body {
            url: final_url,
            body,
            charset,
            validators,
        })
    }
}

/// A Retry-After header: seconds, or an HTTP date (the wait until then). Capped at a day.
fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
            (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
                .to_std()
                .unwrap_or_default()
        }
    };
    Some(wait.min(Duration::from_secs(86_400)))
}

/// Whether `s` is written as an address — a scheme of two characters or more and a colon (`http:`,
/// `gopher:`, `file:`) — so that it is read as a URL, never as a file name (`C:\\feeds` is a path).
pub fn has_scheme(s: &str) -> bool {
    let Some((scheme, _)) = s.trim().split_once(':') else {
        return false;
    };
    scheme.len() >= 2
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Parses `s` as a URL, or says why it is not one ([`FetchError::BadUrl`]).
pub fn parse_url(s: &str) -> Result<Url, FetchError> {
    Url::parse(s.trim()).map_err(|e| FetchError::BadUrl {
        url: s
            .chars()
            .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
            .collect(),
        reason: match e {
            url::ParseError::InvalidDomainCharacter | url::ParseError::IdnaError => {
                "the host has a character no host name may have (a space?)".to_owned()
            }
            url::ParseError::EmptyHost => "it names no host".to_owned(),
            url::ParseError::InvalidIpv6Address => {
                "the IPv6 address does not read (zone ids such as %lo are not allowed)".to_owned()
            }
            other => other.to_string(),
        },
    })
}

/// Whether a Content-Type names an HTML page.
fn is_html(content_type: &str) -> bool {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    matches!(mime.as_str(), "text/html" | "application/xhtml+xml" | "")
}

/// Refuses non-http(s) schemes and IP-literal hosts in reserved ranges (names are checked when resolved).
fn check_url(url: &Url, allow_private: bool) -> Result<(), FetchError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::Scheme(url.scheme().to_owned()));
    }
    let ip = match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
        Some(url::Host::Domain(_)) => return Ok(()),
        None => {
            return Err(FetchError::BadUrl {
                url: url.to_string(),
                reason: "it names no host".to_owned(),
            });
        }
    };
    if allow_private || is_public(ip) {
        Ok(())
    } else {
        Err(FetchError::Blocked {
            host: ip.to_string(),
            ip,
        })
    }
}

/// Turns reqwest's error into ours, finding our own errors (from the resolver or redirect policy) in its chain.
fn classify(e: reqwest::Error) -> FetchError {
    // The URL may carry a password; the caller names the source (redacted) itself.
    let e = e.without_url();
    let mut source: Option<&(dyn StdError + 'static)> = Some(&e);
    while let Some(err) = source {
        if let Some(ours) = err.downcast_ref::<FetchError>() {
            return match ours {
                FetchError::Blocked { host, ip } => FetchError::Blocked {
                    host: host.clone(),
                    ip: *ip,
                },
                FetchError::TooManyRedirects(n) => FetchError::TooManyRedirects(*n),
                FetchError::Scheme(s) => FetchError::Scheme(s.clone()),
                FetchError::Dns { host, reason } => FetchError::Dns {
                    host: host.clone(),
                    reason: reason.clone(),
                },
                other => FetchError::Network(other.to_string()),
            };
        }
        source = err.source();
    }
    if e.is_timeout() {
        return FetchError::Timeout;
    }
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(err) = source {
        text = format!("{text}: {err}");
        source = err.source();
    }
    // reqwest's own resolver (private addresses allowed) says "dns error" where ours names the host.
    if let Some(at) = text.find("dns error") {
        return FetchError::Dns {
            host: "of this address".to_owned(),
            reason: text[at..].to_owned(),
        };
    }
    FetchError::Network(text)
}

/// A source as a user may see it in an error: a URL's password and user name replaced, and no control
/// characters (a newline in a URL must not split an error line).
pub fn redact(s: &str) -> String {
    let shown = match url::Url::parse(s) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => s.to_owned(),
    };
    shown
        .chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

/// How long a name may take to resolve.
const DNS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// A resolver that refuses names resolving to any non-public address (all answers are checked, so a name
/// with one public and one private answer is refused too).
struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            // A resolver that drops queries (many do past a rate) leaves getaddrinfo waiting out its own 5 s
            // timeout, and again: give up sooner, as a lookup that failed (the host is tried again later).
            let looked_up = match tokio::time::timeout(
                DNS_TIMEOUT,
                tokio::net::lookup_host((host.as_str(), 0)),
            )
            .await
            {
                Ok(found) => found.map(|addrs| addrs.collect::<Vec<SocketAddr>>()),
                Err(_) => Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("no answer within {} s", DNS_TIMEOUT.as_secs()),
                )),
            };
            let addrs: Vec<SocketAddr> = match looked_up {
                Ok(addrs) => addrs,
                Err(e) => {
                    let err: Box<dyn StdError + Send + Sync> = Box::new(FetchError::Dns {
                        host: host.clone(),
                        reason: crate::report::one_line(&e),
                    });
                    return Err(err);
                }
            };
            if let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
                let err: Box<dyn StdError + Send + Sync> =
                    Box::new(FetchError::Blocked { host, ip: bad.ip() });
                return Err(err);
            }
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// Whether `ip` is a globally routable unicast address: not loopback, private, link-local (cloud metadata
/// lives there), CGNAT, multicast, documentation, benchmarking or otherwise reserved.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            let embedded_v4 =
                || Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local, incl. fd00:ec2::254 (AWS metadata)
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x0064 && s[1] == 0xff9b && !is_public_v4(embedded_v4())) // NAT64 of a private v4
                || (s[0] == 0 && s[1] == 0 && s[2] == 0 && s[3] == 0 && s[4] == 0 && s[5] == 0)) // v4-compatible
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_unspecified()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (b & 0xc0) == 64) // CGNAT 100.64/10 (Alibaba's metadata 100.100.100.200 too)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b & 0xfe) == 18) // benchmarking
        || a >= 240) // reserved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_ranges_are_refused() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.100.100.200",
            "224.0.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "ff02::1",
            "64:ff9b::a00:1",
            "::",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} should be refused");
        }
        for ip in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip} should be allowed");
        }
    }

    #[test]
    fn literal_hosts_and_schemes_checked_before_any_request() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(matches!(
            check_url(&u("http://127.0.0.1:8080/x"), false),
            Err(FetchError::Blocked { .. })
        ));
        assert!(matches!(
            check_url(&u("http://[::1]/"), false),
            Err(FetchError::Blocked { .. })
        ));
        assert!(matches!(
            check_url(&u("file:///etc/passwd"), false),
            Err(FetchError::Scheme(_))
        ));
        assert!(check_url(&u("http://127.0.0.1/"), true).is_ok());
        assert!(check_url(&u("https://example.org/feed"), false).is_ok());
    }
}
