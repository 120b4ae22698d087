//! Bytes from the network → UTF-8, before any parser sees them.
//!
//! The XML parser under feed-rs switches decoders when it meets an `encoding=` declaration, and panics when a
//! UTF-16 declaration arrives after it has already buffered the prolog; feeds in Latin-1 or windows-1251 that
//! say so only in the HTTP header would be misread. So herald decides the encoding itself, in the order
//! browsers and feed readers use — byte-order mark, then the HTTP `charset`, then the XML declaration, then a
//! sniff of the first bytes — decodes with `encoding_rs` (the WHATWG encodings: a label like `latin1` means
//! windows-1252, as on the web), and rewrites the declaration to say UTF-8, so the parser has nothing left
//! to switch.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

/// How far into a body the XML declaration is looked for.
const DECL_WINDOW: usize = 1024;

/// The encoding of `body`: its byte-order mark, else `http_charset` (the `charset` of the Content-Type),
/// else its XML declaration, else a sniff (UTF-16 without a mark; UTF-8 when the bytes are UTF-8; otherwise
/// the legacy encoding `chardetng` — Firefox's detector — finds most likely). A UTF-16 label with no mark and
/// no UTF-16 bytes behind it is wrong, and ignored (as browsers do); so is a UTF-8 label on bytes that are not
/// UTF-8 (servers often say `charset=utf-8` of a Latin-1 or windows-1251 feed), as feedparser does.
pub fn detect(body: &[u8], http_charset: Option<&str>) -> &'static Encoding {
    let declared = declared(body);
    choose(body, &[http_charset, declared.as_deref()])
}

/// The first of `labels` that `body` can be in (see [`detect`]), else a sniff.
fn choose(body: &[u8], labels: &[Option<&str>]) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(body) {
        return enc;
    }
    let sniffed = sniff_utf16(body);
    if let Some(enc) = sniffed {
        return enc;
    }
    let mut utf8_checked: Option<bool> = None;
    let mut is_utf8 = || *utf8_checked.get_or_insert_with(|| std::str::from_utf8(body).is_ok());
    for label in labels.iter().flatten() {
        let Some(enc) = Encoding::for_label(label.trim().as_bytes()) else {
            continue;
        };
        if enc == UTF_16LE || enc == UTF_16BE {
            // Declared UTF-16 but no UTF-16 bytes: the label is wrong; read the bytes as they are.
            return if is_utf8() { UTF_8 } else { sniff_legacy(body) };
        }
        if enc == UTF_8 && !is_utf8() {
            continue;
        }
        return enc;
    }
    if is_utf8() { UTF_8 } else { sniff_legacy(body) }
}

/// The legacy encoding bytes that are not UTF-8 are most likely in (windows-1252, windows-1251, Shift_JIS …),
/// by `chardetng`.
fn sniff_legacy(body: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(body, true);
    detector.guess(None, true)
}

/// `body` as UTF-8 (see [`detect`]), with an XML declaration's `encoding` rewritten to UTF-8. Malformed
/// sequences become U+FFFD; valid UTF-8 without a declaration comes back borrowed.
pub fn to_utf8<'a>(body: &'a [u8], http_charset: Option<&str>) -> Cow<'a, [u8]> {
    let enc = detect(body, http_charset);
    let bom = Encoding::for_bom(body).map_or(0, |(_, len)| len);
    let text = enc.decode_without_bom_handling(&body[bom..]).0;
    match (normalise_declaration(&text), text) {
        (Some(fixed), _) => Cow::Owned(fixed.into_bytes()),
        (None, Cow::Borrowed(_)) => Cow::Borrowed(&body[bom..]),
        (None, Cow::Owned(s)) => Cow::Owned(s.into_bytes()),
    }
}

/// An HTML page's bytes as a UTF-8 string: byte-order mark, else `http_charset`, else the page's own
/// `<meta charset>` (or `http-equiv` Content-Type) in its first 1024 bytes as browsers prescan it, else a
/// sniff; decoded with `encoding_rs`, malformed sequences as U+FFFD.
///
/// One exception, as charset detectors make it: a body that is valid UTF-8 and has non-ASCII characters is
/// read as UTF-8 whatever it declares. Multi-byte UTF-8 is all but never valid by accident, while pages
/// re-saved as UTF-8 under their old `charset=gb2312` or `windows-1251` meta are common, and would otherwise
/// turn into mojibake.
pub fn html_to_string(body: &[u8], http_charset: Option<&str>) -> String {
    if Encoding::for_bom(body).is_none() && !body.is_ascii() {
        if let Ok(s) = std::str::from_utf8(body) {
            return s.to_owned();
        }
    }
    let meta = meta_charset(body);
    let mut enc = choose(body, &[http_charset, meta.as_deref()]);
    // A page cannot really be in UTF-16 when its own ASCII bytes said so (WHATWG: such a meta means UTF-8).
    if (enc == UTF_16LE || enc == UTF_16BE)
        && Encoding::for_bom(body).is_none()
        && sniff_utf16(body).is_none()
    {
        enc = UTF_8;
    }
    let bom = Encoding::for_bom(body).map_or(0, |(_, len)| len);
    enc.decode_without_bom_handling(&body[bom..]).0.into_owned()
}

/// What a body is when it is not text — `"a PDF document"`, `"a PNG image"`, `"binary data"` — by its magic
/// number, or by NUL and control bytes in its first 8 KiB (UTF-16 text, which has NULs, is text); `None` for
/// text in any encoding.
pub fn binary_kind(body: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"%PDF-", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
        (b"\x1F\x8B", "gzip-compressed data"),
        (b"\x7FELF", "a program (ELF)"),
        (b"RIFF", "a media file (RIFF)"),
        (b"\x00\x00\x01\x00", "an icon"),
    ];
    if let Some((_, kind)) = MAGIC.iter().find(|(m, _)| body.starts_with(m)) {
        return Some(kind);
    }
    if Encoding::for_bom(body).is_some() || sniff_utf16(body).is_some() {
        return None;
    }
    let head = &body[..body.len().min(8192)];
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B))
        .count();
    (head.contains(&0) || control * 20 > head.len()).then_some("binary data")
}

/// The charset an HTML page declares in a `<meta>` within its first 1024 bytes.
fn meta_charset(body: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&body[..body.len().min(DECL_WINDOW)]).to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = head[from..].find("<meta").map(|n| from + n) {
        let end = head[at..].find('>').map_or(head.len(), |n| at + n);
        let tag = &head[at..end];
        from = end;
        if let Some(c) = tag.find("charset") {
            let rest = tag[c + 7..].trim_start();
            let Some(rest) = rest.strip_prefix('=') else {
                continue;
            };
            let label: String = rest
                .trim_start()
                .trim_start_matches(['"', '\'', ' '])
                .chars()
                .take_while(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | ':' | '.'))
                .collect();
            if Encoding::for_label(label.as_bytes()).is_some() {
                return Some(label);
            }
        }
    }
    None
}

/// The `charset` parameter of a Content-Type header value, e.g. `text/xml; charset="ISO-8859-1"`.
pub fn charset_of(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(|c| c == '"' || c == '\''))
            .filter(|v| !v.is_empty())
    })
}

/// UTF-16 by its first bytes (`<` or whitespace as one ASCII character and a zero byte), without a mark.
fn sniff_utf16(body: &[u8]) -> Option<&'static Encoding> {
    match body {
        [a, 0, b, 0, ..] if a.is_ascii() && *a != 0 && b.is_ascii() && *b != 0 => Some(UTF_16LE),
        [0, a, 0, b, ..] if a.is_ascii() && *a != 0 && b.is_ascii() && *b != 0 => Some(UTF_16BE),
        _ => None,
    }
}

/// The label in an ASCII-compatible XML declaration (`<?xml version="1.0" encoding="…"?>`).
fn declared(body: &[u8]) -> Option<String> {
    let head = &body[..body.len().min(DECL_WINDOW)];
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = &head[start..];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    attribute(decl, "encoding").map(str::to_owned)
}

/// The value of pseudo-attribute `name` in a declaration's text.
fn attribute<'a>(decl: &'a str, name: &str) -> Option<&'a str> {
    let at = decl.find(name)?;
    let rest = decl[at + name.len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    Some(&value[..value.find(quote)?])
}

/// The text with its XML declaration's encoding replaced by UTF-8 when it names another, and every further
/// `<?xml …?>` declaration removed (one is legal only at the very start, and the XML parser would switch
/// decoders on it mid-document, which panics); `None` when there is nothing to change.
fn normalise_declaration(text: &str) -> Option<String> {
    let start = text.len() - text.trim_start().len();
    let mut out: Option<String> = None;
    let mut done = 0; // bytes of `text` already copied (or dropped) into `out`
    let mut from = 0;
    while let Some(at) = text[from..].find("<?xml").map(|n| from + n) {
        let after = text[at + 5..].chars().next();
        let Some(end) = text[at..].find("?>").map(|n| at + n) else {
            break;
        };
        from = end + 2;
        if !after.is_some_and(|c| c.is_whitespace() || c == '?') {
            continue; // another processing instruction, e.g. <?xml-stylesheet …?>
        }
        let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
        buf.push_str(&text[done..at]);
        if at == start {
            let decl = &text[at..end];
            match attribute(decl, "encoding") {
                Some(label) if !label.eq_ignore_ascii_case("utf-8") => {
                    let version = attribute(decl, "version").unwrap_or("1.0");
                    buf.push_str(&format!("<?xml version=\"{version}\" encoding=\"UTF-8\"?>"));
                }
                _ => buf.push_str(&text[at..end + 2]),
            }
        }
        done = end + 2;
    }
    let mut buf = out?;
    buf.push_str(&text[done..]);
    (buf != text).then_some(buf)
}

/// Test helpers other modules' tests share.
#[cfg(test)]
pub(crate) mod test_util {
    /// `text` as UTF-16 bytes, big- or little-endian, with or without a byte-order mark.
    pub fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if big_endian {
                &[0xFE, 0xFF]
            } else {
                &[0xFF, 0xFE]
            });
        }
        for unit in text.encode_utf16() {
            out.extend_from_slice(&if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::utf16;
    use super::*;

    const FEED: &str = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss version=\"2.0\"><channel>\
        <title>Київ café</title></channel></rss>";

    fn utf8(body: &[u8], charset: Option<&str>) -> String {
        String::from_utf8(to_utf8(body, charset).into_owned()).unwrap()
    }

    #[test]
    fn utf16_with_or_without_a_mark_becomes_utf8_declared_as_such() {
        for big_endian in [false, true] {
            for bom in [false, true] {
                let text = utf8(&utf16(FEED, big_endian, bom), None);
                assert!(
                    text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss"),
                    "{text}"
                );
                assert!(text.contains("Київ café"), "{text}");
            }
        }
        // A mark that disagrees with the declaration (UTF-16BE bytes, "UTF-16LE" declared): the mark wins.
        let lying = FEED.replace("UTF-16", "UTF-16LE");
        assert!(utf8(&utf16(&lying, true, true), None).contains("Київ café"));
    }

    #[test]
    fn the_http_charset_names_a_legacy_encoding() {
        let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode("<rss><title>café</title></rss>");
        assert!(utf8(&latin1, Some("ISO-8859-1")).contains("café"));
        let (cyrillic, _, _) = encoding_rs::WINDOWS_1251.encode("<rss><title>Київ</title></rss>");
        assert!(utf8(&cyrillic, Some("windows-1251")).contains("Київ"));
        assert_eq!(
            charset_of("text/xml; charset=\"windows-1251\""),
            Some("windows-1251")
        );
        assert_eq!(charset_of("application/rss+xml"), None);
    }

    #[test]
    fn the_declaration_names_the_encoding_when_http_does_not() {
        let (body, _, _) = encoding_rs::WINDOWS_1251
            .encode("<?xml version='1.0' encoding='windows-1251'?><rss><title>Київ</title></rss>");
        let text = utf8(&body, None);
        assert!(
            text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
            "{text}"
        );
        assert!(text.contains("Київ"));
        // Declared UTF-16 but written in single bytes: the declaration is wrong, read as UTF-8.
        assert!(utf8(FEED.as_bytes(), None).contains("Київ café"));
    }

    /// A server that says `charset=utf-8` of a feed in ISO-8859-1 or windows-1251: the declaration, then a sniff.
    #[test]
    fn a_utf8_header_on_bytes_that_are_not_utf8_gives_way_to_the_declaration_then_a_sniff() {
        let (latin, _, _) = encoding_rs::WINDOWS_1252.encode(
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><title>Café crème</title></rss>",
        );
        let text = utf8(&latin, Some("utf-8"));
        assert!(text.contains("Café crème"), "{text}");
        let (cyrillic, _, _) = encoding_rs::WINDOWS_1251.encode(
            "<?xml version=\"1.0\" encoding=\"windows-1251\"?><rss><title>Новости Киева</title></rss>",
        );
        assert!(utf8(&cyrillic, Some("UTF-8")).contains("Новости Киева"));
        // No declaration either: the bytes are sniffed.
        let (undeclared, _, _) = encoding_rs::WINDOWS_1251.encode(
            "<rss><channel><title>Новости</title><item><title>В Киеве прошла встреча министров \
             иностранных дел</title><description>Стороны обсудили вопросы безопасности и торговли.\
             </description></item></channel></rss>",
        );
        let text = utf8(&undeclared, Some("utf-8"));
        assert!(text.contains("В Киеве прошла встреча"), "{text}");
        // A header that does decode the bytes still wins over the declaration.
        let (in_1251, _, _) = encoding_rs::WINDOWS_1251.encode(
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><title>Київ</title></rss>",
        );
        assert!(utf8(&in_1251, Some("windows-1251")).contains("Київ"));
        // And UTF-8 said and sent stays UTF-8.
        assert!(utf8("<rss><title>Café</title></rss>".as_bytes(), Some("utf-8")).contains("Café"));
    }

    #[test]
    fn binary_bodies_are_named_and_text_in_any_encoding_is_not() {
        assert_eq!(binary_kind(b"%PDF-1.7\n..."), Some("a PDF document"));
        assert_eq!(binary_kind(b"\x89PNG\r\n\x1a\n"), Some("a PNG image"));
        let mut noise = vec![0u8; 4096];
        for (i, b) in noise.iter_mut().enumerate() {
            *b = (i * 7919 % 251) as u8;
        }
        assert_eq!(binary_kind(&noise), Some("binary data"));
        assert_eq!(binary_kind(b"<html><body><p>ok</p></body></html>"), None);
        assert_eq!(binary_kind("Київ café\r\n\tx".as_bytes()), None);
        assert_eq!(
            binary_kind(&utf16("<html><p>x</p></html>", false, false)),
            None
        );
        assert_eq!(
            binary_kind(&utf16("<html><p>x</p></html>", true, true)),
            None
        );
        assert_eq!(binary_kind(b""), None);
    }

    /// Found by the `feed` fuzz target: a second declaration naming another encoding mid-document.
    #[test]
    fn later_declarations_are_removed_and_stylesheets_kept() {
        let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><?xml \
                    version=\"1.0\" encoding=\"ISO-8859-1\"?><?xml-stylesheet href=\"s.css\"?><title>ok</title>\
                    </channel></rss>";
        let text = utf8(body.as_bytes(), None);
        assert!(
            !text.contains("ISO-8859-1") && text.contains("<?xml-stylesheet"),
            "{text}"
        );
        assert!(
            text.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"),
            "{text}"
        );
        let feed = crate::sources::feed::parse_feed(body.as_bytes(), None, "t", None).unwrap();
        assert_eq!(feed.title.as_deref(), Some("ok"));
    }

    #[test]
    fn utf8_stays_borrowed_and_garbage_does_not_panic() {
        let body = b"<rss><title>ok</title></rss>";
        assert!(matches!(to_utf8(body, None), Cow::Borrowed(_)));
        for junk in [
            &b"\xFF"[..],
            b"\xFE\xFF\x00",
            b"<\x00",
            b"\x00",
            b"",
            b"<?xml encoding=\"",
            b"\xEF\xBB\xBF",
        ] {
            let _ = to_utf8(junk, Some("utf-16"));
            let _ = to_utf8(junk, None);
        }
    }

    #[test]
    fn html_pages_declare_their_charset_in_a_meta() {
        let (win, _, _) = encoding_rs::WINDOWS_1251
            .encode("<html><head><meta charset=\"windows-1251\"></head><body>Київ</body></html>");
        assert!(html_to_string(&win, None).contains("Київ"));
        let (latin, _, _) = encoding_rs::WINDOWS_1252.encode(
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\"><p>café</p>",
        );
        assert!(html_to_string(&latin, None).contains("café"));
        // The HTTP header wins over the page when the bytes can be in it; a `charset=utf-8` header on bytes
        // that are not UTF-8 is wrong, and the page's own meta is read instead.
        assert!(html_to_string(&latin, Some("windows-1251")).contains("caf\u{0439}"));
        assert!(html_to_string(&latin, Some("utf-8")).contains("café"));
        // No declaration at all: UTF-8 when the bytes are UTF-8.
        assert_eq!(
            html_to_string("<p>café</p>".as_bytes(), None),
            "<p>café</p>"
        );
        assert_eq!(
            html_to_string(b"<meta charset=utf-16><p>x</p>", None),
            "<meta charset=utf-16><p>x</p>"
        );
        // Valid UTF-8 under a stale legacy declaration is read as UTF-8.
        let stale = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"><p>人工智能</p>";
        assert!(html_to_string(stale.as_bytes(), None).contains("人工智能"));
    }
}
