//! The documented behaviour, with in-memory state: accounts, users, and
//! the operations on them. Pure request-in, reply-out; no HTTP here.
//!
//! State is bounded: at most [`MAX_ACCOUNTS`] accounts of at most
//! [`MAX_USERS_PER_ACCOUNT`] users, each string member bounded (the model's
//! lengths, and the double's own where the model sets none). Every request
//! does work bounded by those caps and by the model's page size, never by
//! what the state has grown to: users are found through an index.

use std::collections::{HashMap, HashSet};
use std::time::SystemTime;

use serde_json::{Map, Value, json};

use super::Quirks;
use super::clock::iso8601;
use super::mutants::Mutant;
use super::reply::{ApiError, Exception, Reply};
use super::routes::Operation;

/// The model's `License` enum.
pub const LICENSES: &[&str] = &["Basic", "Plus", "Pro", "ProTrial"];
/// The model's `UserType` enum.
pub const USER_TYPES: &[&str] = &["PrivateUser", "SharedDevice"];
/// `UpdateUserRequestItemList` max.
pub const MAX_BATCH: usize = 20;
/// The most accounts the double holds; `CreateAccount` past it is `400`
/// `BadRequestException` (a limit of the double, not of the model).
pub const MAX_ACCOUNTS: usize = 100;
/// The most users an account holds; `CreateUser` past it is `400`
/// `BadRequestException` (a limit of the double, not of the model).
pub const MAX_USERS_PER_ACCOUNT: usize = 1000;
/// `AccountName` max length, in characters.
pub const MAX_ACCOUNT_NAME: usize = 100;
/// The longest e-mail address accepted, in characters: the model gives a
/// pattern only; 254 is the longest address SMTP can carry (RFC 5321).
pub const MAX_EMAIL: usize = 254;
/// The longest `Username` accepted, in characters: the model sets no
/// bound, the double does.
pub const MAX_USERNAME: usize = 256;
/// `ProfileServiceMaxResults`: the page size bounds of `ListUsers`.
pub const MAX_RESULTS: usize = 200;
/// The page size of `ListUsers` without `max-results`.
pub const DEFAULT_RESULTS: usize = 100;

#[derive(Debug, Clone)]
struct Account {
    id: String,
    name: String,
    created: String,
    /// In creation order, which is the order of `ListUsers`. Users are only
    /// ever removed with their account, so indexes stay valid.
    users: Vec<User>,
    /// `UserId` to its index in `users`.
    by_id: HashMap<String, usize>,
    /// The e-mail addresses in use, for `ConflictException`.
    emails: HashSet<String>,
}

impl Account {
    fn user(&self, id: &str) -> Option<&User> {
        self.by_id.get(id).and_then(|&i| self.users.get(i))
    }

    fn user_mut(&mut self, id: &str) -> Option<&mut User> {
        self.by_id.get(id).and_then(|&i| self.users.get_mut(i))
    }
}

#[derive(Debug, Clone)]
struct User {
    id: String,
    email: Option<String>,
    username: Option<String>,
    user_type: String,
    license: String,
    invited_on: String,
}

/// All accounts and users of the double.
#[derive(Debug, Default)]
pub struct State {
    accounts: HashMap<String, Account>,
    next_id: u64,
}

fn is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

impl State {
    fn new_id(&mut self, quirks: &Quirks) -> String {
        self.next_id += 1;
        if quirks.hex_ids {
            format!("{:032x}", u128::from(self.next_id) * 0x9e37_79b9_7f4a_7c15 + u128::from(self.next_id))
        } else {
            uuid::Uuid::new_v4().to_string()
        }
    }

    /// Handles one routed operation with its (already read) JSON body.
    pub fn handle(
        &mut self,
        op: &Operation,
        body: &[u8],
        query: &[(String, String)],
        quirks: &Quirks,
    ) -> Result<Reply, ApiError> {
        match op {
            Operation::CreateAccount => self.create_account(&parse_object(body)?, quirks),
            Operation::GetAccount(id) => {
                let a = self.account(id)?;
                Ok(Reply::json(200, json!({"Account": account_json(a)})))
            }
            Operation::DeleteAccount(id) => {
                check_path_param("accountId", id)?;
                self.accounts.remove(id).ok_or_else(|| account_not_found(id))?;
                Ok(Reply::empty(204))
            }
            Operation::CreateUser(id) => self.create_user(id, &parse_object(body)?, quirks),
            Operation::GetUser(id, user) => {
                check_path_param("userId", user)?;
                let a = self.account(id)?;
                let u = a.user(user).ok_or_else(|| ApiError::not_found(format!("user {user} not found")))?;
                Ok(Reply::json(200, json!({"User": user_json(a, u)})))
            }
            Operation::ListUsers(id) => self.list_users(id, query),
            Operation::BatchUpdateUser(id) => self.batch_update_user(id, body, quirks),
        }
    }

    fn account(&self, id: &str) -> Result<&Account, ApiError> {
        check_path_param("accountId", id)?;
        self.accounts.get(id).ok_or_else(|| account_not_found(id))
    }

    fn create_account(&mut self, body: &Map<String, Value>, quirks: &Quirks) -> Result<Reply, ApiError> {
        let name = match body.get("Name") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => return Err(ApiError::bad_request("Name is required")),
            Some(_) => return Err(ApiError::bad_request("Name must be a string")),
        };
        let len = name.chars().count();
        if !(1..=MAX_ACCOUNT_NAME).contains(&len) || is_blank(&name) {
            return Err(ApiError::bad_request(format!(
                "Name must be 1 to {MAX_ACCOUNT_NAME} characters and not blank"
            )));
        }
        if self.accounts.len() >= MAX_ACCOUNTS {
            return Err(limit_reached(format!("the double holds at most {MAX_ACCOUNTS} accounts; delete one first")));
        }
        let id = self.new_id(quirks);
        let account = Account {
            id: id.clone(),
            name,
            created: iso8601(SystemTime::now()),
            users: Vec::new(),
            by_id: HashMap::new(),
            emails: HashSet::new(),
        };
        let body = json!({"Account": account_json(&account)});
        self.accounts.insert(id, account);
        Ok(Reply::json(201, body))
    }

    fn create_user(&mut self, account_id: &str, body: &Map<String, Value>, quirks: &Quirks) -> Result<Reply, ApiError> {
        check_path_param("accountId", account_id)?;
        let email = optional_string(body, "Email")?;
        if let Some(e) = &email {
            check_email("Email", e)?;
        }
        let username = optional_string(body, "Username")?;
        if let Some(n) = &username
            && n.chars().count() > MAX_USERNAME
        {
            return Err(ApiError::bad_request(format!("Username must be at most {MAX_USERNAME} characters")));
        }
        let user_type = optional_string(body, "UserType")?;
        if let Some(t) = &user_type
            && !USER_TYPES.contains(&t.as_str())
        {
            return Err(ApiError::bad_request(format!("UserType must be one of {}", USER_TYPES.join(", "))));
        }
        let id = self.new_id(quirks);
        let account = self.accounts.get_mut(account_id).ok_or_else(|| account_not_found(account_id))?;
        if let Some(e) = &email
            && account.emails.contains(e)
        {
            return Err(ApiError::new(Exception::Conflict, "a user with this email already exists"));
        }
        if account.users.len() >= MAX_USERS_PER_ACCOUNT {
            return Err(limit_reached(format!("an account of the double holds at most {MAX_USERS_PER_ACCOUNT} users")));
        }
        let user = User {
            id,
            email,
            username,
            user_type: user_type.unwrap_or_else(|| "PrivateUser".into()),
            license: quirks.default_license.clone(),
            invited_on: iso8601(SystemTime::now()),
        };
        let body = json!({"User": user_json(account, &user)});
        if let Some(e) = &user.email {
            account.emails.insert(e.clone());
        }
        account.by_id.insert(user.id.clone(), account.users.len());
        account.users.push(user);
        Ok(Reply::json(201, body))
    }

    fn list_users(&self, account_id: &str, query: &[(String, String)]) -> Result<Reply, ApiError> {
        let q = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let max = match q("max-results") {
            None => DEFAULT_RESULTS,
            Some(s) => match parse_count(s) {
                Some(n) if (1..=MAX_RESULTS).contains(&n) => n,
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "max-results must be an integer from 1 to {MAX_RESULTS}"
                    )));
                }
            },
        };
        // A token is the position of the next user among those matching;
        // one that is not a position of this list was never issued.
        let start = match q("next-token") {
            None => None,
            Some(s) => Some(parse_count(s).ok_or_else(|| ApiError::bad_request("next-token is not a valid token"))?),
        };
        if let Some(t) = q("user-type")
            && !USER_TYPES.contains(&t)
        {
            return Err(ApiError::bad_request(format!("user-type must be one of {}", USER_TYPES.join(", "))));
        }
        if let Some(e) = q("user-email") {
            check_email("user-email", e)?;
        }
        let a = self.account(account_id)?;
        // Bounded by MAX_USERS_PER_ACCOUNT and the page size; the page is
        // turned into bytes after the lock is released.
        let matching: Vec<&User> = a
            .users
            .iter()
            .filter(|u| q("user-email").is_none_or(|e| u.email.as_deref() == Some(e)))
            .filter(|u| q("user-type").is_none_or(|t| u.user_type == t))
            .collect();
        let start = match start {
            Some(n) if n < matching.len() => n,
            Some(_) => return Err(ApiError::bad_request("next-token is not a valid token for this list")),
            None => 0,
        };
        let page: Vec<Value> = matching.iter().skip(start).take(max).map(|u| user_json(a, u)).collect();
        let mut body = json!({"Users": page});
        let next = start.saturating_add(max);
        if next < matching.len() {
            body["NextToken"] = Value::String(next.to_string());
        }
        Ok(Reply::json(200, body))
    }

    /// `BatchUpdateUser`: validate everything first (nothing is applied on a
    /// 400), then apply each item to a user of the account, and report the
    /// others in `UserErrors`.
    fn batch_update_user(&mut self, account_id: &str, body: &[u8], quirks: &Quirks) -> Result<Reply, ApiError> {
        let m = quirks.mutant();
        if quirks.not_found_first {
            self.account(account_id)?;
        }
        check_path_param("accountId", account_id)?;
        let checked = check_items(body, m)?;
        let items: Vec<UpdateItem> = if m == Some(Mutant::PartialApplyOnInvalid) {
            let valid: Vec<UpdateItem> = checked.iter().map_while(|r| r.as_ref().ok().cloned()).collect();
            if let Some(Err(e)) = checked.into_iter().find(Result::is_err) {
                if let Some(account) = self.accounts.get_mut(account_id) {
                    for item in &valid {
                        if let (Some(u), Some(l)) = (account.user_mut(&item.user_id), &item.license) {
                            u.license = l.clone();
                        }
                    }
                }
                return Err(e);
            }
            valid
        } else {
            checked.into_iter().collect::<Result<_, _>>()?
        };
        let Some(account) = self.accounts.get(account_id) else {
            if m == Some(Mutant::UnknownAccountOk) {
                let errors: Vec<Value> = items.iter().map(|i| user_error(&i.user_id, account_id, quirks)).collect();
                return Ok(Reply::json(200, json!({"UserErrors": errors})));
            }
            return Err(account_not_found(account_id));
        };
        if m == Some(Mutant::UnknownUserFailsRequest)
            && let Some(i) = items.iter().find(|i| account.user(&i.user_id).is_none())
        {
            return Err(ApiError::not_found(format!("user {} not found", i.user_id)));
        }
        let mut errors = Vec::new();
        for item in &items {
            let here = self.accounts.get_mut(account_id).and_then(|a| a.user_mut(&item.user_id));
            let user = match here {
                Some(u) => Some(u),
                None if m == Some(Mutant::CrossAccountUpdate) => {
                    self.accounts.values_mut().flat_map(|a| a.users.iter_mut()).find(|u| u.id == item.user_id)
                }
                None => None,
            };
            match user {
                Some(user) => {
                    if let Some(l) = &item.license
                        && m != Some(Mutant::UpdateNotApplied)
                    {
                        user.license = l.clone();
                    }
                    if quirks.apply_user_type
                        && let Some(t) = &item.user_type
                    {
                        user.user_type = t.clone();
                    }
                    if m == Some(Mutant::ValidUsersReported) {
                        errors.push(user_error(&item.user_id, account_id, quirks));
                    }
                }
                None => errors.push(user_error(&item.user_id, account_id, quirks)),
            }
        }
        if quirks.reverse_user_errors {
            errors.reverse();
        }
        let mut body = json!({"UserErrors": errors});
        if m == Some(Mutant::ExtraResponseMember) {
            body["Status"] = json!("OK");
        }
        Ok(Reply::json(200, body))
    }
}

fn user_error(user_id: &str, account_id: &str, quirks: &Quirks) -> Value {
    let mut e = json!({
        "UserId": user_id,
        "ErrorCode": if quirks.mutant() == Some(Mutant::ErrorCodeOutsideEnum) { "UserNotFound" } else { "NotFound" },
        "ErrorMessage": if quirks.other_wording {
            "No such user in this account.".to_owned()
        } else {
            format!("user {user_id} not found in account {account_id}")
        },
    });
    if quirks.mutant() == Some(Mutant::UserErrorWithoutMessage)
        && let Value::Object(o) = &mut e
    {
        o.remove("ErrorMessage");
    }
    e
}

/// One validated `UpdateUserRequestItem`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateItem {
    /// `UserId`, non-blank.
    pub user_id: String,
    /// `LicenseType`, one of [`LICENSES`].
    pub license: Option<String>,
    /// `UserType`, one of [`USER_TYPES`].
    pub user_type: Option<String>,
}

/// Validates a `BatchUpdateUser` body against the model: an object with
/// `UpdateUserRequestItems`, a list of at most 20 objects, each with a
/// non-blank string `UserId`, enums checked case-sensitively, member types
/// checked. `null` members count as absent. (The service validates with
/// the account's users known; the tests check the shape alone.)
#[cfg(test)]
pub fn validate_batch(body: &[u8]) -> Result<Vec<UpdateItem>, ApiError> {
    check_items(body, None)?.into_iter().collect()
}

/// Validates the body, item by item; the outer error is about the body as a
/// whole. A mutant bends the rules it names.
fn check_items(body: &[u8], m: Option<Mutant>) -> Result<Vec<Result<UpdateItem, ApiError>>, ApiError> {
    let is = |x: Mutant| m == Some(x);
    let obj = parse_object(body).map_err(|e| {
        if is(Mutant::MalformedJson500) { ApiError::new(Exception::ServiceFailure, e.message) } else { e }
    })?;
    let single;
    let items: &[Value] = match obj.get("UpdateUserRequestItems") {
        None | Some(Value::Null) if is(Mutant::MissingItemsAccepted) => &[],
        None | Some(Value::Null) => return Err(ApiError::bad_request("UpdateUserRequestItems is required")),
        Some(Value::Array(items)) => items,
        Some(other @ Value::Object(_)) if is(Mutant::ListNotArrayAccepted) => {
            single = [other.clone()];
            &single
        }
        Some(_) => return Err(ApiError::bad_request("UpdateUserRequestItems must be a list")),
    };
    let max = if is(Mutant::AcceptsTwentyOne) {
        MAX_BATCH + 1
    } else if is(Mutant::LimitIsTen) {
        10
    } else {
        MAX_BATCH
    };
    if items.len() > max {
        return Err(ApiError::bad_request(format!(
            "UpdateUserRequestItems has {} items; at most {MAX_BATCH} are allowed",
            items.len()
        )));
    }
    let licenses: Vec<&str> =
        LICENSES.iter().copied().filter(|l| !(is(Mutant::ProTrialRejected) && *l == "ProTrial")).collect();
    let checked = items
        .iter()
        .enumerate()
        .filter(|(_, item)| !is(Mutant::ItemNotObjectSkipped) || item.is_object())
        .filter(|(_, item)| !(is(Mutant::MissingUserIdSkipped) && item.get("UserId").is_none()))
        .map(|(i, item)| {
            let at = |msg: &str| {
                let e =
                    if is(Mutant::ValidationIs422) { Exception::UnprocessableEntity } else { Exception::BadRequest };
                ApiError::new(e, format!("UpdateUserRequestItems[{i}]: {msg}"))
            };
            let Value::Object(item) = item else { return Err(at("each item must be an object")) };
            let user_id = match item.get("UserId") {
                Some(Value::String(s)) if s.is_empty() && is(Mutant::EmptyUserIdAccepted) => s.clone(),
                Some(Value::String(s)) if !s.is_empty() && is_blank(s) && is(Mutant::BlankUserIdAccepted) => s.clone(),
                Some(Value::String(s)) if is(Mutant::UuidUserIdsOnly) && uuid::Uuid::parse_str(s).is_err() => {
                    return Err(at("UserId must be a user id"));
                }
                Some(Value::String(s)) if !is_blank(s) => s.clone(),
                Some(Value::String(_)) => return Err(at("UserId must not be blank")),
                None | Some(Value::Null) => return Err(at("UserId is required")),
                Some(Value::Number(n)) if is(Mutant::UserIdNumberAccepted) => n.to_string(),
                Some(_) => return Err(at("UserId must be a string")),
            };
            let license = if is(Mutant::LicenseUnchecked) {
                item.get("LicenseType").and_then(Value::as_str).map(str::to_owned)
            } else {
                optional_enum(item, "LicenseType", &licenses, is(Mutant::LicenseCaseInsensitive)).map_err(|e| at(&e))?
            };
            let user_type =
                optional_enum(item, "UserType", USER_TYPES, is(Mutant::UserTypeCaseInsensitive)).map_err(|e| at(&e))?;
            match item.get("AlexaForBusinessMetadata") {
                _ if is(Mutant::AlexaTypesUnchecked) => {}
                None | Some(Value::Null) => {}
                Some(Value::Object(meta)) => {
                    if !matches!(meta.get("AlexaForBusinessRoomArn"), None | Some(Value::Null) | Some(Value::String(_)))
                    {
                        return Err(at("AlexaForBusinessMetadata.AlexaForBusinessRoomArn must be a string"));
                    }
                    if !matches!(meta.get("IsAlexaForBusinessEnabled"), None | Some(Value::Null) | Some(Value::Bool(_)))
                    {
                        return Err(at("AlexaForBusinessMetadata.IsAlexaForBusinessEnabled must be a boolean"));
                    }
                }
                Some(_) => return Err(at("AlexaForBusinessMetadata must be an object")),
            }
            Ok(UpdateItem { user_id, license, user_type })
        })
        .collect();
    Ok(checked)
}

fn optional_enum(
    item: &Map<String, Value>,
    key: &str,
    allowed: &[&str],
    ignore_case: bool,
) -> Result<Option<String>, String> {
    match item.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(Some(s.clone())),
        Some(Value::String(s)) if ignore_case && allowed.iter().any(|a| a.eq_ignore_ascii_case(s)) => {
            Ok(allowed.iter().find(|a| a.eq_ignore_ascii_case(s)).map(|a| (*a).to_owned()))
        }
        Some(Value::String(_)) => Err(format!("{key} must be one of {}", allowed.join(", "))),
        Some(_) => Err(format!("{key} must be a string")),
    }
}

fn optional_string(body: &Map<String, Value>, key: &str) -> Result<Option<String>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad_request(format!("{key} must be a string"))),
    }
}

/// Parses a request body as a JSON object; an empty body is an empty object.
fn parse_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::bad_request("the request body must be a JSON object")),
        Err(_) => Err(ApiError::bad_request("the request body is not valid JSON")),
    }
}

/// `NonEmptyString` path parameters: pattern `.*\S.*`.
fn check_path_param(name: &str, value: &str) -> Result<(), ApiError> {
    if is_blank(value) {
        return Err(ApiError::bad_request(format!("{name} must not be blank")));
    }
    Ok(())
}

/// A cap of the double reached: `400 BadRequestException`, an error every
/// operation of the model may answer.
fn limit_reached(message: String) -> ApiError {
    ApiError::bad_request(message)
}

/// A count in a query parameter: ASCII digits only, at most 9 of them (so
/// never a sign, a space or an overflow). `None` when it is anything else.
fn parse_count(s: &str) -> Option<usize> {
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `EmailAddress`: the model's pattern, and at most [`MAX_EMAIL`] characters.
fn check_email(name: &str, e: &str) -> Result<(), ApiError> {
    if e.chars().count() > MAX_EMAIL {
        return Err(ApiError::bad_request(format!("{name} must be at most {MAX_EMAIL} characters")));
    }
    if !valid_email(e) {
        return Err(ApiError::bad_request(format!("{name} is not a valid email address")));
    }
    Ok(())
}

fn account_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("account {id} not found"))
}

/// `EmailAddress`: the model's pattern `.+@.+\..+`, matched whole.
fn valid_email(s: &str) -> bool {
    static EMAIL: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"^.+@.+\..+$").expect("a valid constant regex"));
    EMAIL.is_match(s)
}

fn account_json(a: &Account) -> Value {
    json!({
        "AwsAccountId": "123456789012",
        "AccountId": a.id,
        "Name": a.name,
        "AccountType": "Team",
        "CreatedTimestamp": a.created,
        "DefaultLicense": "Pro",
        "SupportedLicenses": ["Basic", "Pro"],
        "AccountStatus": "Active",
        "SigninDelegateGroups": [],
    })
}

fn user_json(a: &Account, u: &User) -> Value {
    let mut v = json!({
        "UserId": u.id,
        "AccountId": a.id,
        "LicenseType": u.license,
        "UserType": u.user_type,
        "UserRegistrationStatus": "Unregistered",
        "UserInvitationStatus": "Pending",
        "InvitedOn": u.invited_on,
    });
    if let Some(e) = &u.email {
        v["PrimaryEmail"] = Value::String(e.clone());
    }
    if let Some(n) = &u.username {
        v["DisplayName"] = Value::String(n.clone());
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(body: &str) -> String {
        validate_batch(body.as_bytes()).unwrap_err().message
    }

    fn items(n: usize) -> String {
        let one = r#"{"UserId":"u","LicenseType":"Pro"}"#;
        format!(r#"{{"UpdateUserRequestItems":[{}]}}"#, vec![one; n].join(","))
    }

    #[test]
    fn batch_size_boundary_is_20() {
        assert_eq!(validate_batch(items(20).as_bytes()).unwrap().len(), 20);
        assert_eq!(validate_batch(items(0).as_bytes()).unwrap().len(), 0);
        assert!(err(&items(21)).contains("at most 20"));
    }

    #[test]
    fn every_validation_rule_rejects_with_bad_request() {
        let table = [
            ("", "UpdateUserRequestItems is required"),
            ("{}", "UpdateUserRequestItems is required"),
            (r#"{"UpdateUserRequestItems":null}"#, "UpdateUserRequestItems is required"),
            (r#"{"UpdateUserRequestItems":{}}"#, "must be a list"),
            (r#"{"UpdateUserRequestItems":["u1"]}"#, "[0]: each item must be an object"),
            (r#"{"UpdateUserRequestItems":[{}]}"#, "[0]: UserId is required"),
            (r#"{"UpdateUserRequestItems":[{"UserId":""}]}"#, "UserId must not be blank"),
            (r#"{"UpdateUserRequestItems":[{"UserId":" \t"}]}"#, "UserId must not be blank"),
            (r#"{"UpdateUserRequestItems":[{"UserId":7}]}"#, "UserId must be a string"),
            (r#"{"UpdateUserRequestItems":[{"UserId":"u","LicenseType":"pro"}]}"#, "LicenseType must be one of"),
            (r#"{"UpdateUserRequestItems":[{"UserId":"u","LicenseType":"Enterprise"}]}"#, "LicenseType must be one of"),
            (r#"{"UpdateUserRequestItems":[{"UserId":"u","LicenseType":1}]}"#, "LicenseType must be a string"),
            (r#"{"UpdateUserRequestItems":[{"UserId":"u","UserType":"privateuser"}]}"#, "UserType must be one of"),
            (r#"{"UpdateUserRequestItems":[{"UserId":"u","AlexaForBusinessMetadata":1}]}"#, "must be an object"),
            (
                r#"{"UpdateUserRequestItems":[{"UserId":"u","AlexaForBusinessMetadata":{"IsAlexaForBusinessEnabled":"yes"}}]}"#,
                "must be a boolean",
            ),
            ("{", "not valid JSON"),
            ("[]", "must be a JSON object"),
        ];
        for (body, want) in table {
            let got = err(body);
            assert!(got.contains(want), "{body}: {got}");
        }
    }

    #[test]
    fn valid_items_pass_with_every_license_and_type() {
        for l in LICENSES {
            for t in USER_TYPES {
                let body =
                    format!(r#"{{"UpdateUserRequestItems":[{{"UserId":"u","LicenseType":"{l}","UserType":"{t}"}}]}}"#);
                assert_eq!(validate_batch(body.as_bytes()).unwrap()[0].license.as_deref(), Some(*l));
            }
        }
    }

    #[test]
    fn emails_follow_the_model_pattern() {
        assert!(valid_email("a@b.c"));
        assert!(valid_email("a@b@c.d"));
        assert!(!valid_email("a@b"));
        assert!(!valid_email("@b.c"));
        assert!(!valid_email("a@.c"));
    }
}
