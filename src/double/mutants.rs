//! Deliberate deviations from the documented behaviour. Each is a mistake
//! an implementation could plausibly make; running a suite against the
//! double with one switched on must fail, or the suite cannot tell a
//! broken implementation from a conforming one. Never on in `conform serve`.

/// Defines [`Mutant`] and [`Mutant::ALL`] from one list, so the list of
/// every mutant cannot miss one.
macro_rules! mutants {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// One deviation from the documentation.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Mutant {
            $($(#[$doc])* $name,)*
        }

        impl Mutant {
            /// Every mutant.
            pub const ALL: &'static [Mutant] = &[$(Mutant::$name,)*];
        }
    };
}

mutants! {
    /// Accepts 21 items.
    AcceptsTwentyOne,
    /// Rejects more than 10 items.
    LimitIsTen,
    /// An unknown user fails the whole request with 404.
    UnknownUserFailsRequest,
    /// Valid items are acknowledged but not applied.
    UpdateNotApplied,
    /// Errors carry no `x-amzn-ErrorType` header.
    NoErrorTypeHeader,
    /// `LicenseType` is compared without case.
    LicenseCaseInsensitive,
    /// `LicenseType` is not validated: any string is stored, other types ignored.
    LicenseUnchecked,
    /// `ProTrial` is not accepted.
    ProTrialRejected,
    /// `UserType` is compared without case.
    UserTypeCaseInsensitive,
    /// A whitespace-only `UserId` passes validation.
    BlankUserIdAccepted,
    /// An empty `UserId` passes validation.
    EmptyUserIdAccepted,
    /// Only UUID-shaped `UserId`s pass validation.
    UuidUserIdsOnly,
    /// Items without `UserId` are skipped.
    MissingUserIdSkipped,
    /// A number `UserId` is read as text.
    UserIdNumberAccepted,
    /// A missing `UpdateUserRequestItems` is an empty list.
    MissingItemsAccepted,
    /// An object `UpdateUserRequestItems` is a list of one.
    ListNotArrayAccepted,
    /// Items that are not objects are skipped.
    ItemNotObjectSkipped,
    /// `AlexaForBusinessMetadata` types are not checked.
    AlexaTypesUnchecked,
    /// Items are applied one by one; a bad item leaves the earlier ones applied.
    PartialApplyOnInvalid,
    /// Malformed JSON is a 500.
    MalformedJson500,
    /// Validation errors are 422 `UnprocessableEntityException`.
    ValidationIs422,
    /// An unknown account is a 200 with every user in `UserErrors`.
    UnknownAccountOk,
    /// A body with `UpdateUserRequestItems` is `BatchUpdateUser`, whatever the `operation` parameter.
    BodyDecidesOperation,
    /// Unsigned requests are accepted.
    UnsignedAccepted,
    /// Signatures are not verified, only their form.
    SignatureNotVerified,
    /// Users of other accounts are updated too.
    CrossAccountUpdate,
    /// `UserErrors` entries use an `ErrorCode` outside the enum.
    ErrorCodeOutsideEnum,
    /// `UserErrors` entries lack `ErrorMessage`.
    UserErrorWithoutMessage,
    /// Valid users are listed in `UserErrors` too.
    ValidUsersReported,
    /// The 200 body has an undocumented member.
    ExtraResponseMember,
    /// 200 bodies are sent as `text/plain`.
    TextContentType,
    /// Error bodies carry their message as `ErrorMessage` and no `Code`:
    /// no SDK finds the message (they read `message` or `Message`).
    RenamedErrorMessage,
    /// Fault rules are stored but never injected.
    FaultsNotInjected,
    /// Injected faults are always 500 `ServiceFailureException`.
    FaultsAlways500,
}
