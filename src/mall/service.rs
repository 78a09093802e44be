//! The mall's face to the rest of the app: everything other modules (admin, merchant, pay,
//! seed, jobs) and the tests may call. The rules themselves live with their concern, each in
//! its own folder: `catalog/` (home, categories, product page, stock), `search/`, `cart/`,
//! `checkout/` (placing orders, coupons), `orders/` (paying, shipping, receiving, jobs),
//! `refunds/` and `manage/` (shops, products, categories, banners, pickup points for the back
//! office and the seed). Another module calls these, never the mall's queries.

pub use super::cart::service::*;
pub use super::catalog::service::*;
pub use super::checkout::service::*;
pub use super::manage::service::*;
pub use super::orders::service::*;
pub use super::refunds::service::*;
pub use super::refunds::trouble::*;
pub use super::search::service::*;

// Query functions the merchant module composes into its own transactions (stock edits and
// imports): a stock history line, a new SKU.
pub use super::catalog::queries::log_stock;
pub use super::manage::queries::insert_sku;
