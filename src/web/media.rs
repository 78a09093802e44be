//! Uploaded images: checked by content, size-limited, re-encoded (which drops EXIF and anything
//! hidden in the file), kept in the upload store ([`super::storage`]: the data dir or S3), served
//! at `/media/...` with the same headers whichever store holds them.
//!
//! Every multipart request is capped as a whole (`CAMPUS_MULTIPART_MAX_BYTES`,
//! `CAMPUS_MULTIPART_MAX_FIELDS`) by [`limit_multipart`], which meters the body as it streams in:
//! the readers below stop at the first byte or field past a cap instead of reading on.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_multipart::{Multipart, MultipartError};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpResponse, web};
use futures_util::{Stream, StreamExt};
use image::imageops::FilterType;

use super::WebState;
use super::storage::{Area, Storage};
use crate::error::AppError;

/// A multipart request past one of its caps.
#[derive(Debug, thiserror::Error)]
enum OverCap {
    #[error("上传的内容合计不能超过 {} MB", .0 / 1024 / 1024)]
    Bytes(usize),
    #[error("表单项太多（最多 {0} 项）")]
    Fields(usize),
}

/// Middleware: meters every `multipart/form-data` body against the configured caps. A declared
/// length past the cap is refused before reading; otherwise the body stream fails at the first
/// chunk past a cap, and [`read_form`] and [`read_upload`] say which cap it was.
pub async fn limit_multipart(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let caps =
        req.app_data::<web::Data<WebState>>().map(|s| (s.config.multipart_max_bytes, s.config.multipart_max_fields));
    let boundary = match req.mime_type() {
        Ok(Some(m)) if m.type_() == actix_web::mime::MULTIPART => {
            m.get_param("boundary").map(|b| b.as_str().to_string())
        }
        _ => None,
    };
    let (Some((max_bytes, max_fields)), Some(boundary)) = (caps, boundary) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_bytes as u64) {
        let err = AppError::invalid(OverCap::Bytes(max_bytes).to_string());
        return Ok(req.error_response(err).map_into_right_body());
    }
    let mut delimiter = b"--".to_vec();
    delimiter.extend_from_slice(boundary.as_bytes());
    let metered = Metered {
        inner: req.take_payload(),
        max_bytes,
        max_fields,
        delimiter,
        read: 0,
        delimiters: 0,
        tail: Vec::new(),
        done: false,
    };
    req.set_payload(Payload::from(Box::pin(metered) as Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>));
    Ok(next.call(req).await?.map_into_left_body())
}

/// A request body that fails once it passes `max_bytes` or opens more than `max_fields` parts.
/// Parts are counted by their delimiters (`--boundary`), `tail` keeping the end of the previous
/// chunk so that a delimiter split across two chunks is still seen.
struct Metered {
    inner: Payload,
    max_bytes: usize,
    max_fields: usize,
    delimiter: Vec<u8>,
    read: usize,
    delimiters: usize,
    tail: Vec<u8>,
    done: bool,
}

impl Metered {
    fn over(&mut self, cap: OverCap) -> Poll<Option<Result<Bytes, PayloadError>>> {
        self.done = true;
        Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::other(cap)))))
    }
}

impl Stream for Metered {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        let chunk = match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => chunk,
            other => return other,
        };
        self.read += chunk.len();
        if self.read > self.max_bytes {
            let cap = OverCap::Bytes(self.max_bytes);
            return self.over(cap);
        }
        let mut window = std::mem::take(&mut self.tail);
        window.extend_from_slice(&chunk);
        let d = self.delimiter.len();
        self.delimiters += window.windows(d).filter(|w| *w == self.delimiter.as_slice()).count();
        // The last d-1 bytes cannot hold a whole delimiter yet; one that ends in them is counted
        // with the next chunk.
        self.tail = window.split_off(window.len().saturating_sub(d - 1));
        // n parts have n + 1 delimiters (the last one closes the form).
        if self.delimiters > self.max_fields + 1 {
            let cap = OverCap::Fields(self.max_fields);
            return self.over(cap);
        }
        Poll::Ready(Some(Ok(chunk)))
    }
}

/// The user's words for a multipart stream that cannot be read.
fn unreadable(err: MultipartError) -> AppError {
    if let MultipartError::Payload(PayloadError::Io(io)) = &err
        && let Some(cap) = io.get_ref().and_then(|e| e.downcast_ref::<OverCap>())
    {
        return AppError::invalid(cap.to_string());
    }
    AppError::invalid("上传的内容无法读取")
}

/// Reads the first file field of a multipart upload, at most `max_bytes`.
pub async fn read_upload(mut form: Multipart, field_name: &str, max_bytes: usize) -> Result<Vec<u8>, AppError> {
    while let Some(field) = form.next().await {
        let mut field = field.map_err(unreadable)?;
        if field.name() != Some(field_name) {
            while let Some(chunk) = field.next().await {
                chunk.map_err(unreadable)?;
            }
            continue;
        }
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(unreadable)?;
            if data.len() + chunk.len() > max_bytes {
                return Err(AppError::invalid(format!("图片不能超过 {} MB", max_bytes / 1024 / 1024)));
            }
            data.extend_from_slice(&chunk);
        }
        if data.is_empty() {
            return Err(AppError::invalid("请选择要上传的图片"));
        }
        return Ok(data);
    }
    Err(AppError::invalid("请选择要上传的图片"))
}

/// How a stored image is sized.
#[derive(Clone, Copy)]
pub enum Fit {
    /// Cropped to a square of this side (avatars).
    Square(u32),
    /// Scaled down to fit within this side, keeping its shape (photos).
    Within(u32),
}

/// Folders of personal data: kept in the private area, never served by [`serve`] (licences,
/// student cards, feedback screenshots: each has its own route that checks who asks).
pub const PRIVATE_FOLDERS: [&str; 3] = ["licences", "student-cards", "feedback"];

/// The area a folder's files go to.
pub fn area_of(folder: &str) -> Area {
    if PRIVATE_FOLDERS.contains(&folder) { Area::Private } else { Area::Public }
}

/// Decodes an image (JPEG or PNG, judged by content), sizes it and stores it as JPEG in
/// `<folder>/` of the upload store (the private area for [`PRIVATE_FOLDERS`]). Returns its
/// `/media/...` path. Blocking: call it inside `web::block`.
pub fn store_image(storage: &Storage, folder: &str, stem: &str, data: &[u8], fit: Fit) -> Result<String, AppError> {
    store_image_sized(storage, folder, stem, data, fit).map(|(path, _)| path)
}

/// Stores every photo of a form with [`store_image`], all or none: on a bad file the ones
/// already written are removed and the refusal is returned. Blocking: call it inside
/// `web::block`.
pub fn store_images(
    storage: &Storage,
    folder: &str,
    stem: &str,
    files: &[Vec<u8>],
    fit: Fit,
) -> Result<Vec<String>, AppError> {
    let mut stored = Vec::with_capacity(files.len());
    for data in files {
        match store_image(storage, folder, stem, data, fit) {
            Ok(path) => stored.push(path),
            Err(e) => {
                discard(storage, folder, &stored);
                return Err(e);
            }
        }
    }
    Ok(stored)
}

/// Removes images this request has just stored in `folder` (public or private) because what
/// they belonged to was refused. Blocking: call it inside `web::block`.
pub fn discard(storage: &Storage, folder: &str, paths: &[String]) {
    for path in paths {
        let Some(rel) = path.strip_prefix("/media/") else { continue };
        if rel.split('/').next() != Some(folder) {
            continue;
        }
        if let Err(e) = storage.delete_blocking(area_of(folder), rel) {
            tracing::warn!(error = ?e, "media file {rel} not deleted");
        }
    }
}

/// [`store_image`], also returning the stored image's width and height.
pub fn store_image_sized(
    storage: &Storage,
    folder: &str,
    stem: &str,
    data: &[u8],
    fit: Fit,
) -> Result<(String, (u32, u32)), AppError> {
    let format = image::guess_format(data).map_err(|_| AppError::invalid("只能上传 JPG 或 PNG 图片"))?;
    if !matches!(format, image::ImageFormat::Jpeg | image::ImageFormat::Png) {
        return Err(AppError::invalid("只能上传 JPG 或 PNG 图片"));
    }
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(data), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(8000);
    limits.max_image_height = Some(8000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().map_err(|_| AppError::invalid("图片已损坏或格式不受支持"))?;
    let sized = match fit {
        Fit::Square(n) => img.resize_to_fill(n, n, FilterType::Triangle),
        Fit::Within(n) if img.width() > n || img.height() > n => img.resize(n, n, FilterType::Triangle),
        Fit::Within(_) => img,
    }
    .into_rgb8();
    let size = sized.dimensions();
    let name = format!("{stem}-{}.jpg", super::random_token(6).replace(['-', '_'], "x"));
    let mut out = std::io::Cursor::new(Vec::new());
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
    sized.write_with_encoder(encoder).map_err(AppError::internal)?;
    storage.put_blocking(area_of(folder), &format!("{folder}/{name}"), out.into_inner())?;
    Ok((format!("/media/{folder}/{name}"), size))
}

/// Removes stored images by their `/media/...` paths (public ones only; others are skipped); a
/// file already gone is fine, and a failure is logged, not raised: the rows are what matter.
/// Blocking: call it inside `web::block`.
pub fn remove_images<'a>(storage: &Storage, paths: impl IntoIterator<Item = &'a str>) {
    for path in paths {
        let Some(rel) = path.strip_prefix("/media/") else { continue };
        if area_of(rel.split('/').next().unwrap_or_default()) != Area::Public {
            continue;
        }
        if let Err(e) = storage.delete_blocking(Area::Public, rel) {
            tracing::warn!(error = ?e, "media file {rel} not deleted");
        }
    }
}

/// A multipart form: its text fields and its files (field name, bytes), and the name each file
/// had on the user's machine.
#[derive(Default)]
pub struct UploadForm {
    pub fields: std::collections::HashMap<String, String>,
    pub files: Vec<(String, Vec<u8>)>,
    pub file_names: Vec<String>,
}

impl UploadForm {
    pub fn text(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

/// Reads a whole multipart form: text fields up to 10 KB each, at most `max_files` non-empty
/// files of at most `max_bytes` each. Files are pictures, except in a field named `file`
/// (a document such as a spreadsheet), which only changes the wording of errors.
pub async fn read_form(mut form: Multipart, max_files: usize, max_bytes: usize) -> Result<UploadForm, AppError> {
    let mut out = UploadForm::default();
    while let Some(field) = form.next().await {
        let mut field = field.map_err(unreadable)?;
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.content_disposition().and_then(|d| d.get_filename()).map(str::to_string);
        let is_file = file_name.is_some();
        let (noun, counted) = if name == "file" { ("文件", "个文件") } else { ("图片", "张图片") };
        let limit = if is_file { max_bytes } else { 10 * 1024 };
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(unreadable)?;
            if data.len() + chunk.len() > limit {
                return Err(if is_file {
                    AppError::invalid(format!("{noun}不能超过 {} MB", max_bytes / 1024 / 1024))
                } else {
                    AppError::invalid("填写的内容太长")
                });
            }
            data.extend_from_slice(&chunk);
        }
        if is_file {
            if !data.is_empty() {
                if out.files.len() >= max_files {
                    return Err(AppError::invalid(format!("最多上传 {max_files} {counted}")));
                }
                out.files.push((name, data));
                out.file_names.push(file_name.unwrap_or_default());
            }
        } else {
            out.fields.insert(name, String::from_utf8(data).map_err(|_| AppError::invalid("上传的内容无法读取"))?);
        }
    }
    Ok(out)
}

/// `GET /media/licences/{name}`: a merchant applicant's business licence is personal data, shown
/// only to its applicant (the file name starts with `u{id}-`) and to admins, never cached by
/// shared caches.
pub async fn serve_licence(
    state: web::Data<WebState>,
    user: super::page::CurrentUser,
    name: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let owner = name.strip_prefix('u').and_then(|rest| rest.split('-').next()).and_then(|id| id.parse::<i64>().ok());
    if owner != Some(user.id) {
        // Reviewers see every applicant's photo, once [`CurrentUser::check`] allows it now (an
        // admin who must still enrol in two-factor is sent to do so); anyone else finds nothing.
        user.check(super::Permission::Merchants).map_err(|e| match e {
            AppError::TwoFactorSetup => e,
            _ => AppError::NotFound,
        })?;
    }
    let data = state.media.get(Area::Private, &format!("licences/{name}")).await?.ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(data))
}

/// `GET /media/{path}`: a public upload, cached for a week (names are never reused).
pub async fn serve(state: web::Data<WebState>, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    if PRIVATE_FOLDERS.iter().any(|f| path.split('/').next() == Some(*f)) {
        return Err(AppError::NotFound);
    }
    // A withdrawn upload (its post deleted, its item taken down) is gone at once, though its
    // file waits out the grace period in the store.
    let stored = format!("{}/{}", Area::Public.dir(), path.as_str());
    if state.db.run(move |conn| Ok(removed::is_withdrawn(conn, &stored)?)).await? {
        return Err(AppError::NotFound);
    }
    let data = state.media.get(Area::Public, &path).await?.ok_or(AppError::NotFound)?;
    let content_type = if path.ends_with(".png") { "image/png" } else { "image/jpeg" };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=604800"))
        .body(data))
}

/// Removed means gone: the uploads of a deleted or moderated-away thing, by their store paths
/// (`media/<folder>/<name>` or `private/<folder>/<name>`, see [`store_path`]). From the moment
/// the caller's transaction commits, [`serve`] answers 404 for them; the `privacy.purge` job
/// deletes the files once `grace` has passed. Restoring the thing within the grace period
/// ([`restore`]) brings them back.
pub mod removed {
    use chrono::TimeDelta;
    use diesel::prelude::*;

    use crate::db::schema::media_removed;
    use crate::db::{self, DbConn};

    /// Withdraws `paths` (store paths); a path already withdrawn keeps its earlier deadline
    /// unless this one is sooner.
    pub fn withdraw(conn: &mut DbConn, paths: &[String], grace: TimeDelta) -> QueryResult<usize> {
        let now = db::now();
        let purge_after = now + grace;
        let mut n = 0;
        for path in paths {
            let earlier: Option<chrono::NaiveDateTime> =
                media_removed::table.find(path).select(media_removed::purge_after).first(conn).optional()?;
            match earlier {
                Some(at) if at <= purge_after => {}
                Some(_) => {
                    diesel::update(media_removed::table.find(path))
                        .set(media_removed::purge_after.eq(purge_after))
                        .execute(conn)?;
                }
                None => {
                    n += diesel::insert_into(media_removed::table)
                        .values((
                            media_removed::path.eq(path),
                            media_removed::removed_at.eq(now),
                            media_removed::purge_after.eq(purge_after),
                        ))
                        .execute(conn)?;
                }
            }
        }
        Ok(n)
    }

    /// Serves `paths` again (the thing was restored before they were purged).
    pub fn restore(conn: &mut DbConn, paths: &[String]) -> QueryResult<usize> {
        if paths.is_empty() {
            return Ok(0);
        }
        diesel::delete(media_removed::table.filter(media_removed::path.eq_any(paths.to_vec()))).execute(conn)
    }

    pub fn is_withdrawn(conn: &mut DbConn, path: &str) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(media_removed::table.find(path))).get_result(conn)
    }

    /// Withdrawn paths whose grace period is over, oldest deadline first.
    pub fn due(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<String>> {
        media_removed::table
            .filter(media_removed::purge_after.le(db::now()))
            .order(media_removed::purge_after.asc())
            .limit(limit)
            .select(media_removed::path)
            .load(conn)
    }

    /// Forgets a purged path (its file is gone; the route answers 404 by itself now).
    pub fn purged(conn: &mut DbConn, path: &str) -> QueryResult<usize> {
        diesel::delete(media_removed::table.find(path)).execute(conn)
    }
}

/// The store path of an upload: `media/<rel>` for a `/media/<rel>` URL path (or `private/<rel>`
/// when its folder is a private one); `None` for anything that is not an upload of ours.
pub fn store_path(url_path: &str) -> Option<String> {
    let rel = url_path.strip_prefix("/media/")?;
    let folder = rel.split('/').next().unwrap_or_default();
    (!rel.is_empty() && rel.contains('/')).then(|| format!("{}/{rel}", area_of(folder).dir()))
}

/// The area and relative path of a store path (`media/forum/a.jpg` → public, `forum/a.jpg`).
pub fn split_store_path(path: &str) -> Option<(Area, &str)> {
    if let Some(rel) = path.strip_prefix("media/") {
        return Some((Area::Public, rel));
    }
    path.strip_prefix("private/").map(|rel| (Area::Private, rel))
}
