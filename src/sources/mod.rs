//! Where items come from: fetching over HTTP and parsing feeds.
