//! Uploaded images: checked by content, size-limited, re-encoded (which drops EXIF and anything
//! hidden in the file), stored under `data/media/`, served at `/media/...`.

use std::path::{Component, Path, PathBuf};

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use futures_util::StreamExt;
use image::imageops::FilterType;

use super::WebState;
use crate::error::AppError;

/// Reads the first file field of a multipart upload, at most `max_bytes`.
pub async fn read_upload(mut form: Multipart, field_name: &str, max_bytes: usize) -> Result<Vec<u8>, AppError> {
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|_| AppError::invalid("上传的内容无法读取"))?;
        if field.name() != Some(field_name) {
            while let Some(chunk) = field.next().await {
                chunk.map_err(|_| AppError::invalid("上传的内容无法读取"))?;
            }
            continue;
        }
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| AppError::invalid("上传的内容无法读取"))?;
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

/// Decodes an image (JPEG or PNG, judged by content), sizes it and writes it as JPEG under
/// `media_dir/<folder>/`. Returns the public `/media/...` path.
pub fn store_image(media_dir: &Path, folder: &str, stem: &str, data: &[u8], fit: Fit) -> Result<String, AppError> {
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
    let dir = media_dir.join(folder);
    std::fs::create_dir_all(&dir).map_err(AppError::internal)?;
    let name = format!("{stem}-{}.jpg", super::random_token(6).replace(['-', '_'], "x"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join(&name)).map_err(AppError::internal)?);
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
    sized.write_with_encoder(encoder).map_err(AppError::internal)?;
    Ok(format!("/media/{folder}/{name}"))
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
    let unreadable = || AppError::invalid("上传的内容无法读取");
    let mut out = UploadForm::default();
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|_| unreadable())?;
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.content_disposition().and_then(|d| d.get_filename()).map(str::to_string);
        let is_file = file_name.is_some();
        let (noun, counted) = if name == "file" { ("文件", "个文件") } else { ("图片", "张图片") };
        let limit = if is_file { max_bytes } else { 10 * 1024 };
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| unreadable())?;
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
            out.fields.insert(name, String::from_utf8(data).map_err(|_| unreadable())?);
        }
    }
    Ok(out)
}

/// Only plain relative paths below the media dir.
fn media_path(root: &Path, rel: &str) -> Option<PathBuf> {
    let rel = Path::new(rel);
    if rel.components().all(|c| matches!(c, Component::Normal(_))) { Some(root.join(rel)) } else { None }
}

/// `GET /media/{path}`.
pub async fn serve(state: web::Data<WebState>, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let file = media_path(&state.config.media_dir(), &path).ok_or(AppError::NotFound)?;
    let data = web::block(move || std::fs::read(file)).await?.map_err(|_| AppError::NotFound)?;
    let content_type = if path.ends_with(".png") { "image/png" } else { "image/jpeg" };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=604800"))
        .body(data))
}
