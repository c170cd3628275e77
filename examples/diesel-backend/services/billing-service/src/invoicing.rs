//! Invoices. Settling one marks its order paid through `shop_db::orders`:
//! billing writes `orders`, which orders-service also writes.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use shop_db::models::{Invoice, NewInvoice, Order};
use shop_db::orders::{mark_order_paid, order_total};
use shop_db::schema::{invoices, orders};

/// Open an invoice for every pending order that has none.
pub fn issue_invoices(conn: &mut PgConnection) -> QueryResult<usize> {
    let pending: Vec<Order> = orders::table
        .left_join(invoices::table)
        .filter(orders::status.eq("pending"))
        .filter(invoices::id.is_null())
        .select(Order::as_select())
        .load(conn)?;
    for order in &pending {
        let amount = order_total(conn, order.id)?;
        diesel::insert_into(invoices::table)
            .values(&NewInvoice {
                order_id: order.id,
                amount_cents: amount,
                status: "open",
            })
            .on_conflict(invoices::order_id)
            .do_nothing()
            .execute(conn)?;
    }
    Ok(pending.len())
}

/// Settle an invoice and mark its order paid.
pub fn settle(conn: &mut PgConnection, invoice_id: i64) -> QueryResult<Invoice> {
    conn.transaction(|conn| {
        let mut invoice = invoices::table
            .find(invoice_id)
            .select(Invoice::as_select())
            .first(conn)?;
        invoice.status = "paid".to_string();
        let invoice = invoice.save_changes::<Invoice>(conn)?;
        mark_order_paid(conn, invoice.order_id)?;
        Ok(invoice)
    })
}

#[derive(Debug, QueryableByName)]
pub struct Revenue {
    #[diesel(sql_type = Text)]
    pub day: String,
    #[diesel(sql_type = BigInt)]
    pub cents: i64,
}

/// Paid revenue per day.
pub fn daily_revenue(conn: &mut PgConnection) -> QueryResult<Vec<Revenue>> {
    diesel::sql_query(
        "SELECT to_char(i.issued_at, 'YYYY-MM-DD') AS day, sum(i.amount_cents)::bigint AS cents
         FROM invoices i JOIN orders o ON o.id = i.order_id
         WHERE i.status = 'paid' AND o.status = 'paid'
         GROUP BY 1 ORDER BY 1",
    )
    .load(conn)
}
