//! Test support: a fixture HTTP server on 127.0.0.1 that serves feeds the way real servers do (ETag/304, gzip,
//! redirects, slow and oversized answers), and helpers to find tests/fixtures.

pub mod fake_discord;
pub mod fleet;
pub mod llm;
pub mod providers;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The feed the server serves at /feed.xml.
pub const FEED: &str = r#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>Fixture News</title><link>http://fixture.test/</link>
<item><title>Russia and Ukraine hold peace talks in Istanbul</title><link>/news/1</link>
<guid>n1</guid><pubDate>Fri, 16 May 2025 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Negotiators met in Istanbul for the first direct peace talks in over three years. Ukraine asked for a 30-day ceasefire and an exchange of prisoners. The Kremlin sent a delegation of mid-level officials.&lt;/p&gt;</description></item>
<item><title>Rust compiler gets faster builds</title><link>/news/2</link><guid>n2</guid>
<pubDate>Thu, 15 May 2025 09:00:00 GMT</pubDate><description>The Rust compiler team shipped a release with faster incremental builds.</description></item>
</channel></rss>"#;

/// A feed whose titles try to ping and format: what /briefing must show literally.
pub const HOSTILE_FEED: &str = r#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>@everyone News</title><link>http://hostile.test/</link>
<item><title>@everyone &lt;@&amp;123&gt; **ceasefire** agreed</title><link>http://hostile.test/1</link><guid>h1</guid>
<pubDate>Fri, 16 May 2025 11:00:00 GMT</pubDate><description>A ceasefire was agreed. @here it holds.</description></item>
</channel></rss>"#;

/// Serves `app` on an ephemeral port of 127.0.0.1 for as long as the test's runtime lives.
pub async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

/// Paths under tests/fixtures (real-world feeds, pages and the seed article, with their licences).
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// A running fixture server.
pub struct FixtureServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Requests that reached /feed.xml, and how many of them got a 304.
    pub hits: Arc<Counters>,
}

/// Request counters.
#[derive(Default)]
pub struct Counters {
    /// Requests to /feed.xml.
    pub feed: AtomicUsize,
    /// 304 answers.
    pub not_modified: AtomicUsize,
    /// Requests to /live.xml.
    pub live: AtomicUsize,
    /// What /live.xml serves now (a test changes it to publish news).
    pub live_body: std::sync::Mutex<String>,
    /// Requests to /articles/…, by path.
    pub pages: std::sync::Mutex<std::collections::HashMap<String, usize>>,
    /// Article requests being answered now, and the most at once.
    pub pages_in_flight: AtomicUsize,
    /// The most article requests answered at once.
    pub pages_max_in_flight: AtomicUsize,
    /// When each article request arrived.
    pub page_starts: std::sync::Mutex<Vec<std::time::Instant>>,
}

impl FixtureServer {
    /// Starts the server on an ephemeral port of 127.0.0.1; it lives as long as the test's runtime.
    pub async fn start() -> Self {
        let hits = Arc::new(Counters::default());
        let app = Router::new()
            .route("/feed.xml", get(feed))
            .route("/gz.xml", get(gz))
            .route("/big", get(big))
            .route("/bomb", get(bomb))
            .route("/slow", get(slow))
            .route("/redirect/{n}", get(redirect))
            .route("/page.html", get(page))
            .route("/hostile.xml", get(|| async { HOSTILE_FEED }))
            .route("/live.xml", get(live))
            .route("/utf16.xml", get(utf16))
            .route("/latin1.xml", get(latin1))
            .route("/mislabelled/{which}", get(mislabelled))
            .route("/missing", get(|| async { StatusCode::NOT_FOUND }))
            .route("/articles/{name}", get(article))
            .route("/news.xml", get(news))
            .with_state(hits.clone());
        let addr = serve(app).await;
        Self { addr, hits }
    }

    /// Publishes a new body for /live.xml.
    pub fn set_live(&self, body: String) {
        *self.hits.live_body.lock().expect("lock") = body;
    }

    /// A URL on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

/// An RSS feed of `(guid, title, description)` items, newest first.
pub fn rss(title: &str, items: &[(&str, &str, &str)]) -> String {
    let mut out = format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title><link>http://live.test/</link>"#
    );
    for (guid, t, d) in items {
        out.push_str(&format!(
            "<item><title>{t}</title><link>http://live.test/{guid}</link><guid>{guid}</guid><description>{d}</description></item>"
        ));
    }
    out.push_str("</channel></rss>");
    out
}

async fn live(State(hits): State<Arc<Counters>>) -> Response {
    hits.live.fetch_add(1, Ordering::SeqCst);
    let body = hits.live_body.lock().expect("lock").clone();
    ([(header::CONTENT_TYPE, "application/rss+xml")], body).into_response()
}

async fn feed(State(hits): State<Arc<Counters>>, headers: HeaderMap) -> Response {
    hits.feed.fetch_add(1, Ordering::SeqCst);
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v == "\"v1\"")
    {
        hits.not_modified.fetch_add(1, Ordering::SeqCst);
        return StatusCode::NOT_MODIFIED.into_response();
    }
    (
        [
            (header::ETAG, "\"v1\""),
            (header::CONTENT_TYPE, "application/rss+xml"),
        ],
        FEED,
    )
        .into_response()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).expect("gzip");
    enc.finish().expect("gzip")
}

async fn gz() -> Response {
    (
        [
            (header::CONTENT_ENCODING, "gzip"),
            (header::CONTENT_TYPE, "application/rss+xml"),
        ],
        gzip(FEED.as_bytes()),
    )
        .into_response()
}

async fn big() -> Response {
    vec![b'x'; 3 * 1024 * 1024].into_response()
}

async fn bomb() -> Response {
    // 64 MiB of zeros in about 64 KiB of gzip, sent without a Content-Length that would give it away.
    let packed = gzip(&vec![0u8; 64 * 1024 * 1024]);
    let stream = futures_util::stream::iter(
        packed
            .chunks(8192)
            .map(|c| Ok::<_, std::io::Error>(bytes::Bytes::copy_from_slice(c)))
            .collect::<Vec<_>>(),
    );
    (
        [(header::CONTENT_ENCODING, "gzip")],
        Body::from_stream(stream),
    )
        .into_response()
}

async fn slow() -> Response {
    tokio::time::sleep(Duration::from_secs(10)).await;
    FEED.into_response()
}

async fn redirect(Path(n): Path<u32>) -> Response {
    let to = if n == 0 {
        "/feed.xml".to_owned()
    } else {
        format!("/redirect/{}", n - 1)
    };
    (StatusCode::FOUND, [(header::LOCATION, to)]).into_response()
}

async fn page() -> Response {
    (
        [(header::CONTENT_TYPE, "text/html")],
        "<!doctype html><html><body><p>Not a feed</p></body></html>",
    )
        .into_response()
}

/// FEED in UTF-16BE with a byte-order mark and `encoding="UTF-16"`: what used to panic quick-xml.
async fn utf16() -> Response {
    let mut body = vec![0xFE, 0xFF];
    for unit in FEED
        .replace(
            "<?xml version=\"1.0\"?>",
            "<?xml version=\"1.0\" encoding=\"UTF-16\"?>",
        )
        .encode_utf16()
    {
        body.extend_from_slice(&unit.to_be_bytes());
    }
    ([(header::CONTENT_TYPE, "application/rss+xml")], body).into_response()
}

/// A feed in Latin-1 that says so only in the HTTP header.
async fn latin1() -> Response {
    let xml = "<rss version=\"2.0\"><channel><title>Le Fil</title><item><title>Cr\u{e8}me br\u{fb}l\u{e9}e ceasefire</title>\
               <link>http://fixture.test/fr/1</link><guid>fr1</guid></item></channel></rss>";
    let body: Vec<u8> = xml.chars().map(|c| c as u32 as u8).collect();
    (
        [(header::CONTENT_TYPE, "text/xml; charset=ISO-8859-1")],
        body,
    )
        .into_response()
}

/// A feed in a legacy encoding served as `charset=utf-8` (a common server mistake): `latin1.xml` says
/// ISO-8859-1 in its declaration, `cp1251.xml` says windows-1251, `cp1251-bare.xml` says nothing.
async fn mislabelled(Path(which): Path<String>) -> Response {
    let (encoding, label, title) = match which.as_str() {
        "latin1.xml" => (
            encoding_rs::WINDOWS_1252,
            Some("ISO-8859-1"),
            "Café crème for the ceasefire talks",
        ),
        "cp1251.xml" => (
            encoding_rs::WINDOWS_1251,
            Some("windows-1251"),
            "Новости о переговорах в Стамбуле",
        ),
        _ => (
            encoding_rs::WINDOWS_1251,
            None,
            "Переговоры о перемирии продолжаются в Стамбуле",
        ),
    };
    let declaration = label.map_or(String::new(), |l| {
        format!("<?xml version=\"1.0\" encoding=\"{l}\"?>")
    });
    let xml = format!(
        "{declaration}<rss version=\"2.0\"><channel><title>Лента</title><item><title>{title}</title>\
         <link>http://fixture.test/enc/{which}</link><guid>enc-{which}</guid><description>{title}. Стороны обсудили \
         вопросы безопасности, торговли и обмена пленными.</description></item></channel></rss>"
    );
    let (body, _, _) = encoding.encode(&xml);
    (
        [(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8")],
        body.into_owned(),
    )
        .into_response()
}

/// An article page: `story-<event>-<n>.html` is a long report of event `a` or `b` (each event with its own
/// names and places, so reports of one event group together), behind navigation, a cookie banner, a sidebar
/// and a footer. `forbidden` answers 403, `slow` takes 10 s, `pdf` is a PDF, `stub` is a paywall stub.
async fn article(State(hits): State<Arc<Counters>>, Path(name): Path<String>) -> Response {
    *hits
        .pages
        .lock()
        .expect("lock")
        .entry(name.clone())
        .or_insert(0) += 1;
    hits.page_starts
        .lock()
        .expect("lock")
        .push(std::time::Instant::now());
    let now = hits.pages_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    hits.pages_max_in_flight.fetch_max(now, Ordering::SeqCst);
    // Long enough for two fetches to overlap when the client allows it.
    tokio::time::sleep(Duration::from_millis(30)).await;
    let response = match name.as_str() {
        "forbidden" => StatusCode::FORBIDDEN.into_response(),
        "slow" => {
            tokio::time::sleep(Duration::from_secs(10)).await;
            StatusCode::OK.into_response()
        }
        "pdf" => ([(header::CONTENT_TYPE, "application/pdf")], "%PDF-1.4").into_response(),
        "stub" => html(
            "<html><body><article><h1>Ceasefire</h1><p>Subscribe to read this story.</p></article></body></html>"
                .to_owned(),
        ),
        other => match article_page(other) {
            Some(page) => html(page),
            None => StatusCode::NOT_FOUND.into_response(),
        },
    };
    hits.pages_in_flight.fetch_sub(1, Ordering::SeqCst);
    response
}

fn html(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// The paragraphs of report `n` of event `event` ("a": talks in Istanbul, "b": a dam in Kakhovka).
pub fn article_paragraphs(event: &str, n: usize) -> Vec<String> {
    let (who, place, what) = match event {
        "a" => (
            "Envoys Rustem Umerov and Vladimir Medinsky",
            "Istanbul's Dolmabahce Palace",
            "a prisoner exchange of a thousand detainees each",
        ),
        _ => (
            "Engineers from Ukrhydroenergo and the Kherson regional administration",
            "the Kakhovka reservoir on the Dnipro",
            "the evacuation of Nova Kakhovka and Oleshky",
        ),
    };
    vec![
        format!("{who} met at {place} on Friday in report number {n}, and agreed on {what}, officials said."),
        format!("The meeting at {place} lasted less than two hours, according to people briefed on it who spoke on condition of anonymity."),
        format!("Observers said {what} would be the first concrete result, and {who} promised to meet again within weeks."),
        "Markets barely moved on the news, and analysts said they expected further rounds before anything changed on the ground.".to_owned(),
    ]
}

fn article_page(name: &str) -> Option<String> {
    let rest = name.strip_prefix("story-")?.strip_suffix(".html")?;
    let (event, n) = rest.split_once('-')?;
    let n: usize = n.parse().ok()?;
    let paragraphs: String = article_paragraphs(event, n)
        .iter()
        .map(|p| format!("<p>{p}</p>"))
        .collect();
    Some(format!(
        r#"<!doctype html><html lang="en"><head><title>Report {n} | Fixture News</title>
        <link rel="canonical" href="/articles/{name}"><meta name="author" content="Fixture Staff"></head>
        <body><header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
        <div class="cookie-banner">We use cookies. <button>Accept</button></div></header>
        <main><article><h1>Report {n}</h1>{paragraphs}</article>
        <aside class="related"><h2>Related</h2><ul><li><a href="/x">Weather turns cold</a></li></ul></aside></main>
        <footer><a href="/about">About us</a> <a href="/privacy">Privacy</a></footer></body></html>"#
    ))
}

/// A feed whose items link to article pages on this server: three reports of event a, three of event b, and
/// one each of the failing pages. Teasers are one short line, so the article text is what summaries show.
async fn news(headers: HeaderMap) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();
    let mut items = String::new();
    let mut add = |guid: &str, title: &str, path: &str| {
        items.push_str(&format!(
            "<item><title>{title}</title><link>http://{host}{path}</link><guid>{guid}</guid><description>Teaser: {title}.</description></item>"
        ));
    };
    for n in 1..=3 {
        add(
            &format!("a{n}"),
            &format!("Envoys meet in Istanbul, report {n}"),
            &format!("/articles/story-a-{n}.html"),
        );
        add(
            &format!("b{n}"),
            &format!("Kakhovka evacuation, report {n}"),
            &format!("/articles/story-b-{n}.html"),
        );
    }
    for (bad, title) in [
        ("forbidden", "Storm closes ports"),
        ("slow", "Central bank raises rates"),
        ("pdf", "Chess final drawn"),
        ("stub", "Museum reopens"),
    ] {
        add(bad, title, &format!("/articles/{bad}"));
    }
    (
        [(header::CONTENT_TYPE, "application/rss+xml")],
        format!(r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Article News</title><link>http://{host}/</link>{items}</channel></rss>"#),
    )
        .into_response()
}

/// A test's own place for its database: a temporary folder (SQLite), and when the suite runs on PostgreSQL
/// (`HERALD_TEST_DATABASE_URL` set), a database of its own there, dropped with this value.
pub struct TestDir {
    dir: tempfile::TempDir,
    pg: Option<herald::store::scratch::ScratchDb>,
}

/// A new [`TestDir`].
pub fn test_dir() -> TestDir {
    TestDir {
        dir: tempfile::tempdir().expect("temp dir"),
        pg: herald::store::scratch::ScratchDb::from_env().expect("test database"),
    }
}

impl std::ops::Deref for TestDir {
    type Target = tempfile::TempDir;
    fn deref(&self) -> &tempfile::TempDir {
        &self.dir
    }
}

impl TestDir {
    /// Points `cfg` at this test's database: `file` in the folder, or its PostgreSQL database.
    pub fn database(&self, cfg: &mut herald::config::DatabaseConfig, file: &str) {
        cfg.path = self.dir.path().join(file);
        if let Some(pg) = &self.pg {
            pg.use_in(cfg);
        }
    }

    /// The `[database] url` a `herald` process of this test gets (`HERALD_DATABASE__URL`): empty for SQLite.
    pub fn db_url(&self) -> &str {
        self.pg.as_ref().map_or("", |pg| pg.url())
    }
}
