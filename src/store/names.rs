//! Columns that hold one of a few names (a delivery's state, a channel's summary style, …), mapped by sqlx to
//! their Rust enums on both backends: a stored name herald does not know is a decoding error, never a silent
//! default.

/// A stored name herald does not know (written by a newer herald, or by hand).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the database holds {value:?} where herald expects one of {expected}")]
pub struct UnknownName {
    /// What was stored.
    pub value: String,
    /// The names herald knows, comma-separated.
    pub expected: String,
}

/// An enum stored as one of its names.
pub trait Named: Sized + Copy + 'static {
    /// Every value.
    const ALL: &'static [Self];

    /// The name stored.
    fn stored_name(self) -> &'static str;

    /// The value a stored name stands for.
    fn from_stored(s: &str) -> Result<Self, UnknownName> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.stored_name() == s)
            .ok_or_else(|| UnknownName {
                value: s.to_owned(),
                expected: Self::ALL
                    .iter()
                    .map(|v| v.stored_name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// Implements sqlx's `Type`, `Decode` and `Encode` for a [`Named`] enum over every backend whose text type it
/// reads, so row structs hold the enum itself (and `Option` of it for a nullable column).
macro_rules! stored_by_name {
    ($t:ty) => {
        impl<DB: sqlx::Database> sqlx::Type<DB> for $t
        where
            str: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as sqlx::Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $t
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let s = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
                Ok(<$t as $crate::store::Named>::from_stored(s)?)
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $t
        where
            &'q str: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                let name: &'q str = <$t as $crate::store::Named>::stored_name(*self);
                <&'q str as sqlx::Encode<'q, DB>>::encode(name, buf)
            }
        }
    };
}
pub(crate) use stored_by_name;
