//! A fixture server that answers as the four news-search providers do (Bing News RSS, GDELT DOC 2.0 JSON,
//! Google News RSS with its redirect links, Algolia's HN JSON), shapes and quirks included: Bing's
//! `apiclick.aspx?…&url=` links and windows-1252 body, GDELT's BOM and `{}` for no results, Google's
//! " - Publisher" titles and `/rss/articles/…` redirects. Results link to the article pages of a
//! [`super::FixtureServer`]. Each provider can be switched to an error mode, and every request is logged.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// How a provider answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Its usual results.
    Normal,
    /// No results.
    Empty,
    /// 429 Too Many Requests, with this Retry-After (seconds), if any.
    TooMany(Option<u64>),
    /// 429 with this Retry-After (seconds) once, then its usual results.
    TooManyOnce(u64),
    /// 500.
    Broken,
    /// 200 with a body that is not what the provider sends.
    Malformed,
    /// 250 results at once.
    Flood,
    /// Its usual results, after this many milliseconds.
    Slow(u64),
}

/// Waits out a slow provider's delay; its answer is then the usual one.
async fn slow(mode: Mode) -> Mode {
    match mode {
        Mode::Slow(ms) => {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            Mode::Normal
        }
        other => other,
    }
}

/// One request a provider received.
#[derive(Debug, Clone)]
pub struct Request {
    /// `bing`, `gdelt`, `google` or `hn`.
    pub provider: &'static str,
    /// Its query parameters.
    pub params: HashMap<String, String>,
    /// Its User-Agent.
    pub user_agent: String,
}

#[derive(Default)]
struct Shared {
    modes: Mutex<HashMap<&'static str, Mode>>,
    requests: Mutex<Vec<Request>>,
    articles: String,
}

/// The running provider server.
pub struct ProviderServer {
    /// Where it listens.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

/// The reports of the two fixture events each provider returns: (provider, article page, headline, outlet).
const RESULTS: &[(&str, &str, &str, &str)] = &[
    (
        "bing",
        "story-a-1",
        "Ukraine and Russia envoys meet in Istanbul",
        "Reuters",
    ),
    (
        "bing",
        "story-b-1",
        "Ukraine evacuates towns below the Kakhovka dam",
        "AP News",
    ),
    (
        "gdelt",
        "story-a-2",
        "Ukraine , Russia agree on prisoner exchange in Istanbul",
        "kyivindependent.com",
    ),
    (
        "gdelt",
        "story-a-1",
        "Ukraine and Russia envoys meet in Istanbul",
        "reuters.com",
    ),
    (
        "google",
        "story-a-3",
        "Istanbul talks: Ukraine and Russia swap prisoners",
        "BBC",
    ),
    (
        "google",
        "story-b-2",
        "Kakhovka reservoir: Ukraine orders evacuation",
        "The Guardian",
    ),
    (
        "hn",
        "story-b-3",
        "Ukraine's Kakhovka dam and the engineering of reservoirs",
        "blog.example",
    ),
];

impl ProviderServer {
    /// Starts on an ephemeral port of 127.0.0.1, linking results to the article pages under `articles` (a
    /// fixture server's base URL).
    pub async fn start(articles: &str) -> Self {
        let shared = Arc::new(Shared {
            articles: articles.trim_end_matches('/').to_owned(),
            ..Shared::default()
        });
        let app = Router::new()
            .route("/news/search", get(bing))
            .route("/news/apiclick.aspx", get(|| async { StatusCode::FOUND }))
            .route("/api/v2/doc/doc", get(gdelt))
            .route("/rss/search", get(google))
            .route("/rss/articles/{id}", get(google_redirect))
            .route("/api/v1/search_by_date", get(hn))
            .with_state(shared.clone());
        let addr = super::serve(app).await;
        Self { addr, shared }
    }

    /// Its base URL.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Makes `provider` answer in `mode` from now on.
    pub fn set(&self, provider: &'static str, mode: Mode) {
        self.shared.modes.lock().unwrap().insert(provider, mode);
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// How many requests `provider` received.
    pub fn count(&self, provider: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.provider == provider)
            .count()
    }

    /// Points a config's providers at this server.
    pub fn configure(&self, search: &mut herald::config::SearchConfig) {
        search.bing_url = self.base();
        search.gdelt_url = self.base();
        search.google_url = self.base();
        search.hn_url = self.base();
    }
}

/// Logs the request and says how to answer it (or answers an error mode itself).
fn begin(
    shared: &Shared,
    provider: &'static str,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<Mode, Box<Response>> {
    let params = url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    shared.requests.lock().unwrap().push(Request {
        provider,
        params,
        user_agent,
    });
    let mode = {
        let mut modes = shared.modes.lock().unwrap();
        let mode = modes.get(provider).copied().unwrap_or(Mode::Normal);
        if let Mode::TooManyOnce(after) = mode {
            modes.insert(provider, Mode::Normal);
            Mode::TooMany(Some(after))
        } else {
            mode
        }
    };
    match mode {
        Mode::TooMany(after) => {
            let mut r = (StatusCode::TOO_MANY_REQUESTS, "Too Many Requests").into_response();
            if let Some(s) = after {
                r.headers_mut()
                    .insert(header::RETRY_AFTER, s.to_string().parse().unwrap());
            }
            Err(Box::new(r))
        }
        Mode::Broken => Err(Box::new(
            (StatusCode::INTERNAL_SERVER_ERROR, "oops").into_response(),
        )),
        m => Ok(m),
    }
}

fn results(provider: &str, mode: Mode) -> Vec<(String, String, String)> {
    match mode {
        Mode::Empty => Vec::new(),
        Mode::Flood => (1..=250)
            .map(|n| {
                (
                    format!("flood-{n}"),
                    format!("Ukraine update number {n} on subject{n} matter{n}"),
                    format!("outlet{n}.example"),
                )
            })
            .collect(),
        _ => RESULTS
            .iter()
            .filter(|r| r.0 == provider)
            .map(|r| (r.1.to_owned(), r.2.to_owned(), r.3.to_owned()))
            .collect(),
    }
}

const PUB_DATE: &str = "Tue, 24 Nov 2026 10:00:00 GMT";

async fn bing(State(s): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response {
    let mode = match begin(&s, "bing", &uri, &headers) {
        Ok(m) => slow(m).await,
        Err(r) => return *r,
    };
    if mode == Mode::Malformed {
        return (
            [(header::CONTENT_TYPE, "text/xml")],
            "<rss><channel><item><title>cut off",
        )
            .into_response();
    }
    let items: String = results("bing", mode)
        .into_iter()
        .map(|(page, title, outlet)| {
            let target = url::form_urlencoded::byte_serialize(
                format!("{}/articles/{page}.html", s.articles).as_bytes(),
            )
            .collect::<String>();
            format!(
                "<item><title>{title} \u{2013} live</title><link>http://www.bing.com/news/apiclick.aspx?ref=FexRss&amp;aid=&amp;tid=1&amp;url={target}&amp;c=1&amp;mkt=en-us</link>\
                 <description>{outlet}\u{2019}s report on the talks.</description><pubDate>{PUB_DATE}</pubDate>\
                 <News:Source>{outlet}</News:Source><News:Image>https://www.bing.com/th?id=OVFT.{page}&amp;pid=News</News:Image></item>"
            )
        })
        .collect();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss version=\"2.0\" xmlns:News=\"https://www.bing.com/news/search?q=x&amp;format=rss\">\
         <channel><title>ukraine - BingNews</title><link>https://www.bing.com/news/search?q=ukraine</link>{items}</channel></rss>"
    );
    // Bing's body is windows-1252, declared only in the XML declaration.
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&xml);
    ([(header::CONTENT_TYPE, "text/xml")], bytes.into_owned()).into_response()
}

async fn gdelt(State(s): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response {
    let mode = match begin(&s, "gdelt", &uri, &headers) {
        Ok(m) => slow(m).await,
        Err(r) => return *r,
    };
    let body = match mode {
        // GDELT refuses a query it cannot run in a line of text, with status 200.
        Mode::Malformed => "The specified phrase is too short.".to_owned(),
        Mode::Empty => "{}".to_owned(),
        _ => {
            let articles: Vec<serde_json::Value> = results("gdelt", mode)
                .into_iter()
                .map(|(page, title, domain)| {
                    serde_json::json!({
                        "url": format!("{}/articles/{page}.html", s.articles),
                        "url_mobile": "",
                        "title": title,
                        "seendate": "20261124T101500Z",
                        "socialimage": format!("https://img.gdelt.test/{page}.jpg"),
                        "domain": domain,
                        "language": "English",
                        "sourcecountry": "Ukraine",
                    })
                })
                .collect();
            format!("\u{feff}{}", serde_json::json!({ "articles": articles }))
        }
    };
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn google(State(s): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response {
    let mode = match begin(&s, "google", &uri, &headers) {
        Ok(m) => slow(m).await,
        Err(r) => return *r,
    };
    if mode == Mode::Malformed {
        return (
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body>Sorry...</body></html>",
        )
            .into_response();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();
    let items: String = results("google", mode)
        .into_iter()
        .map(|(page, title, outlet)| {
            format!(
                "<item><title>{title} - {outlet}</title><link>http://{host}/rss/articles/CBMi{page}?oc=5</link>\
                 <guid isPermaLink=\"false\">CBMi{page}</guid><pubDate>{PUB_DATE}</pubDate>\
                 <description>&lt;a href=\"http://{host}/rss/articles/CBMi{page}?oc=5\" target=\"_blank\"&gt;{title}&lt;/a&gt;&amp;nbsp;&amp;nbsp;&lt;font color=\"#6f6f6f\"&gt;{outlet}&lt;/font&gt;</description>\
                 <source url=\"https://{}.example\">{outlet}</source></item>",
                outlet.to_lowercase().replace(' ', "")
            )
        })
        .collect();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\">\
         <channel><generator>NFE/5.0</generator><title>\"ukraine\" - Google News</title><link>https://news.google.com/search?q=ukraine</link>\
         <language>en-US</language>{items}</channel></rss>"
    );
    (
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        xml,
    )
        .into_response()
}

async fn google_redirect(
    State(s): State<Arc<Shared>>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let page = id.strip_prefix("CBMi").unwrap_or(&id);
    (
        StatusCode::FOUND,
        [(
            header::LOCATION,
            format!("{}/articles/{page}.html", s.articles),
        )],
    )
        .into_response()
}

async fn hn(State(s): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response {
    let mode = match begin(&s, "hn", &uri, &headers) {
        Ok(m) => slow(m).await,
        Err(r) => return *r,
    };
    if mode == Mode::Malformed {
        return (
            [(header::CONTENT_TYPE, "application/json")],
            "{\"hits\": \"nope\"}",
        )
            .into_response();
    }
    let hits: Vec<serde_json::Value> = results("hn", mode)
        .into_iter()
        .enumerate()
        .map(|(n, (page, title, _))| {
            serde_json::json!({
                "objectID": format!("4{n:07}"),
                "title": title,
                "url": format!("{}/articles/{page}.html", s.articles),
                "author": "someone",
                "points": 12,
                "num_comments": 3,
                "story_text": null,
                "created_at": "2026-11-24T10:00:00Z",
                "created_at_i": 1_795_514_400_i64,
                "_tags": ["story", "author_someone", format!("story_4{n:07}")],
            })
        })
        .collect();
    let body = serde_json::json!({
        "hits": hits, "nbHits": 1, "page": 0, "nbPages": 1, "hitsPerPage": 20,
        "exhaustiveNbHits": true, "query": "ukraine", "params": "query=ukraine&tags=story",
    });
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}
