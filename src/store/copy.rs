//! What the two backends share, checked and moved: each schema's tables and columns (the test that keeps the
//! migrations in step compares them), row counts, and `herald migrate --to postgres://…`, which copies an
//! SQLite database into an empty PostgreSQL one table by table.

use std::collections::BTreeMap;

use sqlx::Row;

use super::{Db, Store, StoreError, WriteTx};

/// Every table herald keeps, parents before children (the order a copy inserts them in).
pub const TABLES: &[&str] = &[
    "sources",
    "items",
    "items_fts",
    "subscriptions",
    "guild_sources",
    "schedules",
    "deliveries",
    "delivered_items",
    "articles",
    "item_links",
    "subscription_searches",
    "guild_search",
    "channel_settings",
    "llm_cache",
    "llm_usage",
    "guild_departures",
    "told_stories",
    "told_items",
    "told_sentences",
];

/// Tables of state each database keeps for itself, not copied by `herald migrate` (the shared posting pace).
pub const STATE_TABLES: &[&str] = &["post_pace", "llm_failures", "process_slots"];

/// Tables whose `id` PostgreSQL generates (their sequences move past the copied ids).
const IDENTITY_TABLES: &[&str] = &[
    "sources",
    "items",
    "subscriptions",
    "deliveries",
    "told_stories",
];

/// Rows copied per INSERT.
const CHUNK: usize = 500;

/// How a copy went: rows per table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Copied {
    /// Rows copied, by table, in [`TABLES`] order.
    pub tables: Vec<(String, u64)>,
}

impl Store {
    /// Each table's columns, sorted: herald's tables only (not the migrations ledger, not FTS5's shadow tables).
    /// The search index shows the columns both backends share (`rowid`, `text`); PostgreSQL's generated
    /// `tsv` is its index, as FTS5's shadow tables are SQLite's.
    pub async fn schema(&self) -> Result<BTreeMap<String, Vec<String>>, StoreError> {
        let rows: Vec<(String, String)> = match self.db() {
            Db::Sqlite(pool) => {
                sqlx::query_as(
                    "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' \
                     AND m.name NOT LIKE 'items_fts_%'",
                )
                .fetch_all(pool)
                .await?
            }
            Db::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%' \
                     AND NOT (table_name = 'items_fts' AND column_name = 'tsv')",
                )
                .fetch_all(pool)
                .await?
            }
        };
        let mut schema: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (table, column) in rows {
            schema.entry(table).or_default().push(column);
        }
        if let (Db::Sqlite(_), Some(fts)) = (self.db(), schema.get_mut("items_fts")) {
            fts.push("rowid".to_owned());
        }
        for columns in schema.values_mut() {
            columns.sort();
        }
        Ok(schema)
    }

    /// Rows in each of herald's tables, in [`TABLES`] order.
    pub async fn table_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut counts = Vec::new();
        for table in TABLES {
            // Table names come from TABLES, never from input.
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let n: i64 = super::on!(self, pool => sqlx::query_scalar(&sql).fetch_one(pool).await)?;
            counts.push(((*table).to_owned(), u64::try_from(n).unwrap_or(0)));
        }
        Ok(counts)
    }

    /// Copies every table of this (SQLite) store into `to` (PostgreSQL, migrated and empty), in one transaction:
    /// either all of it lands or none. Identity sequences move past the copied ids.
    pub async fn copy_to(&self, to: &Store) -> Result<Copied, StoreError> {
        let (Db::Sqlite(from), Db::Postgres(dest)) = (self.db(), to.db()) else {
            return Err(StoreError::Unsupported(
                "herald migrate --to copies an SQLite database into PostgreSQL",
            ));
        };
        if to.table_counts().await?.iter().any(|(_, n)| *n > 0) {
            return Err(StoreError::Unsupported(
                "the PostgreSQL database already holds herald data; migrate into an empty database",
            ));
        }
        let mut tx = dest.write_tx().await?;
        let mut copied = Copied::default();
        for table in TABLES {
            // The destination's columns and whether each holds text (else a 64-bit integer: ids, counts, flags,
            // unix-second times); generated columns (the search index's tsv) fill themselves.
            let columns: Vec<(String, String)> = sqlx::query_as(
                "SELECT column_name::TEXT, data_type::TEXT FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' \
                 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(&mut *tx)
            .await?;
            let text: Vec<bool> = columns.iter().map(|(_, t)| t == "text").collect();
            let list = columns
                .iter()
                .map(|(c, _)| c.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let rows = sqlx::query(&format!("SELECT {list} FROM {table}"))
                .fetch_all(from)
                .await?;
            for chunk in rows.chunks(CHUNK) {
                let mut q = sqlx::QueryBuilder::<sqlx::Postgres>::new(format!(
                    "INSERT INTO {table} ({list}) "
                ));
                let mut bad = None;
                q.push_values(chunk, |mut b, row| {
                    for (i, is_text) in text.iter().enumerate() {
                        if *is_text {
                            match row.try_get::<Option<String>, _>(i) {
                                Ok(v) => b.push_bind(v),
                                Err(e) => {
                                    bad = Some(e);
                                    b.push_bind(None::<String>)
                                }
                            };
                        } else {
                            match row.try_get::<Option<i64>, _>(i) {
                                Ok(v) => b.push_bind(v),
                                Err(e) => {
                                    bad = Some(e);
                                    b.push_bind(None::<i64>)
                                }
                            };
                        }
                    }
                });
                if let Some(e) = bad {
                    return Err(e.into());
                }
                q.build().execute(&mut *tx).await?;
            }
            copied
                .tables
                .push(((*table).to_owned(), u64::try_from(rows.len()).unwrap_or(0)));
        }
        for table in IDENTITY_TABLES {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            ))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(copied)
    }
}
