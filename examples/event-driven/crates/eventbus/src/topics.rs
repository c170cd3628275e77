//! Every topic of the shop, in one struct.

/// The shop's topics.
pub struct Topics {
    pub orders: &'static str,
    pub payments: &'static str,
    pub shipments: &'static str,
}

/// The topics in production.
pub const SHOP: Topics = Topics {
    orders: "shop.orders.v1",
    payments: "shop.payments.v1",
    shipments: "shop.shipments.v1",
};
