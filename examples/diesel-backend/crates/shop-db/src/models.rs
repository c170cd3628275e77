use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::{audit_log, invoices, order_items, orders, products, sessions, users};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, AsChangeset, Serialize)]
#[diesel(table_name = users)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
}

#[derive(Debug, Queryable, Selectable, Identifiable, Associations)]
#[diesel(belongs_to(User))]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: i64,
    pub user_id: i64,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession {
    pub user_id: i64,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = products)]
pub struct Product {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub price_cents: i64,
    pub stock: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Associations, Serialize)]
#[diesel(belongs_to(User))]
#[diesel(table_name = orders)]
pub struct Order {
    pub id: i64,
    pub user_id: i64,
    pub status: String,
    pub total_cents: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = orders)]
pub struct NewOrder<'a> {
    pub user_id: i64,
    pub status: &'a str,
    pub total_cents: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Associations, Serialize)]
#[diesel(belongs_to(Order))]
#[diesel(table_name = order_items)]
pub struct OrderItem {
    pub id: i64,
    pub order_id: i64,
    pub product_id: i64,
    pub quantity: i32,
    pub unit_price_cents: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = order_items)]
pub struct NewOrderItem {
    pub order_id: i64,
    pub product_id: i64,
    pub quantity: i32,
    pub unit_price_cents: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, AsChangeset, Serialize)]
#[diesel(table_name = invoices)]
pub struct Invoice {
    pub id: i64,
    pub order_id: i64,
    pub amount_cents: i64,
    pub status: String,
    pub issued_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = invoices)]
pub struct NewInvoice<'a> {
    pub order_id: i64,
    pub amount_cents: i64,
    pub status: &'a str,
}

/// Planned for the admin console; nothing writes it yet.
#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry<'a> {
    pub actor_id: i64,
    pub action: &'a str,
}
