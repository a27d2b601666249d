//! [`ComponentFilter`] as a SQL `WHERE` clause over `components c`, with exactly the
//! semantics of [`ComponentFilter::matches_with`]: values of one parameter are OR-ed,
//! parameters AND-ed, a `!value` excludes (a NULL column passes a negation), `group` /
//! `partition` match membership with `NULL` meaning "in none".

use std::fmt::Display;

use ochami_core::{ComponentFilter, Term};

use super::driver::Sql;

/// Append ` AND ...` conditions for `f` to a statement whose text ends in a `WHERE true`.
pub(crate) fn component_conditions(sql: &mut Sql, f: &ComponentFilter) {
    text_terms(sql, "c.id", &f.id);
    text_terms(sql, "c.type", &f.hms_type);
    text_terms(sql, "c.state", &f.state);
    text_terms(sql, "c.flag", &f.flag);
    bool_terms(sql, "c.enabled", &f.enabled);
    text_terms(sql, "c.software_status", &f.software_status);
    text_terms(sql, "c.role", &f.role);
    text_terms(sql, "c.sub_role", &f.sub_role);
    text_terms(sql, "c.subtype", &f.subtype);
    text_terms(sql, "c.arch", &f.arch);
    text_terms(sql, "c.class", &f.class);
    bool_terms(sql, "c.locked", &f.locked);
    bool_terms(sql, "c.reservation_disabled", &f.reservation_disabled);
    let (pos, neg): (Vec<_>, Vec<_>) = f.nid.iter().partition(|t| !t.negated);
    if !pos.is_empty() {
        sql.push(" AND c.nid");
        sql.in_int_list(pos.iter().map(|t| t.value).collect());
    }
    if !neg.is_empty() {
        sql.push(" AND (c.nid IS NULL OR NOT c.nid");
        sql.in_int_list(neg.iter().map(|t| t.value).collect());
        sql.push(")");
    }
    if let Some(start) = f.nid_start {
        sql.push(" AND c.nid >= ").bind(start);
    }
    if let Some(end) = f.nid_end {
        sql.push(" AND c.nid <= ").bind(end);
    }
    membership(sql, "group", &f.group);
    membership(sql, "partition", &f.partition);
}

fn text_terms<T: Display>(sql: &mut Sql, col: &str, terms: &[Term<T>]) {
    let (pos, neg): (Vec<_>, Vec<_>) = terms.iter().partition(|t| !t.negated);
    if !pos.is_empty() {
        sql.push(" AND ").push(col);
        sql.in_list(pos.iter().map(|t| t.value.to_string()).collect());
    }
    if !neg.is_empty() {
        sql.push(" AND (")
            .push(col)
            .push(" IS NULL OR NOT ")
            .push(col);
        sql.in_list(neg.iter().map(|t| t.value.to_string()).collect());
        sql.push(")");
    }
}

fn bool_terms(sql: &mut Sql, col: &str, terms: &[Term<bool>]) {
    let wanted = |v: bool| terms.iter().any(|t| !t.negated && t.value == v);
    let any_positive = terms.iter().any(|t| !t.negated);
    for v in [true, false] {
        let excluded =
            terms.iter().any(|t| t.negated && t.value == v) || (any_positive && !wanted(v));
        if excluded {
            sql.push(" AND ").push(col).push(" <> ").bind(v);
        }
    }
}

/// `kind` is `group` or `partition`; a `None` value means "member of none of that kind".
fn membership(sql: &mut Sql, kind: &'static str, values: &[Option<String>]) {
    if values.is_empty() {
        return;
    }
    let names: Vec<String> = values.iter().flatten().cloned().collect();
    let none = values.iter().any(Option::is_none);
    sql.push(" AND (false");
    if !names.is_empty() {
        sql.push(
            " OR EXISTS (SELECT 1 FROM group_members m WHERE m.component_id = c.id AND m.kind = ",
        );
        sql.bind(kind).push(" AND m.name");
        sql.in_list(names);
        sql.push(")");
    }
    if none {
        sql.push(" OR NOT EXISTS (SELECT 1 FROM group_members m WHERE m.component_id = c.id AND m.kind = ");
        sql.bind(kind).push(")");
    }
    sql.push(")");
}
