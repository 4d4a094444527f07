"""The accounts' operations as the OpenAPI document shows them, one `Endpoint` per HTTP function."""

from __future__ import annotations

from functions.accounts import responses as answers
from functions.accounts.commands import (
    ChangePassword,
    CreateAddress,
    Login,
    RefreshSession,
    Register,
    SearchUsers,
    UpdateAddress,
    UpdateProfile,
    UpdateUser,
)
from functions.runtime.openapi import (
    ACCOUNT_ERRORS,
    ADMIN,
    ADMIN_ERRORS,
    ANONYMOUS,
    BODY_ERRORS,
    NO_CONTENT,
    NOT_FOUND,
    SIGNED_IN,
    Answer,
    Endpoint,
    Operation,
    Param,
)

TOKENS = {200: Answer(ref="Tokens", model=answers.TokenPair)}
ID_SCHEMA = {"type": "string", "format": "uuid"}
ADDRESS_ID = Param("AddressId", "id", "The address's id; anything but a UUID is 422 (field `id`).", ID_SCHEMA)
USER_ID = Param("UserId", "id", "The user's id; anything but a UUID is 422 (field `id`).", ID_SCHEMA)
REFRESH_TOKEN_IS_THE_CREDENTIAL = "Anonymous: the refresh token is the credential (no `Authorization` header). "

REGISTER = Endpoint("/api/auth/register", {"POST": Operation(
    "registerUser", "auth", "Create a customer account", (
        "Anonymous. Creates an account with role `customer`; the role cannot be chosen (like "
        "any unknown field, `role` is 422). The email is stored trimmed and lowercased and must "
        "not belong to another account in any letter case: 409, which says nothing more about "
        "that account. The password must be 10 to 256 characters, must not be the email address "
        "(nor its part before `@`) and must not be a common password: 422 naming `password`. "
        "No tokens are issued: log in next. Emits `com.ecom.accounts.user.registered`."
    ), ANONYMOUS, {201: Answer("Created; the body is the account as `GET /api/users/me` shows it.", answers.User, {
        "Location": {"$ref": "#/components/headers/Location",
                     "description": "Always `/api/users/me`; the account is read with its owner's token."}})},
    BODY_ERRORS | {409: ("Conflict", "The email belongs to an account already (`conflict`, without `errors`).")},
    body=Register)})

LOGIN = Endpoint("/api/auth/login", {"POST": Operation(
    "logIn", "auth", "Log in with email and password", (
        "Anonymous. Exchanges an email (matched whatever its letter case) and password for a "
        "short-lived access JWT and an opaque refresh token: a new session. Every failure (no "
        "such email, a wrong password, a deactivated account) is the same 401 "
        "`invalid-credentials` and takes as long. The answer must not be cached."
    ), ANONYMOUS, TOKENS, BODY_ERRORS | {401: "InvalidCredentials", 503: "ServiceUnavailable"}, body=Login)})

REFRESH = Endpoint("/api/auth/refresh", {"POST": Operation(
    "refreshSession", "auth", "Rotate a refresh token into a new token pair", (
        REFRESH_TOKEN_IS_THE_CREDENTIAL
        + "The token sent is used up and a new pair of the same session is answered; the access token "
        "carries the user's current role. A token that is unknown, expired, revoked or already "
        "used, or whose account was deactivated, is 401 `invalid-refresh-token`; presenting an "
        "already used one (a sign it was stolen) also ends its whole session. The answer must "
        "not be cached."
    ), ANONYMOUS, TOKENS, BODY_ERRORS | {401: "InvalidRefreshToken", 503: "ServiceUnavailable"},
    body=RefreshSession)})

LOGOUT = Endpoint("/api/auth/logout", {"POST": Operation(
    "logOut", "auth", "End a session", (
        REFRESH_TOKEN_IS_THE_CREDENTIAL
        + "Revokes every refresh token of the session it belongs to. Access tokens already issued stay "
        "valid until they expire (`expires_in`). An unknown token is not an error (204): "
        "there is nothing to end."
    ), ANONYMOUS, {204: NO_CONTENT}, BODY_ERRORS, body=RefreshSession)})

ME = Endpoint("/api/users/me", {
    "GET": Operation(
        "getMe", "users", "The caller's account",
        "Any logged-in user (any role): the account the access token's `sub` names.",
        SIGNED_IN, {200: Answer("The caller's account.", answers.User)}, ACCOUNT_ERRORS),
    "PATCH": Operation(
        "updateMe", "users", "Change the caller's profile", (
            "Any logged-in user. Fields left out stay as they are; none may be null; an empty "
            "object changes nothing. The email, role and active flag cannot change here (422 "
            "`unknown field`)."
        ), SIGNED_IN, {200: Answer("The updated account.", answers.User)}, ACCOUNT_ERRORS | BODY_ERRORS,
        body=UpdateProfile),
})

ME_PASSWORD = Endpoint("/api/users/me/password", {"POST": Operation(
    "changeMyPassword", "users", "Change the caller's password", (
        "Any logged-in user. `current_password` must be the account's password (422 naming "
        "`current_password` otherwise). `new_password` must be 10 to 256 characters, must not be "
        "the email address (nor its part before `@`) and must not be a common password (422 "
        "naming `new_password`). Every other session of the user ends (its refresh tokens are "
        "revoked); the session of the access token used (its `sid`) goes on. Access tokens "
        "already issued stay valid until they expire."
    ), SIGNED_IN, {204: NO_CONTENT}, ACCOUNT_ERRORS | BODY_ERRORS, body=ChangePassword)})

ADDRESSES = Endpoint("/api/users/me/addresses", {
    "GET": Operation(
        "listMyAddresses", "addresses", "The caller's address book", (
            "Any logged-in user; only their own addresses. The default address first, then the "
            "others oldest first. The whole book is one page: `page` is 1, `page_size` 20 (the "
            "most a book holds) and `total` the number of addresses."
        ), SIGNED_IN, {200: Answer("The address book.", answers.AddressList)}, ACCOUNT_ERRORS),
    "POST": Operation(
        "createMyAddress", "addresses", "Add an address to the caller's book", (
            "Any logged-in user. A book holds at most 20 addresses (409 beyond). The first "
            "address, or one sent with `is_default: true`, becomes the default; there is only ever "
            "one default."
        ), SIGNED_IN, {201: Answer("Created.", answers.Address, {"Location": "Location"})},
        ACCOUNT_ERRORS | BODY_ERRORS
        | {409: ("Conflict", "The book already holds 20 addresses (`conflict`, without `errors`).")},
        body=CreateAddress),
})

ADDRESS = Endpoint("/api/users/me/addresses/{id}", {
    "GET": Operation(
        "getMyAddress", "addresses", "One of the caller's addresses",
        "Any logged-in user. Another user's address is 404, like one that does not exist.",
        SIGNED_IN, {200: Answer("The address.", answers.Address)}, ACCOUNT_ERRORS | NOT_FOUND,
        params=(ADDRESS_ID,)),
    "PATCH": Operation(
        "updateMyAddress", "addresses", "Change one of the caller's addresses", (
            "Any logged-in user; another user's address is 404. Fields left out stay as they are; "
            "none may be null. `is_default: true` makes this the only default address; "
            "`is_default: false` on the default leaves the book without one."
        ), SIGNED_IN, {200: Answer("The updated address.", answers.Address)},
        ACCOUNT_ERRORS | BODY_ERRORS | NOT_FOUND, body=UpdateAddress, params=(ADDRESS_ID,)),
    "DELETE": Operation(
        "deleteMyAddress", "addresses", "Delete one of the caller's addresses", (
            "Any logged-in user; another user's address is 404. When the default address is "
            "deleted, the newest remaining one becomes the default."
        ), SIGNED_IN, {204: NO_CONTENT}, ACCOUNT_ERRORS | NOT_FOUND, params=(ADDRESS_ID,)),
})

ADMIN_USERS = Endpoint("/api/admin/users", {"GET": Operation(
    "searchUsers", "users", "Search user accounts (admin)", (
        "Needs role `admin`. Every account matching all the filters given, newest first (ties "
        "break on id). Unknown or repeated query parameters are refused (422)."
    ), ADMIN, {200: Answer("One page of matching accounts.", answers.UserPage)},
    ADMIN_ERRORS | {422: "ValidationFailed"}, query=SearchUsers, query_help={
        "q": "Part of the email or the name, whatever its letter case.",
        "role": "Only accounts with this role.",
        "active": "`true`: only active accounts; `false`: only deactivated ones.",
        "page": "The page number.",
        "page_size": "Accounts per page.",
    })})

ADMIN_USER = Endpoint("/api/admin/users/{id}", {"PATCH": Operation(
    "updateUser", "users", "Change a user's role or active flag (admin)", (
        "Needs role `admin`. Fields left out stay as they are; none may be null. A new role or "
        "a deactivation ends every session of the user (refresh tokens revoked; access tokens "
        "already issued stay valid until they expire) and is recorded in the audit trail. "
        "Admins cannot change their own role or deactivate themselves (409); sending the values "
        "the account already has changes nothing (200)."
    ), ADMIN, {200: Answer("The updated account.", answers.User)},
    ADMIN_ERRORS | BODY_ERRORS | NOT_FOUND
    | {409: ("Conflict", "An admin changing their own role or active flag (`conflict`, without `errors`).")},
    body=UpdateUser, params=(USER_ID,))})
