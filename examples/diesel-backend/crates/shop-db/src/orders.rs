//! Order queries shared by the services: billing marks orders paid through
//! here, so it writes `orders` without owning it.

use diesel::prelude::*;

use crate::models::OrderItem;
use crate::schema::{order_items, orders};

/// Sum of the order's lines, in cents.
pub fn order_total(conn: &mut PgConnection, order_id: i64) -> QueryResult<i64> {
    let items: Vec<OrderItem> = order_items::table
        .filter(order_items::order_id.eq(order_id))
        .select(OrderItem::as_select())
        .load(conn)?;
    Ok(items
        .iter()
        .map(|i| i.unit_price_cents * i64::from(i.quantity))
        .sum())
}

/// Flag an order as paid once its invoice is settled.
pub fn mark_order_paid(conn: &mut PgConnection, order_id: i64) -> QueryResult<usize> {
    diesel::update(orders::table.find(order_id))
        .set(orders::status.eq("paid"))
        .execute(conn)
}
