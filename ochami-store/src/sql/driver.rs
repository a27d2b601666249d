//! The thin layer between the shared SQL store and a concrete sqlx driver.
//!
//! The store logic in [`crate::sql`] is written once. It builds statements as [`Sql`] (text
//! with `$N` placeholders plus bound [`Val`]ues; SQLite accepts `$N` too) and runs them on a
//! [`Conn`]; each backend implements [`Backend`], [`Conn`] and [`SqlRow`] for its driver in a
//! few lines. Values always travel as bound parameters: statement text is assembled only from
//! constant fragments in this crate, never from input.

use std::borrow::Cow;
use std::fmt::Write as _;

use async_trait::async_trait;

use crate::Result;

/// Which SQL dialect a backend speaks; decides the few fragments that differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// SQLite 3.38+ (JSON operators, `RETURNING`, upsert).
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    Sqlite,
    /// PostgreSQL 12+.
    Postgres,
}

/// Column type of a bulk row set (see [`Sql::rows_source`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColType {
    /// Text.
    Text,
    /// 64-bit integer.
    Int,
    /// Boolean.
    Bool,
}

/// A bound parameter value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    /// Text, or NULL.
    Text(Option<String>),
    /// Integer, or NULL.
    Int(Option<i64>),
    /// Boolean.
    Bool(bool),
    /// A JSON document (serialized), or NULL.
    Json(Option<String>),
    /// A list of strings for `= ANY` / `IN` ([`Sql::in_list`]).
    TextList(Vec<String>),
    /// A list of integers for `= ANY` / `IN`.
    IntList(Vec<i64>),
    /// A JSON array of row arrays for [`Sql::rows_source`].
    Rows(String),
}

impl From<&str> for Val {
    fn from(s: &str) -> Self {
        Val::Text(Some(s.to_owned()))
    }
}

impl From<String> for Val {
    fn from(s: String) -> Self {
        Val::Text(Some(s))
    }
}

impl From<Option<String>> for Val {
    fn from(s: Option<String>) -> Self {
        Val::Text(s)
    }
}

impl From<i64> for Val {
    fn from(n: i64) -> Self {
        Val::Int(Some(n))
    }
}

impl From<Option<i64>> for Val {
    fn from(n: Option<i64>) -> Self {
        Val::Int(n)
    }
}

impl From<bool> for Val {
    fn from(b: bool) -> Self {
        Val::Bool(b)
    }
}

/// A statement: text with `$N` placeholders and the values bound to them.
#[derive(Debug, Clone)]
pub(crate) struct Sql {
    pub(crate) dialect: Dialect,
    pub(crate) text: Cow<'static, str>,
    pub(crate) args: Vec<Val>,
}

impl Sql {
    /// A statement with constant text and the given arguments.
    pub(crate) fn new(dialect: Dialect, text: &'static str, args: Vec<Val>) -> Self {
        Sql {
            dialect,
            text: Cow::Borrowed(text),
            args,
        }
    }

    /// Append constant text.
    pub(crate) fn push(&mut self, s: &str) -> &mut Self {
        self.text.to_mut().push_str(s);
        self
    }

    /// Append a placeholder bound to `v`.
    pub(crate) fn bind(&mut self, v: impl Into<Val>) -> &mut Self {
        self.args.push(v.into());
        let n = self.args.len();
        let _ = write!(self.text.to_mut(), "${n}");
        self
    }

    /// Append `<membership test>` for a list of strings: `= ANY($n)` on Postgres,
    /// `IN (SELECT value FROM json_each($n))` on SQLite. One parameter whatever the length,
    /// so no driver limit on bound parameters is ever hit.
    pub(crate) fn in_list(&mut self, values: Vec<String>) -> &mut Self {
        match self.dialect {
            Dialect::Postgres => {
                self.push(" = ANY(");
                self.bind(Val::TextList(values));
                self.push(")")
            }
            Dialect::Sqlite => {
                self.push(" IN (SELECT value FROM json_each(");
                self.bind(Val::TextList(values));
                self.push("))")
            }
        }
    }

    /// Like [`Sql::in_list`] for integers.
    pub(crate) fn in_int_list(&mut self, values: Vec<i64>) -> &mut Self {
        match self.dialect {
            Dialect::Postgres => {
                self.push(" = ANY(");
                self.bind(Val::IntList(values));
                self.push(")")
            }
            Dialect::Sqlite => {
                self.push(" IN (SELECT value FROM json_each(");
                self.bind(Val::IntList(values));
                self.push("))")
            }
        }
    }

    /// Append `SELECT <cols> FROM <rows> WHERE true`: a row set read from one bound JSON
    /// array of arrays (`rows`), column `i` of each inner array typed `types[i]` and named
    /// `c<i>`. Bulk writes
    /// use it as `INSERT INTO t (...) <rows_source> ON CONFLICT ...`: one statement and one
    /// parameter for any number of rows.
    pub(crate) fn rows_source(&mut self, types: &[ColType], rows: String) -> &mut Self {
        self.push("SELECT ");
        for (i, t) in types.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            let col = match (self.dialect, t) {
                (Dialect::Sqlite, _) => format!("r.value->>{i}"),
                (Dialect::Postgres, ColType::Text) => format!("r.v->>{i}"),
                (Dialect::Postgres, ColType::Int) => format!("(r.v->>{i})::bigint"),
                (Dialect::Postgres, ColType::Bool) => format!("(r.v->>{i})::boolean"),
            };
            self.push(&col);
            self.push(&format!(" AS c{i}"));
        }
        match self.dialect {
            Dialect::Postgres => self.push(" FROM jsonb_array_elements("),
            Dialect::Sqlite => self.push(" FROM json_each("),
        };
        self.bind(Val::Rows(rows));
        match self.dialect {
            Dialect::Postgres => self.push(") AS r(v) WHERE true"),
            Dialect::Sqlite => self.push(") AS r WHERE true"),
        }
    }

    /// ` FOR UPDATE` on Postgres (row locks for read-check-write); nothing on SQLite, whose
    /// write transactions already hold the database's write lock (`BEGIN IMMEDIATE`).
    pub(crate) fn for_update(&mut self) -> &mut Self {
        if self.dialect == Dialect::Postgres {
            self.push(" FOR UPDATE");
        }
        self
    }
}

/// One result row; getters by column position. Errors name nothing from the SQL.
pub(crate) trait SqlRow: Send + Sync {
    /// A text column.
    fn text(&self, i: usize) -> Result<Option<String>>;
    /// An integer column.
    fn int(&self, i: usize) -> Result<Option<i64>>;
    /// A boolean column (NULL reads as false).
    fn boolean(&self, i: usize) -> Result<bool>;
    /// A JSON column, as its text.
    fn json(&self, i: usize) -> Result<Option<String>>;
}

/// A connection or transaction statements run on.
#[async_trait]
pub(crate) trait Conn: Send {
    /// The driver's row type.
    type Row: SqlRow;
    /// Run a statement; the number of rows it affected.
    async fn execute(&mut self, sql: Sql) -> Result<u64>;
    /// Run a query; all its rows.
    async fn fetch(&mut self, sql: Sql) -> Result<Vec<Self::Row>>;
    /// Run a script of several statements without parameters (migrations).
    async fn execute_script(&mut self, script: &'static str) -> Result<()>;
}

/// A write transaction.
#[async_trait]
pub(crate) trait Tx: Conn {
    /// Commit it; dropping it instead rolls back.
    async fn commit(self) -> Result<()>;
}

/// A database the shared store runs on.
#[async_trait]
pub(crate) trait Backend: Send + Sync + 'static {
    /// A pooled connection for single-statement reads.
    type Conn: Conn;
    /// A transaction.
    type Tx: Tx<Row = <Self::Conn as Conn>::Row>;
    /// `sqlite` or `postgres`.
    const NAME: &'static str;
    /// Its dialect.
    const DIALECT: Dialect;
    /// A connection from the pool.
    async fn conn(&self) -> Result<Self::Conn>;
    /// A read transaction: one consistent snapshot for reads of several statements.
    async fn begin_read(&self) -> Result<Self::Tx>;
    /// A write transaction. SQLite takes the write lock up front (`BEGIN IMMEDIATE`) so
    /// read-check-write sequences never interleave with another writer.
    async fn begin_write(&self) -> Result<Self::Tx>;
}

/// Implement the driver layer for one sqlx database: [`Conn`] for its pooled connection and
/// its transaction, [`Tx`] for the transaction and [`SqlRow`] for its row type. `query`
/// turns a [`Sql`] into a bound sqlx query; `json` reads a JSON column as text (the one
/// getter whose column type differs between databases).
macro_rules! sqlx_driver {
    (db: $db:ty, row: $row:ty, query: $query:path, json: $json:path $(,)?) => {
        $crate::sql::driver::sqlx_driver!(@conn $row, $query, sqlx::pool::PoolConnection<$db>);
        $crate::sql::driver::sqlx_driver!(@conn $row, $query, sqlx::Transaction<'static, $db>);

        #[async_trait::async_trait]
        impl $crate::sql::driver::Tx for sqlx::Transaction<'static, $db> {
            async fn commit(self) -> $crate::Result<()> {
                sqlx::Transaction::commit(self)
                    .await
                    .map_err($crate::sql::error::db_error)
            }
        }

        impl $crate::sql::driver::SqlRow for $row {
            fn text(&self, i: usize) -> $crate::Result<Option<String>> {
                sqlx::Row::try_get(self, i).map_err($crate::sql::error::db_error)
            }

            fn int(&self, i: usize) -> $crate::Result<Option<i64>> {
                sqlx::Row::try_get(self, i).map_err($crate::sql::error::db_error)
            }

            fn boolean(&self, i: usize) -> $crate::Result<bool> {
                sqlx::Row::try_get::<Option<bool>, _>(self, i)
                    .map(Option::unwrap_or_default)
                    .map_err($crate::sql::error::db_error)
            }

            fn json(&self, i: usize) -> $crate::Result<Option<String>> {
                $json(self, i)
            }
        }
    };
    (@conn $row:ty, $query:path, $conn:ty) => {
        #[async_trait::async_trait]
        impl $crate::sql::driver::Conn for $conn {
            type Row = $row;

            async fn execute(&mut self, sql: $crate::sql::driver::Sql) -> $crate::Result<u64> {
                let q = $query(sql)?;
                q.execute(&mut **self)
                    .await
                    .map(|r| r.rows_affected())
                    .map_err($crate::sql::error::db_error)
            }

            async fn fetch(&mut self, sql: $crate::sql::driver::Sql) -> $crate::Result<Vec<$row>> {
                let q = $query(sql)?;
                q.fetch_all(&mut **self)
                    .await
                    .map_err($crate::sql::error::db_error)
            }

            async fn execute_script(&mut self, script: &'static str) -> $crate::Result<()> {
                sqlx::raw_sql(script)
                    .execute(&mut **self)
                    .await
                    .map(|_| ())
                    .map_err($crate::sql::error::db_error)
            }
        }
    };
}
pub(crate) use sqlx_driver;
