//! Order queries (diesel-async).

use diesel::prelude::*;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use shop_db::models::{NewOrder, NewOrderItem, Order, OrderItem, Product};
use shop_db::schema::{order_items, orders, products, users};

pub type DbPool = Pool<AsyncPgConnection>;

#[derive(Debug, Deserialize)]
pub struct LineRequest {
    pub product_id: i64,
    pub quantity: i32,
}

/// Reserve the stock of every line and record the order, in one
/// transaction.
pub async fn place_order(
    conn: &mut AsyncPgConnection,
    user_id: i64,
    lines: &[LineRequest],
) -> QueryResult<Order> {
    conn.transaction(|conn| {
        async move {
            let mut total = 0;
            let mut priced = Vec::with_capacity(lines.len());
            for line in lines {
                let product: Product = products::table
                    .find(line.product_id)
                    .select(Product::as_select())
                    .first(conn)
                    .await?;
                diesel::update(products::table.find(product.id))
                    .set(products::stock.eq(products::stock - line.quantity))
                    .execute(conn)
                    .await?;
                total += product.price_cents * i64::from(line.quantity);
                priced.push((product.id, line.quantity, product.price_cents));
            }
            let order: Order = diesel::insert_into(orders::table)
                .values(&NewOrder {
                    user_id,
                    status: "pending",
                    total_cents: total,
                })
                .returning(Order::as_returning())
                .get_result(conn)
                .await?;
            let items: Vec<NewOrderItem> = priced
                .into_iter()
                .map(|(product_id, quantity, unit_price_cents)| NewOrderItem {
                    order_id: order.id,
                    product_id,
                    quantity,
                    unit_price_cents,
                })
                .collect();
            diesel::insert_into(order_items::table)
                .values(&items)
                .execute(conn)
                .await?;
            Ok(order)
        }
        .scope_boxed()
    })
    .await
}

/// A customer's orders with their lines.
pub async fn orders_of(
    conn: &mut AsyncPgConnection,
    user_id: i64,
) -> QueryResult<Vec<(Order, Vec<OrderItem>)>> {
    let orders = orders::table
        .filter(orders::user_id.eq(user_id))
        .order(orders::created_at.desc())
        .select(Order::as_select())
        .load(conn)
        .await?;
    let items = OrderItem::belonging_to(&orders)
        .select(OrderItem::as_select())
        .load(conn)
        .await?;
    Ok(items
        .grouped_by(&orders)
        .into_iter()
        .zip(orders)
        .map(|(items, order)| (order, items))
        .collect())
}

/// Cancel an order that is still pending.
pub async fn cancel(conn: &mut AsyncPgConnection, order_id: i64) -> QueryResult<usize> {
    diesel::update(orders::table)
        .filter(orders::id.eq(order_id))
        .filter(orders::status.eq("pending"))
        .set(orders::status.eq("cancelled"))
        .execute(conn)
        .await
}

/// The back office's list: newest orders with the customer's e-mail.
pub async fn back_office(conn: &mut AsyncPgConnection, limit: i64) -> QueryResult<Vec<(Order, String)>> {
    orders::table
        .inner_join(users::table)
        .select((Order::as_select(), users::email))
        .order(orders::created_at.desc())
        .limit(limit)
        .load(conn)
        .await
}
