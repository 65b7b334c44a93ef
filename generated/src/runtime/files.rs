//! Bodies that are not JSON: a file to upload (a multipart part, streamed),
//! a file downloaded (bytes or a stream, with its content type), and a
//! documented redirect (its `Location`, never followed).

use std::fmt;
use std::path::{Path, PathBuf};

use reqwest::Url;
use tokio::io::AsyncWriteExt;

/// A file for a `multipart/form-data` upload: its bytes or a stream, its
/// file name and its content type. Sent as a part of its own, streamed;
/// never base64, never inside JSON. `Debug` shows the name, type and size,
/// never the content.
pub struct Upload {
    file_name: String,
    content_type: String,
    source: Source,
}

enum Source {
    Bytes(Vec<u8>),
    Stream {
        body: reqwest::Body,
        length: Option<u64>,
    },
}

impl Upload {
    /// A file held in memory.
    pub fn bytes(
        file_name: impl Into<String>,
        content_type: impl Into<String>,
        bytes: impl Into<Vec<u8>>,
    ) -> Self {
        Self {
            file_name: file_name.into(),
            content_type: content_type.into(),
            source: Source::Bytes(bytes.into()),
        }
    }

    /// A file streamed from `body` (a `tokio::fs::File`, or
    /// `reqwest::Body::wrap_stream` over any byte stream); `length`, when
    /// known, is sent as the part's length.
    pub fn stream(
        file_name: impl Into<String>,
        content_type: impl Into<String>,
        body: impl Into<reqwest::Body>,
        length: Option<u64>,
    ) -> Self {
        Self {
            file_name: file_name.into(),
            content_type: content_type.into(),
            source: Source::Stream {
                body: body.into(),
                length,
            },
        }
    }

    /// The file at `path`, opened now and streamed when sent; its name is
    /// the path's last component and its content type follows the extension
    /// (`application/octet-stream` when unknown; see [`Upload::content_type`]).
    /// A file that cannot be opened is an [`UploadError`] naming the path,
    /// before anything is sent.
    pub async fn from_path(path: impl AsRef<Path>) -> Result<Self, UploadError> {
        let path = path.as_ref();
        let error = |e: std::io::Error| UploadError {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let file = tokio::fs::File::open(path).await.map_err(error)?;
        let meta = file.metadata().await.map_err(error)?;
        if !meta.is_file() {
            return Err(UploadError {
                path: path.to_path_buf(),
                message: "not a regular file".into(),
            });
        }
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let content_type = content_type_of(&file_name);
        Ok(Self::stream(
            file_name,
            content_type,
            file,
            Some(meta.len()),
        ))
    }

    /// Sets the content type (`application/pdf`).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = content_type.into();
        self
    }

    /// The file name sent with the part.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The multipart part; a content type that does not parse is an error
    /// (nothing is sent).
    pub(crate) fn into_part(self) -> Result<reqwest::multipart::Part, String> {
        let part = match self.source {
            Source::Bytes(b) => reqwest::multipart::Part::bytes(b),
            Source::Stream {
                body,
                length: Some(n),
            } => reqwest::multipart::Part::stream_with_length(body, n),
            Source::Stream { body, length: None } => reqwest::multipart::Part::stream(body),
        };
        part.file_name(self.file_name)
            .mime_str(&self.content_type)
            .map_err(|_| format!("invalid content type {:?}", self.content_type))
    }
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let size = match &self.source {
            Source::Bytes(b) => Some(b.len() as u64),
            Source::Stream { length, .. } => *length,
        };
        f.debug_struct("Upload")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("size", &size)
            .finish_non_exhaustive()
    }
}

/// The content type of a file name's extension (the formats Ottu's
/// attachments and reports use).
fn content_type_of(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

/// A file to upload could not be opened; nothing was sent.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the file to upload `{}`: {message}", path.display())]
pub struct UploadError {
    /// The file.
    pub path: PathBuf,
    /// What the system said.
    pub message: String,
}

/// A downloaded file, its body not yet read: read it whole
/// ([`bytes`](Self::bytes)), chunk by chunk ([`chunk`](Self::chunk)), or
/// into a file ([`save_to`](Self::save_to)). Never decoded as JSON. A body
/// that ends before its `Content-Length` (a dropped connection) is a
/// [`DownloadError::Interrupted`]. The client's timeout covers reading it.
pub struct Download {
    status: u16,
    content_type: Option<String>,
    /// Announced when the response arrived (reqwest's own figure shrinks as
    /// the body is read).
    length: Option<u64>,
    received: u64,
    response: reqwest::Response,
}

impl Download {
    pub(crate) fn new(response: reqwest::Response) -> Self {
        Self {
            status: response.status().as_u16(),
            content_type: response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            length: response.content_length(),
            received: 0,
            response,
        }
    }

    pub(crate) fn into_inner(self) -> reqwest::Response {
        self.response
    }

    /// Status and headers, for [`Response`](crate::Response).
    pub(crate) fn meta(
        &self,
        secret_fields: &'static [&'static str],
    ) -> super::response::ResponseMeta {
        super::response::ResponseMeta::new(
            self.status,
            self.response.headers().clone(),
            secret_fields,
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The `Content-Type` the server sent (`text/csv`), if any.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The `Content-Length` the server announced, if any.
    pub fn content_length(&self) -> Option<u64> {
        self.length
    }

    /// The file name of a `Content-Disposition: attachment; filename="..."`.
    pub fn file_name(&self) -> Option<String> {
        let header = self
            .response
            .headers()
            .get(reqwest::header::CONTENT_DISPOSITION)?
            .to_str()
            .ok()?;
        header.split(';').find_map(|p| {
            let value = p.trim().strip_prefix("filename=")?;
            Some(value.trim_matches('"').to_string())
        })
    }

    /// The next piece of the body; `None` at its end.
    pub async fn chunk(&mut self) -> Result<Option<bytes::Bytes>, DownloadError> {
        let expected = self.content_length();
        match self.response.chunk().await {
            Ok(Some(chunk)) => {
                self.received += chunk.len() as u64;
                Ok(Some(chunk))
            }
            Ok(None) if expected.is_some_and(|n| self.received < n) => {
                Err(DownloadError::Interrupted {
                    received: self.received,
                    expected,
                    message: "the body ended early".into(),
                })
            }
            Ok(None) => Ok(None),
            Err(e) => Err(DownloadError::Interrupted {
                received: self.received,
                expected,
                // Without the URL: it carries the download token.
                message: e.without_url().to_string(),
            }),
        }
    }

    /// The whole body, in memory (for a large report, prefer
    /// [`save_to`](Self::save_to) or [`chunk`](Self::chunk)).
    pub async fn bytes(mut self) -> Result<Vec<u8>, DownloadError> {
        let mut out = Vec::new();
        while let Some(chunk) = self.chunk().await? {
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }

    /// Writes the body to `path` and returns its size. It is written to a
    /// temporary file beside `path` and renamed only once complete: an
    /// interrupted download leaves no file, partial or otherwise (an
    /// existing `path` is replaced only by a complete body).
    pub async fn save_to(mut self, path: impl AsRef<Path>) -> Result<u64, DownloadError> {
        let path = path.as_ref();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "download".into());
        let temp = path.with_file_name(format!(".{name}.{}.part", std::process::id()));
        let io = |e: std::io::Error| DownloadError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let mut file = tokio::fs::File::create(&temp).await.map_err(io)?;
        let written = async {
            while let Some(chunk) = self.chunk().await? {
                file.write_all(&chunk).await.map_err(io)?;
            }
            file.sync_all().await.map_err(io)?;
            drop(file);
            tokio::fs::rename(&temp, path).await.map_err(io)
        }
        .await;
        match written {
            Ok(()) => Ok(self.received),
            Err(e) => {
                let _ = tokio::fs::remove_file(&temp).await;
                Err(e)
            }
        }
    }
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length())
            .finish_non_exhaustive()
    }
}

/// Why a download did not complete.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DownloadError {
    /// The connection ended or failed before the whole body arrived.
    #[error("download interrupted after {received} bytes{}: {message}", expected.map(|n| format!(" of {n}")).unwrap_or_default())]
    Interrupted {
        /// Bytes received.
        received: u64,
        /// The announced `Content-Length`, if any.
        expected: Option<u64>,
        /// What failed.
        message: String,
    },
    /// The file could not be written (no partial file is left).
    #[error("cannot write the download to `{}`: {message}", path.display())]
    Io {
        /// The destination.
        path: PathBuf,
        /// What the system said.
        message: String,
    },
}

/// A documented redirect (a report download's `302` to a pre-signed
/// storage URL): the client never follows it, so no credential goes to
/// another host. Fetch it with [`Client::fetch_redirect`](crate::Client::fetch_redirect)
/// (which sends no credential) or hand the URL on. `Debug` hides the
/// location's query (a pre-signed URL's signature).
#[derive(Clone, PartialEq, Eq)]
pub struct Redirect {
    status: u16,
    location: Option<Url>,
}

impl Redirect {
    pub(crate) fn new(status: u16, location: Option<Url>) -> Self {
        Self { status, location }
    }

    /// The HTTP status (`302`).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The `Location`, resolved against the request URL; `None` when the
    /// server sent none (or one that does not parse).
    pub fn location(&self) -> Option<&str> {
        self.location.as_ref().map(Url::as_str)
    }

    pub(crate) fn url(&self) -> Option<&Url> {
        self.location.as_ref()
    }
}

impl fmt::Debug for Redirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = self.location.as_ref().map(|u| {
            let mut u = u.clone();
            if u.query().is_some() {
                u.set_query(Some("***"));
            }
            u.to_string()
        });
        f.debug_struct("Redirect")
            .field("status", &self.status)
            .field("location", &shown)
            .finish()
    }
}
