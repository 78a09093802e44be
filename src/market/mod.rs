//! The second-hand market (`/mall/second-hand`): verified students post items, buyers reach the
//! seller through an in-app message thread (never a phone number), anyone can report an item,
//! admins take reported items down.
//!
//! Trades are done safely (`trade`): the buyer reserves, shows a handover code at a meetup point
//! the seller offered (`meetups`), both rate each other; 求购 posts alert on matching listings
//! (`wanted`); listings expire after 30 days (`expiry`); favourites hear of price cuts.
//!
//! Tables: second_hand_items, second_hand_reports (one per reporter and item), chat_threads
//! (one per item and buyer), chat_messages, second_hand_meetup_points, second_hand_meetups,
//! second_hand_ratings, second_hand_wanted, second_hand_wanted_hits, second_hand_favourites.

pub mod demo;
pub mod expiry;
pub mod favourites;
pub mod handlers;
pub mod listing;
pub mod meetups;
pub mod models;
pub mod privacy;
pub mod queries;
pub mod service;
pub mod trade;
pub mod trade_handlers;
pub mod views;
pub mod wanted;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use trade_handlers as th;
    cfg.route("/mall/second-hand", web::get().to(handlers::list_items))
        .route("/mall/second-hand/wanted", web::get().to(wanted::show))
        .route("/mall/second-hand/wanted", web::post().to(wanted::create))
        .route("/mall/second-hand/wanted/{id}/close", web::post().to(wanted::close_post))
        .route("/mall/second-hand/sellers/{id}", web::get().to(th::show_seller))
        .route("/mall/second-hand/new", web::get().to(handlers::show_new_item))
        .route("/mall/second-hand/new", web::post().to(handlers::post_item))
        .route("/mall/second-hand/threads/{id}", web::get().to(handlers::show_thread))
        .route("/mall/second-hand/threads/{id}", web::post().to(handlers::send_message))
        .route("/mall/second-hand/threads/{id}/meetup", web::post().to(meetups::post_pick))
        .route("/mall/second-hand/{id}", web::get().to(handlers::show_item))
        .route("/mall/second-hand/{id}/sold", web::post().to(handlers::mark_sold))
        .route("/mall/second-hand/{id}/down", web::post().to(handlers::take_down))
        .route("/mall/second-hand/{id}/report", web::post().to(handlers::report_item))
        .route("/mall/second-hand/{id}/contact", web::post().to(handlers::contact_seller))
        .route("/mall/second-hand/{id}/reserve", web::get().to(th::show_reservation))
        .route("/mall/second-hand/{id}/reserve", web::post().to(th::reserve))
        .route("/mall/second-hand/{id}/reserve/cancel", web::post().to(th::cancel_reservation))
        .route("/mall/second-hand/{id}/handover", web::get().to(th::show_handover))
        .route("/mall/second-hand/{id}/handover", web::post().to(th::handover))
        .route("/mall/second-hand/{id}/rate", web::post().to(th::rate))
        .route("/mall/second-hand/{id}/favourite", web::post().to(th::favourite))
        .route("/mall/second-hand/{id}/price", web::post().to(th::change_price))
        .route("/mall/second-hand/{id}/renew", web::post().to(th::renew))
        .route("/mall/second-hand/{id}/meetups", web::post().to(meetups::post_offer))
        .route("/mall/second-hand/{id}/meetups/{offer}/delete", web::post().to(meetups::delete_offer))
        .route("/admin/second-hand/meetup-points", web::get().to(meetups::admin_points))
        .route("/admin/second-hand/meetup-points", web::post().to(meetups::admin_add_point))
        .route("/admin/second-hand/meetup-points/{id}/{action}", web::post().to(meetups::admin_toggle_point))
        .route("/admin/second-hand", web::get().to(handlers::admin_list))
        .route("/admin/second-hand/{id}/remove", web::post().to(handlers::admin_remove))
        .route("/admin/second-hand/{id}/dismiss", web::post().to(handlers::admin_dismiss))
        .route("/admin/second-hand/{id}/ban-author", web::post().to(handlers::admin_ban_author));
}
