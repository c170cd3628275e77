// @generated automatically by Diesel CLI.

diesel::table! {
    audit_log (id) {
        id -> Int8,
        actor_id -> Int8,
        action -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    invoices (id) {
        id -> Int8,
        order_id -> Int8,
        amount_cents -> Int8,
        status -> Text,
        issued_at -> Timestamptz,
    }
}

diesel::table! {
    order_items (id) {
        id -> Int8,
        order_id -> Int8,
        product_id -> Int8,
        quantity -> Int4,
        unit_price_cents -> Int8,
    }
}

diesel::table! {
    orders (id) {
        id -> Int8,
        user_id -> Int8,
        status -> Text,
        total_cents -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    products (id) {
        id -> Int8,
        sku -> Text,
        name -> Text,
        price_cents -> Int8,
        stock -> Int4,
    }
}

diesel::table! {
    sessions (id) {
        id -> Int8,
        user_id -> Int8,
        token -> Text,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Int8,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        last_login_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(invoices -> orders (order_id));
diesel::joinable!(order_items -> orders (order_id));
diesel::joinable!(order_items -> products (product_id));
diesel::joinable!(orders -> users (user_id));
diesel::joinable!(sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    audit_log,
    invoices,
    order_items,
    orders,
    products,
    sessions,
    users,
);
