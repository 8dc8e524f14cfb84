//! Routing: which documented operation a request is, by method, path and
//! the `operation` query parameter, per the service model.

/// The operations the double implements.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    /// `POST /accounts`
    CreateAccount,
    /// `GET /accounts/{accountId}`
    GetAccount(String),
    /// `DELETE /accounts/{accountId}`
    DeleteAccount(String),
    /// `POST /accounts/{accountId}/users?operation=create`
    CreateUser(String),
    /// `GET /accounts/{accountId}/users`
    ListUsers(String),
    /// `GET /accounts/{accountId}/users/{userId}`
    GetUser(String, String),
    /// `POST /accounts/{accountId}/users` with no `operation` parameter
    BatchUpdateUser(String),
}

impl Operation {
    /// The model's operation name.
    pub fn name(&self) -> &'static str {
        match self {
            Operation::CreateAccount => "CreateAccount",
            Operation::GetAccount(_) => "GetAccount",
            Operation::DeleteAccount(_) => "DeleteAccount",
            Operation::CreateUser(_) => "CreateUser",
            Operation::ListUsers(_) => "ListUsers",
            Operation::GetUser(..) => "GetUser",
            Operation::BatchUpdateUser(_) => "BatchUpdateUser",
        }
    }
}

/// Why a request matches no operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoRoute {
    /// No route has this path and method.
    Unknown,
    /// `POST /accounts/{id}/users?operation=X` for an `X` that is not an
    /// operation of the double (`suspend`, `unsuspend`, ...). It is never
    /// treated as `BatchUpdateUser`.
    UnsupportedOperation(String),
}

/// Routes a request. `path` is the raw (percent-encoded) path; `query` the
/// raw query string.
pub fn route(method: &str, path: &str, query: Option<&str>) -> Result<Operation, NoRoute> {
    let segments: Vec<String> = path.trim_start_matches('/').split('/').map(percent_decode).collect();
    let operation = query.into_iter().flat_map(|q| q.split('&')).find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(k) == "operation").then(|| percent_decode(v))
    });
    let seg: Vec<&str> = segments.iter().map(String::as_str).collect();
    match (method, seg.as_slice()) {
        ("POST", ["accounts"]) => Ok(Operation::CreateAccount),
        ("GET", ["accounts", id]) => Ok(Operation::GetAccount((*id).to_owned())),
        ("DELETE", ["accounts", id]) => Ok(Operation::DeleteAccount((*id).to_owned())),
        ("GET", ["accounts", id, "users"]) => Ok(Operation::ListUsers((*id).to_owned())),
        ("GET", ["accounts", id, "users", user]) => Ok(Operation::GetUser((*id).to_owned(), (*user).to_owned())),
        ("POST", ["accounts", id, "users"]) => match operation.as_deref() {
            None => Ok(Operation::BatchUpdateUser((*id).to_owned())),
            Some("create") => Ok(Operation::CreateUser((*id).to_owned())),
            Some(other) => Err(NoRoute::UnsupportedOperation(other.to_owned())),
        },
        _ => Err(NoRoute::Unknown),
    }
}

/// Decodes `%XX` escapes (and leaves malformed ones as they are). Invalid
/// UTF-8 is replaced, never a panic.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_query_decides_between_batch_update_and_others() {
        let p = "/accounts/a1/users";
        assert_eq!(route("POST", p, None), Ok(Operation::BatchUpdateUser("a1".into())));
        assert_eq!(route("POST", p, Some("")), Ok(Operation::BatchUpdateUser("a1".into())));
        assert_eq!(route("POST", p, Some("operation=create")), Ok(Operation::CreateUser("a1".into())));
        for other in ["suspend", "unsuspend", "reset", "", "Create"] {
            assert_eq!(
                route("POST", p, Some(&format!("x=1&operation={other}"))),
                Err(NoRoute::UnsupportedOperation(other.into())),
                "{other}"
            );
        }
    }

    #[test]
    fn routes_every_operation() {
        assert_eq!(route("POST", "/accounts", None), Ok(Operation::CreateAccount));
        assert_eq!(route("GET", "/accounts/a", None), Ok(Operation::GetAccount("a".into())));
        assert_eq!(route("DELETE", "/accounts/a", None), Ok(Operation::DeleteAccount("a".into())));
        assert_eq!(route("GET", "/accounts/a/users", Some("max-results=1")), Ok(Operation::ListUsers("a".into())));
        assert_eq!(route("GET", "/accounts/a/users/u", None), Ok(Operation::GetUser("a".into(), "u".into())));
        assert_eq!(route("PUT", "/accounts/a/users", None), Err(NoRoute::Unknown));
        assert_eq!(route("GET", "/nope", None), Err(NoRoute::Unknown));
    }

    #[test]
    fn path_segments_are_decoded_safely() {
        assert_eq!(route("GET", "/accounts/%20", None), Ok(Operation::GetAccount(" ".into())));
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%ff"), "\u{fffd}");
        assert_eq!(percent_decode("%41%zz"), "A%zz");
    }
}
