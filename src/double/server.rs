//! The HTTP front end of `conform serve`: a bare hyper HTTP/1 server over
//! the double's [`Service`].
//!
//! In process, the double runs on wiremock ([`Double`](super::Double)). A
//! long-running server cannot: wiremock's mounted mocks keep a copy of every
//! request they match (for `MockGuard::received_requests`), even with
//! request recording disabled, so memory would grow with every request.
//! This front end keeps nothing per request, and past the size limit it
//! drops what it reads instead of buffering it.
//!
//! Limits ([`Limits`]): a connection must send a whole request head within
//! the header timeout (an idle keep-alive connection is closed after the same
//! time), a body within the body timeout, must not leave a response unread
//! for longer than the body timeout, and at most
//! [`Limits::max_connections`] connections are served at once (more wait in
//! the listen backlog). A request whose body does not arrive whole is
//! answered `400` and never reaches the service. Accept errors (out of file
//! descriptors) back off instead of spinning.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use super::reply::{ApiError, Reply};
use super::{MAX_REQUEST_BODY, Quirks, Service, rendered};

/// The timeouts and caps of the HTTP front end.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Limits {
    /// Time allowed to send a request head; also how long an idle
    /// keep-alive connection is kept.
    pub header_timeout: Duration,
    /// Time allowed to send a request body, from the end of its head; also
    /// how long a response may wait for the client to read it.
    pub body_timeout: Duration,
    /// Connections served at once; more wait to be accepted.
    pub max_connections: usize,
    /// After a shutdown signal, how long requests in flight may take to finish.
    pub grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 1024,
            grace: Duration::from_secs(10),
        }
    }
}

/// How long the accept loop pauses after a failed accept (out of file
/// descriptors, for one), so that it does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves `service` on `listener` until `shutdown` resolves, then stops
/// accepting, lets requests in flight finish (at most [`Limits::grace`]),
/// closes idle connections and returns.
pub async fn serve(service: Service, listener: TcpListener, limits: Limits, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    loop {
        // Reap finished connection tasks so the set does not grow.
        while connections.try_join_next().is_some() {}
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // A failed accept (out of descriptors, a reset in the
                    // backlog) concerns one connection, not the server; a
                    // pause lets descriptors free up instead of spinning.
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = service.clone();
        let limits = limits.clone();
        let mut stop = stop_rx.clone();
        connections.spawn(async move {
            let _permit = permit;
            let body_timeout = limits.body_timeout;
            let handler = service_fn(move |req| {
                let service = service.clone();
                async move { Ok::<_, Infallible>(answer(&service, req, body_timeout).await) }
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
            let stream = WriteDeadline::new(stream, limits.body_timeout);
            let conn = builder.serve_connection(TokioIo::new(stream), handler);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => return,
                _ = stop.wait_for(|stop| *stop) => {}
            }
            // Shutting down: finish the request in flight, if any, then close.
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(limits.grace, drained).await.is_err() {
        connections.abort_all();
    }
}

/// A stream whose writes fail once the peer has taken nothing for `limit`:
/// a client that never reads its responses would otherwise hold its
/// connection, and one of the [`Limits::max_connections`], for ever.
struct WriteDeadline<S> {
    inner: S,
    limit: Duration,
    /// Running while a write is blocked; reset by any progress.
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<S> WriteDeadline<S> {
    fn new(inner: S, limit: Duration) -> Self {
        WriteDeadline { inner, limit, stalled: None }
    }

    /// Passes a write's outcome on; a write still pending after `limit` is
    /// an error, which makes hyper close the connection.
    fn watch<T>(&mut self, cx: &mut Context<'_>, polled: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if polled.is_ready() {
            self.stalled = None;
            return polled;
        }
        let limit = self.limit;
        let stalled = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match stalled.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client did not read its response in time",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteDeadline<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteDeadline<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.watch(cx, polled)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.watch(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_flush(cx);
        this.watch(cx, polled)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_shutdown(cx);
        this.watch(cx, polled)
    }
}

/// Shutdown signals, installed when this value is made, so that a signal
/// that arrives right after start-up is not lost or fatal.
#[derive(Debug)]
pub struct ShutdownSignals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl ShutdownSignals {
    /// Installs handlers for SIGTERM and SIGINT (Ctrl-C elsewhere). Must be
    /// called inside a tokio runtime.
    pub fn install() -> std::io::Result<ShutdownSignals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(ShutdownSignals { term: signal(SignalKind::terminate())?, int: signal(SignalKind::interrupt())? })
        }
        #[cfg(not(unix))]
        {
            Ok(ShutdownSignals {})
        }
    }

    /// Resolves at the first signal.
    pub async fn wait(mut self) {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.term.recv() => {}
                _ = self.int.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = &mut self;
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// How much of an oversized body is read and dropped before answering.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// Why a request body could not be used.
enum BodyError {
    TooLarge,
    /// The connection ended or broke before the body was complete.
    Incomplete,
    TimedOut,
}

/// Reads a whole body: its bytes only if every frame arrived and the body
/// ended as its framing says.
async fn read_body(body: &mut Incoming, timeout: Duration) -> Result<Vec<u8>, BodyError> {
    let read = async {
        let mut bytes = Vec::new();
        let mut seen = 0usize;
        while let Some(frame) = body.frame().await {
            // A frame error is a body cut short (a Content-Length not
            // reached, a chunked body without its last chunk): never the end.
            let Ok(frame) = frame else { return Err(BodyError::Incomplete) };
            if let Ok(data) = frame.into_data() {
                seen += data.len();
                if seen <= MAX_REQUEST_BODY {
                    bytes.extend_from_slice(&data);
                } else if seen > DRAIN_LIMIT {
                    return Err(BodyError::TooLarge);
                }
            }
        }
        if seen > MAX_REQUEST_BODY { Err(BodyError::TooLarge) } else { Ok(bytes) }
    };
    tokio::time::timeout(timeout, read).await.unwrap_or(Err(BodyError::TimedOut))
}

async fn answer(
    service: &Service,
    req: hyper::Request<Incoming>,
    body_timeout: Duration,
) -> hyper::Response<Full<Bytes>> {
    let quirks = service.quirks();
    let (parts, mut body) = req.into_parts();
    let bytes = match read_body(&mut body, body_timeout).await {
        Ok(bytes) => bytes,
        Err(e) => {
            // Past the size limit the rest is read and dropped (up to
            // DRAIN_LIMIT), so that the client, still sending, gets the
            // answer and not a reset. Nothing incomplete reaches the service.
            let message = match e {
                BodyError::TooLarge => format!("the request body is larger than {MAX_REQUEST_BODY} bytes"),
                BodyError::Incomplete => "the request body ended before its declared length".to_owned(),
                BodyError::TimedOut => "the request body did not arrive in time".to_owned(),
            };
            return response(Reply::error(&ApiError::bad_request(message), quirks), quirks);
        }
    };
    let body = Bytes::from(bytes);
    response(service.respond(&parts.method, &parts.uri, &parts.headers, &body), quirks)
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
