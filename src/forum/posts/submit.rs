//! Publishing a new post as one step: the author's checks and the word screening, the photos
//! stored (re-encoded), the post written and the lists refreshed. All or nothing: the photos of
//! a post that was refused at the last step are removed again.

use actix_web::web;

use super::service::{self, Published, Viewer};
use crate::error::AppResult;
use crate::forum::models::{Image, NewPost};
use crate::state::AppState;
use crate::web::media::{self, Fit};
use crate::web::storage::Storage;

/// Publishes `post` with the photos `files` (each checked and re-encoded); the refusals
/// (`Invalid`, `Denied`, `RateLimited`, `Conflict`) are the author's to act on.
pub async fn submit(
    state: &AppState,
    forum: &web::Data<crate::forum::State>,
    who: Viewer,
    mut post: NewPost,
    files: Vec<Vec<u8>>,
) -> AppResult<Published> {
    let words = state.words.clone();
    let review = {
        let post = post.clone();
        state.db.run(move |conn| service::prepare(conn, &words, who, &post)).await?
    };
    let dir = state.media.clone();
    let d = dir.clone();
    post.images = web::block(move || store_images(&d, who.id, &files)).await??;
    let images = post.images.clone();
    let (f, settings) = (forum.clone(), state.settings.clone());
    let published = state
        .db
        .run(move |conn| {
            let first_posts = settings.get(conn)?.review_first_posts;
            service::publish(conn, who, &post, review.as_deref(), first_posts, &f.names)
        })
        .await;
    match published {
        Ok(p) => {
            forum.lists.clear();
            Ok(p)
        }
        Err(e) => {
            let _ = web::block(move || remove_images(&dir, &images)).await;
            Err(e)
        }
    }
}

/// Stores each photo twice, re-encoded (which drops EXIF and anything hidden in the file):
/// the photo within 1280 px and a 240 px square thumbnail. All or nothing: on a bad file the
/// ones already written are removed.
fn store_images(dir: &Storage, user: i64, files: &[Vec<u8>]) -> AppResult<Vec<Image>> {
    let stem = format!("p{user}");
    let mut stored: Vec<Image> = Vec::new();
    let result = files.iter().try_for_each(|data| {
        let full = media::store_image(dir, "forum", &stem, data, Fit::Within(1280))?;
        let thumb = media::store_image(dir, "forum", &stem, data, Fit::Square(240));
        match thumb {
            Ok(thumb) => {
                stored.push(Image { full, thumb });
                Ok(())
            }
            Err(e) => {
                remove_images(dir, &[Image { full, thumb: String::new() }]);
                Err(e)
            }
        }
    });
    match result {
        Ok(()) => Ok(stored),
        Err(e) => {
            remove_images(dir, &stored);
            Err(e)
        }
    }
}

fn remove_images(dir: &Storage, images: &[Image]) {
    media::remove_images(dir, images.iter().flat_map(|i| [i.full.as_str(), i.thumb.as_str()]));
}
