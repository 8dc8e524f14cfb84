//! The HTTP front end of `conform serve`: a bare hyper HTTP/1 server over
//! the double's [`Service`].
//!
//! In process, the double runs on wiremock ([`Double`](super::Double)). A
//! long-running server cannot: wiremock's mounted mocks keep a copy of every
//! request they match (for `MockGuard::received_requests`), even with
//! request recording disabled, so memory would grow with every request.
//! This front end keeps nothing per request, and past the size limit it
//! drops what it reads instead of buffering it.

use std::convert::Infallible;
use std::future::Future;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use super::reply::{ApiError, Reply};
use super::{MAX_REQUEST_BODY, Quirks, Service, rendered};

/// Serves `service` on `listener` until `shutdown` resolves. Connections in
/// progress are left to finish on their own tasks.
pub async fn serve(service: Service, listener: TcpListener, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // A failed accept (out of descriptors, a reset in the
                // backlog) concerns one connection, not the server.
                Err(_) => continue,
            },
            () = &mut shutdown => return,
        };
        let service = service.clone();
        tokio::spawn(async move {
            let handler = service_fn(move |req| {
                let service = service.clone();
                async move { Ok::<_, Infallible>(answer(&service, req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), handler).await;
        });
    }
}

/// How much of an oversized body is read and dropped before answering.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

async fn answer(service: &Service, req: hyper::Request<Incoming>) -> hyper::Response<Full<Bytes>> {
    let quirks = service.quirks();
    let (parts, mut body) = req.into_parts();
    let mut bytes = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { break };
        if let Ok(data) = frame.into_data() {
            seen += data.len();
            if seen <= MAX_REQUEST_BODY {
                bytes.extend_from_slice(&data);
            } else if seen > DRAIN_LIMIT {
                break;
            }
        }
    }
    if seen > MAX_REQUEST_BODY {
        // Past the limit the rest is read and dropped (up to DRAIN_LIMIT), so
        // that the client, still sending, gets the answer and not a reset.
        let e = ApiError::bad_request(format!("the request body is larger than {MAX_REQUEST_BODY} bytes"));
        return response(Reply::error(&e, quirks), quirks);
    }
    let body = Bytes::from(bytes);
    let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let reply = match reqwest::Url::parse(&format!("http://localhost{target}")) {
        Ok(url) => service.respond(parts.method.as_str(), &url, &parts.headers, &body),
        Err(_) => Reply::error(&ApiError::bad_request("the request target is not a valid path"), quirks),
    };
    response(reply, quirks)
}

fn response(reply: Reply, quirks: &Quirks) -> hyper::Response<Full<Bytes>> {
    let (status, headers, body) = rendered(reply, quirks);
    let mut builder = hyper::Response::builder().status(status);
    for (k, v) in headers {
        builder = builder.header(k, v);
    }
    builder.body(Full::new(Bytes::from(body))).unwrap_or_else(|_| {
        let mut r = hyper::Response::new(Full::new(Bytes::new()));
        *r.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}
